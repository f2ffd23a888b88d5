"""glibc's float32 expf, bit for bit, as numpy code.

torch's scalar CPU loops (the last `n % 16` elements of a vectorised float32 kernel, and
every element of a strided one) call `std::exp(float)`, glibc's `expf`
(sysdeps/ieee754/flt-32/e_expf.c, from ARM's optimized-routines). It works in float64 with a
32-entry table of 2**(i/32) and a cubic, and is not correctly rounded: about 1 value in 1,700
differs from exp rounded once from float64. The float64 steps below are glibc's; the x86-64
build contracts two of them into fused multiply-adds, which changes a float64 result in its
last bit and so the float32 result only when that lies within 2**-29 of a rounding boundary.
"""

from __future__ import annotations

from decimal import Decimal, localcontext

import numpy as np

_N = 32
_INV_LN2_N = float.fromhex("0x1.71547652b82fep+0") * _N
_C0 = float.fromhex("0x1.c6af84b912394p-5") / _N / _N / _N
_C1 = float.fromhex("0x1.ebfce50fac4f3p-3") / _N / _N
_C2 = float.fromhex("0x1.62e42ff0c52d6p-1") / _N
_OVERFLOW = np.float32(float.fromhex("0x1.62e42ep6"))  # log(0x1p128)
_UNDERFLOW = np.float32(-float.fromhex("0x1.9fe368p6"))  # log(0x1p-150)


def _table() -> np.ndarray:
    """glibc's __exp2f_data.tab: the bits of 2**(i/32) (correctly rounded) minus i << 47."""
    with localcontext() as ctx:
        ctx.prec = 40
        values = [float(Decimal(2) ** (Decimal(i) / _N)) for i in range(_N)]
    return np.array(values).view(np.int64) - (np.arange(_N, dtype=np.int64) << 47)


_TABLE = _table()


def expf(x: np.ndarray) -> np.ndarray:
    """glibc's expf on a float32 array."""
    x = np.asarray(x, np.float32)
    with np.errstate(invalid="ignore", over="ignore"):
        z = _INV_LN2_N * x.astype(np.float64)
        kd = np.rint(z)
        r = z - kd
        k = np.where(np.isfinite(kd), kd, 0).astype(np.int64)
        s = (_TABLE[k & (_N - 1)] + (k << 47)).view(np.float64)
        y = (_C1 + _C0 * r) * (r * r) + (_C2 * r + 1)
        out = (y * s).astype(np.float32)
    out[x > _OVERFLOW] = np.inf
    out[x < _UNDERFLOW] = 0
    special = ~np.isfinite(x)
    out[special] = x[special] + x[special]
    out[x == -np.inf] = 0
    return out


_F32 = np.float32
_LN2_HI, _LN2_LO = _F32(6.9313812256e-01), _F32(9.0580006145e-06)
_LP = tuple(
    _F32(c)
    for c in (
        6.6666668653e-01,
        4.0000000596e-01,
        2.8571429849e-01,
        2.2222198546e-01,
        1.8183572590e-01,
        1.5313838422e-01,
        1.4798198640e-01,
    )
)
_NEAR_ZERO = np.array(0xBE95F61F, np.uint32).view(np.int32)[()]  # -0.2929 as int32 bits


def log1pf(x: np.ndarray) -> np.ndarray:
    """glibc's log1pf (fdlibm's s_log1pf.c, float arithmetic) on a float32 array."""
    x = np.asarray(x, _F32)
    hx = x.view(np.int32)
    with np.errstate(all="ignore"):
        f, k, c, hu = _log1p_reduce(x, hx)
        r = _log1p_poly(f, k, c, hu)
    ax = hx & 0x7FFFFFFF
    r = np.where(ax < 0x31000000, np.where(ax < 0x24800000, x, x - x * x * _F32(0.5)), r)
    r = np.where(hx >= 0x7F800000, x + x, r)
    r = np.where(x == -1, _F32(-np.inf), r)
    below = (hx < 0) & (ax > 0x3F800000)  # x < -1 or a negative nan: (x - x) / (x - x)
    r[below] = np.where(np.isnan(x[below]), x[below] + x[below], _DEFAULT_NAN)
    return r


_DEFAULT_NAN = np.array(0xFFC00000, np.uint32).view(_F32)[()]  # x86's 0/0


def _log1p_reduce(x, hx):
    """1 + x = 2**k * (1 + f) with c the rounding error of 1 + x divided by it; hu == 0 when
    f is tiny. Between -0.2929 and 0.41422 f is x itself (k = 0)."""
    big = hx >= 0x5A000000
    u = np.where(big, x, _F32(1) + x)
    hu = u.view(np.int32)
    k = (hu >> 23) - 127
    c = np.where(k > 0, _F32(1) - (u - x), x - (u - _F32(1))) / u
    c = np.where(big, _F32(0), c)
    hu = hu & 0x007FFFFF
    low = hu < 0x3504F7
    u = np.where(low, hu | 0x3F800000, hu | 0x3F000000).astype(np.int32).view(_F32)
    k = np.where(low, k, k + 1)
    hu = np.where(low, hu, (0x00800000 - hu) >> 2)
    plain = (hx < 0x3ED413D7) & ((hx > 0) | (hx <= _NEAR_ZERO))
    f = np.where(plain, x, u - _F32(1))
    return f, np.where(plain, 0, k), np.where(plain, _F32(0), c), np.where(plain, 1, hu)


