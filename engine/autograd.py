"""The backward engine: `backward_steps` runs the graph one grad_fn at a time; `backward` drains it.

Execution order follows torch's CPU engine: a node runs once every edge into it has delivered its
gradient; among ready nodes, AccumulateGrad nodes go first, then the most recently created node
(highest uid). Gradients are numpy arrays on the normal path; with `create_graph=True` they are
Tensors and the backward rules run as recorded ops (`TENSOR` backend), so higher derivatives work.
"""

from __future__ import annotations

import heapq
import itertools
import warnings
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from engine import factories, ops
from engine.dispatch import edge, where
from engine.dtypes import from_numpy
from engine.grad_mode import enable_grad
from engine.graph import AccumulateGrad, Node, SavedOutput, dependencies
from engine.observe import (
    LISTENERS,
    BackwardFinished,
    BackwardStarted,
    BackwardStep,
    emit,
)
from engine.tensor import Size, Tensor, wrap

NO_GRAD_FN = "element {} of tensors does not require grad and does not have a grad_fn"
CREATE_GRAPH_WARNING = (
    "Using backward() with create_graph=True will create a reference cycle between the parameter "
    "and its gradient which can cause a memory leak. We recommend using autograd.grad when "
    "creating the graph to avoid this. If you have to use this function, make sure to reset the "
    ".grad fields of your parameters to None after use to break the cycle and avoid the leak."
)
_SCALARS = (int, float, bool)


class TENSOR:  # noqa: N801 (a namespace standing in for a module)
    """The tensor backend of the backward rules (create_graph=True): every step is recorded."""

    where = staticmethod(where)
    exp = staticmethod(Tensor.exp)
    log = staticmethod(Tensor.log)
    zeros_like = staticmethod(factories.zeros_like)
    expand = staticmethod(Tensor.expand)
    reshape = staticmethod(Tensor.reshape)

    @staticmethod
    def sum_to(t: Tensor, shape: tuple) -> Tensor:
        """Sum a broadcast gradient back to `shape`."""
        lead = t.ndim - len(shape)
        dims = tuple(range(lead)) + tuple(
            lead + i for i, n in enumerate(shape) if n == 1 and t.shape[lead + i] != 1
        )
        return t.sum(dims, keepdim=True).reshape(shape) if dims else t

    @staticmethod
    def unsqueeze_dims(t: Tensor, dims: tuple[int, ...]) -> Tensor:
        """Re-insert reduced dimensions (sorted, non-negative) as size 1."""
        shape = list(t.shape)
        for d in dims:
            shape.insert(d, 1)
        return t.reshape(shape)

    @staticmethod
    def cast(t: Tensor, dtype: Any) -> Tensor:
        """Convert to `dtype`, recorded."""
        return t.to(dtype)

    @staticmethod
    def index_add_zeros(t: Tensor, index: Any, shape: tuple) -> Tensor:
        """Not supported yet: differentiating indexing twice."""
        raise NotImplementedError("create_graph=True through indexing is not supported yet")


def backward(
    tensors: Tensor | Sequence[Tensor],
    grad_tensors: Any = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    inputs: Any = None,
) -> None:
    """Accumulate gradients of `tensors` into the leaves' `.grad` (torch.autograd.backward)."""
    if create_graph:
        warnings.warn(CREATE_GRAPH_WARNING, UserWarning, stacklevel=3)
    steps = _run(tensors, grad_tensors, retain_graph, create_graph, inputs, bool(LISTENERS))
    for _ in steps:
        pass


def backward_steps(
    tensors: Tensor | Sequence[Tensor],
    grad_tensors: Any = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    inputs: Any = None,
) -> Iterator[BackwardStep]:
    """Run backward one grad_fn at a time, yielding a BackwardStep for each (see observe.py)."""
    yield from _run(tensors, grad_tensors, retain_graph, create_graph, inputs, True)


def _run(tensors, grad_tensors, retain_graph, create_graph, inputs, events: bool):
    if inputs is not None:
        raise NotImplementedError("backward(inputs=...) is not supported yet")
    roots = (tensors,) if isinstance(tensors, Tensor) else tuple(tensors)
    grads, given = _root_grads(roots, grad_tensors, create_graph)
    if retain_graph is None:
        retain_graph = create_graph
    if events and LISTENERS:
        emit(BackwardStarted(roots, given, retain_graph, create_graph, "backward"))
    for step in _execute([edge(t) for t in roots], grads, retain_graph, create_graph, events):
        if events and LISTENERS:
            emit(step)
        yield step
    if events and LISTENERS:
        emit(BackwardFinished(roots))


def _root_grads(roots: tuple, grad_tensors: Any, create_graph: bool) -> tuple[list, tuple]:
    """Validate the roots' gradients (torch's `_make_grads`); return them and the Tensors used."""
    if grad_tensors is None or isinstance(grad_tensors, Tensor):
        grad_tensors = (grad_tensors,) * len(roots) if grad_tensors is None else (grad_tensors,)
    elif not isinstance(grad_tensors, (list, tuple)) or (
        grad_tensors and not isinstance(grad_tensors[0], (Tensor, type(None)))
    ):
        first = grad_tensors[0] if isinstance(grad_tensors, (list, tuple)) else grad_tensors
        raise TypeError(f"gradients can be either Tensors or None, but got {type(first).__name__}")
    grads, given = [], []
    for i, (root, g) in enumerate(zip(roots, grad_tensors, strict=True)):
        g = _root_grad(i, root, g)
        given.append(g)
        grads.append(g if create_graph else g.array)
    return grads, tuple(given)


