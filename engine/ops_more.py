"""Op table rows for reductions and roundings learners reach for beyond the core: logsumexp,
prod, cumsum (with flip, its backward's helper), var/std and round/floor/ceil, with their front
ends. Rows follow `engine.ops`: numpy forward, backward over a backend `B`, the float operation
order of torch's CPU kernels and derivative formulas (tools/autograd/templates/FunctionsManual.cpp).
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

from engine import dtypes
from engine.backends import NUMPY, c_order, ext
from engine.dispatch import _as_array, _finish, unary
from engine.dtypes import FLOATING
from engine.ops import OUT, Op, quiet
from engine.shapes import reduced_dims
from engine.summation import thread_ranges, torch_mean, torch_sum
from engine.tensor import Tensor, _dim, wrap

_F64 = np.dtype(np.float64)


def values(v: Any) -> np.ndarray:
    """The numpy values of a saved value, whichever backend the rule runs on."""
    return v.array if type(v) is Tensor else v


def float_input(a: Tensor) -> Tensor:
    """`a`, or `a` as float32 when it is integral (torch's ops that compute in float)."""
    return a if a.dtype.category == FLOATING else a.float()


# ---- logsumexp; attrs = (dims, keepdim) ----


def _logsumexp_forward(x: np.ndarray, attrs: tuple) -> np.ndarray:
    """torch's logsumexp: the max (inf maxes taken as 0) out of the sum, added back after."""
    dims, keepdim = attrs
    if not x.size:
        return np.log(np.exp(x).sum(axis=dims, keepdims=keepdim))
    maxes = x.max(axis=dims, keepdims=True)
    maxes = np.where(np.abs(maxes) == np.inf, 0, maxes).astype(x.dtype)
    total = torch_sum(NUMPY.exp(x - maxes), dims, keepdim)  # at::sum_out's order
    kept = maxes if keepdim else maxes.reshape(total.shape)
    return c_order(NUMPY.log(total) + kept)


def _logsumexp_backward(B, g, s, attrs):
    dims, keepdim = attrs
    x, result = s
    if not keepdim:
        g, result = B.unsqueeze_dims(g, dims), B.unsqueeze_dims(result, dims)
    return (g * B.exp(x - result),)


LOGSUMEXP = Op(
    "logsumexp", "LogsumexpBackward0", quiet(_logsumexp_forward), _logsumexp_backward, (0, OUT)
)


def logsumexp(a: Tensor, dim: Any, keepdim: bool = False) -> Tensor:
    """log(sum(exp(a), dim)), computed stably; integer inputs in float32."""
    x = float_input(a)
    attrs = (reduced_dims(dim, x.array.ndim), bool(keepdim))
    out = wrap(_as_array(LOGSUMEXP.forward(x.array, attrs), x.dtype), x.dtype)
    return _finish(LOGSUMEXP, out, (x,), attrs, (a, dim))


# ---- prod; attrs = (dim or None, keepdim) ----


def _prod_forward(x: np.ndarray, attrs: tuple) -> np.ndarray:
    dim, keepdim = attrs
    return c_order(np.asarray(x.prod(axis=dim, keepdims=keepdim)))


def _prod_backward(B, g, s, attrs):
    """torch's prod_backward: grad * (result / input) without zeros, else the product of the
    others along the dim (of all elements flattened), computed with recorded ops when the
    backward is recorded (its own gradient followed); zeros for 2+ zeros in all, unrecorded."""
    dim, keepdim = attrs
    x, result = s
    array = values(x)
    if not array.ndim:
        return (g,)
    if dim is not None and not keepdim:
        g, result = B.unsqueeze_dims(g, (dim,)), B.unsqueeze_dims(result, (dim,))
    zeros = np.count_nonzero(array == 0)
    if B is not NUMPY and x.dtype is not g.dtype:  # prod(dtype=): self.to(grad's dtype)
        x = x.to(g.dtype)
    if not zeros:
        return (g * (result / x),)
    from engine.ops_cumprod import others_product, recorded_others_product

    if B is NUMPY:
        if dim is None and zeros > 1:
            return (np.zeros_like(array),)
        flat = (array.reshape(-1) if dim is None else array).astype(g.dtype, copy=False)
        if flat.shape[dim or 0] == 1:
            return (np.reshape(g, array.shape),)
        return ((g * others_product(flat, dim or 0)).reshape(array.shape),)
    if dim is not None:
        return (recorded_others_product(g, x, dim),)
    return (recorded_others_product(g, x.view(-1), 0).view(array.shape),)


PROD = Op("prod", "ProdBackward0", quiet(_prod_forward), _prod_backward, (0, OUT))
PROD_DIM = Op("prod", "ProdBackward1", PROD.forward, _prod_backward, (0, OUT))


def prod(a: Tensor, dim: Any = None, keepdim: bool = False, dtype: Any = None) -> Tensor:
    """The product of all elements, or along `dim` (integers and bools give int64), in `dtype`
    if given (one node, its gradient going back to `a` in a's dtype)."""
    x = a.array if dtype is None else a.array.astype(dtype.np)
    dt = dtype or (a.dtype if a.dtype.category == FLOATING else dtypes.int64)
    if dim is None:
        op, attrs, args = PROD, (None, False), (a,)
    else:
        d = _dim(dim, x.ndim) if x.ndim else None
        op, attrs, args = PROD_DIM, (d, bool(keepdim) or not x.ndim), (a, dim)
    out = wrap(_as_array(op.forward(x, attrs), dt), dt)
    return _finish(op, out, (a,), attrs, args)


# ---- cumsum and flip; attrs = dim ----


def accumulated(running: Any, x: np.ndarray, dim: int | None) -> np.ndarray:
    """`running` (np.cumsum, np.cumprod) along `dim` accumulated in double (float in float16),
    each value rounded: torch's CPU accumulation type."""
    if x.dtype.kind == "f":
        wide = np.float32 if x.dtype == np.float16 else np.float64
        return running(x.astype(wide), axis=dim).astype(x.dtype)
    return running(x, axis=dim, dtype=np.int64)


def _cumsum_forward(x: np.ndarray, dim: int | None) -> np.ndarray:
    return accumulated(np.cumsum, x, dim)


def _cumsum_backward(B, g, s, dim):
    """torch's cumsum_backward: the gradient summed from the end (flip, cumsum, flip)."""
    shape = g.shape
    if math.prod(shape) <= 1 or dim is None or shape[dim] == 1:
        return (g,)
    if B is NUMPY:
        return (np.flip(_cumsum_forward(np.flip(g, dim), dim), dim),)
    return (flip(cumsum(flip(g, (dim,)), dim), (dim,)),)


CUMSUM = Op("cumsum", "CumsumBackward0", _cumsum_forward, _cumsum_backward)


def cumsum(a: Tensor, dim: int, dtype: Any = None) -> Tensor:
    """Running sums along `dim` (integers and bools give int64), in `dtype` if given."""
    x = a.array if dtype is None else a.array.astype(dtype.np)
    d = _dim(dim, x.ndim) if x.ndim else None
    dt = dtype or (a.dtype if a.dtype.category == FLOATING else dtypes.int64)
    result = _cumsum_forward(x, d) if d is not None else x.copy()
    return _finish(CUMSUM, wrap(_as_array(result, dt), dt), (a,), d, (a, dim))


FLIP = Op(
    "flip",
    "FlipBackward0",
    lambda x, dims: np.flip(x, dims).copy(),
    lambda B, g, s, dims: ((np.flip(g, dims).copy() if B is NUMPY else flip(g, dims)),),
)


def flip(a: Tensor, dims: Any) -> Tensor:
    """The values in reverse order along `dims` (a copy, as in torch)."""
    axes = tuple(_dim(d, a.array.ndim) for d in ((dims,) if isinstance(dims, int) else dims))
    return unary(FLIP, a, axes if a.array.ndim else (), (a, dims))


# ---- var and std; attrs = (dims or None, correction, keepdim) ----


def _squared_deviations(x: np.ndarray, dims: tuple | None) -> tuple[np.ndarray, int]:
    """The sum of squared deviations from the mean, in double, and the count, in torch's CPU
    order: over everything, deviations from the mean summed one by one (std_var_all_cpu); over
    `dims`, Welford's running mean and sum (WelfordOps). Reduced dims are kept as size 1."""
    wide = x.astype(_F64)
    if dims is None:
        deviations = (wide - float(torch_mean(x))).reshape(-1)
        squares = deviations * deviations
        total = 0.0  # parallel_reduce: one running sum per thread, added in thread order
        for begin, end in thread_ranges(x.size) if x.size else ():
            total += np.add.accumulate(squares[begin:end])[-1]
        return np.full((1,) * x.ndim, total), x.size
    kept = [d for d in range(x.ndim) if d not in dims]
    columns = np.transpose(wide, kept + list(dims)).reshape(*[x.shape[d] for d in kept], -1)
    mean = np.zeros(columns.shape[:-1])
    m2 = np.zeros(columns.shape[:-1])
    for n in range(columns.shape[-1]):
        value = columns[..., n]
        delta = value - mean
        mean = mean + delta / (n + 1)
        m2 = m2 + delta * (value - mean)
    return np.expand_dims(m2, tuple(dims)), columns.shape[-1]


def _var_forward(x: np.ndarray, attrs: tuple, take_sqrt: bool = False) -> np.ndarray:
    """torch's CPU var/std: the squared deviations in double divided by the degrees of freedom
    (clamped at 0), rounded once to the input's dtype."""
    dims, correction, keepdim = attrs
    squares, count = _squared_deviations(x, dims)
    if not keepdim:
        squares = squares.reshape([n for d, n in enumerate(x.shape) if dims and d not in dims])
    var = squares / max(0.0, count - correction)
    return c_order(np.asarray(np.sqrt(var) if take_sqrt else var).astype(x.dtype))


def _var_backward(B, g, s, attrs):
    """torch's var_backward: 2 / dof * grad * (self - mean); inf or nan when dof <= 0."""
    dims, correction, keepdim = attrs
    x = s[0]
    shape = values(x).shape
    if dims is None or not shape:
        dof = math.prod(shape) - correction
        mean = torch_mean(x) if B is NUMPY else x.mean()
    else:
        if not keepdim and len(shape) > 1:
            g = B.unsqueeze_dims(g, dims)
        dof = math.prod(shape[d] for d in dims) - correction
        mean = torch_mean(x, dims, keepdim=True) if B is NUMPY else x.mean(dims, keepdim=True)
    if dof <= 0:
        at_mean = values(x) == values(mean)
        return (
            g * B.where(at_mean if B is NUMPY else wrap(at_mean, dtypes.bool_), np.nan, np.inf),
        )
    deviation = x - mean  # `(2.0 / dof) * grad * (self - mean)`: the right operand first
    return (ext(B).scale(g, 2.0 / dof) * deviation,)


def _std_backward(B, g, s, attrs):
    """torch's std_backward: var's rule on grad / (2 * std), 0 where std is 0."""
    result = s[1]
    zero = values(result) == 0
    scaled = g / ext(B).scale(result, 2)
    grad_var = np.where(zero, 0, scaled) if B is NUMPY else ext(B).masked_fill(scaled, zero, 0.0)
    return _var_backward(B, grad_var, s, attrs)


VAR = Op("var", "VarBackward0", quiet(_var_forward), _var_backward, (0,))
STD = Op(
    "std", "StdBackward0", quiet(lambda x, a: _var_forward(x, a, True)), _std_backward, (0, OUT)
)


DOF_WARNING = (
    "{}(): degrees of freedom is <= 0. Correction should be strictly less than the reduction "
    "factor (input numel divided by output numel)."
)


def var_std(
    a: Tensor, dim: Any, unbiased: Any, correction: Any, keepdim: bool, root: bool
) -> Tensor:
    """var (std when `root`) over everything or `dim`, with `correction` (1, or 0 when
    `unbiased` is False) subtracted from the count."""
    if a.dtype.category != FLOATING:
        raise RuntimeError("std and var only support floating point and complex dtypes")
    if correction is None:
        correction = 1 if unbiased is None or unbiased else 0
    dims = None if dim is None else reduced_dims(dim, a.array.ndim)
    count = a.array.size if dims is None else math.prod(a.array.shape[d] for d in dims)
    if count - correction <= 0:
        warnings.warn(DOF_WARNING.format("std" if root else "var"), UserWarning, stacklevel=4)
    attrs = (dims, correction, bool(keepdim))
    op = STD if root else VAR
    out = wrap(_as_array(op.forward(a.array, attrs), a.dtype), a.dtype)
    args = (a,) if dim is None else (a, dim)
    return _finish(op, out, (a,), attrs, args)


# ---- roundings: zero gradients ----


def _zero_backward(B, g, s, a):
    return (B.zeros_like(g),)


def _round_decimals(x: np.ndarray, decimals: int) -> np.ndarray:
    """torch's round(decimals=): nearbyint(x * 10^d) / 10^d (x / 10^-d, then times, for d < 0)."""
    scale = x.dtype.type(10.0 ** abs(decimals))
    if decimals >= 0:
        return np.rint(x * scale) / scale
    return np.rint(x / scale) * scale


ROUND = Op("round", "RoundBackward0", lambda x, a: np.rint(x), _zero_backward)
ROUND_DECIMALS = Op("round", "RoundBackward1", quiet(_round_decimals), _zero_backward)
FLOOR = Op("floor", "FloorBackward0", lambda x, a: np.floor(x), _zero_backward)
CEIL = Op("ceil", "CeilBackward0", lambda x, a: np.ceil(x), _zero_backward)


def rounding(op: Op, a: Tensor, decimals: Any = None) -> Tensor:
    """round/floor/ceil: integer tensors are copied unchanged (bool refused, as in torch)."""
    if a.dtype is dtypes.bool_ or (decimals is not None and a.dtype.category != FLOATING):
        kernel = "round_cpu" if decimals else f"{op.name}_vml_cpu"
        raise NotImplementedError(
            f"\"{kernel}\" not implemented for '{dtypes.SCALAR_NAMES[a.dtype]}'"
        )
    if a.dtype.category != FLOATING:
        return _finish(op, wrap(a.array.copy(), a.dtype), (a,), None, (a,))
    if decimals is not None:
        return unary(ROUND_DECIMALS, a, decimals, (a, decimals))
    return unary(op, a, None, (a,))
