"""The backward engine: `backward_steps` runs the graph one grad_fn at a time; `backward` drains it.

`grad` computes gradients of chosen inputs without touching `.grad`; `gradcheck` compares them
with finite differences. The loop itself (torch's execution order) is `engine.engine_loop`.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import numpy as np

from engine import engine_loop, factories, hooks, once
from engine.backends import is_basic_index, zeros_holding
from engine.dispatch import _finish, edge
from engine.engine_loop import Plan, execute
from engine.hooks import type_name
from engine.observe import (
    LISTENERS,
    BackwardFinished,
    BackwardStarted,
    BackwardStep,
    emit,
)
from engine.ops import Op
from engine.ops_math import where
from engine.tensor import Size, Tensor, wrap
from engine.walks import reaching

NO_GRAD_FN = "element {} of tensors does not require grad and does not have a grad_fn"
CREATE_GRAPH_WARNING = (
    "Using backward() with create_graph=True will create a reference cycle between the parameter "
    "and its gradient which can cause a memory leak. We recommend using autograd.grad when "
    "creating the graph to avoid this. If you have to use this function, make sure to reset the "
    ".grad fields of your parameters to None after use to break the cycle and avoid the leak."
)
UNUSED = (
    "The differentiated Tensor at index {} appears to not have been used in the graph. "
    "Set allow_unused=True if this is the desired behavior."
)
INPUT_NO_GRAD = "One of the differentiated Tensors does not require grad"
MATERIALIZE_UNUSED = (
    "Expected allow_unused to be True or not passed when materialize_grads=True, but got: "
    "allow_unused=False."
)
ONLY_INPUTS_WARNING = (
    "only_inputs argument is deprecated and is ignored now (defaults to True). To accumulate "
    "gradient for other parts of the graph, please use torch.autograd.backward."
)


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
        """Sum a broadcast gradient back to `shape`, recorded as at::sum_to: a full sum for
        shape (), else a keepdim sum, viewed to `shape` only when leading dims were summed."""
        if not shape:
            return t.sum()
        lead = t.ndim - len(shape)
        dims = tuple(range(lead)) + tuple(
            lead + i for i, n in enumerate(shape) if n == 1 and t.shape[lead + i] != 1
        )
        if dims:
            t = t.sum(dims, keepdim=True)
        return t.view(shape) if lead > 0 else t

    @staticmethod
    def unsqueeze_dims(t: Tensor, dims: tuple[int, ...]) -> Tensor:
        """Re-insert reduced dimensions (sorted, non-negative) as size 1, recorded as torch's
        unsqueeze_multiple: one UnsqueezeBackward0 per dimension."""
        for d in dims:
            t = t.unsqueeze(d)
        return t

    @staticmethod
    def cast(t: Tensor, dtype: Any) -> Tensor:
        """Convert to `dtype`, recorded."""
        return t.to(dtype)

    @staticmethod
    def index_add_zeros(t: Tensor, index: Any, shape: tuple) -> Tensor:
        """Zeros of `shape` with `t` added at `index`, recorded under torch's node names."""
        out = wrap(zeros_holding(t.array, index, shape), t.dtype)
        if not is_basic_index(index):
            return _finish(INDEX_PUT, out, (0, t), (index, shape), (t, index))
        parts = index if isinstance(index, tuple) else (index,)
        op = SELECT_BACKWARD if isinstance(parts[-1], int) else SLICE_BACKWARD
        return _finish(op, out, (t,), (index, shape), (t, index))


INDEX_PUT = Op("index_put", "IndexPutImplBackward0", None, lambda B, g, s, a: (None, g[a[0]]))
SELECT_BACKWARD = Op(
    "select_backward", "SelectBackwardBackward0", None, lambda B, g, s, a: (g[a[0]],)
)
SLICE_BACKWARD = Op("slice_backward", "SliceBackwardBackward0", None, SELECT_BACKWARD.backward)


engine_loop.TENSOR_BACKEND[0] = TENSOR


def backward(
    tensors: Tensor | Sequence[Tensor],
    grad_tensors: Any = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    inputs: Any = None,
) -> None:
    """Accumulate gradients of `tensors` into the leaves' `.grad` (torch.autograd.backward)."""
    for _ in _run(tensors, grad_tensors, retain_graph, create_graph, inputs, bool(LISTENERS)):
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
    roots = _as_tuple(tensors)
    inputs = None if inputs is None else _inputs_tuple(inputs, "backward")
    grads, given = _root_grads(roots, grad_tensors, create_graph)
    if retain_graph is None:
        retain_graph = create_graph
    edges = [edge(t) for t in roots]
    plan = None if inputs is None else _backward_plan(edges, inputs)
    if create_graph:
        once.warn(CREATE_GRAPH_WARNING, stacklevel=4)
    if events and LISTENERS:
        emit(BackwardStarted(roots, given, retain_graph, create_graph, "backward"))
    if events and LISTENERS:
        for step in execute(edges, grads, retain_graph, create_graph, events, plan):
            emit(step)
            yield step
    else:
        yield from execute(edges, grads, retain_graph, create_graph, events, plan)
    if events and LISTENERS:
        emit(BackwardFinished(roots))


