"""Op table rows for shape ops (views, joins, copies), with their front-end functions.

Views (transpose, permute, t, unsqueeze, squeeze) share the input's values and version counter
and remember their base, as torch's views do; cat, stack and clone copy.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Sequence
from typing import Any

import numpy as np

from engine import dtypes, once, ops, view_meta
from engine.backends import ext
from engine.dispatch import _finish, reshape
from engine.graph import shared_counter
from engine.ops import Op
from engine.shapes import reduced_dims
from engine.tensor import Tensor, _dim, wrap
from engine.tensor_methods import OMITTED

T_WARNING = (
    "The use of `x.T` on tensors of dimension other than 2 to reverse their shape is deprecated "
    "and it will throw an error in a future release. Consider `x.mT` to transpose batches of "
    "matrices or `x.permute(*torch.arange(x.ndim - 1, -1, -1))` to reverse the dimensions of a "
    "tensor."
)


def _permute_backward(B, g, s, perm):
    return (ext(B).permute(g, tuple(np.argsort(perm).tolist())),)


PERMUTE = Op("permute", "PermuteBackward0", lambda x, p: x.transpose(p), _permute_backward)
TRANSPOSE = Op(
    "transpose",
    "TransposeBackward0",
    PERMUTE.forward,
    lambda B, g, s, perm: (ext(B).transpose(g, perm),),
)
T = Op("t", "TBackward0", PERMUTE.forward, lambda B, g, s, perm: (ext(B).t(g),))


def _unsqueeze_back(B, g, s, attrs):
    return (ext(B).unsqueeze_to(g, attrs[1]),)


UNSQUEEZE = Op(
    "unsqueeze",
    "UnsqueezeBackward0",
    lambda x, a: x.reshape(a[0]),
    lambda B, g, s, a: (ext(B).squeeze_to(g, a[1]),),
)
SQUEEZE = Op("squeeze", "SqueezeBackward0", UNSQUEEZE.forward, _unsqueeze_back)
SQUEEZE_DIM = Op("squeeze", "SqueezeBackward1", UNSQUEEZE.forward, _unsqueeze_back)
SQUEEZE_DIMS = Op("squeeze", "SqueezeBackward2", UNSQUEEZE.forward, _unsqueeze_back)
SQUEEZE_MATMUL = Op("squeeze", "SqueezeBackward4", UNSQUEEZE.forward, _unsqueeze_back)
FLATTEN = Op("flatten", "ViewBackward0", ops.VIEW.forward, ops.VIEW.backward)
CLONE = Op("clone", "CloneBackward0", lambda x, a: x.copy(), lambda B, g, s, a: (g,))


def _cat_backward(B, g, s, attrs):
    """Each input's slice of `g`; a skipped legacy empty input (size None) gets an empty grad."""
    dim, sizes = attrs
    lead = (slice(None),) * dim
    grads, start = [], 0
    for size in sizes:
        if size is None:
            grads.append(B.reshape(B.zeros_like(g[:0]), (0,)))
        else:
            grads.append(g[(*lead, slice(start, start + size))])
            start += size
    return tuple(grads)


def _stack_backward(B, g, s, attrs):
    dim, count = attrs
    lead = (slice(None),) * dim
    return tuple(g[(*lead, i)] for i in range(count))


CAT = Op("cat", "CatBackward0", None, _cat_backward)
STACK = Op("stack", "StackBackward0", None, _stack_backward)


def _view(op: Op, a: Tensor, result: np.ndarray, attrs: Any, args: tuple) -> Tensor:
    out = wrap(result, a.dtype, shared_counter(a))
    view_meta.set_base(out, a)
    return _finish(op, out, (a,), attrs, args)


def permute(a: Tensor, dims: Sequence[int], op: Op = PERMUTE, args: tuple | None = None) -> Tensor:
    """The dimensions of `a` reordered as `dims` (a view)."""
    ndim = a.array.ndim
    if len(dims) != ndim:
        raise RuntimeError(
            "permute(sparse_coo): number of dimensions in the tensor input does not match the "
            "length of the desired ordering of dimensions i.e. input.dim() = "
            f"{ndim} is not equal to len(dims) = {len(dims)}"
        )
    perm = tuple(_dim(int(d), ndim) for d in dims)
    if len(set(perm)) != len(perm):
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    args = (a, tuple(dims)) if args is None else args
    return _view(op, a, a.array.transpose(perm), perm, args)


