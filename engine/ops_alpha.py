"""Op table rows for add/sub with `alpha` (`a.add(b, alpha=2)`), with their front-end function.

torch computes `a + alpha * b` with one rounding (a fused multiply-add in the result's dtype);
the numpy forward emulates it exactly (Boldo and Melquiond's rounding to odd).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from engine import dtypes, ops
from engine.dispatch import _as_array, _cast, _finish, _promoted, _scalar, binary
from engine.dtypes import FLOATING
from engine.ops import Op, is_bool, sub_check
from engine.tensor import Tensor, wrap


def _alpha_forward(x: np.ndarray, y: Any, alpha: Any) -> np.ndarray:
    """x + alpha * y rounded once, as torch's kernel (a fused multiply-add in x's dtype; for
    float16 alpha is rounded to float16 and the sum made in float32)."""
    if x.dtype == np.float64:
        return fused_multiply_add(np.asarray(y, np.float64), np.float64(alpha), x)
    if x.dtype == np.float32:
        exact = np.asarray(y, np.float64) * np.float64(np.float32(alpha))  # 24+24 bits: exact
        return _sum_rounded_to_odd(x.astype(np.float64), exact).astype(np.float32)
    if x.dtype == np.float16:
        alpha = float(np.float16(alpha))
        wide = _alpha_forward(x.astype(np.float32), np.asarray(y, np.float32), alpha)
        return wide.astype(np.float16)
    if x.dtype == np.bool_:
        return x | (np.asarray(y, np.bool_) & bool(alpha))
    return x + alpha * np.asarray(y, x.dtype)


def _two_sum(a: np.ndarray, b: np.ndarray) -> tuple:
    """s = a + b rounded, and the exact error (a + b = s + err) (Knuth)."""
    s = a + b
    bb = s - a
    return s, (a - (s - bb)) + (b - bb)


def _two_product(a: np.ndarray, b: Any) -> tuple:
    """p = a * b rounded, and the exact error (Dekker's split into 26-bit halves)."""
    p = a * b
    ah, al = _split(a)
    bh, bl = _split(np.asarray(b, np.float64))
    return p, ((ah * bh - p) + ah * bl + al * bh) + al * bl


def _split(a: np.ndarray) -> tuple:
    """a = high + low, each of 26 bits or fewer (scaled for |a| near the largest floats)."""
    scale = np.where(np.abs(a) > 2.0**995, 2.0**28, 1.0)
    a = a / scale
    c = 134217729.0 * a  # 2**27 + 1
    high = c - (c - a)
    return high * scale, (a - high) * scale


def _sum_rounded_to_odd(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a + b in float64 rounded to odd (an inexact sum gets an odd last bit): rounding that to a
    narrower type, or adding it once more, rounds as if exactly (Boldo and Melquiond)."""
    s, err = _two_sum(a, b)
    odd = (s.view(np.int64) & 1).astype(bool)
    fix = (err != 0) & ~odd & np.isfinite(s)
    if not fix.any():
        return s
    return np.where(fix, np.nextafter(s, np.where(err > 0, np.inf, -np.inf)), s)


def fused_multiply_add(a: np.ndarray, b: Any, c: np.ndarray) -> np.ndarray:
    """a * b + c in float64 rounded once, as an FMA instruction (Boldo and Melquiond's emulation,
    exact for normal numbers). The product does not overflow in an FMA: where it does in float64
    the sum is made at a quarter of the scale; an infinite `c` is the result."""
    with np.errstate(all="ignore"):
        result = _fma_normal(a, b, c)
        plain = a * b + c
        finite = np.isfinite(a) & np.isfinite(b)
        big = finite & np.isfinite(c) & ~np.isfinite(plain)
        if big.any():
            result = np.where(big, _fma_normal(a * 0.25, b, c * 0.25) * 4.0, result)
        result = np.where(np.isfinite(result) & (result != 0), result, plain)
        return np.where(np.isinf(c) & finite, c, result)


def _fma_normal(a: np.ndarray, b: Any, c: np.ndarray) -> np.ndarray:
    high, low = _two_product(a, b)
    total, error = _two_sum(c, high)
    return total + _sum_rounded_to_odd(error, low)


ADD_ALPHA = Op("add", "AddBackward0", _alpha_forward, lambda B, g, s, alpha: (g, g * alpha))
SUB_ALPHA = Op(
    "sub",
    "SubBackward0",
    lambda x, y, alpha: _alpha_forward(x, y, -alpha),
    lambda B, g, s, alpha: (g, -g * alpha),
)


def check_alpha(dt: dtypes.DType, alpha: Any) -> None:
    """torch's alpha_check: a bool alpha only for a bool result, no float alpha for an integer
    (or bool) result, and an alpha the result's dtype can hold."""
    if type(alpha) is bool and dt is not dtypes.bool_:
        raise RuntimeError("Boolean alpha only supported for Boolean results.")
    if dt.category != FLOATING and isinstance(alpha, float):
        raise RuntimeError(
            "For integral input tensors, argument alpha must not be a floating point number."
        )
    limit = _ALPHA_LIMITS.get(dt)
    if limit is not None and math.isfinite(alpha) and abs(alpha) > limit[0]:
        raise RuntimeError(f"value cannot be converted to type {limit[1]} without overflow")


_ALPHA_LIMITS = {
    dtypes.float32: (float(np.finfo(np.float32).max), "float"),
    dtypes.float16: (float(np.finfo(np.float16).max), "at::Half"),
}


def add_alpha(a: Tensor, b: Any, alpha: Any, args: tuple, op: Op) -> Tensor:
    """`a + alpha * b` (ADD_ALPHA) or `a - alpha * b` (SUB_ALPHA): one node, like torch."""
    if op is SUB_ALPHA:
        sub_check(a.dtype is dtypes.bool_, is_bool(b))
    dt = _promoted(a, b)
    alpha = _scalar(alpha)
    check_alpha(dt, alpha)
    bd = _cast(b.array, dt) if type(b) is Tensor else _scalar(b)
    try:
        result = op.forward(_cast(a.array, dt), bd, alpha)
    except ValueError:
        raise RuntimeError(ops.broadcast_message(a.array.shape, np.shape(bd))) from None
    return _finish(op, wrap(_as_array(result, dt), dt), (a, b), alpha, args)


def add_or_sub(a: Tensor, b: Any, alpha: Any, args: tuple, op: Op) -> Tensor:
    """add_alpha, but an int alpha of 1 is the plain op (nothing saved), as in torch."""
    if type(alpha) is int and alpha == 1:
        return binary(ops.ADD if op is ADD_ALPHA else ops.SUB, a, b, args)
    return add_alpha(a, b, alpha, args, op)
