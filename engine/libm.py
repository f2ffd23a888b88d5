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
        k = np.nan_to_num(kd, posinf=0, neginf=0).astype(np.int64)
        s = (_TABLE[k & (_N - 1)] + (k << 47)).view(np.float64)
        y = (_C1 + _C0 * r) * (r * r) + (_C2 * r + 1)
        out = (y * s).astype(np.float32)
    out[x > _OVERFLOW] = np.inf
    out[x < _UNDERFLOW] = 0
    special = ~np.isfinite(x)
    out[special] = x[special] + x[special]
    out[x == -np.inf] = 0
    return out
