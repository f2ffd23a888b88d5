"""Bit-exact values of `torch.arange` and `torch.linspace` (torch 2.13, CPU), with numpy.

torch computes these with fused multiply-adds (one rounding for `start + step * i`), and its
arange kernel writes AVX2 vectors, whose lanes are `base + k * step` from a rounded `base`.
Both are reproduced here: `_fma` is an exact fused multiply-add built from error-free
transformations (Boldo and Melquiond's rounding-to-odd emulation), vectorised over numpy arrays.
Exact for float32, float64 and the integer dtypes; float16 is within an ulp, not modelled exactly.
"""

from __future__ import annotations

import math

import numpy as np

from engine.summation import THREADS

INTEGER_DTYPES = frozenset({"int64", "int32", "int16", "int8", "uint8"})
FLOAT_DTYPES = frozenset({"float16", "float32", "float64"})
# at::internal::GRAIN_SIZE: longer outputs are split between threads, each chunk vectorised anew.
GRAIN_SIZE = 32768
# torch's arange kernel writes two AVX2 vectors per loop step: 2 x 8 float32, 2 x 4 float64.
VECTOR_LANES = {"float32": 8, "float64": 4}


INT64_MAX = (1 << 63) - 1
INTEGER_RANGES = {
    "uint8": (0, 255),
    "int8": (-128, 127),
    "int16": (-(1 << 15), (1 << 15) - 1),
    "int32": (-(1 << 31), (1 << 31) - 1),
    "int64": (-(1 << 63), INT64_MAX),
}
# The C++ type names torch's scalar conversion (`full`, `arange`) puts in its overflow message.
CPP_TYPE_NAMES = {
    "uint8": "uint8_t",
    "int8": "int8_t",
    "int16": "int16_t",
    "int32": "int",
    "int64": "int64_t",
    "float16": "c10::Half",
    "float32": "float",
    "float64": "double",
}


def overflows(value: bool | int | float, dtype: str) -> bool:
    """Whether torch refuses to convert the Python number `value` to `dtype` (c10::overflows).

    Integer dtypes take values in their range (unsigned ones also negatives down to -max, which
    wrap) and no inf or NaN; float dtypes take inf and NaN but no finite value beyond their
    largest; bool takes anything.
    """
    if dtype == "bool":
        return False
    if dtype in INTEGER_RANGES:
        low, high = INTEGER_RANGES[dtype]
        if isinstance(value, float) and not math.isfinite(value):
            return True
        if low == 0 and isinstance(value, int):
            return value > high or -value > high
        return not low <= value <= high
    value = float(value)
    return math.isfinite(value) and abs(value) > float(np.finfo(dtype).max)


def checked_scalar(value: bool | int | float, dtype: str, type_name: str) -> bool | int | float:
    """`value` if it fits `dtype`, else torch's RuntimeError naming the type as `type_name`."""
    if overflows(value, dtype):
        raise RuntimeError(f"value cannot be converted to type {type_name} without overflow")
    return value


def check_storage(shape: tuple[int, ...], itemsize: int) -> None:
    """torch's RuntimeError for a tensor whose size in bytes does not fit an int64."""
    if math.prod(shape) * itemsize > INT64_MAX:
        raise RuntimeError(f"Storage size calculation overflowed with sizes={list(shape)}")


def arange_dtype(start: float, end: float, step: float = 1) -> str:
    """Return the dtype `torch.arange` infers: "float32" if any argument is a float, else int64."""
    if any(isinstance(v, float | np.floating) for v in (start, end, step)):
        return "float32"
    return "int64"


def arange_length(start: float, end: float, step: float, dtype: str) -> int:
    """Return the number of elements of `torch.arange(start, end, step, dtype=dtype)`.

    Raises torch's errors for a zero step, a non-finite bound, a step whose sign does not lead
    from start to end or a size beyond int64. int64 truncates the arguments first.
    """
    if float(step) == 0:
        raise RuntimeError("step must be nonzero")
    first, last, delta = _accumulated(start, end, step, dtype)
    if delta == 0:
        raise ValueError("step must be nonzero")  # an int64 step truncated to 0
    if (delta > 0 and last < first) or (delta < 0 and last > first):
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    if dtype == "int64":
        sign = 1 if delta > 0 else -1
        return (last - first + delta - sign) // delta  # C++ int64 division; never negative here
    size = math.ceil((float(end) - float(start)) / float(step))
    if size > INT64_MAX:
        raise RuntimeError("invalid size, possible overflow?")
    return size


def _accumulated(start: float, end: float, step: float, dtype: str) -> tuple:
    """The arguments as torch's checks see them: truncated to int for int64 only."""
    if not (math.isfinite(start) and math.isfinite(end)):
        raise RuntimeError(f"unsupported range: {start:g} -> {end:g}")
    if dtype == "int64":
        for value in (start, end, step):
            checked_scalar(value, "int64", "int64_t")
        return int(start), int(end), int(step)
    return float(start), float(end), float(step)


def arange_values(
    start: float, end: float, step: float, dtype: str, *, threads: int = THREADS
) -> np.ndarray:
    """Return the values of `torch.arange(start, end, step, dtype=dtype)`, bit for bit.

    Float outputs are `start + step * i` computed in float64 with one rounding, then cast; for
    float32/float64 torch's vectorised blocks are modelled too. Past `GRAIN_SIZE` elements torch
    splits the work between its threads and the low bits depend on how many there are;
    `threads` is that count (torch.get_num_threads(); by default the reference machine's, as
    for sums).
    """
    n = arange_length(start, end, step, dtype)
    check_storage((n,), np.dtype(dtype).itemsize)
    if dtype in INTEGER_DTYPES:
        return _integer_arange(start, step, n, dtype)
    values = np.empty(n, dtype=dtype)
    for begin, stop in _thread_chunks(n, threads):
        values[begin:stop] = _float_arange_chunk(float(start), float(step), begin, stop, dtype)
    return values


