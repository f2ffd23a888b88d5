"""The backends the backward rules run on (see engine.ops), and the numpy kernels they share.

`NUMPY` works on plain arrays, the normal path; `TENSORS` (with `engine.autograd.TENSOR`) on
engine Tensors, so that a backward run with `create_graph=True` is itself recorded. `ext(B)`
gives a rule the backend's newer functions.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from engine import sleef
from engine.activation_kernels import log_sigmoid, sigmoid
from engine.softmax_kernels import float32_kernel, float32_last, fma_sum_along, reduce_sum
from engine.summation import torch_sum


def c_order(x: Any) -> Any:
    """`x` in C order: torch's reductions and softmax give contiguous results whatever the
    input's layout, where numpy's keep it (a later reshape is a view only when contiguous)."""
    if type(x) is np.ndarray and not x.flags.c_contiguous:
        return x.copy(order="C")
    return x


def sum_to(array: np.ndarray, shape: tuple) -> np.ndarray:
    """Sum a broadcast gradient back to `shape`: leading added dims, then dims that were 1."""
    lead = array.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(
        lead + i for i, n in enumerate(shape) if n == 1 and array.shape[lead + i] != 1
    )
    if axes:
        array = torch_sum(array, axes, keepdim=True)
    return array.reshape(shape) if lead else array


def torch_sign(x: np.ndarray) -> np.ndarray:
    """torch's sign: (0 < x) - (x < 0), so nan and -0. give +0."""
    if x.dtype.kind != "f":
        return np.sign(x)
    return (x > 0).astype(x.dtype) - (x < 0).astype(x.dtype)


_POW_SPECIAL = {
    0.5: np.sqrt,
    -0.5: lambda x: 1 / np.sqrt(x),
    -1: lambda x: 1 / x,
    2: lambda x: x * x,
    3: lambda x: x * x * x,
    -2: lambda x: 1 / (x * x),
}


def pow_values(x: np.ndarray, exponent: Any) -> np.ndarray:
    """`x ** exponent` as torch's CPU kernel computes it: float32/float64 powers 2, 3, -2, -1,
    0.5 and -0.5 are products, reciprocals and square roots (the values differ from `pow`)."""
    if x.dtype == np.float32 or x.dtype == np.float64:
        special = _POW_SPECIAL.get(exponent)
        if special is not None:
            return special(x)
    return np.power(x, exponent)


_F64, _F32, _F16 = np.dtype(np.float64), np.dtype(np.float32), np.dtype(np.float16)


def rounded_once(fn: Any) -> Any:
    """numpy function `fn` computed in float64 for float32 arrays, then rounded once. torch's
    CPU kernels for exp, log, sin, cos and tanh are nearly correctly rounded (float32 exp and log
    are MKL's vmsExp / vmsLn, closed source: about 1% / 4% of values differ from this in the
    last bit); numpy's float32 ones are a last bit off on up to 40% of inputs. float16 is
    computed as float32 and rounded again, as torch does (a single rounding from float64 would
    differ on a few inputs)."""

    def kernel(x: np.ndarray) -> np.ndarray:
        dt = x.dtype
        if dt is _F32:
            return fn(x.astype(_F64)).astype(_F32)
        if dt is _F16:
            return fn(x.astype(_F64)).astype(_F32).astype(_F16)
        return fn(x)

    kernel.__name__ = kernel.__qualname__ = fn.__name__
    return kernel


_tanh = rounded_once(np.tanh)
_TANH_ONE = 9.01084  # torch's float32 tanh is exactly +-1 from here (float64's from 9.010914)


def tanh(x: np.ndarray) -> np.ndarray:
    """tanh rounded once from float64, saturated where torch's float32 kernel saturates (so
    the gradient of a saturated tanh is exactly 0, as in torch)."""
    if x.dtype is not _F32:
        return _tanh(x)
    x64 = x.astype(_F64)
    saturated = np.abs(x64) >= _TANH_ONE
    y = np.tanh(x64, out=x64)  # in place: a 0-d input stays an array
    if saturated.any():
        np.copysign(1.0, y, out=y, where=saturated)
    return y.astype(_F32)


def is_basic_index(index: Any) -> bool:
    """Whether `index` has only ints, slices, None and Ellipsis (a view: select, slice)."""
    parts = index if isinstance(index, tuple) else (index,)
    return not any(isinstance(p, (list, np.ndarray)) for p in parts)


