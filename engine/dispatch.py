"""From a Tensor method to the op table and back: dtype promotion, forward, graph recording.

Every function here runs the row's numpy forward, wraps the result, records a grad_fn node when
grad mode is on and an input requires grad, and reports an OpRan event when someone listens.
"""

from __future__ import annotations

import operator
import weakref
from collections.abc import Callable
from typing import Any

import numpy as np

from engine import dtypes, memory, ops, ops_variants, view_meta
from engine.dtypes import DIM_TENSOR, FLOATING, SCALAR, ZERO_DIM_TENSOR
from engine.grad_mode import STATE
from engine.graph import (
    UIDS,
    AccumulateGrad,
    Node,
    SavedOutput,
    current_fn,
    root,
    shared_counter,
    version,
)
from engine.observe import LISTENERS, OpRan, emit
from engine.shapes import (
    VIEW_STRIDES,
    expanded_shape,
    inferred_shape,
    reduced_dims,
    shape_argument,
    view_of,
)
from engine.tensor import Tensor, wrap
from engine.tensor_methods import OMITTED

_ndarray = np.ndarray
_new = object.__new__
_next_uid = UIDS.__next__
_SCALARS = (int, float, bool)
_NUMBERS = (int, float, np.number, np.bool_)
_float32 = dtypes.float32
_SAVES_BOTH = (0, 1)
_UNCHANGED_PAIR = (0, 0)
memory.keep_freed_memory()


def grad_node(t: Tensor) -> Node | None:
    """The node a gradient for `t` flows to (its grad_fn or AccumulateGrad); None if none."""
    if not t._rg:
        return None
    fn = t._fn if t._base is None else current_fn(t)
    if fn is not None:
        return fn
    if t._base is not None and not view_meta.flags(t).requires_grad:
        return None  # a view requiring grad through its base only (made in no_grad mode)
    ref = t._acc
    acc = None if ref is None else ref()
    if acc is None:
        acc = AccumulateGrad(t)
        t._acc = weakref.ref(acc)
    return acc


def edge(t: Tensor) -> tuple:
    """torch's `(node, input_nr)` a gradient for `t` flows to; `(None, 0)` if `t` needs none."""
    return (grad_node(t), 0)


def record(op: ops.Op, out: Tensor, inputs: tuple, attrs: Any) -> None:
    """Attach a new `op.grad_fn` node to `out`, with edges to `inputs` and the saved values."""
    node = _new(Node)
    node.uid = _next_uid()
    node.op = op
    node.attrs = attrs
    node.next_nodes = tuple([grad_node(x) if type(x) is Tensor else None for x in inputs])
    node.meta = tuple([(x.array.shape, x._dtype) if type(x) is Tensor else None for x in inputs])
    if op.saves:
        _save(node, op.saves, inputs, out)
    else:
        node.saved = node.versions = node.arrays = ()
    out._fn = node
    out._rg = True


def _finish(op: ops.Op, out: Tensor, inputs: tuple, attrs: Any, args: tuple) -> Tensor:
    if STATE.enabled:
        if op.grad_fn is not None:
            for x in inputs:
                if type(x) is Tensor and x._rg:
                    record(op, out, inputs, attrs)
                    break
    elif out._base is not None and root(out)._rg:
        out._rg = True  # a view made in no_grad mode follows its base: see engine.view_meta
    if LISTENERS:
        emit(OpRan(op.name, args, out, STATE.enabled))
    return out


def _as_array(result: Any, dtype: dtypes.DType) -> np.ndarray:
    """numpy returns scalars for 0-d results and may widen; torch keeps a 0-d tensor of `dtype`."""
    if type(result) is not _ndarray:
        result = np.asarray(result)
    if result.dtype is not dtype.np:
        result = result.astype(dtype.np)
    return result


