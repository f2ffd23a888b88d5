"""torch's float32 softmax and log_softmax over the last dim, bit for bit
(aten/src/ATen/native/cpu/SoftMaxKernel.cpp `_vec_softmax_lastdim`,
LogSoftmaxKernelImpl.h `serial_vec_log_softmax_lastdim_range`).

Per row: the max; Sleef's expf of `x - max` for every element (vec::map loads the tail as a
partial vector); their sum in `vec::reduce_all`'s order (8 lane sums, then a tree); then
softmax multiplies by `1 / sum`, log_softmax subtracts the max and Sleef's logf of the sum.
"""

from __future__ import annotations

import numpy as np

from engine import sleef

_LANES = 8  # Vectorized<float>::size() on AVX2
_F32 = np.float32


def reduce_sum(e: np.ndarray) -> np.ndarray:
    """The sums of the rows of 2-D float32 `e` in vec::reduce_all's order."""
    n = e.shape[1]
    if n < _LANES:
        acc = e[:, 0].copy()
        for j in range(1, n):
            acc += e[:, j]
        return acc
    full = n - n % _LANES
    acc = e[:, :_LANES].copy()
    for start in range(_LANES, full, _LANES):
        acc += e[:, start : start + _LANES]
    acc[:, : n - full] += e[:, full:]
    half = acc[:, :4] + acc[:, 4:]
    pairs = half[:, :2] + half[:, 2:]
    return pairs[:, 0] + pairs[:, 1]


def _rows(x: np.ndarray) -> np.ndarray:
    """`x` as 2-D rows over its last dim."""
    return x.reshape(-1, x.shape[-1]) if x.ndim else x.reshape(1, 1)


def softmax_lastdim(x: np.ndarray) -> np.ndarray:
    """torch's float32 softmax over the last dim of `x` (non-empty)."""
    rows = _rows(x)
    with np.errstate(invalid="ignore", over="ignore"):
        e = sleef.expf(rows - rows.max(axis=1, keepdims=True))
        out = e * (_F32(1) / reduce_sum(e))[:, None]
    return out.reshape(x.shape)


def log_softmax_lastdim(x: np.ndarray) -> np.ndarray:
    """torch's float32 log_softmax over the last dim of `x` (non-empty)."""
    rows = _rows(x)
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        top = rows.max(axis=1, keepdims=True)
        log_sum = sleef.logf(reduce_sum(sleef.expf(rows - top)))
        out = rows - top - log_sum[:, None]
    return out.reshape(x.shape)


def float32_last(g: np.ndarray, y: np.ndarray, dim: int | None) -> bool:
    """Whether a softmax gradient runs torch's float32 last-dim kernel."""
    return float32_kernel(g, y, dim) and dim % y.ndim == y.ndim - 1


def float32_kernel(g: np.ndarray, y: np.ndarray, dim: int | None) -> bool:
    """Whether a softmax gradient runs one of torch's float32 kernels."""
    if y.dtype != _F32 or g.dtype != _F32 or not y.ndim or not y.size:
        return False
    return dim is not None and g.shape == y.shape


def fma_sum_along(g: np.ndarray, y: np.ndarray, dim: int) -> np.ndarray:
    """sum(g * y) along `dim` (kept) as torch's float32 kernel for a dim other than the last
    adds it: from 0, one fused multiply-add per step along the dim."""
    g_rows, y_rows = np.moveaxis(g, dim, 0), np.moveaxis(y, dim, 0)
    total = np.zeros_like(g_rows[0])
    for g_row, y_row in zip(g_rows, y_rows, strict=True):
        total = sleef.fma(g_row, y_row, total)
    return np.expand_dims(total, dim)