def zeros_holding(array: np.ndarray, index: Any, shape: tuple) -> np.ndarray:
    """Zeros of `shape` with `array` at `index`: copied in for a basic index, as torch's
    select and slice backward do (so -0. stays -0.), added for an advanced one, as index_put
    with accumulate does (repeated positions add up)."""
    out = np.zeros(shape, array.dtype)
    if is_basic_index(index):
        out[index] = array
    else:
        np.add.at(out, index, array)
    return out


class NUMPY:  # noqa: N801 (a namespace standing in for a module)
    """The numpy backend of the backward rules, and the float kernels the forward rows share."""

    exp = staticmethod(rounded_once(np.exp))
    log = staticmethod(rounded_once(np.log))
    cos = staticmethod(rounded_once(np.cos))
    sin = staticmethod(rounded_once(np.sin))
    tanh = staticmethod(tanh)
    sigmoid = staticmethod(sigmoid)
    log_sigmoid = staticmethod(log_sigmoid)
    where = staticmethod(np.where)
    zeros_like = staticmethod(np.zeros_like)
    expand = staticmethod(np.broadcast_to)
    sum_to = staticmethod(sum_to)

    @staticmethod
    def unsqueeze_dims(array: np.ndarray, dims: tuple[int, ...]) -> np.ndarray:
        """Re-insert reduced dimensions (sorted, non-negative) as size 1."""
        return np.expand_dims(array, dims)

    @staticmethod
    def cast(array: np.ndarray, dtype: Any) -> np.ndarray:
        """Convert to the numpy type of engine dtype `dtype`."""
        return array.astype(dtype.np)

    @staticmethod
    def index_add_zeros(array: np.ndarray, index: Any, shape: tuple) -> np.ndarray:
        """Zeros of `shape` holding `array` at `index`: see `zeros_holding`."""
        return zeros_holding(array, index, shape)

    @staticmethod
    def reshape(array: np.ndarray, shape: tuple) -> np.ndarray:
        """Reshape (the gradient of a view)."""
        return array.reshape(shape)

    scale = staticmethod(np.multiply)

    @staticmethod
    def pow_scalar(array: np.ndarray, exponent: Any) -> np.ndarray:
        """`array ** exponent` with torch's special cases (see `pow_values`)."""
        return pow_values(array, exponent)

    floor_divide = staticmethod(np.floor_divide)
    sign = staticmethod(torch_sign)
    outer = staticmethod(np.outer)
    permute = staticmethod(np.transpose)

    @staticmethod
    def t(array: np.ndarray) -> np.ndarray:
        """The transpose of a matrix (a vector unchanged)."""
        return array.T

    @staticmethod
    def sum_dim(array: np.ndarray, dim: int | tuple | None) -> np.ndarray:
        """Sum over `dim` (an int, a tuple or None for all), keeping reduced dims as size 1."""
        return torch_sum(array, (dim,) if isinstance(dim, int) else dim, keepdim=True)

    @staticmethod
    def as_type_of(array: np.ndarray, like: np.ndarray) -> np.ndarray:
        """`array` (a mask) converted to `like`'s dtype."""
        return array.astype(like.dtype)

    @staticmethod
    def one_minus_square(y: np.ndarray) -> np.ndarray:
        """`1 - y*y` rounded once, as torch's CPU kernel does with an FMA."""
        if y.dtype == np.float32:
            return (1.0 - y.astype(np.float64) ** 2).astype(np.float32)
        return 1 - y * y

    @staticmethod
    def scatter_dim(g: np.ndarray, index: np.ndarray, dim: int, shape: tuple) -> np.ndarray:
        """Zeros of `shape` with `g` put at `index` along `dim` (both with `dim` kept)."""
        out = np.zeros(shape, g.dtype)
        np.put_along_axis(out, index, g, axis=dim)
        return out

    @staticmethod
    def gather_dim(t: np.ndarray, index: np.ndarray, dim: int) -> np.ndarray:
        """The values of `t` at `index` along `dim` (torch's gather)."""
        return np.take_along_axis(t, index, axis=dim)

    @staticmethod
    def threshold_backward(g: np.ndarray, y: np.ndarray) -> np.ndarray:
        """relu's gradient from its result `y`: zero where `y <= 0` (nan passes)."""
        return np.where(y <= 0, 0.0, g)

    @staticmethod
    def sigmoid_backward(g: np.ndarray, y: np.ndarray) -> np.ndarray:
        """sigmoid's gradient from its result `y`."""
        return g * (1 - y) * y

    @staticmethod
    def tanh_backward(g: np.ndarray, y: np.ndarray) -> np.ndarray:
        """tanh's gradient from its result `y`."""
        return g * NUMPY.one_minus_square(y)

    @staticmethod
    def softmax_backward_data(g: np.ndarray, y: np.ndarray, dim: int | None) -> np.ndarray:
        """softmax's gradient from its result `y` along `dim`: `(g - sum(g * y)) * y`, the sum in
        the order of torch's float32 kernels."""
        if float32_last(g, y, dim):
            rows = (g * y).reshape(-1, y.shape[-1])
            return (g - reduce_sum(rows).reshape(y.shape[:-1] + (1,))) * y
        if float32_kernel(g, y, dim):
            return (g - fma_sum_along(g, y, dim)) * y
        return (g - (g * y).sum(axis=dim, keepdims=True)) * y

    @staticmethod
    def log_softmax_backward_data(g: np.ndarray, y: np.ndarray, dim: int | None) -> np.ndarray:
        """log_softmax's gradient from its result `y` along `dim` (torch's last-dim kernel:
        Sleef's exp, its row sum order, and `g - exp(y) * sum` contracted to one FMA)."""
        if float32_last(g, y, dim):
            total = reduce_sum(g.reshape(-1, y.shape[-1])).reshape(y.shape[:-1] + (1,))
            return sleef.fma(-sleef.expf(y), np.broadcast_to(total, y.shape), g)
        return g - NUMPY.exp(y) * g.sum(axis=dim, keepdims=True)

    @staticmethod
    def masked_fill(t: np.ndarray, mask: np.ndarray, value: float) -> np.ndarray:
        """`t` with `value` where `mask` holds."""
        return np.where(mask, value, t)

    @staticmethod
    def zeros_masked_fill(mask: np.ndarray, value: np.ndarray) -> np.ndarray:
        """Zeros of `mask`'s shape holding `value` (0-d) where `mask` holds."""
        return np.where(mask, value, 0.0)

    div_scalar = staticmethod(np.true_divide)
    add_scalar = staticmethod(np.add)
    sub_scalar = staticmethod(np.subtract)
    unsqueeze_to = squeeze_to = staticmethod(np.reshape)

    @staticmethod
    def transpose(array: np.ndarray, perm: tuple) -> np.ndarray:
        """Undo the swap of two dimensions `perm` (a permutation that is its own inverse)."""
        return array.transpose(perm)


