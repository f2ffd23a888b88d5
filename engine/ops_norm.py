"""torch.norm / Tensor.norm as torch 2.13 runs them: torch.linalg.vector_norm (grad_fn
LinalgVectorNormBackward0) for a number `p` or 'fro' over at most two dims, with torch's
norm_backward formula for each kind of `p`."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from engine import dtypes
from engine.backends import NUMPY, c_order, ext
from engine.dispatch import _as_array, _finish, unary
from engine.dtypes import FLOATING
from engine.ops import OUT, Op, quiet
from engine.ops_math import SGN
from engine.ops_more import values
from engine.shapes import reduced_dims
from engine.tensor import Tensor, wrap


def _vector_norm_forward(x: np.ndarray, attrs: tuple) -> np.ndarray:
    """The p-norm over `dims` (all when None), as torch's CPU reductions compute it."""
    p, dims, keepdim = attrs
    keep = keepdim and dims is not None
    if not x.size:
        return np.full(np.sum(x, axis=dims, keepdims=keep).shape, np.inf if p < 0 else 0, x.dtype)
    magnitude = np.abs(x)
    if p == 2:
        result = np.sqrt(np.add.reduce(x * x, axis=dims, keepdims=keep))
    elif p == 1:
        result = np.add.reduce(magnitude, axis=dims, keepdims=keep)
    elif p == math.inf:
        result = magnitude.max(axis=dims, keepdims=keep)
    elif p == -math.inf:
        result = magnitude.min(axis=dims, keepdims=keep)
    elif p == 0:
        result = np.add.reduce((x != 0).astype(x.dtype), axis=dims, keepdims=keep)
    else:
        powers = np.power(magnitude, x.dtype.type(p))
        result = np.power(np.add.reduce(powers, axis=dims, keepdims=keep), x.dtype.type(1 / p))
    return c_order(np.asarray(result, x.dtype))


def _sgn(B, x):
    return ext(B).sign(x) if B is NUMPY else unary(SGN, x, None, (x,))


def _abs(B, x):
    return np.abs(x) if B is NUMPY else x.abs()


def _zero_where(B, t, mask):
    """`t` with 0 where `mask` (a numpy mask broadcast to t's shape) holds: masked_fill_."""
    return ext(B).masked_fill(t, np.broadcast_to(mask, values(t).shape), 0.0)


def _vector_norm_backward(B, g, s, attrs):
    """torch's norm_backward: the gradient of |x|_p for each kind of p."""
    p, dims, keepdim = attrs
    x, norm = s
    if dims is not None and not keepdim and values(x).ndim:
        g, norm = B.unsqueeze_dims(g, dims), B.unsqueeze_dims(norm, dims)
    norm_is_zero = values(norm) == 0
    if p == 0:
        return (None,)  # torch's undefined gradient: none reaches the input
    if p == 1:
        return (_sgn(B, x) * g,)
    if p == 2:
        return (g * _zero_where(B, x / norm, norm_is_zero),)
    if math.isinf(p):
        magnitude = np.abs(values(x))
        mask = (magnitude == values(norm)) | np.isnan(magnitude)
        weights = mask.astype(values(g).dtype)
        counts = weights.sum(axis=dims, keepdims=True)
        if B is not NUMPY:
            weights, counts = wrap(weights, g.dtype), wrap(counts, g.dtype)
        return (_sgn(B, x) * ((g / counts) * weights),)
    b = ext(B)
    if p < 1:
        scaled = _sgn(B, x) * _zero_where(B, b.pow_scalar(_abs(B, x), p - 1), values(x) == 0)
        return (scaled * g * b.pow_scalar(norm, 1 - p),)
    if p < 2:
        scaled = _sgn(B, x) * b.pow_scalar(_abs(B, x), p - 1)
    else:
        scaled = x * b.pow_scalar(_abs(B, x), p - 2)
    return (scaled * _zero_where(B, g / b.pow_scalar(norm, p - 1), norm_is_zero),)


VECTOR_NORM = Op(
    "norm",
    "LinalgVectorNormBackward0",
    quiet(_vector_norm_forward),
    _vector_norm_backward,
    (0, OUT),
)


def norm(
    a: Tensor, p: Any = "fro", dim: Any = None, keepdim: bool = False, dtype: Any = None
) -> Tensor:
    """The p-norm of `a` (2 for 'fro' or None), over everything or `dim`, as vector_norm."""
    if isinstance(p, str):
        named = () if dim is None else (dim,) if isinstance(dim, int) else tuple(dim)
        if p != "fro" or len(named) > 2:
            raise RuntimeError(f"linalg.matrix_norm: Order {p} not supported.")
        p = 2
    p = 2.0 if p is None else float(p)
    if dtype is not None:
        a = a.to(dtype)
    if a.dtype.category != FLOATING:
        raise RuntimeError(
            "linalg.vector_norm: Expected a floating point or complex tensor as input. "
            f"Got {dtypes.SCALAR_NAMES[a.dtype]}"
        )
    dims = None if dim is None else reduced_dims(dim, a.array.ndim) or None
    if dims is None and keepdim:
        dims = tuple(range(a.array.ndim))
    attrs = (p, dims, bool(keepdim))
    out = wrap(_as_array(VECTOR_NORM.forward(a.array, attrs), a.dtype), a.dtype)
    return _finish(VECTOR_NORM, out, (a,), attrs, (a, p) if dim is None else (a, p, dim))