def transpose(a: Tensor, dim0: int, dim1: int) -> Tensor:
    """`a` with dimensions `dim0` and `dim1` swapped (a view)."""
    ndim = a.array.ndim
    d0, d1 = _dim(dim0, ndim), _dim(dim1, ndim)
    perm = list(range(ndim))
    if ndim:
        perm[d0], perm[d1] = perm[d1], perm[d0]
    return permute(a, perm, TRANSPOSE, (a, dim0, dim1))


def t(a: Tensor) -> Tensor:
    """The transpose of a matrix; vectors and scalars unchanged (TBackward0)."""
    if a.array.ndim > 2:
        raise RuntimeError(
            f"t() expects a tensor with <= 2 dimensions, but self is {a.array.ndim}D"
        )
    return permute(a, tuple(reversed(range(a.array.ndim))), T, (a,))


def reverse_dims(a: Tensor) -> Tensor:
    """`a.T` of a tensor of one or more dimensions: all of them reversed (PermuteBackward0);
    warns once per process if `a` is not 2-D."""
    if a.array.ndim != 2:
        once.warn(T_WARNING, stacklevel=3)
    return permute(a, tuple(reversed(range(a.array.ndim))), PERMUTE, (a,))


def unsqueeze(a: Tensor, dim: int) -> Tensor:
    """`a` with a new dimension of size 1 at `dim` (a view)."""
    d = _dim(dim, a.array.ndim + 1)
    shape = a.array.shape[:d] + (1,) + a.array.shape[d:]
    return _view(UNSQUEEZE, a, a.array.reshape(shape), (shape, a.array.shape), (a, dim))


def squeeze(a: Tensor, dim: Any = None, op: Op | None = None) -> Tensor:
    """`a` without dimensions of size 1 (all, one `dim`, or a tuple of dims); a view."""
    shape = a.array.shape
    if dim is None:
        drop, row = {i for i, n in enumerate(shape) if n == 1}, SQUEEZE
    elif isinstance(dim, (tuple, list)):
        drop, row = set(reduced_dims(dim, a.array.ndim)) if dim else set(), SQUEEZE_DIMS
    else:
        drop, row = {_dim(dim, a.array.ndim)}, SQUEEZE_DIM
    new = tuple(n for i, n in enumerate(shape) if not (i in drop and n == 1))
    args = (a,) if dim is None else (a, dim)
    return _view(op or row, a, a.array.reshape(new), (new, shape), args)


