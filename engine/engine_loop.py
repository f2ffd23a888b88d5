"""The ready-queue loop every backward runs: one grad_fn at a time, in torch's CPU engine order.

A node runs once every edge into it has delivered its gradient. Among ready nodes, AccumulateGrad
nodes go first (in the order they became ready), then the most recently created node (highest
uid). A chain never touches the heap: a single ready node waits in `single`. Gradients are numpy
arrays on the normal path; with `create_graph=True` they are Tensors and the rules run as
recorded ops (`TENSOR` backend), so higher derivatives work.
"""

from __future__ import annotations

import re
from collections import deque
from heapq import heappop, heappush
from typing import Any

import numpy as np

from engine import hooks
from engine.backends import NUMPY
from engine.data_attribute import DATA_SET
from engine.dtypes import from_numpy
from engine.grad_mode import enable_grad
from engine.gradient_sum import GradientSum
from engine.graph import (
    FREED_MESSAGE,
    LAST_MUTATION,
    AccumulateGrad,
    Node,
    OutputSlot,
    SavedOutput,
    named,
    note_mutation,
)
from engine.observe import BackwardStep
from engine.ops import broadcast_message
from engine.tensor import Tensor, wrap
from engine.walks import dependencies

_SCALARS = (int, float, bool)
_ndarray = np.ndarray


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

    Every node has one output, so a node's input buffer is its one gradient: `buffers[node]` holds
    it (None when only "no gradient" arrived, a GradientSum when several did). A node whose last
    gradient arrives when no other node is queued runs next with that gradient in `single_grad`,
    never entering `buffers`: the path a chain takes.
    """
    deps = dependencies([node for node, _ in root_edges])
    buffers: dict[Node, Any] = {}
    for (node, _), g in zip(root_edges, grads, strict=True):
        buffers[node] = _added(buffers[node], g) if node in buffers else g
    needed = None if plan is None else plan.needed  # nodes that run
    capture = {} if plan is None else plan.capture
    reach = None if plan is None else needed | set(capture)  # nodes gradients go to
    acc: deque = deque()
    heap: list = []
    single = single_grad = None
    for node in dict.fromkeys(node for node, _ in root_edges):
        if deps[node] == 0 and (needed is None or node in needed or node in capture):
            g = buffers.pop(node)
            if single is None and not heap and node.__class__ is not AccumulateGrad:
                single, single_grad = node, g
            else:
                single, single_grad = _queue(node, g, buffers, acc, heap, single, single_grad)
    hooked = hooks.active()
    get = buffers.get
    pop = buffers.pop
    with np.errstate(all="ignore"):  # torch gives inf/nan silently
        while True:
            if acc:
                node = acc.popleft()
                grad = pop(node)
            elif single is not None:
                node, grad = single, single_grad
                single = None
            elif heap:
                node = heappop(heap)[1]
                grad = pop(node)
            else:
                return
            if grad.__class__ is GradientSum:
                grad = grad.value()
            if capture and node in capture:
                if node not in needed:  # only captured: after its tensor hooks, as torch
                    if hooked:
                        grad = hooks.run_pre_hooks(node, [grad], create_graph, False)[0]
                    _capture(plan, node, grad)
                    continue
                _capture(plan, node, grad)  # a node that runs: torch captures the raw gradient
            if hooked:
                if grad.__class__ is list:  # a node with several outputs: a gradient for each
                    grad = hooks.run_pre_hooks(node, grad, create_graph)
                else:
                    grad = hooks.run_pre_hooks(node, [grad], create_graph)[0]
            if node.__class__ is AccumulateGrad:
                step = _accumulate(node, grad, events, create_graph)
                if hooked:
                    hooks.run_post_hooks(node, grad, (), create_graph, reach)
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
                grads_out = node.op.backward(NUMPY, grad, saved, node.attrs)
                if node.meta is not None:
                    grads_out = _fit(NUMPY, node, grads_out)
            if hooked:
                grads_out = hooks.run_post_hooks(node, grad, grads_out, create_graph, reach)
            if events and node.__class__ is not OutputSlot:
                yield _step(node, grad, grads_out, reach)
            # zip without keywords: with `strict=` a call costs several times more
            for child, g in zip(node.next_nodes, grads_out):  # noqa: B905
                if child is None or (reach is not None and child not in reach):
                    continue
                n = deps[child]
                if n > 1:  # more gradients to come: buffer this one
                    deps[child] = n - 1
                    old = get(child)
                    if old is None:
                        if g is not None or child not in buffers:
                            buffers[child] = g
                    elif g is not None:
                        if old.__class__ is GradientSum:
                            old.add(g)
                        else:
                            buffers[child] = _added(old, g)
                    continue
                if child in buffers:
                    g = _added(pop(child), g)
                if single is None and not heap and child.__class__ is not AccumulateGrad:
                    single, single_grad = child, g
                else:
                    single, single_grad = _queue(child, g, buffers, acc, heap, single, single_grad)


def _queue(node: Node, g: Any, buffers: dict, acc: deque, heap: list, single, single_grad):
    """Queue a ready node with its gradient `g`; returns the new (single, single_grad).

    AccumulateGrad nodes wait in `acc` (they run first); the others in `heap`, newest first.
    """
    buffers[node] = g
    if node.__class__ is AccumulateGrad:
        acc.append(node)
        return single, single_grad
    if single is not None:
        buffers[single] = single_grad
        heappush(heap, (-single.uid, single))
    heappush(heap, (-node.uid, node))
    return None, None


def _added(old: Any, g: Any) -> Any:
    """The input buffer `old` once gradient `g` arrives (None: no gradient)."""
    if old is None:
        return g
    if g is None:
        return old
    if old.__class__ is GradientSum:
        old.add(g)
        return old
    if isinstance(g, Tensor) or isinstance(old, Tensor):  # create_graph: the sum is recorded
        return old + g
    return GradientSum(old, g)


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
        data_set = node.uid < DATA_SET[0]
        if saved:
            saved = node.arrays
            if saved is None or data_set:
                saved = _arrays(node.saved, saved)
        if data_set:
            grads = _rule_after_data_set(node, g, saved)
        else:
            grads = node.op.backward(NUMPY, g, saved, node.attrs)
            if node.meta is not None:
                grads = _fit(NUMPY, node, grads)
    if not retain_graph and node.saved:
        node.saved = node.arrays = node.versions = None
    return grads


def _arrays(saved: tuple, old: tuple | None = None) -> tuple:
    """The saved values' arrays now (a saved tensor's `.data` may have been set since `old`,
    the arrays kept when it was saved, were taken; a saved node stays as it is)."""
    if old is None:
        return tuple([v if v.__class__ in _SCALARS else v.array for v in saved])
    return tuple([v.array if v.__class__ is Tensor else a for v, a in zip(saved, old, strict=True)])


def _rule_after_data_set(node: Node, g: Any, saved: tuple) -> tuple:
    """`node`'s rule on saved tensors whose `.data` may have been set to another shape or dtype
    since: torch's error where the shapes no longer broadcast, and each gradient in the dtype the
    graph recorded for its input (torch's validate_outputs), whatever the data's dtype now."""
    try:
        grads = node.op.backward(NUMPY, g, saved, node.attrs)
    except ValueError as error:
        shapes = _NUMPY_BROADCAST.search(str(error))
        if shapes is None:
            raise
        a, b = (tuple(map(int, re.findall(r"\d+", shape))) for shape in shapes.groups())
        raise RuntimeError(broadcast_message(a, b)) from None
    if node.meta is not None:
        return _fit(NUMPY, node, grads)
    # no metadata: the inputs had the output's shape and dtype, which the gradient `g` has
    return tuple([None if x is None else x.astype(g.dtype, copy=False) for x in grads])


_NUMPY_BROADCAST = re.compile(r"shapes (\([\d, ]*\)) (\([\d, ]*\))")
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
            if backend is NUMPY:
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
        t._fn = node
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
        elif create_graph:  # torch adds out of place when grad mode is on, in place otherwise
            leaf._grad = before + g
        else:
            np.add(before.array, g, out=before.array)
            note_mutation(before)
    if not events:
        return None
    after = None if leaf._grad is None else _copy(leaf._grad)
    return BackwardStep(node, _tensors((g,)), (), leaf, before_copy, after)


def _new_grad(g: Any, leaf: Tensor, create_graph: bool) -> Tensor:
    if not isinstance(g, Tensor):  # the gradient's dtype: the leaf's unless `.data` changed it
        return wrap(np.array(g, copy=True), from_numpy(g.dtype))
    if create_graph and g._rg:
        return hooks.copy_backwards(g)
    return wrap(g.array.copy(), leaf.dtype)


def _step(node: Node, grad: Any, grads_out: tuple, reach: set | None) -> BackwardStep:
    sent = hooks.sent_gradients(node, grads_out, reach)
    return BackwardStep(
        named(node), _tensors(grad if grad.__class__ is list else (grad,)), _tensors(sent)
    )


def _copy(t: Tensor) -> Tensor:
    return wrap(t.array.copy(), t.dtype)


def _tensors(grads: Any) -> tuple:
    """Gradients as Tensors for an event (arrays are wrapped, not copied)."""
    return tuple([hooks.as_tensor(g) for g in grads])
