"""Which elements of a binary op torch's CPU loop computes with vector instructions.

torch's `cpu_kernel_vec` runs two vectors (64 bytes) at a time over each contiguous run of the
iteration and leaves the last `run % width` elements to a scalar function. For most ops both give
the same bits; `maximum` and `minimum` do not when the operands are zeros of opposite signs: the
scalar `std::max(a, b)` keeps `a`, the vector `_mm256_max_ps(a, b)` returns `b`.
"""

from __future__ import annotations

import numpy as np

from engine.sleef import _run_mask


def scalar_lanes(x: np.ndarray, y: np.ndarray, shape: tuple) -> np.ndarray:
    """A mask of `shape` (the broadcast result of `x` and `y`, of one dtype, iterated in C
    order): True where torch's loop takes the scalar path."""
    n = int(np.prod(shape, dtype=np.int64))
    run = _inner_run(np.broadcast_to(x, shape), np.broadcast_to(y, shape))
    if run == 0:
        return np.ones(shape, bool)
    return ~_run_mask(n, run, 64 // x.dtype.itemsize).reshape(shape)


def _inner_run(x: np.ndarray, y: np.ndarray) -> int:
    """The length of the coalesced inner rows when their strides let the vector loop run
    (both inputs contiguous, or one of them broadcast), else 0."""
    dims = [d for d in range(x.ndim) if x.shape[d] != 1]
    if not dims:
        return 1
    inner = (x.strides[dims[-1]], y.strides[dims[-1]])
    if sorted(inner) not in ([x.itemsize] * 2, [0, x.itemsize]):
        return 0
    run = x.shape[dims[-1]]
    for d in reversed(dims[:-1]):
        if (x.strides[d], y.strides[d]) != (run * inner[0], run * inner[1]):
            break
        run *= x.shape[d]
    return run


def first_on_scalar_ties(x: np.ndarray, y: np.ndarray, out: np.ndarray) -> np.ndarray:
    """`out` (numpy's maximum or minimum of `x` and `y`, which returns `y` on a tie) with `x`
    where the tie is between zeros of opposite signs and torch's scalar loop keeps `x`."""
    if out.dtype.kind != "f":
        return out
    ties = (x == y) & (np.signbit(x) != np.signbit(y))
    if not ties.any():
        return out
    return np.where(ties & scalar_lanes(x, y, np.shape(out)), x, out)
