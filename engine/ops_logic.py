"""Tests of values: `isnan`, `isinf`, `isfinite`, `any`, `all`, `isclose`, `allclose`, `equal`.

None has a gradient. The bool-valued ones report an OpRan like any op; `allclose` and `equal`
return Python bools, as torch does.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from engine import dtypes, ops
from engine.dispatch import _as_array, _finish
from engine.dtypes import FLOATING
from engine.ops import Op, quiet
from engine.tensor import Tensor, _dim, wrap

ISNAN = Op("isnan", None, lambda x: np.isnan(x))
ISINF = Op("isinf", None, lambda x: np.isinf(x))
ISFINITE = Op("isfinite", None, lambda x: np.isfinite(x))
ANY = Op("any", None, None)
ALL = Op("all", None, None)
ISCLOSE = Op("isclose", None, None)


def predicate(op: Op, a: Tensor) -> Tensor:
    """An elementwise bool test of one tensor (integer tensors are always finite)."""
    out = wrap(_as_array(op.forward(a.array), dtypes.bool_), dtypes.bool_)
    return _finish(op, out, (a,), None, (a,))


def any_all(a: Tensor, dim: Any, keepdim: bool, every: bool) -> Tensor:
    """`any`/`all` over everything or `dim` (an int or tuple); uint8 stays uint8, as in torch."""
    x = a.array
    if dim is None:
        axis = None
    else:
        dims = (dim,) if isinstance(dim, int) else tuple(dim)
        axis = tuple(sorted({_dim(d, x.ndim) for d in dims})) if x.ndim else None
    reduce = np.all if every else np.any
    result = reduce(x != 0, axis=axis, keepdims=bool(keepdim) and dim is not None)
    dt = dtypes.uint8 if a.dtype is dtypes.uint8 else dtypes.bool_
    args = (a,) if dim is None else (a, dim)
    return _finish(ALL if every else ANY, wrap(_as_array(result, dt), dt), (a,), None, args)


def isclose(a: Tensor, b: Any, rtol: float, atol: float, equal_nan: bool) -> Tensor:
    """|a - b| <= atol + rtol * |b| elementwise (equal values, infinities included, are close)."""
    if type(b) is not Tensor:
        raise TypeError(
            f"isclose(): argument 'other' (position 2) must be Tensor, not {type(b).__name__}"
        )
    _check_close_args(a, b, rtol, atol)
    out = wrap(_close(a, b, rtol, atol, equal_nan), dtypes.bool_)
    return _finish(ISCLOSE, out, (a, b), None, (a, b))


def _check_close_args(a: Tensor, b: Tensor, rtol: float, atol: float) -> None:
    if a.dtype is not b.dtype:
        names = dtypes.SCALAR_NAMES
        raise RuntimeError(f"{names[a.dtype]} did not match {names[b.dtype]}")
    for name, value in (("rtol", rtol), ("atol", atol)):
        if value < 0:
            raise RuntimeError(f"{name} must be greater than or equal to zero, but got {value:g}")


@quiet
def _close(a: Tensor, b: Tensor, rtol: float, atol: float, equal_nan: bool) -> np.ndarray:
    x, y = a.array, b.array
    try:
        close = np.asarray(x == y)
    except ValueError:
        raise RuntimeError(ops.broadcast_message(x.shape, y.shape)) from None
    if a.dtype.category != FLOATING:
        x, y = x.astype(np.float32), y.astype(np.float32)
    if equal_nan:
        close = close | (np.isnan(x) & np.isnan(y))
    if rtol == 0 and atol == 0:
        return close
    error = np.abs(x - y)
    return close | (np.isfinite(error) & (error <= atol + np.abs(rtol * y)))


def allclose(a: Tensor, b: Tensor, rtol: float, atol: float, equal_nan: bool) -> bool:
    """Whether every element of `a` is close to `b` (see `isclose`)."""
    _check_close_args(a, b, rtol, atol)
    return bool(np.all(_close(a, b, rtol, atol, equal_nan)))


def equal(a: Tensor, b: Tensor) -> bool:
    """Same shape and equal values (dtypes may differ)."""
    return a.array.shape == b.array.shape and bool(np.all(a.array == b.array))
