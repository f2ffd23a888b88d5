"""Op table rows for value-selecting reductions and softmax, with their front-end functions.

Full `max()`/`min()` and `amax`/`amin` split the gradient evenly between ties; `max(dim)` sends
all of it to the index it returns (torch_semantics.md §3.12).
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from engine import dtypes, softmax_kernels
from engine.backends import NUMPY, c_order, ext
from engine.dispatch import _as_array, _finish, record
from engine.dtypes import FLOATING
from engine.grad_mode import STATE
from engine.observe import LISTENERS, OpRan, emit
from engine.ops import OUT, Op, quiet
from engine.shapes import reduced_dims
from engine.tensor import Tensor, _dim, wrap


class ReturnType(tuple):
    """torch.return_types.max / min: a (values, indices) tuple with names."""

    __slots__ = ()

    @property
    def values(self) -> Tensor:
        """The selected values."""
        return self[0]

    @property
    def indices(self) -> Tensor:
        """Where they were found (int64)."""
        return self[1]

    def __repr__(self) -> str:
        return (
            f"torch.return_types.{type(self).__name__}(\nvalues={self[0]!r},\nindices={self[1]!r})"
        )


max_type = type("max", (ReturnType,), {"__slots__": ()})
min_type = type("min", (ReturnType,), {"__slots__": ()})


def _full_tie_split(B, g, s, a):
    """torch's evenly_distribute_backward: the positions equal to the result (all NaNs when the
    result is NaN) share `g`; the others get exact zeros, even when `g` is inf or NaN."""
    x, y = (v.array if type(v) is Tensor else v for v in s)
    mask = np.isnan(x) if np.isnan(y) else x == y
    share = g / int(np.count_nonzero(mask))
    return (ext(B).zeros_masked_fill(mask, share),)


def _amax_backward(B, g, s, attrs):
    dims, keepdim = attrs
    x, y = s
    if not keepdim:  # torch's restore_reduced_dims: a reshape
        kept = tuple(1 if i in dims else n for i, n in enumerate(x.shape))
        g, y = B.reshape(g, kept), B.reshape(y, kept)
    mask = ext(B).as_type_of(x == y, g)
    return ((g / ext(B).sum_dim(mask, dims)) * mask,)


def _select_backward(B, g, s, attrs):
    dim, keepdim, index, shape = attrs
    if not shape:  # a 0-d input is its own maximum
        return (g,)
    if not keepdim:
        g = B.unsqueeze_dims(g, (dim,))
    return (ext(B).scatter_dim(g, index, dim, shape),)


MAX = Op("max", "MaxBackward1", lambda x, a: x.max(), _full_tie_split, (0, OUT))
MIN = Op("min", "MinBackward1", lambda x, a: x.min(), _full_tie_split, (0, OUT))
MAX_DIM = Op("max", "MaxBackward0", None, _select_backward)
MIN_DIM = Op("min", "MinBackward0", None, _select_backward)
AMAX = Op(
    "amax",
    "AmaxBackward0",
    lambda x, a: c_order(x.max(axis=a[0], keepdims=a[1])),
    _amax_backward,
    (0, OUT),
)
AMIN = Op(
    "amin",
    "AminBackward0",
    lambda x, a: c_order(x.min(axis=a[0], keepdims=a[1])),
    _amax_backward,
    (0, OUT),
)
ARGMAX = Op("argmax", None, None)
ARGMIN = Op("argmin", None, None)


_F16, _F32 = np.dtype(np.float16), np.dtype(np.float32)


def _is_last(dim: int | None, ndim: int) -> bool:
    return dim is None or dim == ndim - 1


def _half(x: np.ndarray) -> np.ndarray:
    """float32 values rounded to float16 (torch keeps some intermediates as float16)."""
    return x.astype(_F16).astype(_F32)


def _softmax_forward(x: np.ndarray, dim: int | None) -> np.ndarray:
    """torch's CPU kernel: float16 computed in float32 and rounded once; along the last dim
    the exponentials are multiplied by the reciprocal of their sum, elsewhere divided. float32
    along the last dim is torch's vectorised kernel bit for bit (engine.softmax_kernels)."""
    if not x.size:
        return x.copy()
    if x.dtype is _F32 and x.ndim and _is_last(dim, x.ndim):
        return c_order(softmax_kernels.softmax_lastdim(x))
    dt = x.dtype
    if dt is _F16:
        x = x.astype(_F32)
    exps = NUMPY.exp(x - x.max(axis=dim, keepdims=True))
    total = exps.sum(axis=dim, keepdims=True)
    out = exps * (1 / total) if _is_last(dim, x.ndim) else exps / total
    return c_order(out.astype(dt, copy=False))


