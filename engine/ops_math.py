"""Op table rows for elementwise math beyond + - * / **, with their front-end functions.

Rows follow `engine.ops`: forward on numpy arrays, backward over a backend `B` (the newer backend
functions through `ext(B)`), in the float operation order of torch_semantics.md §3.13.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from engine import dtypes, ops, signatures
from engine.arguments import Arguments
from engine.backends import NUMPY, ext, torch_sign
from engine.checked import checked_function
from engine.dispatch import (
    _as_array,
    _cast,
    _finish,
    _promoted,
    _scalar,
    save_unread_inputs,
    unary,
)
from engine.dtypes import FLOATING
from engine.grad_mode import STATE
from engine.graph import Node
from engine.observe import LISTENERS, OpRan, emit
from engine.ops import OUT, Op, quiet, refuse_bool

# add/sub with alpha live in engine.ops_alpha; engine.inplace and Tensor.add/sub use them from here
from engine.ops_alpha import ADD_ALPHA, SUB_ALPHA, add_alpha, check_alpha  # noqa: F401
from engine.ops_clamp import (  # noqa: F401 (re-exported for engine.inplace_more, Tensor.clamp)
    CLAMP,
    CLAMP_MIN,
    CLAMP_TENSOR,
    clamp,
    clamp_min,
)

# rounded division lives in engine.ops_divide; Tensor.div uses `divide` from here
from engine.ops_divide import check_divisor, divide, floor_divide_forward  # noqa: F401
from engine.tensor import Tensor, wrap
from engine.vector_lanes import first_on_scalar_ties

# ---- unary: float results for integer inputs where torch computes in float ----

SIN = Op(
    "sin",
    "SinBackward0",
    lambda x, a: NUMPY.sin(x),
    lambda B, g, s, a: (g * ext(B).cos(s[0]),),
    (0,),
)
COS = Op(
    "cos",
    "CosBackward0",
    lambda x, a: NUMPY.cos(x),
    lambda B, g, s, a: (g * -ext(B).sin(s[0]),),
    (0,),
)
TANH = Op(
    "tanh",
    "TanhBackward0",
    lambda x, a: NUMPY.tanh(x),
    lambda B, g, s, a: (ext(B).tanh_backward(g, s[0]),),
    (OUT,),
)
SIGMOID = Op(
    "sigmoid",
    "SigmoidBackward0",
    quiet(lambda x, a: NUMPY.sigmoid(x)),
    lambda B, g, s, a: (ext(B).sigmoid_backward(g, s[0]),),
    (OUT,),
)
RELU = Op(
    "relu",
    "ReluBackward0",
    lambda x, a: np.where(x < 0, x.dtype.type(0), x),  # -0. and nan stay, as in torch
    lambda B, g, s, a: (ext(B).threshold_backward(g, s[0]),),
    (OUT,),
)
SIGN = Op(
    "sign",
    "SignBackward0",
    lambda x, a: x.copy() if x.dtype == np.bool_ else torch_sign(x),
    lambda B, g, s, a: (B.zeros_like(g),),
)
SGN = Op("sgn", "SgnBackward0", lambda x, a: torch_sign(x), lambda B, g, s, a: (B.zeros_like(g),))


def _sgn(B, x):
    """sgn(x), by which torch's abs backward multiplies: recorded as SgnBackward0 (not sign's
    SignBackward0) when the backward is itself recorded (create_graph)."""
    return ext(B).sign(x) if B is NUMPY else unary(SGN, x, None, (x,))


ABS = Op(
    "abs", "AbsBackward0", lambda x, a: np.abs(x), lambda B, g, s, a: (g * _sgn(B, s[0]),), (0,)
)
SQRT = Op(
    "sqrt",
    "SqrtBackward0",
    quiet(lambda x, a: np.sqrt(x)),
    lambda B, g, s, a: (g / ext(B).scale(s[0], 2),),
    (OUT,),
)


# ---- binary ----


def _tie_halved(B, g, x, other, beaten):
    """torch's `where(x == other, grad / 2, grad).masked_fill_(beaten, 0)`, one per input."""
    b = ext(B)
    return b.masked_fill(B.where(x == other, b.div_scalar(g, 2), g), beaten, 0.0)


def _max_min_backward(B, g, s, a):
    x, other = s
    other_grad = _tie_halved(B, g, x, other, x > other)  # torch computes `other`'s first
    return _tie_halved(B, g, x, other, x < other), other_grad