def _scalar(value: Any) -> bool | int | float:
    """A Python number operand, or TypeError for things that are neither tensors nor numbers."""
    if type(value) in _SCALARS:
        return value
    if isinstance(value, _NUMBERS):
        return value.item() if isinstance(value, np.generic) else value
    raise TypeError(f"unsupported operand type: '{type(value).__name__}'")


def is_operand(value: Any) -> bool:
    """Whether `value` can be the other operand of a Tensor operator (a Tensor or a number).
    Operators return NotImplemented otherwise, so Python gives its own TypeError (`t + 'a'`)
    or falls back to identity (`t == None` is False), as torch does."""
    return type(value) is Tensor or isinstance(value, _NUMBERS)


def _tier(t: Tensor) -> int:
    return DIM_TENSOR if t.array.ndim else ZERO_DIM_TENSOR


def _promoted(t: Tensor, other: Any) -> dtypes.DType:
    """The dtype of an op between tensor `t` and a Tensor or Python scalar `other`."""
    if type(other) is Tensor:
        return dtypes.result_type(((t.dtype, _tier(t)), (other.dtype, _tier(other))))
    if t.dtype.category == FLOATING:
        return t.dtype
    return dtypes.result_type(((t.dtype, DIM_TENSOR), (dtypes.scalar_dtype(other), SCALAR)))


def _cast(array: np.ndarray, dtype: dtypes.DType) -> np.ndarray:
    return array if array.dtype is dtype.np else array.astype(dtype.np)


def binary_operator(op: ops.Op, name: str) -> Callable[[Tensor, Any], Tensor]:
    """Tensor's method `name` computing `x <op> y` (`__add__`, `__mul__`...): the hottest path.

    Two floating tensors of one dtype go straight to numpy and, with grad mode on, get their node
    here: no promotion, no casts, and equal shapes need no fitting in backward (`meta` None).
    Anything else goes through `binary`. `op` saves nothing or both inputs. `wrap` and
    `grad_node` are written out (tests/engine/test_tensor.py checks that the output is made as
    `wrap` makes it): a Python call costs a third of what numpy takes for a small op.
    """
    forward, saves_both = op.forward, op.saves == _SAVES_BOTH
    op_self_only, op_other_only = ops_variants.self_only(op), ops_variants.other_only(op)

    def operator(a: Tensor, b: Any) -> Tensor:
        dt = a._dtype
        if b.__class__ is not Tensor or b._dtype is not dt or dt.category != FLOATING:
            if not is_operand(b):
                return NotImplemented
            return binary(op, a, b, (a, b))
        ad, bd = a.array, b.array
        try:
            result = forward(ad, bd)
        except ValueError:
            raise RuntimeError(ops.broadcast_message(ad.shape, bd.shape)) from None
        if result.__class__ is not _ndarray:
            result = np.asarray(result)
        out = _new(Tensor)  # wrap(result, dt), with `_fn` and `_rg` set below
        out.array = result
        out._dtype = dt
        out._grad = None
        out.uid = _next_uid()
        out._vc = None
        out._acc = None
        out.detached_from = None
        out._base = None
        if STATE.enabled and (a._rg or b._rg):
            node = _new(Node)
            node.uid = _next_uid()
            node.op = op
            node.attrs = None
            fa = a._fn if a._base is None else current_fn(a)
            fb = b._fn if b._base is None else current_fn(b)
            if fa is None:
                if a._rg:  # grad_node(a)
                    ref = a._acc
                    fa = ref() if ref is not None else None
                    if fa is None:
                        fa = grad_node(a)
                else:
                    node.op = op_other_only
            if fb is None:
                if b._rg:  # grad_node(b)
                    ref = b._acc
                    fb = ref() if ref is not None else None
                    if fb is None:
                        fb = grad_node(b)
                else:
                    node.op = op_self_only
            node.next_nodes = (fa, fb)
            sa = ad.shape
            node.meta = None if sa == bd.shape else ((sa, dt), (bd.shape, dt))
            if saves_both:
                node.saved = (a, b)
                node.arrays = (ad, bd)
                va, vb = a._vc, b._vc  # graph.version, inlined
                if va is None and vb is None:
                    node.versions = _UNCHANGED_PAIR  # shared: no tuple to allocate and track
                else:
                    node.versions = (0 if va is None else va[0], 0 if vb is None else vb[0])
            else:
                node.saved = node.versions = node.arrays = ()
            out._fn = node
            out._rg = True
        else:
            out._fn = None
            out._rg = False
        if LISTENERS:
            emit(OpRan(op.name, (a, b), out, STATE.enabled))
        return out

    operator.__name__ = name
    operator.__qualname__ = f"Tensor.{name}"
    return operator


