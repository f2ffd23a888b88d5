"""In-place `pow_`, `square_`, `clamp_min_` and `clamp_max_`, on engine.inplace_more's
changed_in_place: torch's nodes for them (PowBackward0/1, ClampMinBackward0/1,
ClampMaxBackward0/1) with their first edge to the tensor's old history.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from engine import dtypes, ops, ops_variants
from engine.dispatch import _as_array, _cast, _promoted, _scalar
from engine.inplace import _check_shapes, _result_dtype, check_no_partial_overlap, check_target
from engine.inplace_more import (
    changed_in_place,
    check_bound_shapes,
    check_result_type,
)
from engine.ops_clamp import check_bool_clamp
from engine.ops_clamp_bounds import BOUND_ROWS
from engine.tensor import Tensor

NEGATIVE_INTEGER_POWER = "Integers to negative integer powers are not allowed."


def pow_(t: Tensor, exponent: Any, name: str = "pow_") -> Tensor:
    """`t ** exponent` in place (a number: PowBackward0 saving the old values; a Tensor
    broadcast to t's shape: PowBackward1). torch refuses results `t` cannot hold."""
    args = (t,) if name == "square_" else (t, exponent)
    if type(exponent) is Tensor:
        return _pow_tensor_(t, exponent, args)
    c = _scalar(exponent)
    dt = _result_dtype(name, t, c)
    if dt.category != dtypes.FLOATING and c < 0:
        raise RuntimeError(NEGATIVE_INTEGER_POWER)
    new = _as_array(ops.POW_SCALAR.forward(_cast(t.array, dt), c), t.dtype)
    return changed_in_place(name, t, ops.POW_SCALAR, c, (t,), new, args)


def _pow_tensor_(t: Tensor, exponent: Tensor, args: tuple) -> Tensor:
    check_target(t, t._rg or exponent._rg)
    check_no_partial_overlap(t.array, exponent.array)
    if exponent.array.shape != t.array.shape:
        _check_shapes(t.array.shape, exponent.array.shape)
    dt = _result_dtype("pow_", t, exponent)
    power = ops.POW_TENSOR.forward(_cast(t.array, dt), _cast(exponent.array, dt))
    op = ops.POW_TENSOR if exponent.dtype is t.dtype else ops_variants.promoting(ops.POW_TENSOR)
    inputs = (t, exponent)
    return changed_in_place("pow_", t, op, None, inputs, _as_array(power, t.dtype), args)


def clamp_bound_(name: str, t: Tensor, bound: Any) -> Tensor:
    """clamp_min_ / clamp_max_ of `t` by a number or a Tensor broadcast to t's shape."""
    by_number, by_tensor = BOUND_ROWS[name.rstrip("_")]
    check_target(t, t._rg or (type(bound) is Tensor and bound._rg))
    if type(bound) is not Tensor:
        number = _scalar(bound)
        dt = dtypes.promote_types(t.dtype, _promoted(t, number))
        check_result_type(t, dt)
        check_bool_clamp(t, (number, None) if name == "clamp_min_" else (None, number))
        new = _as_array(by_number.forward(_cast(t.array, dt), (number,)), t.dtype)
        return changed_in_place(name, t, by_number, (number,), (t,), new, (t, bound))
    dt = _promoted(t, bound)
    check_result_type(t, dt, number_bounds=False)
    check_bound_shapes(t, (bound,))
    values = by_tensor.forward(_cast(t.array, dt), _cast(bound.array, dt))
    new = _as_array(np.broadcast_to(values, t.array.shape), t.dtype)
    return changed_in_place(name, t, by_tensor, None, (t, bound), new, (t, bound))