def grad(
    outputs: Tensor | Sequence[Tensor],
    inputs: Any,
    grad_outputs: Any = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    only_inputs: bool = True,
    allow_unused: bool | None = None,
    materialize_grads: bool = False,
) -> Any:
    """The gradients of `outputs` with respect to each of `inputs`, leaving `.grad` untouched
    (a tuple, or a dict with the keys of an `inputs` dict)."""
    if materialize_grads and allow_unused is False:
        raise ValueError(MATERIALIZE_UNUSED)
    if allow_unused is None:
        allow_unused = materialize_grads
    roots, targets = _as_tuple(outputs), _inputs_tuple(inputs, "grad")
    if not only_inputs:
        warnings.warn(ONLY_INPUTS_WARNING, FutureWarning, stacklevel=2)
    grads, given = _root_grads(roots, grad_outputs, create_graph)
    if retain_graph is None:
        retain_graph = create_graph
    _check_inputs(targets, retain=False)
    edges = [edge(t) for t in roots]
    plan = _grad_plan(edges, targets)
    if LISTENERS:
        emit(BackwardStarted(roots, given, retain_graph, create_graph, "grad"))
    for step in execute(edges, grads, retain_graph, create_graph, bool(LISTENERS), plan):
        if LISTENERS:
            emit(step)
    if LISTENERS:
        emit(BackwardFinished(roots))
    result = tuple(_result(plan, t, i, allow_unused, create_graph) for i, t in enumerate(targets))
    if materialize_grads:
        result = tuple(
            factories.zeros_like(t, requires_grad=create_graph) if g is None else g
            for g, t in zip(result, targets, strict=True)
        )
    return dict(zip(inputs, result, strict=True)) if type(inputs) is dict else result


def _as_tuple(tensors: Any) -> tuple:
    return (tensors,) if isinstance(tensors, Tensor) else tuple(tensors)


def _backward_plan(root_edges: list, inputs: Any) -> Plan:
    """backward(inputs=...): run only what leads to `inputs`, and their own nodes, whose
    gradients retain_grad accumulates (torch retains the gradient of every input)."""
    _check_inputs(inputs, retain=True)
    run = {node for node, _ in map(edge, inputs) if node is not None}
    return Plan({}, reaching([node for node, _ in root_edges], run) | run)


def _grad_plan(root_edges: list, inputs: tuple) -> Plan:
    """autograd.grad: run only what leads to `inputs`; capture the gradients flowing into them."""
    capture: dict = {}
    for t in inputs:
        node, nr = edge(t)
        if node is not None:
            capture.setdefault(node, []).append(nr)
    return Plan(capture, reaching([node for node, _ in root_edges], set(capture)))


def _result(plan: Plan, t: Tensor, i: int, allow_unused: Any, create_graph: bool) -> Any:
    g = plan.captured.get(edge(t))
    if g is None:
        if not allow_unused:
            raise RuntimeError(UNUSED.format(i))
        return None
    if isinstance(g, Tensor):
        return g if create_graph else wrap(g.array.copy(), t.dtype)
    return wrap(np.array(g, copy=True), t.dtype)


def _root_grads(roots: tuple, grad_tensors: Any, create_graph: bool) -> tuple[list, tuple]:
    """The roots' gradients, checked in torch's order (`_make_grads`, then the engine's count
    and requires-grad checks); returns them for the loop and as the Tensors used."""
    if grad_tensors is None:
        grad_tensors = (None,) * len(roots)
    elif isinstance(grad_tensors, Tensor):
        grad_tensors = (grad_tensors,)
    else:
        grad_tensors = tuple(grad_tensors)  # torch's TypeError for a float: not iterable
    pairs = zip(roots, grad_tensors, strict=False)  # torch's _make_grads zips as well
    given = tuple([_root_grad(i, root, g) for i, (root, g) in enumerate(pairs)])
    if len(given) != len(roots):
        raise RuntimeError(f"got {len(roots)} tensors and {len(given)} gradients")
    for i, root in enumerate(roots):
        if not root._rg:
            raise RuntimeError(NO_GRAD_FN.format(i))
    return (list(given) if create_graph else [g.array for g in given]), given


def _root_grad(i: int, root: Tensor, g: Any) -> Tensor | None:
    if g is None:
        if not root._rg:
            return None
        if root.array.size != 1:
            raise RuntimeError("grad can be implicitly created only for scalar outputs")
        return wrap(np.ones(root.array.shape, root.dtype.np), root.dtype)
    if not isinstance(g, Tensor):
        raise TypeError(f"gradients can be either Tensors or None, but got {type(g).__name__}")
    if g.array.shape != root.array.shape:
        raise RuntimeError(
            f"Mismatch in shape: grad_output[{i}] has a shape of {Size(g.array.shape)!r} and "
            f"output[{i}] has a shape of {Size(root.array.shape)!r}."
        )
    return g if g.dtype is root.dtype else wrap(g.array.astype(root.dtype.np), root.dtype)


def _inputs_tuple(inputs: Any, api: str) -> tuple:
    """torch's reading of `inputs`: a Tensor, a dict's values or any iterable; never empty."""
    if isinstance(inputs, Tensor):
        inputs = (inputs,)
    elif type(inputs) is dict:
        inputs = tuple(inputs.values())
    elif isinstance(inputs, Mapping):
        raise TypeError(
            f"`inputs` argument to `{api}()` must be a dict, not {type(inputs).__name__}. "
            "Other Mapping types are not supported."
        )
    else:
        inputs = tuple(inputs)
    if not inputs:
        raise RuntimeError(f"`inputs` argument to `{api}()` cannot be empty.")
    return inputs


def _check_inputs(inputs: tuple, retain: bool) -> None:
    """torch's checks of each input, in order; backward (`retain`) retains their gradients."""
    for t in inputs:
        if not isinstance(t, Tensor):
            raise RuntimeError(
                f"all inputs have to be Tensors or GradientEdges, but got {type_name(t)}"
            )
        if retain:
            hooks.retain_grad(t)
        if not t._rg:
            raise RuntimeError(INPUT_NO_GRAD)


# torch.autograd.gradcheck lives in its own module; imported last because it calls `grad`.
from engine.gradcheck import GradcheckError, gradcheck  # noqa: E402, F401