def _integer_arange(start: float, step: float, n: int, dtype: str) -> np.ndarray:
    values = int(start) + int(step) * np.arange(n, dtype=np.int64)
    return values.astype(dtype)


def _thread_chunks(n: int, threads: int) -> list[tuple[int, int]]:
    """The [begin, end) ranges at::parallel_for gives each thread."""
    if n <= GRAIN_SIZE or threads <= 1:
        return [(0, n)]
    used = min(threads, -(-n // GRAIN_SIZE))
    chunk = -(-n // used)
    return [(b, min(b + chunk, n)) for b in range(0, n, chunk)]


def _float_arange_chunk(start: float, step: float, begin: int, stop: int, dtype: str) -> np.ndarray:
    index = np.arange(begin, stop, dtype=np.float64)
    values = _fma(step, index, start).astype(dtype)
    lanes = VECTOR_LANES.get(dtype)
    if lanes is None:
        return values
    vectorised = (stop - begin) // (2 * lanes) * (2 * lanes)
    offset = np.arange(vectorised) % lanes
    base = _fma(step, index[:vectorised] - offset, start).astype(dtype)
    values[:vectorised] = _fma(offset.astype(np.float64), step, base).astype(dtype)
    return values


def linspace_values(start: float, end: float, steps: int, dtype: str = "float32") -> np.ndarray:
    """Return the values of `torch.linspace(start, end, steps, dtype=dtype)`, bit for bit.

    The first half counts up from `start`, the second half down from `end`, each value
    `start + step * i` (or `end - step * (steps - 1 - i)`) rounded once in the dtype's precision;
    integer dtypes compute in float64 and truncate.
    """
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    work = "float64" if dtype in INTEGER_DTYPES else dtype
    first, last = np.asarray(start).astype(dtype), np.asarray(end).astype(dtype)
    if steps <= 1:
        return np.full(steps, first, dtype=dtype)
    if dtype == "float16":
        return _half_linspace(first, last, steps)
    first, last = first.astype(work), last.astype(work)
    step = (last - first) / np.asarray(steps - 1, dtype=work)
    index = np.arange(steps, dtype=np.float64)
    up = index < steps // 2
    odd = work != "float64"
    values = np.where(
        up, _fma(step, index, first, odd=odd), _fma(-step, steps - 1 - index, last, odd=odd)
    )
    return values.astype(work).astype(dtype)


def _half_linspace(first: np.ndarray, last: np.ndarray, steps: int) -> np.ndarray:
    """torch's float16 linspace: its kernel's scalar formula in c10::Half arithmetic, where each
    operation computes in float32 and rounds to float16 (the step, and the index, too)."""

    def rounded(values: np.ndarray) -> np.ndarray:
        return np.asarray(values, np.float32).astype(np.float16).astype(np.float32)

    step = rounded(rounded(last - first) / rounded(steps - 1))
    index = np.arange(steps)
    up = index < steps // 2
    offset = rounded(step * rounded(np.where(up, index, steps - 1 - index)))
    return np.where(up, first.astype(np.float32) + offset, last - offset).astype(np.float16)


def _fma(a, b, c, *, odd: bool = False) -> np.ndarray:
    """Return a*b + c with one rounding to float64 (elementwise, exact like C's fma).

    With `odd=True` the final rounding is to odd instead of to nearest, so that a later cast to
    a narrower float (float32, float16) is correctly rounded: torch's fma in that precision.
    Exact unless a*b underflows (|a*b| below about 1e-290), far outside what factories compute.
    """
    a, b, c = np.broadcast_arrays(*(np.asarray(v, dtype=np.float64) for v in (a, b, c)))
    with np.errstate(all="ignore"):
        product, product_error = _two_product(a, b)
        high, low = _two_sum(product_error, c)
        total, total_error = _two_sum(product, high)
        tail = _add_round_to_odd(total_error, low)
        result = _add_round_to_odd(total, tail) if odd else total + tail
    # IEEE fma keeps the sign of an exact zero sum of zeros (-0. * 1. + -0. is -0.).
    return np.where((product == 0) & (c == 0), product + c, result)


def _two_sum(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    total = a + b
    b_part = total - a
    return total, (a - (total - b_part)) + (b - b_part)


def _split(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    scaled = 134217729.0 * a  # 2**27 + 1: Veltkamp's splitter for 53-bit significands
    high = scaled - (scaled - a)
    return high, a - high


def _two_product(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    product = a * b
    a_high, a_low = _split(a)
    b_high, b_low = _split(b)
    error = ((a_high * b_high - product) + a_high * b_low + a_low * b_high) + a_low * b_low
    return product, error


def _add_round_to_odd(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a + b rounded to odd: when inexact, the neighbour whose last significand bit is 1."""
    total, error = _two_sum(a, b)
    inexact_even = (error != 0) & ((total.view(np.int64) & 1) == 0)
    toward = np.where(error > 0, np.inf, -np.inf)
    return np.where(inexact_even, np.nextafter(total, toward), total)