def binary(op: ops.Op, a: Tensor, b: Any, args: tuple) -> Tensor:
    """An elementwise op of tensor `a` and a Tensor or Python scalar `b`, broadcasting, with
    torch's type promotion; `args` are the operands in the user's order."""
    if op is ops.SUB:
        ops.sub_check(a.dtype is dtypes.bool_, ops.is_bool(b))
    ad = a.array
    if type(b) is Tensor:
        bd = b.array
        dt = a.dtype
        if dt is not b.dtype:
            dt = _promoted(a, b)
    else:
        b = bd = _scalar(b)
        dt = _promoted(a, b)
    if op is ops.DIV and dt.category != FLOATING:
        dt = _float32
    ad = _cast(ad, dt)
    if type(b) is Tensor:
        bd = _cast(bd, dt)
    try:
        result = op.forward(ad, bd)
    except ValueError:
        raise RuntimeError(ops.broadcast_message(ad.shape, np.shape(bd))) from None
    out_dt = dt if op.grad_fn is not None else dtypes.bool_
    out = wrap(_as_array(result, out_dt), out_dt)
    if type(b) is not Tensor or not b._rg:
        op = ops_variants.self_only(op)
    elif not a._rg:
        op = ops_variants.other_only(op)
    if type(b) is Tensor and b.dtype is not a.dtype and op.grad_fn is not None:
        op = ops_variants.promoting(op)
    return _finish(op, out, (a, b), None, args)


def _save(node: Any, saves: tuple, inputs: tuple, out: Tensor) -> None:
    """Keep the inputs/output named by `saves` with their versions (arrays built in backward)."""
    saved = [inputs[i] if i >= 0 else _saved_output(out) for i in saves]
    node.saved = tuple(saved)
    node.versions = tuple([version(v) if hasattr(v, "_vc") else None for v in saved])
    node.arrays = None


def save_unread_inputs(node: Node | None, tensors: list) -> None:
    """Also keep `tensors` in `node`'s saved values, with their versions: inputs its rule reads
    from its attrs, as torch saves them (index tensors, masks, `where` conditions, clamp bounds).
    Backward then raises torch's in-place error when one changed since, and a second backward
    the freed-graph error. Nothing when no node was recorded."""
    if node is None or not tensors:
        return
    node.saved = (*node.saved, *tensors)
    node.versions = (*node.versions, *[version(t) for t in tensors])
    node.arrays = None


def _saved_output(out: Tensor) -> SavedOutput:
    return SavedOutput(out.array, out.dtype, shared_counter(out))


def scalar_op(op: ops.Op, a: Tensor, c: Any, args: tuple) -> Tensor:
    """An op of tensor `a` and a Python scalar attribute `c` (rsub, pow, rpow)."""
    c = _scalar(c)
    dt = _promoted(a, c)
    if op is ops.POW_SCALAR and dt.category != FLOATING and c < 0:
        raise RuntimeError("Integers to negative integer powers are not allowed.")
    out = wrap(_as_array(op.forward(_cast(a.array, dt), c), dt), dt)
    return _finish(op, out, (a,), c, args)


