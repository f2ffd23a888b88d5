"""cumprod (CumprodBackward0), and prod's gradient where the input holds a zero, computed as
torch's FunctionsManual.cpp does (cumprod_backward, prod_safe_zeros_backward): on numpy arrays
normally, op by op on engine Tensors when the backward is recorded (create_graph=True), so that
higher derivatives through them are right.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from engine import dtypes
from engine.backends import NUMPY
from engine.dispatch import _as_array, _finish
from engine.dtypes import FLOATING
from engine.factories import ones, zeros
from engine.ops import OUT, Op, quiet
from engine.ops_more import _cumsum_forward, accumulated, cumsum, flip, prod, values
from engine.ops_shape import cat
from engine.summation import torch_sum
from engine.tensor import Tensor, _dim, wrap


def cumprod_values(x: np.ndarray, dim: int | None) -> np.ndarray:
    """Running products in torch's CPU accumulation type."""
    return accumulated(np.cumprod, x, dim)


def _reversed_cumsum(B: Any, w: Any, dim: int) -> Any:
    """Sums from the end along `dim` (flip, cumsum, flip)."""
    if B is NUMPY:
        return np.flip(_cumsum_forward(np.flip(w, dim), dim), dim)
    return flip(cumsum(flip(w, (dim,)), dim), (dim,))


def _cumprod_backward(B, g, s, dim):
    """torch's cumprod_backward: reversed_cumsum(output * grad) / input without zeros; with
    zeros, its O(n) masks on arrays, its O(n^2) omitted products when recorded."""
    x, out = s
    shape = values(x).shape
    if values(x).size <= 1 or dim is None or shape[dim] == 1:
        return (g,)
    w = out * g
    zero = values(x) == 0
    if not zero.any():
        return (_reversed_cumsum(B, w, dim) / x,)
    if B is NUMPY:
        return (_masked_backward(g, x, out, w, dim, zero),)
    return (_omitted_products_backward(g, x, dim),)


def _masked_backward(g, x, out, w, dim, zero) -> np.ndarray:
    """torch's O(n) cumprod gradient with zeros: before the first zero as without zeros; at
    the first zero the sum of grad times the products up to the second zero; 0 after it."""
    grad_input = np.zeros(x.shape, g.dtype)
    count = np.cumsum(zero, axis=dim)
    before = count == 0
    part = _reversed_cumsum(NUMPY, np.where(before, w, 0), dim) / x
    grad_input[before] = part[before]
    span = count == 1
    first = np.argmax(span, axis=dim, keepdims=True)
    first_zero = np.zeros_like(span)
    np.put_along_axis(first_zero, first, True, axis=dim)
    first_zero &= span
    products = cumprod_values(np.where(span & ~first_zero, x, 1), dim) * np.where(span, g, 0)
    previous = np.take_along_axis(out, np.maximum(first - 1, 0), axis=dim)
    scale = np.where(first == 0, 1, previous).astype(g.dtype)
    total = torch_sum(products, (dim,), keepdim=True) * scale
    grad_input[first_zero] = np.broadcast_to(total, x.shape)[first_zero]
    return grad_input


def _narrow(t: Tensor, dim: int, start: int, stop: int) -> Tensor:
    """`t[start:stop]` along `dim` (torch's narrow / slice: SliceBackward0)."""
    return t[(slice(None),) * dim + (slice(start, stop),)]


def _omitted_products_backward(g: Tensor, x: Tensor, dim: int) -> Tensor:
    """torch's recorded cumprod gradient with zeros: for each k, the sum over j >= k of grad[j]
    times the product of x[:j+1] without x[k], copied into slice k of zeros (CopySlices)."""
    n = x.shape[dim]
    grad_input = zeros(x.shape, dtype=g.dtype)
    ones_shape = x.shape[:dim] + (1,) + x.shape[dim + 1 :]
    first = ones(1, dtype=g.dtype).expand(ones_shape)
    for k in range(n):
        if k == 0:
            omitted = cat([first, cumprod(_narrow(x, dim, 1, n), dim)], dim)
        elif k == n - 1:
            omitted = prod(_narrow(x, dim, 0, k), dim, True)
        else:
            until = prod(_narrow(x, dim, 0, k), dim, True)
            after = cumprod(_narrow(x, dim, k + 1, n), dim)
            omitted = cat([until, until.expand(after.shape) * after], dim)
        grad_input[(slice(None),) * dim + (k,)] = (_narrow(g, dim, k, n) * omitted).sum(dim)
    return grad_input


CUMPROD = Op("cumprod", "CumprodBackward0", quiet(cumprod_values), _cumprod_backward, (0, OUT))


def cumprod(a: Tensor, dim: int, *, dtype: Any = None) -> Tensor:
    """Running products along `dim` (integers and bools give int64), in `dtype` if given."""
    x = a.array if dtype is None else a.array.astype(dtype.np)
    d = _dim(dim, x.ndim) if x.ndim else None
    dt = dtype or (a.dtype if a.dtype.category == FLOATING else dtypes.int64)
    result = CUMPROD.forward(x, d) if d is not None else x.copy()
    return _finish(CUMPROD, wrap(_as_array(result, dt), dt), (a,), d, (a, dim))


# ---- prod's gradient where the input holds a zero ----


def others_product(x: np.ndarray, dim: int) -> np.ndarray:
    """The product of the other elements along `dim` at each position, exact where some are
    zero: torch's prod_safe_zeros_backward without the grad factor (double-accumulated
    cumprods of the elements before and after)."""
    n = x.shape[dim]
    ones_part = np.ones_like(np.take(x, [0], axis=dim))
    before = cumprod_values(np.concatenate([ones_part, np.take(x, range(n - 1), dim)], dim), dim)
    after_part = np.flip(np.take(x, range(1, n), dim), dim)
    after = np.flip(cumprod_values(np.concatenate([ones_part, after_part], dim), dim), dim)
    return before * after


def recorded_others_product(g: Tensor, x: Tensor, dim: int) -> Tensor:
    """torch's prod_safe_zeros_backward on engine Tensors, every step recorded: grad times
    (cumprod(cat(1, x[:-1])) * flip(cumprod(cat(1, flip(x[1:]))))) along `dim`; grad itself
    when `dim` has size 1."""
    n = x.shape[dim]
    if n == 1:
        return g
    ones_part = ones(x.shape[:dim] + (1,) + x.shape[dim + 1 :], dtype=g.dtype)
    before = cumprod(cat([ones_part, _narrow(x, dim, 0, n - 1)], dim), dim)
    after_part = flip(_narrow(x, dim, 1, n), (dim,))
    after = flip(cumprod(cat([ones_part, after_part], dim), dim), (dim,))
    return g * (before * after)
