"""Sleef's float32 exp and log (expf_u10, logf_u10), bit for bit, as numpy code.

torch's CPU kernels for float32 exp and log (and the ops built on them) call
`Vectorized<float>::exp()` / `log()`, which on AVX2 are `Sleef_expf8_u10` and
`Sleef_logf8_u10`: Sleef's `xexpf` and `xlogf_u1` (src/libm/sleefsimdsp.c) built with FMA.
They are accurate to 1 ulp but not correctly rounded, so a correctly rounded exp differs from
torch's in the last bit of about 1% of values (log: 4%). This module follows Sleef step by step:
each float32 operation is a numpy float32 operation, and each fused multiply-add is emulated
exactly (`fma`).
"""

from __future__ import annotations

import numpy as np

from engine.summation import thread_ranges

_F32, _F64, _I32 = np.float32, np.float64, np.int32

_R_LN2 = _F32(1.442695040888963407359924681001892137426645954152985934135449406931)
_L2U = _F32(0.693145751953125)
_L2L = _F32(1.428606765330187045e-06)
_EXP_POLY = tuple(
    _F32(c)
    for c in (
        0.000198527617612853646278381,
        0.00139304355252534151077271,
        0.00833336077630519866943359,
        0.0416664853692054748535156,
        0.166666671633720397949219,
        0.5,
    )
)
_LOG_POLY = tuple(_F32(c) for c in (0.3027294874, 0.3996108174, 0.6666694880))
_LN2_HI, _LN2_LO = _F32(0.69314718246459960938), _F32(-1.904654323148236017e-09)
_FLT_MIN = _F32(2.0**-126)
_TWO64 = _F32(2.0**64)
_FOUR_THIRDS = _F32(1.0) / _F32(0.75)
_ONE_BITS = _F32(1).view(_I32)


def fma(a: np.ndarray, b: np.ndarray | np.float32, c: np.ndarray | np.float32) -> np.ndarray:
    """`a * b + c` for float32 values with a single rounding, as the FMA instruction does.

    The product is exact in float64, so the float64 sum rounds once; rounding that to float32
    rounds twice only when it lands exactly halfway between two float32s (or among float32's
    subnormals). Those few elements are redone exactly: the float64 sum rounded to odd.
    """
    s = np.multiply(a, b, dtype=_F64)
    s += c
    bits = s.view(np.int64)
    rounded = s.astype(_F32)
    if not (((bits & _LOW29) == _HALF29).any() or (np.abs(rounded) <= _FLT_MIN).any()):
        return rounded  # the usual case, checked in fewer steps than the general one below
    subnormal = ((bits & _NO_SIGN) - 1).view(np.uint64) < _F32_NORMAL_MIN - 1  # zero is exact
    doubtful = ((bits & _LOW29) == _HALF29) | subnormal
    if doubtful.any():
        where = np.nonzero(doubtful)
        shape = s.shape
        s[where] = _round_to_odd(*(np.broadcast_to(v, shape)[where] for v in (a, b, c)))
    return s.astype(_F32)


_LOW29, _HALF29 = np.int64(2**29 - 1), np.int64(2**28)  # the float64 bits float32 drops
_NO_SIGN = np.int64(2**63 - 1)
_F32_NORMAL_MIN = np.float64(2.0**-126).view(np.uint64)