def unary(op: ops.Op, a: Tensor, attrs: Any, args: tuple, to_float: bool = False) -> Tensor:
    """A one-input op; `to_float` computes integer inputs in float32 as torch does."""
    dt = a.dtype
    if to_float and dt.category != FLOATING:
        dt = _float32
    out = wrap(_as_array(op.forward(_cast(a.array, dt), attrs), dt), dt)
    return _finish(op, out, (a,), attrs, args)


def reduction(
    full: ops.Op, by_dim: ops.Op, a: Tensor, dim: Any, keepdim: bool, dtype: Any = None
) -> Tensor:
    """sum/mean over everything (`full` row, `dim` OMITTED) or over `dim` (`by_dim` row; None,
    `()` and `[]` mean all dims, as in torch's dim overload: SumBackward1), computed in `dtype`
    when given (torch's `dtype=`: one node, whose gradient goes back to `a` in a's dtype)."""
    dt = _reduction_dtype(full, a, dtype)
    shape = a.array.shape
    if dim is OMITTED:
        op, attrs, args = full, (None, False, shape), (a,)
    else:
        dims = reduced_dims(() if dim is None else dim, a.array.ndim)
        op, attrs, args = by_dim, (dims, bool(keepdim), shape), (a, dim)
    array = a.array if dtype is None or dtype is a.dtype else a.array.astype(dtype.np)
    result = op.forward(array, attrs)
    return _finish(op, wrap(_as_array(result, dt), dt), (a,), attrs, args)


def _reduction_dtype(full: ops.Op, a: Tensor, dtype: Any) -> dtypes.DType:
    """The result dtype of sum/mean, with torch's errors for the dtypes it refuses."""
    dt = a.dtype if dtype is None else dtype
    if full is ops.MEAN and dt.category != FLOATING:
        which = "Input" if dtype is None else "Optional"
        raise RuntimeError(
            f"mean(): could not infer output dtype. {which} dtype must be either a floating "
            f"point or complex dtype. Got: {dtypes.SCALAR_NAMES[dt]}"
        )
    if dtype is None:
        return dtypes.int64 if dt.category != FLOATING else dt
    if dtype.category != FLOATING and a.requires_grad and STATE.enabled:
        raise RuntimeError(f"Autograd not support dtype: {dtypes.SCALAR_NAMES[dtype]}")
    return dtype


def reshape(op: ops.Op, a: Tensor, shape: tuple) -> Tensor:
    """view (and reshape of a contiguous tensor): the same values in `shape`, sharing memory and
    the version counter; one -1 is inferred. A view the strides cannot express is refused."""
    given = shape_argument(shape)
    shape = inferred_shape(given, a.array.size)
    array = a.array
    if array.flags.c_contiguous:
        result = array.reshape(shape)
    else:
        result = view_of(array, shape)
        if result is None:
            raise RuntimeError(VIEW_STRIDES)
    attrs = (result.shape, array.shape)
    out = wrap(result, a.dtype, shared_counter(a))
    view_meta.set_base(out, a)
    return _finish(op, out, (a,), attrs, (a, given))


def expand(a: Tensor, sizes: tuple) -> Tensor:
    """A broadcast view of `a` with `sizes` (-1 keeps that dimension)."""
    sizes = tuple(operator.index(n) for n in shape_argument(sizes))
    shape = expanded_shape(a.array.shape, sizes, a.dtype)
    attrs = (shape, a.array.shape)
    out = wrap(np.broadcast_to(a.array, shape), a.dtype, shared_counter(a))
    view_meta.set_base(out, a)
    return _finish(ops.EXPAND, out, (a,), attrs, (a, sizes))


def convert(a: Tensor, dtype: dtypes.DType) -> Tensor:
    """`a` as `dtype` (the same object when it already is)."""
    if a.dtype is dtype:
        return a
    out = wrap(a.array.astype(dtype.np), dtype)
    op = ops.TO if dtype.category == FLOATING else ops.TO_DISCRETE
    return _finish(op, out, (a,), (dtype, a.dtype), (a, dtype))
