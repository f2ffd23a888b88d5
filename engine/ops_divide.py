"""Rounded division: torch.div's rounding modes (DivBackward2) and the floor division kernel
that `//` and torch.floor_divide share (engine.ops_math), bit for bit as torch's CPU kernels."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from engine import dtypes, ops
from engine.dispatch import _as_array, _cast, _finish, _promoted, _scalar
from engine.dtypes import FLOATING
from engine.ops import Op, quiet, refuse_bool
from engine.tensor import Tensor, wrap


def check_divisor(x: np.ndarray, y: Any) -> None:
    """torch refuses integer division by zero (floats give inf or nan). An empty result runs no
    kernel, and operands that do not broadcast get the kernel's broadcast error instead."""
    if x.dtype.kind in "iu" and np.any(np.asarray(y) == 0):
        try:
            shape = np.broadcast_shapes(np.shape(x), np.shape(y))
        except ValueError:
            return
        if math.prod(shape):
            raise RuntimeError("ZeroDivisionError")


def floor_divide_forward(x: np.ndarray, y: Any) -> np.ndarray:
    """x // y as torch's kernel: rounded down; integer division by zero refused."""
    check_divisor(x, y)
    if x.dtype == np.float16:
        return _half_floor_divide(x, np.asarray(y, np.float16))
    return refuse_bool(x, np.floor_divide(x, y), "div_floor_cpu")


def _half_floor_divide(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """torch's div_floor_floating in float16, each step rounded to float16 (numpy's float16
    floor_divide works in float32, which differs in the last place)."""
    one = np.float16(1)
    mod = np.fmod(a, b)
    div = (a - mod) / b
    div = np.where((mod != 0) & ((b < 0) != (mod < 0)), div - one, div)
    floor = np.floor(div)
    floor = np.where(div - floor > 0.5, floor + one, floor)
    floor = np.where(div == 0, np.copysign(np.float16(0), a / b), floor)
    return np.where(b == 0, a / b, floor)


def _trunc_divide_forward(x: np.ndarray, y: Any) -> np.ndarray:
    """x / y rounded toward zero (C's integer division for integer dtypes)."""
    check_divisor(x, y)
    if x.dtype.kind in "iu":
        quotient = np.floor_divide(x, y)
        inexact = (np.remainder(x, y) != 0) & ((x < 0) != (np.asarray(y) < 0))
        return np.where(inexact, quotient + 1, quotient).astype(x.dtype, copy=False)
    return refuse_bool(x, np.trunc(np.true_divide(x, y)), "div_trunc_cpu")


# torch.div with rounding_mode given, even None: DivBackward2, a zero gradient when rounding.
DIV_MODES = {
    None: Op("div", "DivBackward2", quiet(np.true_divide), ops.DIV.backward, (0, 1)),
    **{
        mode: Op(
            "div",
            "DivBackward2",
            quiet(forward),
            lambda B, g, s, a: (B.zeros_like(g), B.zeros_like(g)),
        )
        for mode, forward in (("floor", floor_divide_forward), ("trunc", _trunc_divide_forward))
    },
}
# A Python number first (`5 // x`, `torch.remainder(5, x)`): torch records no derivative.


def divide(a: Tensor, b: Any, rounding_mode: Any, args: tuple) -> Tensor:
    """torch.div(a, b, rounding_mode=...): true division for None (a float result), else
    rounded down ('floor') or toward zero ('trunc') in the promoted dtype."""
    op = DIV_MODES.get(rounding_mode) if isinstance(rounding_mode, str | None) else None
    if op is None:
        raise RuntimeError(
            "div expected rounding_mode to be one of None, 'trunc', or 'floor' but found "
            f"'{rounding_mode}'"
        )
    dt = _promoted(a, b)
    if rounding_mode is None and dt.category != FLOATING:
        dt = dtypes.float32
    bd = _cast(b.array, dt) if type(b) is Tensor else _scalar(b)
    try:
        result = op.forward(_cast(a.array, dt), bd)
    except ValueError:
        raise RuntimeError(ops.broadcast_message(a.array.shape, np.shape(bd))) from None
    return _finish(op, wrap(_as_array(result, dt), dt), (a, b), None, args)
