"""avx_mathfun's float32 log and sincos (log256_ps, sincos256_ps), bit for bit, as numpy code.

torch's float32 `randn` of 16 or more values (the AVX2 `NormalFill16<float>` in
ATen/native/cpu/DistributionTemplates.h) takes its log, sin and cos from avx_mathfun.h: Julien
Pommier's Cephes polynomials, not libm and not Sleef. Each `_mm256_*_ps` step is a numpy float32
operation here. torch's build contracts a multiply feeding an add into one fused multiply-add;
which pairs it fuses was found by comparing with torch (the alternatives differ from torch in up
to 1% of values), and each fused pair is emulated exactly with `sleef.fma`.
"""

from __future__ import annotations

import numpy as np

from engine.sleef import fma

_F32, _I32 = np.float32, np.int32
_ONE, _HALF = _F32(1.0), _F32(0.5)
_MIN_NORM_POS = _F32(2.0**-126)
_SQRTHF = _F32(0.707106781186547524)
_LOG_POLY = tuple(
    _F32(c)
    for c in (
        7.0376836292e-2,
        -1.1514610310e-1,
        1.1676998740e-1,
        -1.2420140846e-1,
        1.4249322787e-1,
        -1.6668057665e-1,
        2.0000714765e-1,
        -2.4999993993e-1,
        3.3333331174e-1,
    )
)
_LOG_Q1, _LOG_Q2 = _F32(-2.12194440e-4), _F32(0.693359375)
_EXPONENT_BITS, _SIGN_BIT = _I32(0x7F800000), _I32(-(2**31))
_FOUR_OVER_PI = _F32(1.27323954473516)
_MINUS_PI_OVER_4_PARTS = (
    _F32(-0.78515625),
    _F32(-2.4187564849853515625e-4),
    _F32(-3.77489497744594108e-8),
)
_SIN_POLY = (_F32(-1.9515295891e-4), _F32(8.3321608736e-3), _F32(-1.6666654611e-1))
_COS_POLY = (
    _F32(2.443315711809948e-005),
    _F32(-1.388731625493765e-003),
    _F32(4.166664568298827e-002),
)


def log256_ps(x: np.ndarray) -> np.ndarray:
    """Natural log of positive float32 values as torch's `log256_ps` computes it."""
    bits = np.maximum(x, _MIN_NORM_POS).view(_I32)
    exponent = ((bits >> 23) - 0x7F).astype(_F32) + _ONE
    mantissa = ((bits & ~_EXPONENT_BITS) | _HALF.view(_I32)).view(_F32)  # in [0.5, 1)
    small = mantissa < _SQRTHF  # then use 2 * mantissa - 1 and one less in the exponent
    exponent = exponent - np.where(small, _ONE, _F32(0))
    m = (mantissa - _ONE) + np.where(small, mantissa, _F32(0))
    z = m * m
    y = _horner(_LOG_POLY, m) * m
    y = fma(y, z, exponent * _LOG_Q1)
    y = y - z * _HALF
    return fma(exponent, _LOG_Q2, m + y)


def sincos256_ps(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(sin(x), cos(x)) of float32 values as torch's `sincos256_ps` computes them."""
    bits = x.view(_I32)
    magnitude = (bits & ~_SIGN_BIT).view(_F32)
    octant = ((magnitude * _FOUR_OVER_PI).astype(_I32) + 1) & ~1  # cvttps truncates
    sin_sign = (bits & _SIGN_BIT) ^ ((octant & 4) << 29)
    cos_sign = (~(octant - 2) & 4) << 29
    r = magnitude
    for part in _MINUS_PI_OVER_4_PARTS:  # extended precision x - octant * pi/4
        r = fma(octant.astype(_F32), part, r)
    z = r * r
    cos_poly = fma(_horner(_COS_POLY, z) * z, z, -(z * _HALF)) + _ONE
    sin_poly = fma(_horner(_SIN_POLY, z) * z, r, r)
    use_sin_poly = (octant & 2) == 0
    sin = np.where(use_sin_poly, sin_poly, cos_poly)
    cos = np.where(use_sin_poly, cos_poly, sin_poly)
    return _flip_sign(sin, sin_sign), _flip_sign(cos, cos_sign)


def _horner(coefficients: tuple[np.float32, ...], x: np.ndarray) -> np.ndarray:
    """((c0 * x + c1) * x + c2)... with each multiply-add fused."""
    y = np.full_like(x, coefficients[0])
    for c in coefficients[1:]:
        y = fma(y, x, c)
    return y


def _flip_sign(values: np.ndarray, sign_bits: np.ndarray) -> np.ndarray:
    return (values.view(_I32) ^ sign_bits).view(_F32)
