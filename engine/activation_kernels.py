"""torch's float kernels for sigmoid and log_sigmoid: float32 with Sleef where torch's
vector loop runs and glibc where its scalar loop does (engine.sleef, engine.libm)."""

from __future__ import annotations

import numpy as np

from engine import libm, sleef

_F64, _F32, _F16 = np.dtype(np.float64), np.dtype(np.float32), np.dtype(np.float16)


def _exp(x: np.ndarray) -> np.ndarray:
    """exp rounded once from float64 (float16 through float32, as engine.backends.NUMPY.exp)."""
    e = np.exp(x.astype(_F64))
    return (e.astype(_F32) if x.dtype is _F16 else e).astype(x.dtype)


def sigmoid(x: np.ndarray) -> np.ndarray:
    """torch's sigmoid kernel: `1 / (1 + exp(-x))` in float32 (float16 too, rounded once at the
    end); float32 with Sleef's exp where torch's vector loop runs, else glibc's."""
    dt = x.dtype
    if dt is _F32:
        return sleef.vector_split(x, _sigmoid_vector, _sigmoid_scalar)
    if dt is _F16:
        e = np.exp(-x.astype(_F64)).astype(_F32)
        return (_ONE32 / (_ONE32 + e)).astype(dt)
    return 1 / (1 + np.exp(-x))


def _sigmoid_vector(x: np.ndarray) -> np.ndarray:
    """torch's vectorised float32 sigmoid: Sleef's expf_u10."""
    return _ONE32 / (_ONE32 + sleef.expf(-x))


def _sigmoid_scalar(x: np.ndarray) -> np.ndarray:
    """torch's scalar float32 sigmoid: glibc's expf."""
    return _ONE32 / (_ONE32 + libm.expf(-x))


_ONE32 = np.float32(1)


def log_sigmoid(x: np.ndarray) -> np.ndarray:
    """torch's log_sigmoid kernel, `min(x, 0) - log1p(exp(-|x|))`: for float32 all in its
    vector loop (Sleef's expf and log1pf, whatever the layout), else rounded once from float64."""
    if x.dtype is _F32:
        return np.minimum(x, np.float32(0)) - sleef.log1pf(sleef.expf(-np.abs(x)))
    return np.minimum(x, 0) - log1p(_exp(-np.abs(x)))


def log1p(x: np.ndarray) -> np.ndarray:
    """log1p rounded once from float64."""
    return np.log1p(x.astype(_F64)).astype(x.dtype)