class TENSORS:  # noqa: N801 (a namespace standing in for a module)
    """The same functions for the recorded backward (create_graph=True), on engine Tensors.

    `engine.autograd.TENSOR` holds the older ones; rules reach these through `ext(B)`.
    """

    cos = staticmethod(lambda t: t.cos())
    pow_scalar = staticmethod(lambda t, exponent: t.pow(exponent))

    @staticmethod
    def scale(t: Any, c: Any) -> Any:
        """`t * c` for a Python number `c`, recorded as torch's MulBackward1 (one input)."""
        from engine.dispatch import scalar_op
        from engine.ops import MUL_SCALAR

        return scalar_op(MUL_SCALAR, t, c, (t, c))

    @staticmethod
    def floor_divide(a: Any, b: Any) -> Any:
        """`a` divided by `b` rounded down, recorded with torch's zero derivative (DivBackward2)."""
        from engine.dispatch import binary
        from engine.ops import DIV_FLOOR

        return binary(DIV_FLOOR, a, b, (a, b))

    sin = staticmethod(lambda t: t.sin())
    sign = staticmethod(lambda t: t.sign())
    t = staticmethod(lambda t: t.t())
    permute = staticmethod(lambda t, dims: t.permute(dims))
    outer = staticmethod(lambda a, b: a.outer(b))
    sum_dim = staticmethod(lambda t, dim: t.sum(dim, keepdim=True))
    as_type_of = staticmethod(lambda t, like: t.to(like.dtype))

    @staticmethod
    def scatter_dim(g: Any, index: np.ndarray, dim: int, shape: tuple) -> Any:
        """Zeros of `shape` with `g` put at `index` along `dim` (ScatterBackward0)."""
        from engine.ops_backward import SCATTER, recorded

        return recorded(SCATTER, (None, g), (index, dim, shape))

    @staticmethod
    def gather_dim(t: Any, index: np.ndarray, dim: int) -> Any:
        """The values of `t` at `index` along `dim` (GatherBackward0)."""
        from engine.ops_backward import GATHER, recorded

        return recorded(GATHER, (t,), (index, dim, t.shape))

    threshold_backward = staticmethod(lambda g, y: _recorded("THRESHOLD_BACKWARD", g, y, None))
    sigmoid_backward = staticmethod(lambda g, y: _recorded("SIGMOID_BACKWARD", g, y, None))
    tanh_backward = staticmethod(lambda g, y: _recorded("TANH_BACKWARD", g, y, None))
    softmax_backward_data = staticmethod(
        lambda g, y, dim: _recorded("SOFTMAX_BACKWARD_DATA", g, y, dim)
    )
    log_softmax_backward_data = staticmethod(
        lambda g, y, dim: _recorded("LOG_SOFTMAX_BACKWARD_DATA", g, y, dim)
    )

    @staticmethod
    def unsqueeze_to(t: Any, shape: tuple) -> Any:
        """`t` with the size-1 dimensions of `shape` it lacks, one unsqueeze each (torch's
        unsqueeze_to, the backward of squeeze: UnsqueezeBackward0)."""
        for d in inserted_dims(t.shape, shape):
            t = t.unsqueeze(d)
        return t

    @staticmethod
    def squeeze_to(t: Any, shape: tuple) -> Any:
        """`t` without its size-1 dimensions that `shape` lacks (the backward of unsqueeze:
        squeeze(dim), SqueezeBackward1)."""
        for d in reversed(inserted_dims(shape, t.shape)):
            t = t.squeeze(d)
        return t

    @staticmethod
    def transpose(t: Any, perm: tuple) -> Any:
        """Undo the swap of two dimensions `perm` (TransposeBackward0)."""
        dims = [i for i, p in enumerate(perm) if p != i] or [0, 0]
        return t.transpose(*dims)

    @staticmethod
    def masked_fill(t: Any, mask: Any, value: float) -> Any:
        """`t` with `value` where `mask` holds (MaskedFillBackward0)."""
        from engine.ops_backward import masked_fill

        return masked_fill(t, mask, value)

    @staticmethod
    def zeros_masked_fill(mask: Any, value: Any) -> Any:
        """Zeros of `mask`'s shape holding `value` where `mask` holds (MaskedFillBackward1)."""
        from engine.ops_backward import zeros_masked_fill

        return zeros_masked_fill(mask, value)

    @staticmethod
    def div_scalar(t: Any, c: Any) -> Any:
        """`t / c` for a Python number `c` (DivBackward1)."""
        from engine.ops_backward import div_scalar

        return div_scalar(t, c)

    @staticmethod
    def add_scalar(t: Any, c: Any) -> Any:
        """`t + c` for a Python number `c` (AddBackward1)."""
        from engine.ops_backward import add_scalar

        return add_scalar(t, c)

    @staticmethod
    def sub_scalar(t: Any, c: Any) -> Any:
        """`t - c` for a Python number `c` (SubBackward1)."""
        from engine.ops_backward import sub_scalar

        return sub_scalar(t, c)


def inserted_dims(short: tuple, long: tuple) -> list[int]:
    """The dimensions of `long` that `short` lacks (all of size 1), matched from the left."""
    dims, j = [], 0
    for i, n in enumerate(long):
        if j < len(short) and short[j] == n:
            j += 1
        else:
            dims.append(i)
    return dims


def _recorded(row: str, g: Any, y: Any, attrs: Any) -> Any:
    """The gradient kernel `row` of engine.ops_backward on (grad, result), recorded."""
    from engine import ops_backward

    return ops_backward.recorded(getattr(ops_backward, row), (g, y), attrs)


def ext(backend: Any) -> Any:
    """The namespace of the newer backend functions for `backend` (NUMPY or autograd's TENSOR)."""
    return NUMPY if backend is NUMPY else TENSORS
