"""Which elements of a binary op torch's CPU loop computes with vector instructions.

torch's `cpu_kernel_vec` runs two vectors (64 bytes) at a time over each contiguous run of the
iteration and leaves the last `run % width` elements to a scalar function. For most ops both give
the same bits; `maximum` and `minimum` do not when the operands are zeros of opposite signs: the
scalar `std::max(a, b)` keeps `a`, the vector `_mm256_max_ps(a, b)` returns `b`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from engine.sleef import _run_mask


def scalar_lanes(operands: tuple, shape: tuple) -> np.ndarray:
    """A mask of `shape` (the broadcast result of the `operands`, arrays of one dtype, iterated
    in C order): True where torch's loop takes the scalar path."""
    n = int(np.prod(shape, dtype=np.int64))
    run = _inner_run([np.broadcast_to(x, shape) for x in operands])
    if run == 0:
        return np.ones(shape, bool)
    return ~_run_mask(n, run, 64 // operands[0].dtype.itemsize).reshape(shape)


def _inner_run(operands: list) -> int:
    """The length of the coalesced inner rows when their strides let the vector loop run
    (every input contiguous, or all but one broadcast input), else 0."""
    first = operands[0]
    dims = [d for d in range(first.ndim) if first.shape[d] != 1]
    if not dims:
        return 1
    inner = [x.strides[dims[-1]] for x in operands]
    if sorted(inner)[1:] != [first.itemsize] * (len(inner) - 1) or inner.count(0) > 1:
        return 0
    run = first.shape[dims[-1]]
    for d in reversed(dims[:-1]):
        if any(x.strides[d] != run * step for x, step in zip(operands, inner, strict=True)):
            break
        run *= first.shape[d]
    return run


def first_on_scalar_ties(x: np.ndarray, y: Any, out: np.ndarray, operands: tuple = ()) -> Any:
    """`out` (numpy's maximum or minimum of `x` and `y`, which returns `y` on a tie) with `x`
    where the tie is between zeros of opposite signs and torch's scalar loop keeps `x`. The loop
    runs over `operands` (by default `x` and `y`)."""
    if out.dtype.kind != "f":
        return out
    ties = (x == y) & (np.signbit(x) != np.signbit(y))
    if not ties.any():
        return out
    lanes = scalar_lanes(operands or (x, np.asarray(y, out.dtype)), np.shape(out))
    return np.where(ties & lanes, x, out)