def _min_backward(B, g, s, a):
    x, other = s
    other_grad = _tie_halved(B, g, x, other, x < other)
    return _tie_halved(B, g, x, other, x > other), other_grad


MAXIMUM = Op(
    "maximum",
    "MaximumBackward0",
    lambda x, y: first_on_scalar_ties(x, y, np.maximum(x, y)),
    _max_min_backward,
    (0, 1),
)
MINIMUM = Op(
    "minimum",
    "MinimumBackward0",
    lambda x, y: first_on_scalar_ties(x, y, np.minimum(x, y)),
    _min_backward,
    (0, 1),
)


def _remainder_forward(x: np.ndarray, y: Any) -> np.ndarray:
    """torch's remainder: fmod, then moved by `y` when the signs differ (0 stays +0)."""
    if x.dtype.kind != "f":
        check_divisor(x, y)
        return refuse_bool(x, np.remainder(x, y), "remainder_cpu")
    mod = np.fmod(x, y)
    return np.where((mod != 0) & ((mod < 0) != (np.asarray(y) < 0)), mod + y, mod)


REMAINDER = Op(
    "remainder",
    "RemainderBackward1",
    quiet(_remainder_forward),
    lambda B, g, s, a: (g, -g * ext(B).floor_divide(s[0], s[1])),
    (0, 1),
)
REMAINDER_SCALAR = Op(
    "remainder", "RemainderBackward0", quiet(_remainder_forward), lambda B, g, s, c: (g,)
)

# torch's node for ops without a derivative: shown as NotImplemented, named in C++ terms.
NOT_IMPLEMENTED = type(
    "NotImplemented",
    (Node,),
    {"__slots__": (), "name": lambda self: "torch::autograd::NotImplemented"},
)


def _no_derivative(name: str, forward: Any) -> Op:
    """An op whose grad_fn is NotImplemented: backward through it raises torch's error."""

    def backward(B, g, s, a):
        raise RuntimeError(f"derivative for aten::{name} is not implemented")

    op = Op(name, "NotImplemented", quiet(forward), backward)
    op.node_class = NOT_IMPLEMENTED
    return op


FLOOR_DIVIDE = _no_derivative("floor_divide", floor_divide_forward)
RFLOOR_DIVIDE = _no_derivative("floor_divide", lambda c, x: floor_divide_forward(c, x))
RREMAINDER = _no_derivative("remainder", lambda c, x: _remainder_forward(c, x))
LOGICAL = {
    "bitwise_and": Op("bitwise_and", None, np.bitwise_and),
    "bitwise_or": Op("bitwise_or", None, np.bitwise_or),
    "bitwise_xor": Op("bitwise_xor", None, np.bitwise_xor),
}
BITWISE_NOT = Op("bitwise_not", None, lambda x, a: np.invert(x))


def elementwise(op: Op, a: Tensor, b: Any, args: tuple) -> Tensor:
    """A no-gradient elementwise op whose result keeps the promoted dtype (`//`)."""
    dt = _promoted(a, b)
    bd = _cast(b.array, dt) if type(b) is Tensor else _scalar(b)
    try:
        result = op.forward(_cast(a.array, dt), bd)
    except ValueError:
        raise RuntimeError(ops.broadcast_message(a.array.shape, np.shape(bd))) from None
    inputs = (a, b) if type(b) is Tensor else (a,)
    return _finish(op, wrap(_as_array(result, dt), dt), inputs, None, args)


def float_unary(op: Op, a: Tensor) -> Tensor:
    """A float-valued function of one tensor (integer inputs computed in float32)."""
    return unary(op, a, None, (a,), to_float=True)


def same_dtype_unary(op: Op, a: Tensor, name: str) -> Tensor:
    """relu/abs/sign: the input's dtype; bool refused by relu and abs as torch refuses it (the
    sign of a bool is the bool)."""
    if a.dtype is dtypes.bool_ and op is not SIGN:
        if op is RELU:
            raise RuntimeError("Boolean inputs not supported for relu")
        raise NotImplementedError(f"\"{name}_cpu\" not implemented for 'Bool'")
    return unary(op, a, None, (a,))