def _log1p_poly(f, k, c, hu):
    """k*ln2 + c + log1p(f) as fdlibm evaluates it."""
    kf = k.astype(_F32)
    hfsq = _F32(0.5) * f * f
    s = f / (_F32(2) + f)
    z = s * s
    poly = _LP[6]
    for coefficient in reversed(_LP[:6]):
        poly = coefficient + z * poly
    big_r = z * poly
    general = np.where(
        k == 0,
        f - (hfsq - s * (hfsq + big_r)),
        kf * _LN2_HI - ((hfsq - (s * (hfsq + big_r) + (kf * _LN2_LO + c))) - f),
    )
    small_r = hfsq * (_F32(1) - _F32(0.66666666666666666) * f)
    tiny = np.where(k == 0, f - small_r, kf * _LN2_HI - ((small_r - (kf * _LN2_LO + c)) - f))
    exact = np.where(k == 0, _F32(0), kf * _LN2_HI + (c + kf * _LN2_LO))
    return np.where(hu == 0, np.where(f == 0, exact, tiny), general)


_LOGF_INVC = np.array(
    [
        float.fromhex(h)
        for h in (
            "0x1.661ec79f8f3bep+0",
            "0x1.571ed4aaf883dp+0",
            "0x1.49539f0f010bp+0",
            "0x1.3c995b0b80385p+0",
            "0x1.30d190c8864a5p+0",
            "0x1.25e227b0b8eap+0",
            "0x1.1bb4a4a1a343fp+0",
            "0x1.12358f08ae5bap+0",
            "0x1.0953f419900a7p+0",
            "0x1p+0",
            "0x1.e608cfd9a47acp-1",
            "0x1.ca4b31f026aap-1",
            "0x1.b2036576afce6p-1",
            "0x1.9c2d163a1aa2dp-1",
            "0x1.886e6037841edp-1",
            "0x1.767dcf5534862p-1",
        )
    ]
)
_LOGF_LOGC = np.array(
    [
        float.fromhex(h)
        for h in (
            "-0x1.57bf7808caadep-2",
            "-0x1.2bef0a7c06ddbp-2",
            "-0x1.01eae7f513a67p-2",
            "-0x1.b31d8a68224e9p-3",
            "-0x1.6574f0ac07758p-3",
            "-0x1.1aa2bc79c81p-3",
            "-0x1.a4e76ce8c0e5ep-4",
            "-0x1.1973c5a611cccp-4",
            "-0x1.252f438e10c1ep-5",
            "0x0p+0",
            "0x1.aa5aa5df25984p-5",
            "0x1.c5e53aa362eb4p-4",
            "0x1.526e57720db08p-3",
            "0x1.bc2860d22477p-3",
            "0x1.1058bc8a07ee1p-2",
            "0x1.4043057b6ee09p-2",
        )
    ]
)
_LOGF_LN2 = float.fromhex("0x1.62e42fefa39efp-1")
_LOGF_A = tuple(
    float.fromhex(h)
    for h in ("-0x1.00ea348b88334p-2", "0x1.5575b0be00b6ap-2", "-0x1.ffffef20a4123p-2")
)
_LOGF_OFF = 0x3F330000


def logf(x: np.ndarray) -> np.ndarray:
    """glibc's logf (a 16-entry table and a cubic in float64) on a float32 array."""
    x = np.asarray(x, _F32)
    ix = x.view(np.uint32)
    subnormal = (ix < 0x00800000) & (ix != 0)
    with np.errstate(all="ignore"):
        ix = np.where(subnormal, (x * _F32(2.0**23)).view(np.uint32) - np.uint32(23 << 23), ix)
        tmp = ix - np.uint32(_LOGF_OFF)
        i = (tmp >> 19) % 16
        k = tmp.view(np.int32) >> 23
        z = (ix - (tmp & np.uint32(0x1FF << 23))).view(_F32).astype(np.float64)
        r = z * _LOGF_INVC[i] - 1
        y0 = _LOGF_LOGC[i] + k * _LOGF_LN2
        r2 = r * r
        y = _LOGF_A[0] * r2 + (_LOGF_A[1] * r + _LOGF_A[2])
        out = (y * r2 + (y0 + r)).astype(_F32)
        invalid = (x < 0) | np.isnan(x)
        out[invalid] = np.where(np.isnan(x[invalid]), x[invalid] + x[invalid], _DEFAULT_NAN)
    out[x == 0] = -np.inf
    out[x == np.inf] = np.inf
    out[x == 1] = 0
    return out