def _log_softmax_forward(x: np.ndarray, dim: int | None) -> np.ndarray:
    """torch's CPU kernel: float16 computed in float32 and rounded once, except that along the
    last dim the sum of exponentials and its log are kept as float16. float32 along the last
    dim is torch's vectorised kernel bit for bit (engine.softmax_kernels)."""
    if not x.size:
        return x.copy()
    if x.dtype is _F32 and x.ndim and _is_last(dim, x.ndim):
        return c_order(softmax_kernels.log_softmax_lastdim(x))
    dt = x.dtype
    if dt is _F16:
        x = x.astype(_F32)
    shifted = x - x.max(axis=dim, keepdims=True)
    total = NUMPY.exp(shifted).sum(axis=dim, keepdims=True)
    if dt is _F16 and _is_last(dim, x.ndim):
        log_total = _half(NUMPY.log(_half(total)))
    else:
        log_total = NUMPY.log(total)
    return c_order((shifted - log_total).astype(dt, copy=False))


SOFTMAX = Op(
    "softmax",
    "SoftmaxBackward0",
    quiet(_softmax_forward),
    lambda B, g, s, dim: (ext(B).softmax_backward_data(g, s[0], dim),),
    (OUT,),
)
LOG_SOFTMAX = Op(
    "log_softmax",
    "LogSoftmaxBackward0",
    quiet(_log_softmax_forward),
    lambda B, g, s, dim: (ext(B).log_softmax_backward_data(g, s[0], dim),),
    (OUT,),
)


def extreme(a: Tensor, dim: Any, keepdim: bool, largest: bool) -> Tensor | ReturnType:
    """max/min: of everything (dim None), along `dim` with indices, or elementwise with a tensor."""
    if type(dim) is Tensor:
        from engine.dispatch import binary
        from engine.ops_math import MAXIMUM, MINIMUM

        return binary(MAXIMUM if largest else MINIMUM, a, dim, (a, dim))
    if dim is None:
        if not a.array.size:
            raise RuntimeError(_unspecified_dim("max" if largest else "min"))
        op = MAX if largest else MIN
        out = wrap(_as_array(op.forward(a.array, None), a.dtype), a.dtype)
        return _finish(op, out, (a,), None, (a,))
    return _extreme_dim(a, dim, keepdim, largest)


def _extreme_dim(a: Tensor, dim: int, keepdim: bool, largest: bool) -> ReturnType:
    x = a.array
    d = _dim(dim, x.ndim)
    _check_nonempty("max" if largest else "min", x.shape, d, d)
    axis = d if x.ndim else None
    index = (
        np.argmax(x, axis=axis, keepdims=True)
        if largest
        else np.argmin(x, axis=axis, keepdims=True)
    )
    values = np.take_along_axis(x, index, axis=d) if x.ndim else x.copy()
    if not keepdim and x.ndim:
        values, index = values.squeeze(d), index.squeeze(d)
    op = MAX_DIM if largest else MIN_DIM
    out = wrap(_as_array(values, a.dtype), a.dtype)
    indices = wrap(_as_array(index, dtypes.int64), dtypes.int64)
    kept = index if keepdim or not x.ndim else np.expand_dims(index, d)
    if STATE.enabled and a._rg:
        record(op, out, (a,), (d, bool(keepdim) or not x.ndim, kept, x.shape))
    result = (max_type if largest else min_type)((out, indices))
    if LISTENERS:
        emit(OpRan(op.name, (a, dim), result, STATE.enabled))
    return result