def logical(name: str, a: Tensor, b: Any, args: tuple) -> Tensor:
    """`&`, `|`, `^` on bool or integer tensors (torch's error for floats)."""
    other = b.dtype if type(b) is Tensor else dtypes.scalar_dtype(_scalar(b))
    for dt in (a.dtype, other):
        if dt.category == FLOATING:
            raise NotImplementedError(
                f"\"{name}_cpu\" not implemented for '{dtypes.SCALAR_NAMES[dt]}'"
            )
    op = LOGICAL[name]
    dt = _promoted(a, b)
    bd = _cast(b.array, dt) if type(b) is Tensor else b
    out = wrap(_as_array(op.forward(_cast(a.array, dt), bd), dt), dt)
    return _finish(op, out, (a, b), None, args)


def bitwise_not(a: Tensor) -> Tensor:
    """`~a` for bool (logical not) and integer tensors."""
    if a.dtype.category == FLOATING:
        raise TypeError(
            "~ (operator.invert) is only implemented on integer and Boolean-type tensors"
        )
    return unary(BITWISE_NOT, a, None, (a,))


def floor_divide(a: Tensor, b: Any, args: tuple) -> Tensor:
    """`a // b`: integer dtypes stay integer; the grad_fn is torch's NotImplemented node."""
    return elementwise(FLOOR_DIVIDE, a, b, args)


def number_first(op: Op, c: Any, a: Tensor, args: tuple) -> Tensor:
    """`c <op> a` for a Python number `c` (RFLOOR_DIVIDE, RREMAINDER), in the promoted dtype."""
    c = _scalar(c)
    dt = _promoted(a, c)
    result = op.forward(np.asarray(c, dt.np), _cast(a.array, dt))
    return _finish(op, wrap(_as_array(result, dt), dt), (a,), None, args)


def _where_backward(B, g, s, cond):
    other_grad = B.where(cond, 0.0, g)  # torch computes `other`'s first (inputs by name)
    return B.where(cond, g, 0.0), other_grad


WHERE = Op("where", "WhereBackward0", np.where, _where_backward)


_NOT_GIVEN = object()


WHERE_ARGUMENTS = Arguments("where", *signatures.FUNCTIONS["where"])


def where(condition: Tensor, input: Any = _NOT_GIVEN, other: Any = _NOT_GIVEN) -> Tensor | tuple:  # noqa: A002
    """Elements of `input` where `condition` holds, else of `other` (Tensors or Python scalars).
    With `condition` alone: the indices where it is nonzero, one int64 tensor per dimension.
    Unchecked, for the tensor backend of the backward rules, whose conditions are numpy masks;
    `torch_where` is torch.where."""
    if input is _NOT_GIVEN:
        indices = np.nonzero(np.atleast_1d(condition.array))
        result = tuple(wrap(i.astype(np.int64), dtypes.int64) for i in indices)
        if LISTENERS:
            emit(OpRan("where", (condition,), result, STATE.enabled))
        return result
    if other is _NOT_GIVEN:
        WHERE_ARGUMENTS.check((condition, input))
    a, b = input, other
    if type(a) is Tensor:
        dt = _promoted(a, b)
    elif type(b) is Tensor:
        dt = _promoted(b, a)
    else:
        a, b = _scalar(a), _scalar(b)
        dt = dtypes.promote_types(dtypes.scalar_dtype(a), dtypes.scalar_dtype(b))
    ad = _cast(a.array, dt) if type(a) is Tensor else a
    bd = _cast(b.array, dt) if type(b) is Tensor else b
    cond = _condition(condition)
    ops.broadcast_shapes(cond.shape, np.shape(ad), np.shape(bd))
    out = wrap(_as_array(np.where(cond, ad, bd), dt), dt)
    _finish(WHERE, out, (a, b), cond, (condition, a, b))
    if type(condition) is Tensor:
        save_unread_inputs(out._fn, [condition])
    return out


torch_where = checked_function(WHERE_ARGUMENTS, where)


def _condition(condition: Any) -> np.ndarray:
    """where's condition as a bool array: a bool (or, deprecated, uint8) Tensor, or a numpy
    mask from a backward rule run on Tensors (create_graph)."""
    if type(condition) is not Tensor:
        return condition
    if condition.dtype is dtypes.uint8:
        warnings.warn(WHERE_UINT8, UserWarning, stacklevel=4)
        return condition.array.astype(np.bool_)
    if condition.dtype is not dtypes.bool_:
        raise RuntimeError(
            "where expected condition to be a boolean tensor, but got a tensor with dtype "
            f"{dtypes.SCALAR_NAMES[condition.dtype]}"
        )
    return condition.array


WHERE_UINT8 = (
    "where received a uint8 condition tensor. This behavior is deprecated and will be removed in "
    "a future version of PyTorch. Use a boolean condition instead."
)