def _round_to_odd(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    """a * b + c in float64 rounded to odd (nudged to the odd neighbour when inexact), whose
    rounding to float32 is the correctly rounded one."""
    p = np.multiply(a, b, dtype=_F64)
    s = p + c
    back = s - p
    err = (p - (s - back)) + (c - back)  # TwoSum: s + err == p + c exactly
    inexact = ((err > 0) | (err < 0)) & ((s.view(np.int64) & 1) == 0)
    s[inexact] = np.nextafter(s[inexact], np.copysign(np.inf, err[inexact]))
    return s


def _pow2i(q: np.ndarray) -> np.ndarray:
    """2**q as float32 built from its exponent bits (Sleef's vpow2i_vf_vi2)."""
    return ((q + _I32(0x7F)) << 23).view(_F32)


def _ldexp2(u: np.ndarray, q: np.ndarray) -> np.ndarray:
    """u * 2**q in two float32 steps (Sleef's vldexp2_vf_vf_vi2)."""
    half = q >> 1
    return u * _pow2i(half) * _pow2i(q - half)


def _rint_i32(x: np.ndarray) -> np.ndarray:
    """cvtps_epi32: round half to even; NaN and out-of-range values give INT32_MIN."""
    with np.errstate(invalid="ignore"):
        out = np.rint(x).astype(_I32)
    out[~(np.abs(x) < 2.0**31)] = np.iinfo(_I32).min
    return out


def expf(d: np.ndarray) -> np.ndarray:
    """Sleef's xexpf (expf_u10) on a float32 array: torch's float32 exp."""
    d = np.asarray(d, _F32)
    with np.errstate(over="ignore", invalid="ignore"):
        q = _rint_i32(d * _R_LN2)
        qf = q.astype(_F32)
        s = fma(qf, -_L2U, d)
        s = fma(qf, -_L2L, s)
        u = _EXP_POLY[0]
        for c in _EXP_POLY[1:]:
            u = fma(u, s, c)
        u = _F32(1) + fma(s * s, u, s)
        u = _ldexp2(u, q)
    u[d < -104] = 0
    u[d > 100] = np.inf
    return u


def _dfdiv(nx, ny, dx, dy):
    """Sleef's dfdiv_vf2_vf2_vf2 with FMA: the double-float quotient (nx+ny) / (dx+dy)."""
    t = _F32(1) / dx
    s = nx * t
    u = fma(t, nx, -s)
    v = fma(-dy, t, fma(-dx, t, _F32(1)))
    return s, fma(s, v, fma(ny, t, u))


def _dfadd2(x, y):
    """Sleef's dfadd2_vf2_vf_vf: x + y as a double-float (any magnitudes)."""
    rx = x + y
    v = rx - x
    return rx, (x - (rx - v)) + (y - v)


def _log_parts(d: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The mantissa m in [0.75, 1.5) and exponent e of d > 0 (denormals scaled by 2**64)."""
    tiny = d < _FLT_MIN
    d = np.where(tiny, d * _TWO64, d)
    e = ((d * _FOUR_THIRDS).view(_I32) >> 23 & 0xFF) - _I32(0x7F)
    m = (d.view(_I32) + (-e << 23)).view(_F32)
    return m, np.where(tiny, e - _I32(64), e)


def logf(d: np.ndarray) -> np.ndarray:
    """Sleef's xlogf_u1 (logf_u10) on a float32 array: torch's float32 log."""
    d = np.asarray(d, _F32)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        m, e = _log_parts(d)
        xx, xy = _dfdiv(*_dfadd2(_F32(-1), m), *_dfadd2(_F32(1), m))
        r = _log_tail(e.astype(_F32), xx, xy)
    r[d == np.inf] = np.inf
    r[(d < 0) | np.isnan(d)] = np.nan
    r[d == 0] = -np.inf
    return r


def _log_tail(ef: np.ndarray, xx: np.ndarray, xy: np.ndarray) -> np.ndarray:
    """e*ln2 + 2*atanh(x) for x = xx + xy, the common end of Sleef's float32 logarithms."""
    sx = _LN2_HI * ef
    sy = fma(_LN2_LO, ef, fma(_LN2_HI, ef, -sx))
    x2 = xx * xx
    t = fma(_LOG_POLY[0], x2, _LOG_POLY[1])
    t = fma(t, x2, _LOG_POLY[2])
    sx, sy = _dfadd(sx, sy, xx * _F32(2), xy * _F32(2))
    v = x2 * xx * t
    rx = sx + v
    return rx + (((sx - rx) + v) + sy)


def _dfadd(xx, xy, yx, yy):
    """Sleef's dfadd_vf2_vf2_vf2: (xx+xy) + (yx+yy) as a double-float (|x| >= |y|)."""
    rx = xx + yx
    return rx, (((xx - rx) + yx) + xy) + yy


def vector_split(x: np.ndarray, vector_fn, scalar_fn, width: int = 16) -> np.ndarray:
    """`x` mapped as torch's `cpu_kernel_vec` maps it: `vector_fn` on the elements its vector
    loop takes, `scalar_fn` on the others.

    The loop runs `width` (two vectors) elements at a time over each contiguous run of the
    iteration and leaves the last `len % width` of the run to the scalar function. A run is the
    whole tensor in memory order when `x` is dense, else one row of its inner dims (all scalar
    when the inner stride is neither 1 nor 0); past the grain size each thread's range is a run.
    """
    order = _dense_order(x) if x.ndim else None
    if order is None:
        mask = _strided_mask(x, width)
        vector, scalar = vector_fn(x[mask]), scalar_fn(x[~mask])
        out = np.empty(x.shape, np.result_type(vector, scalar))
        out[mask], out[~mask] = vector, scalar
        return out
    flat = x.transpose(order).reshape(-1)
    pieces = []
    for begin, stop in thread_ranges(flat.size):
        tail = stop - (stop - begin) % width
        pieces += [
            fn(flat[a:b])
            for fn, a, b in ((vector_fn, begin, tail), (scalar_fn, tail, stop))
            if b > a
        ]
    out = np.concatenate(pieces) if pieces else scalar_fn(flat)
    return out.reshape([x.shape[d] for d in order]).transpose(np.argsort(order))


def _dense_order(x: np.ndarray) -> list[int] | None:
    """The dims of `x` from outermost to innermost in memory when `x` is dense, else None."""
    dims = sorted(range(x.ndim), key=lambda d: (-x.strides[d], d))
    expected = x.itemsize
    for d in reversed(dims):
        if x.shape[d] != 1 and x.strides[d] != expected:
            return None
        expected *= x.shape[d]
    return dims


def _strided_mask(x: np.ndarray, width: int) -> np.ndarray:
    """The vector loop's elements of a non-dense (or 0-d) `x`, iterated in C order."""
    row = _inner_run(x)
    if row == 0:
        return np.zeros(x.shape, bool)
    return _run_mask(x.size, row, width).reshape(x.shape)


def _inner_run(x: np.ndarray) -> int:
    """The length of the rows the iteration of a non-dense `x` (in C order) walks with a
    contiguous or broadcast inner stride; 0 when the inner stride is another one."""
    dims = [d for d in range(x.ndim) if x.shape[d] != 1]
    if not dims:
        return 1
    inner = x.strides[dims[-1]]
    if inner not in (0, x.itemsize):
        return 0
    run = x.shape[dims[-1]]
    for d in reversed(dims[:-1]):
        if x.strides[d] != run * inner:
            break
        run *= x.shape[d]
    return run


def _run_mask(n: int, row: int, width: int) -> np.ndarray:
    """Vector positions among n elements iterated in rows of `row`, split between threads."""
    i = np.arange(n)
    start, end = (i // row) * row, (i // row + 1) * row
    for begin, stop in thread_ranges(n):
        inside = (i >= begin) & (i < stop)
        start[inside] = np.maximum(start[inside], begin)
        end[inside] = np.minimum(end[inside], stop)
    length = end - start
    return (i - start) < length - length % width


def log1pf(d: np.ndarray) -> np.ndarray:
    """Sleef's xlog1pf (log1pf_u10) on a float32 array: torch's vectorised float32 log1p."""
    d = np.asarray(d, _F32)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        dp1 = d + _F32(1)
        tiny = dp1 < _FLT_MIN
        dp1 = np.where(tiny, dp1 * _TWO64, dp1)
        e = ((dp1 * _FOUR_THIRDS).view(_I32) >> 23 & 0xFF) - _I32(0x7F)
        t = (_ONE_BITS + (-e << 23)).view(_F32)
        m = fma(d, t, t - _F32(1))
        ef = np.where(tiny, e - _I32(64), e).astype(_F32)
        dx = _F32(2) + m
        xx, xy = _dfdiv(m, _F32(0), dx, (_F32(2) - dx) + m)
        r = _log_tail(ef, xx, xy)
    beyond = ~(d <= _F32(1e38))  # and nan: Sleef's logf there
    r[beyond] = logf(d[beyond])
    r.view(_I32)[d < -1] = -1  # Sleef ors in an all-ones mask: a nan with every bit set
    r[d == -1] = -np.inf
    negzero = (d == 0) & np.signbit(d)
    r[negzero] = -0.0
    return r