def _unspecified_dim(name: str) -> str:
    return (
        f"{name}(): Expected reduction dim to be specified for input.numel() == 0. "
        "Specify the reduction dim with the 'dim' argument."
    )


def _check_nonempty(name: str, shape: tuple, dim: int, shown: int) -> None:
    """torch's IndexError for reducing a size-0 dim `dim` (named `shown` in the message)."""
    if shape and not shape[dim]:
        raise IndexError(f"{name}(): Expected reduction dim {shown} to have non-zero size.")


def _check_amax_nonempty(name: str, shape: tuple, named: tuple) -> None:
    """torch's errors for amax/amin of an empty tensor: no dim named, or a size-0 dim named."""
    if not named:
        raise RuntimeError(_unspecified_dim(name))
    for d in named:
        _check_nonempty(name, shape, _dim(d, len(shape)), d)


def amax(a: Tensor, dim: Any = (), keepdim: bool = False, largest: bool = True) -> Tensor:
    """The largest (smallest) values over `dim` (all dims when empty); ties share the gradient."""
    name, shape = ("amax" if largest else "amin"), a.array.shape
    named = (dim,) if isinstance(dim, int) else () if dim is None else tuple(dim)
    if not a.array.size:
        _check_amax_nonempty(name, shape, named)
    dims = reduced_dims(named, len(shape))
    op = AMAX if largest else AMIN
    attrs = (dims, bool(keepdim))
    out = wrap(_as_array(op.forward(a.array, attrs), a.dtype), a.dtype)
    return _finish(op, out, (a,), attrs, (a, dim))


def arg_extreme(a: Tensor, dim: int | None, keepdim: bool, largest: bool) -> Tensor:
    """argmax/argmin: int64 positions of the first largest (smallest) value."""
    pick, name = (np.argmax, "argmax") if largest else (np.argmin, "argmin")
    if a.dtype is dtypes.bool_:
        raise RuntimeError(f"{name}(): does not support bool input")
    if dim is None:
        if not a.array.size:
            raise IndexError(
                f"{name}(): Expected reduction dim to be specified for input.numel() == 0."
            )
        index = np.asarray(pick(a.array))
        if keepdim:
            index = index.reshape((1,) * a.array.ndim)
    else:
        d = _dim(dim, a.array.ndim)
        _check_nonempty(name, a.array.shape, d, d)
        axis = d if a.array.ndim else None
        index = np.asarray(pick(a.array, axis=axis, keepdims=bool(keepdim)))
    out = wrap(_as_array(index, dtypes.int64), dtypes.int64)
    return _finish(ARGMAX if largest else ARGMIN, out, (a,), None, (a, dim))


def _checked_0d_dim(dim: int) -> None:
    """None (numpy's axis for a 0-d array) after torch's range check of `dim` (-1 or 0)."""
    _dim(dim, 0)


def implicit_softmax_dim(name: str, ndim: int) -> int:
    """torch.nn.functional's dim for softmax without one (deprecated: warns at the caller's
    caller)."""
    warnings.warn(
        f"Implicit dimension choice for {name} has been deprecated. Change the call to "
        "include dim=X as an argument.",
        UserWarning,
        stacklevel=3,
    )
    return 0 if ndim in (0, 1, 3) else 1


def softmax(a: Tensor, dim: int, log: bool = False, dtype: Any = None) -> Tensor:
    """softmax / log_softmax along `dim` (float results; torch refuses integer inputs)."""
    name = "log_softmax" if log else "softmax"
    if dtype is not None:
        a = a.to(dtype)
    d = _dim(dim, a.array.ndim) if a.array.ndim else _checked_0d_dim(dim)
    if a.dtype.category != FLOATING and a.array.size:  # torch returns an empty input as is
        kernel = "lastdim_kernel_impl" if d in (None, a.array.ndim - 1) else "kernel_impl"
        raise NotImplementedError(
            f"\"{name}_{kernel}\" not implemented for '{dtypes.SCALAR_NAMES[a.dtype]}'"
        )
    op = LOG_SOFTMAX if log else SOFTMAX
    out = wrap(_as_array(op.forward(a.array, d), a.dtype), a.dtype)
    return _finish(op, out, (a,), d, (a, dim))