def _root_grad(i: int, root: Tensor, g: Tensor | None) -> Tensor:
    if not root._rg:
        raise RuntimeError(NO_GRAD_FN.format(i))
    if g is None:
        if root.array.size != 1:
            raise RuntimeError("grad can be implicitly created only for scalar outputs")
        return wrap(np.ones(root.array.shape, root.dtype.np), root.dtype)
    if g.array.shape != root.array.shape:
        raise RuntimeError(
            f"Mismatch in shape: grad_output[{i}] has a shape of {Size(g.array.shape)!r} and "
            f"output[{i}] has a shape of {Size(root.array.shape)!r}."
        )
    return g if g.dtype is root.dtype else wrap(g.array.astype(root.dtype.np), root.dtype)


def _execute(root_edges: list, grads: list, retain_graph: bool, create_graph: bool, events: bool):
    """The ready-queue loop shared by every backward; yields a step (or None) per node run."""
    roots = [node for node, _ in root_edges]
    deps = dependencies(roots)
    buffers: dict[Node, list] = {}
    for (node, nr), g in zip(root_edges, grads, strict=True):
        _add_to_buffer(buffers, node, nr, g)
    heap: list = []
    counter = itertools.count()
    for node in dict.fromkeys(roots):
        if node not in deps:
            _push(heap, node, counter)
    while heap:
        node = heapq.heappop(heap)[-1]
        grad_in = buffers.pop(node)
        if type(node) is AccumulateGrad:
            step = _accumulate(node, grad_in[0], events)
            grads_out = ()
        else:
            grads_out = _apply(node, grad_in, retain_graph, create_graph)
            step = BackwardStep(node, _tensors(grad_in), _tensors(grads_out)) if events else None
        yield step
        for (child, nr), g in zip(node.next_functions, grads_out, strict=False):
            if child is None:
                continue
            _add_to_buffer(buffers, child, nr, g)
            deps[child] -= 1
            if deps[child] == 0:
                _push(heap, child, counter)


def _push(heap: list, node: Node, counter: Iterator[int]) -> None:
    """AccumulateGrad first (in push order), then the most recently created node."""
    if type(node) is AccumulateGrad:
        heapq.heappush(heap, (0, 0, next(counter), node))
    else:
        heapq.heappush(heap, (1, -node.uid, next(counter), node))


def _add_to_buffer(buffers: dict, node: Node, nr: int, g: Any) -> None:
    buffer = buffers.get(node)
    if buffer is None:
        buffer = buffers[node] = [None] * node.num_outputs
    if g is not None:
        buffer[nr] = g if buffer[nr] is None else buffer[nr] + g


def _apply(node: Node, grad_in: list, retain_graph: bool, create_graph: bool) -> tuple:
    """Run one node's backward rule; gradients summed and cast to each input's shape and dtype."""
    g = grad_in[0]
    if g is None:
        return (None,) * len(node.next_functions)
    saved = node.unpack()
    if create_graph:
        saved = tuple([_saved_tensor(v, node) for v in saved])
        with enable_grad():
            grads = _fit(TENSOR, node, node.op.backward(TENSOR, g, saved, node.attrs))
    else:
        saved = tuple([v if v.__class__ in _SCALARS else v.array for v in saved])
        grads = _fit(ops.NUMPY, node, node.op.backward(ops.NUMPY, g, saved, node.attrs))
    if not retain_graph:
        node.release()
    return grads


def _fit(backend: Any, node: Node, grads: tuple) -> tuple:
    """Torch's validate_outputs: drop unneeded gradients, sum_to the input shape, cast dtype."""
    out = []
    for g, (child, _), meta in zip(grads, node.next_functions, node.meta, strict=True):
        if child is None or g is None:
            out.append(None)
            continue
        shape, dtype = meta
        if g.shape != shape:
            g = backend.sum_to(g, shape)
        if backend is ops.NUMPY:
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


def _accumulate(node: AccumulateGrad, g: Any, events: bool) -> BackwardStep | None:
    """Add `g` into the leaf's `.grad` (created on first use, then updated in the same object)."""
    leaf = node.variable
    before = leaf._grad
    before_copy = None if before is None or not events else _copy(before)
    if g is not None:
        if before is None:
            leaf._grad = g if isinstance(g, Tensor) else wrap(np.array(g, copy=True), leaf.dtype)
        elif isinstance(g, Tensor) or before._rg:
            leaf._grad = before + g
        else:
            np.add(before.array, g, out=before.array)
            before._vc[0] += 1
    if not events:
        return None
    after = None if leaf._grad is None else _copy(leaf._grad)
    return BackwardStep(node, _tensors((g,)), (), leaf, before_copy, after)


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
