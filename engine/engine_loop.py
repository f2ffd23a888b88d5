"""The ready-queue loop every backward runs: one grad_fn at a time, in torch's CPU engine order.

A node runs once every edge into it has delivered its gradient. Among ready nodes, AccumulateGrad
nodes go first (in the order they became ready), then the most recently created node (highest
uid). A chain never touches the heap: a single ready node waits in `single`. Gradients are numpy
arrays on the normal path; with `create_graph=True` they are Tensors and the rules run as
recorded ops (`TENSOR` backend), so higher derivatives work.
"""

from __future__ import annotations

import sys
from collections import deque
from heapq import heappop, heappush
from typing import Any

import numpy as np

from engine import hooks, ops
from engine.dtypes import from_numpy
from engine.grad_mode import enable_grad
from engine.graph import (
    FREED_MESSAGE,
    LAST_MUTATION,
    AccumulateGrad,
    Node,
    SavedOutput,
    dependencies,
    note_mutation,
)
from engine.observe import BackwardStep
from engine.tensor import Tensor, wrap

_SCALARS = (int, float, bool)
_NUMPY = ops.NUMPY
_ndarray = np.ndarray
_refcount = sys.getrefcount
_STEAL_SIZE = 4096  # add into a gradient buffer in place from this many elements


class Plan:
    """A backward limited to some inputs (autograd.grad, backward(inputs=)).

    `capture` maps a node to the input_nrs whose incoming gradient is kept in `captured`;
    only nodes in `needed` run.
    """

    __slots__ = ("capture", "needed", "captured")

    def __init__(self, capture: dict, needed: set) -> None:
        self.capture = capture
        self.needed = needed
        self.captured: dict = {}


def execute(root_edges: list, grads: list, retain_graph: bool, create_graph: bool, events, plan):
    """Run the graph from `root_edges` seeded with `grads`; yield a step per node if `events`.

    Every node has one output, so a node's input buffer is its one gradient (`buffers[node]`,
    None when only "no gradient" arrived).
    """
    deps = dependencies([node for node, _ in root_edges])
    buffers: dict[Node, Any] = {}
    for (node, _), g in zip(root_edges, grads, strict=True):
        _deliver(buffers, node, g)
    needed = None if plan is None else plan.needed  # nodes that run
    capture = {} if plan is None else plan.capture
    reach = None if plan is None else needed | set(capture)  # nodes gradients go to
    acc: deque = deque()
    heap: list = []
    single = None
    for node in dict.fromkeys(node for node, _ in root_edges):
        if deps[node] == 0 and (needed is None or node in needed or node in capture):
            single, heap = _ready(node, acc, heap, single)
    hooked = hooks.active()
    get = buffers.get
    with np.errstate(all="ignore"):  # torch gives inf/nan silently
        while True:
            if acc:
                node = acc.popleft()
            elif single is not None:
                node = single
                single = None
            elif heap:
                node = heappop(heap)[1]
            else:
                return
            grad = buffers.pop(node)
            if hooked:
                grad = hooks.run_pre_hooks(node, [grad], create_graph)[0]
            if capture and node in capture:
                _capture(plan, node, grad)
                if node not in needed:
                    continue
            if node.__class__ is AccumulateGrad:
                step = _accumulate(node, grad, events, create_graph)
                if events:
                    yield step
                continue
            saved = node.saved
            if (
                create_graph
                or saved is None
                or grad is None
                or (saved and node.uid < LAST_MUTATION[0])
            ):
                grads_out = _apply(node, grad, retain_graph, create_graph)
            else:  # _apply's numpy path, inlined
                if saved:
                    saved = node.arrays
                    if saved is None:
                        saved = _arrays(node.saved)
                    if not retain_graph:
                        node.saved = node.arrays = node.versions = None
                grads_out = node.op.backward(_NUMPY, grad, saved, node.attrs)
                if node.meta is not None:
                    grads_out = _fit(_NUMPY, node, grads_out)
            if events:
                yield _step(node, grad, grads_out)
            for child, g in zip(node.next_nodes, grads_out, strict=False):
                if child is None or (reach is not None and child not in reach):
                    continue
                old = get(child)
                if old is None:
                    if g is not None or child not in buffers:
                        buffers[child] = g
                elif g is not None:
                    if g.__class__ is _ndarray and g.size < _STEAL_SIZE:
                        buffers[child] = old + g
                    else:
                        buffers[child] = _sum(old, g)
                n = deps[child] - 1
                deps[child] = n
                if n:
                    continue
                if child.__class__ is AccumulateGrad:
                    acc.append(child)
                elif single is None and not heap:
                    single = child
                else:
                    single, heap = _ready(child, acc, heap, single)


def _ready(node: Node, acc: deque, heap: list, single: Any) -> tuple:
    """Queue a ready node; returns the new (single, heap)."""
    if node.__class__ is AccumulateGrad:
        acc.append(node)
        return single, heap
    if single is None and not heap:
        return node, heap
    if single is not None:
        heappush(heap, (-single.uid, single))
    heappush(heap, (-node.uid, node))
    return None, heap