def flatten(a: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    """Dimensions start_dim..end_dim merged into one, by torch's reshape (so a copy, through
    CloneBackward0 and UnsafeViewBackward0, when the strides allow no view); `a` itself when
    nothing changes."""
    from engine.ops_batched import torch_reshape

    ndim = a.array.ndim
    start, end = _dim(start_dim, ndim), _dim(end_dim, ndim)
    if ndim == 0:
        return reshape(FLATTEN, a, (1,))
    if start > end:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if start == end:
        return a
    shape = a.array.shape
    merged = math.prod(shape[start : end + 1])
    return torch_reshape(a, (*shape[:start], merged, *shape[end + 1 :]), FLATTEN)


def clone(a: Tensor) -> Tensor:
    """A copy of `a` (CloneBackward0)."""
    return _finish(CLONE, wrap(a.array.copy(), a.dtype), (a,), None, (a,))


def _joined_dtype(tensors: Sequence[Tensor]) -> dtypes.DType:
    dt = tensors[0].dtype
    for x in tensors[1:]:
        dt = dtypes.promote_types(dt, x.dtype)
    return dt


def _tensor_list(fn: str, tensors: Any) -> tuple[Tensor, ...]:
    """The `tensors` argument of cat/stack: a tuple or list of Tensors (torch's TypeErrors)."""
    if not isinstance(tensors, (tuple, list)):
        raise TypeError(
            f"{fn}(): argument 'tensors' (position 1) must be tuple of Tensors, "
            f"not {type(tensors).__name__}"
        )
    for i, x in enumerate(tensors):
        if type(x) is not Tensor:
            raise TypeError(
                f"expected Tensor as element {i} in argument 0, but got {type(x).__name__}"
            )
    return tuple(tensors)


def _dim_argument(fn: str, position: tuple, dim: Any) -> int:
    """The `dim` of cat/stack, given by position or by keyword: an int (not a bool), with
    torch's TypeErrors (and Python's for too many or repeated arguments)."""
    if len(position) > 1:
        raise TypeError(
            f"{fn}() takes from 1 to 2 positional arguments but {len(position) + 1} were given"
        )
    if position and dim is not OMITTED:
        raise TypeError(f"{fn}() got multiple values for argument 'dim'")
    value = position[0] if position else 0 if dim is OMITTED else dim
    if type(value) is not bool:
        try:
            return operator.index(value)
        except TypeError:
            pass
    where = " (position 2)" if position else ""
    raise TypeError(f"{fn}(): argument 'dim'{where} must be int, not {type(value).__name__}")


def _check_cat_shapes(tensors: tuple[Tensor, ...], kept: list[int], d: int) -> None:
    """torch's check of the tensors cat joins (legacy empty ones skipped) against the first."""
    first = tensors[kept[0]].array
    for i in kept:
        shape = tensors[i].array.shape
        if len(shape) != first.ndim:
            raise RuntimeError(
                f"Tensors must have same number of dimensions: got {first.ndim} and {len(shape)}"
            )
        for k, (n, m) in enumerate(zip(first.shape, shape, strict=True)):
            if k != d and n != m:
                raise RuntimeError(
                    f"Sizes of tensors must match except in dimension {d}. Expected size {n} "
                    f"but got size {m} for tensor number {i} in the list."
                )


def cat(tensors: Sequence[Tensor], *position: int, dim: int = OMITTED) -> Tensor:
    """The tensors joined along an existing dimension `dim` (dtypes promoted). As in torch,
    1-D tensors of size 0 (legacy empty tensors) are skipped, whatever the others' shapes."""
    tensors = _tensor_list("cat", tensors)
    dim = _dim_argument("cat", position, dim)
    if not tensors:
        raise ValueError("torch.cat(): expected a non-empty list of Tensors")
    for i, x in enumerate(tensors):
        if x.array.ndim == 0:
            raise RuntimeError(f"zero-dimensional tensor (at position {i}) cannot be concatenated")
    dt = _joined_dtype(tensors)
    kept = [i for i, x in enumerate(tensors) if x.array.shape != (0,)]
    if kept:
        d = _dim(dim, tensors[kept[0]].array.ndim)
        _check_cat_shapes(tensors, kept, d)
        result = np.concatenate([tensors[i].array.astype(dt.np, copy=False) for i in kept], d)
    else:
        d, result = dim, np.zeros((0,), dt.np)
    sizes = tuple(x.array.shape[d] if i in kept else None for i, x in enumerate(tensors))
    return _finish(CAT, wrap(result, dt), tensors, (d, sizes), (list(tensors), dim))


def stack(tensors: Sequence[Tensor], *position: int, dim: int = OMITTED) -> Tensor:
    """The tensors (all the same shape) joined along a new dimension `dim`."""
    tensors = _tensor_list("stack", tensors)
    dim = _dim_argument("stack", position, dim)
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    first = tensors[0].array
    d = _dim(dim, first.ndim + 1)
    for i, x in enumerate(tensors):
        if x.array.shape != first.shape:
            raise RuntimeError(
                f"stack expects each tensor to be equal size, but got {list(first.shape)} at "
                f"entry 0 and {list(x.array.shape)} at entry {i}"
            )
    dt = _joined_dtype(tensors)
    result = np.stack([x.array.astype(dt.np, copy=False) for x in tensors], axis=d)
    return _finish(STACK, wrap(result, dt), tensors, (d, len(tensors)), (list(tensors), dim))
