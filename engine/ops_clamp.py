"""clamp's op table rows and front end: number bounds (ClampBackward1, ClampMinBackward0) and
tensor bounds (ClampBackward0, zeros' signs on ties as torch's CPU loop gives them)."""

from __future__ import annotations

from typing import Any

import numpy as np

from engine import dtypes, ops
from engine.dispatch import _as_array, _cast, _finish, _promoted, _scalar, save_unread_inputs
from engine.ops import Op
from engine.tensor import Tensor, wrap
from engine.vector_lanes import first_on_scalar_ties


def _clamp_forward(x: np.ndarray, bounds: tuple) -> np.ndarray:
    """torch's min(max(x, low), high): x is kept on ties (-0. stays), nan stays nan, and a nan
    bound makes every value nan."""
    for bound, beyond in zip(bounds, (np.less, np.greater), strict=True):
        if bound is not None:
            x = np.where(beyond(x, bound) | (bound != bound), bound, x)
    return x


def _clamp_backward(B, g, s, bounds):
    low, high = bounds
    x = s[0]
    inside = (x >= low) if low is not None else None
    if high is not None:
        inside = (x <= high) if inside is None else inside & (x <= high)
    return (B.where(inside, g, 0.0),)


CLAMP = Op("clamp", "ClampBackward1", _clamp_forward, _clamp_backward, (0,))
CLAMP_MIN = Op(
    "clamp_min",
    "ClampMinBackward0",
    lambda x, a: _clamp_forward(x, (a[0], None)),
    lambda B, g, s, a: (B.where(s[0] >= a[0], g, 0.0),),
    (0,),
)


def check_bool_clamp(t: Tensor, bounds: tuple) -> None:
    """torch has no clamp kernel of number bounds for bool tensors (bool bounds reach it)."""
    if t.dtype is dtypes.bool_:
        low, high = bounds
        kernel = "clamp_max" if low is None else "clamp_min" if high is None else "clamp"
        raise NotImplementedError(f"\"{kernel}_scalar_cpu\" not implemented for 'Bool'")


def clamp(a: Tensor, low: Any = None, high: Any = None) -> Tensor:
    """Limit values to [low, high] (either may be None); the boundaries pass the gradient."""
    if low is None and high is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    if type(low) is Tensor or type(high) is Tensor:
        return _clamp_tensors(a, low, high)
    bounds = tuple(None if b is None else _scalar(b) for b in (low, high))
    dt = a.dtype
    for b in bounds:
        if b is not None:
            dt = dtypes.promote_types(dt, _promoted(a, b))
    if dt is dtypes.bool_:  # bool bounds of a bool tensor: a kernel torch does not have
        check_bool_clamp(a, bounds)
    out = wrap(_as_array(_clamp_forward(_cast(a.array, dt), bounds), dt), dt)
    return _finish(CLAMP, out, (a,), bounds, (a, low, high))


def _clamp_tensor_forward(x: np.ndarray, low: Any, high: Any) -> np.ndarray:
    """torch's min(max(x, low), high) over one loop of x and the bounds given (zeros of opposite
    signs: see first_on_scalar_ties)."""
    loop = tuple(np.asarray(v, x.dtype) for v in (x, low, high) if v is not None)
    if low is not None:
        x = first_on_scalar_ties(x, low, np.maximum(x, low), loop)
    return x if high is None else first_on_scalar_ties(x, high, np.minimum(x, high), loop)


def _clamp_tensor_backward(B, g, s, bounds):
    """The masks are numpy arrays for both backends (the saved input's values, no gradient)."""
    x, (low, high) = s[0], bounds
    x = x.array if type(x) is Tensor else x
    inside = None if low is None else x >= low
    if high is not None:
        inside = (x <= high) if inside is None else inside & (x <= high)
    to_low = None if low is None else x < low
    to_high = None if high is None else x > high
    if low is not None and high is not None:  # torch's clamp_backward_min_max: crossed bounds
        to_low, to_high = to_low & (low < high), to_high | (high < low)  # give `high` all
    # torch's clamp_backward_min_max (min's, then max's) runs before clamp_backward (self's)
    low_grad = None if low is None else B.where(to_low, g, 0.0)
    high_grad = None if high is None else B.where(to_high, g, 0.0)
    return B.where(inside, g, 0.0), low_grad, high_grad


CLAMP_TENSOR = Op("clamp", "ClampBackward0", _clamp_tensor_forward, _clamp_tensor_backward, (0,))


def _operand_kind(value: Any) -> tuple:
    """(dtype, tier) of a Tensor or Python number, for dtypes.result_type over several."""
    if type(value) is Tensor:
        return value.dtype, dtypes.DIM_TENSOR if value.array.ndim else dtypes.ZERO_DIM_TENSOR
    return dtypes.scalar_dtype(_scalar(value)), dtypes.SCALAR


def _clamp_tensors(a: Tensor, low: Any, high: Any) -> Tensor:
    """clamp with tensor bounds (ClampBackward0: gradients to the bounds where they bind)."""
    dt = dtypes.result_type(tuple(_operand_kind(v) for v in (a, low, high) if v is not None))
    bounds = [_cast(b.array, dt) if type(b) is Tensor else b for b in (low, high)]
    ops.broadcast_shapes(a.array.shape, *[np.shape(b) for b in bounds if b is not None])
    result = _clamp_tensor_forward(_cast(a.array, dt), *bounds)
    out = wrap(_as_array(result, dt), dt)
    _finish(CLAMP_TENSOR, out, (a, low, high), tuple(bounds), (a, low, high))
    save_unread_inputs(out._fn, [b for b in (low, high) if type(b) is Tensor])
    return out


def clamp_min(a: Tensor, low: Any) -> Tensor:
    """max(a, low) elementwise; the gradient passes where a >= low."""
    low = _scalar(low)
    dt = _promoted(a, low)
    out = wrap(_as_array(CLAMP_MIN.forward(_cast(a.array, dt), (low,)), dt), dt)
    return _finish(CLAMP_MIN, out, (a,), (low,), (a, low))