def _deliver(buffers: dict, node: Node, g: Any) -> None:
    """Add `g` (None for "no gradient") into the node's input buffer."""
    old = buffers.get(node)
    if old is None:
        if g is not None or node not in buffers:
            buffers[node] = g
    elif g is not None:
        buffers[node] = _sum(old, g)


# References to a buffered array when only the buffer holds it: the dict, the loop's `old`,
# `_sum`'s parameter and getrefcount's argument.
_BUFFER_ONLY = 4


def _sum(old: Any, g: Any) -> Any:
    """`old + g`, in place when `old` is a large array that only the buffer holds."""
    if (
        old.__class__ is _ndarray
        and old.size >= _STEAL_SIZE
        and _refcount(old) <= _BUFFER_ONLY
        and old.base is None
        and old.flags.writeable
        and old.dtype == g.dtype
    ):
        return np.add(old, g, out=old)
    return old + g


def _capture(plan: Plan, node: Node, g: Any) -> None:
    for nr in plan.capture[node]:
        plan.captured[(node, nr)] = g


def _apply(node: Node, g: Any, retain_graph: bool, create_graph: bool) -> tuple:
    """Run one node's backward rule; gradients summed and cast to each input's shape and dtype."""
    saved = node.saved
    if saved is None:
        raise RuntimeError(FREED_MESSAGE)
    if g is None:
        return (None,) * len(node.next_nodes)
    if saved and node.uid < LAST_MUTATION[0]:
        node.check_versions()
    if create_graph:
        saved = tuple([_saved_tensor(v, node) for v in saved])
        with enable_grad():
            grads = node.op.backward(TENSOR_BACKEND[0], g, saved, node.attrs)
            grads = _fit(TENSOR_BACKEND[0], node, grads)
    else:
        if saved:
            saved = node.arrays
            if saved is None:
                saved = _arrays(node.saved)
        grads = node.op.backward(_NUMPY, g, saved, node.attrs)
        if node.meta is not None:
            grads = _fit(_NUMPY, node, grads)
    if not retain_graph and node.saved:
        node.saved = node.arrays = node.versions = None
    return grads


def _arrays(saved: tuple) -> tuple:
    return tuple([v if v.__class__ in _SCALARS else v.array for v in saved])


TENSOR_BACKEND: list = [None]  # autograd sets the Tensor backend here (it imports the ops)


def _fit(backend: Any, node: Node, grads: tuple) -> tuple:
    """Torch's validate_outputs: drop unneeded gradients, sum_to the input shape, cast dtype."""
    out = []
    meta = node.meta or (None,) * len(grads)
    for g, child, m in zip(grads, node.next_nodes, meta, strict=True):
        if child is None or g is None:
            out.append(None)
            continue
        if m is not None:
            shape, dtype = m
            if g.shape != shape:
                g = backend.sum_to(g, shape)
            if backend is _NUMPY:
                if g.dtype is not dtype.np:
                    g = g.astype(dtype.np)
            elif g.dtype is not dtype:
                g = g.to(dtype)
        out.append(g)
    return tuple(out)


def _saved_tensor(value: Any, node: Node) -> Any:
    """A saved value as a Tensor for a recorded backward; a saved output keeps its grad_fn."""
    if type(value) is SavedOutput:
        t = wrap(value.array, value.dtype, value._vc)
        t.grad_fn = node
        t._rg = True
        return t
    return value


def _accumulate(node: AccumulateGrad, g: Any, events: bool, create_graph: bool):
    """Add `g` into the leaf's `.grad` (created on first use, then updated in the same object)."""
    leaf = node.variable
    before = leaf._grad
    before_copy = None if before is None or not events else _copy(before)
    if g is not None:
        if before is None:
            leaf._grad = _new_grad(g, leaf, create_graph)
        elif isinstance(g, Tensor) or before._rg:
            leaf._grad = before + g
        else:
            np.add(before.array, g, out=before.array)
            note_mutation(before)
    if not events:
        return None
    after = None if leaf._grad is None else _copy(leaf._grad)
    return BackwardStep(node, _tensors((g,)), (), leaf, before_copy, after)


def _new_grad(g: Any, leaf: Tensor, create_graph: bool) -> Tensor:
    if not isinstance(g, Tensor):
        return wrap(np.array(g, copy=True), leaf.dtype)
    if create_graph and g._rg:
        return hooks.copy_backwards(g)
    return wrap(g.array.copy(), leaf.dtype)


def _step(node: Node, grad: Any, grads_out: tuple) -> BackwardStep:
    sent = tuple(
        None if child is None else g for child, g in zip(node.next_nodes, grads_out, strict=False)
    )
    return BackwardStep(node, _tensors((grad,)), _tensors(sent))


def _copy(t: Tensor) -> Tensor:
    return wrap(t.array.copy(), t.dtype)


def _tensors(grads: Any) -> tuple:
    """Gradients as Tensors for an event (arrays are wrapped, not copied)."""
    return tuple([_as_tensor(g) for g in grads])


def _as_tensor(g: Any) -> Tensor | None:
    if g is None or isinstance(g, Tensor):
        return g
    array = np.asarray(g)
    return wrap(array, from_numpy(array.dtype))
