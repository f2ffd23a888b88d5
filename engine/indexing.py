"""Views made by indexing: `t[index]`, and the view `t[index] = value` writes through.

`getitem` applies an index part by part as torch's applySlicing does: one view op, so one node,
per applied part (SelectBackward0, SliceBackward0, UnsqueezeBackward0; AliasBackward0 when no
part changes anything), then one copy (IndexBackward0) for the tensor and sequence parts.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from engine import dtypes, ops, ops_shape
from engine.dispatch import _finish, save_unread_inputs
from engine.ops import Op
from engine.ops_shape import _view
from engine.tensor import Tensor, wrap

ALIAS = Op("getitem", "AliasBackward0", lambda x, a: x, lambda B, g, s, a: (g,))
UNSQUEEZE = Op(
    "getitem", "UnsqueezeBackward0", ops_shape.UNSQUEEZE.forward, ops_shape.UNSQUEEZE.backward
)
_FULL = slice(None)
_INDEX_DTYPES = ("int64", "int32", "uint8", "bool")
INVALID_INDEX = (
    "only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables are valid "
    "indices (got {})"
)
SEQUENCE_AS_TUPLE = (
    "Using a non-tuple sequence for multidimensional indexing is deprecated and will be changed "
    "in pytorch 2.9; use x[tuple(seq)] instead of x[seq]. In pytorch 2.9 this will be "
    "interpreted as tensor index, x[torch.tensor(seq)], which will result either in an error or a "
    "different result"
)
BYTE_INDEX = (
    "indexing with dtype torch.uint8 is now deprecated, please use a dtype torch.bool instead."
)


def getitem(a: Tensor, index: Any) -> Tensor:
    """`a[index]`: views (Select, Slice, Unsqueeze, Alias) part by part, as torch applies them, then
    one copy (IndexBackward0) for the tensor and sequence parts."""
    if type(index) is not tuple:
        single = _single(a, index)
        if single is not None:
            return single
        index = _sequence_as_tuple(index)
    user_index = index if len(index) != 1 else index[0]
    t, advanced = _apply_parts(a, index, user_index)
    if advanced:
        return _index(t, advanced, (t, user_index) if t is a else None)
    if t is a:
        return _view(ALIAS, a, a.array.view(), None, (a, user_index))
    return t


def sliced(a: Tensor, index: Any) -> tuple[Tensor, list]:
    """torch's applySlicing for `a[index] = value`: the view the basic parts make (`a` itself if
    they make none: unlike getitem, a lone `...` or slice of all of `a` makes none) and the
    advanced parts still to apply, with getitem's checks. Call it in no_grad mode: the views are
    only a way to reach `a`'s memory."""
    if type(index) is not tuple:
        if index is True:
            return _unsqueeze(a, 0, None), []
        if index is Ellipsis:  # torch writes into `a` itself, as for a slice of all of it
            return a, []
        if type(index) is slice and a.array.ndim:
            return _slice(a, 0, index, None), []
        single = _single(a, index)
        if single is not None:
            return single, []
        index = _sequence_as_tuple(index)
    return _apply_parts(a, index, index)


def _single(a: Tensor, index: Any) -> Tensor | None:
    """torch's shortcuts for one None, Ellipsis, integer or slice (a bare `x[:]` is sliced)."""
    args = (a, index)
    if index is None:
        return _unsqueeze(a, 0, args)
    if index is Ellipsis:
        return _view(ALIAS, a, a.array.view(), None, args)
    if type(index) is int or isinstance(index, np.integer):
        if a.array.ndim == 0:
            raise IndexError(
                "invalid index of a 0-dim tensor. Use `tensor.item()` in Python or "
                "`tensor.item<T>()` in C++ to convert a 0-dim tensor to a number"
                if index == 0
                else f"index {index} is out of bounds for dimension 0 with size 0"
            )
        return _select(a, 0, index, args)
    if type(index) is slice:
        if a.array.ndim == 0:
            raise IndexError("slice() cannot be applied to a 0-dim tensor.")
        return _slice(a, 0, index, args, always=True)
    return None


def _is_integer(part: Any) -> bool:
    if type(part) is int or isinstance(part, np.integer):
        return True
    return type(part) is Tensor and part.array.ndim == 0 and part.dtype.name in _INDEX_DTYPES[:2]


def _sequence_as_tuple(index: Any) -> tuple:
    """torch reads a short list holding slices, None, Ellipsis, tensors or lists as a tuple."""
    if isinstance(index, (list, str)) and len(index) < 32:
        for part in index:
            if (
                part is None
                or part is Ellipsis
                or isinstance(part, (slice, list, tuple, str, Tensor))
            ):
                warnings.warn(SEQUENCE_AS_TUPLE, UserWarning, stacklevel=4)
                return tuple(index)
    return (index,)


def _dims_taken(part: Any) -> int:
    """How many of the indexed tensor's dimensions `part` consumes."""
    if part is None or part is Ellipsis or type(part) is bool or isinstance(part, np.bool_):
        return 0
    if type(part) is Tensor and part.dtype.name in ("bool", "uint8"):
        return part.array.ndim
    return 1


def _apply_parts(a: Tensor, parts: tuple, user_index: Any) -> tuple[Tensor, list]:
    """The basic parts applied as views (torch's error texts number a part by its position in
    the index, `...` counting as one); returns the view and the advanced parts left."""
    ndim = a.array.ndim
    specified = sum(_dims_taken(p) for p in parts)
    if specified > ndim:
        raise IndexError(f"too many indices for tensor of dimension {ndim}")
    whole = len(parts) == 1
    t, dim, advanced = a, 0, []
    for position, part in enumerate(parts):
        args = (t, user_index) if whole else None
        if part is None:
            t, dim = _unsqueeze(t, dim, args), dim + 1
        elif part is Ellipsis:
            dim += ndim - specified
        elif type(part) is bool or isinstance(part, np.bool_) or _is_bool_scalar(part):
            t = _unsqueeze(t, dim, None)
            advanced.append((dim, np.array([bool(part)]), part))
            dim += 1
        elif _is_integer(part):
            t = _select(t, dim, part, args, position)
        elif type(part) is slice:
            t, dim = _slice(t, dim, part, args), dim + 1
        else:
            array = _index_array(part)
            advanced.append((dim, array, part))
            dim += _dims_of(array)
    return t, advanced


def _is_bool_scalar(part: Any) -> bool:
    return type(part) is Tensor and part.array.ndim == 0 and part.dtype.name == "bool"


def _index_array(part: Any) -> np.ndarray:
    """A tensor or sequence index (a list, a range, a tuple inside the index tuple) as a numpy
    array (its dtype is checked by `advanced_index`)."""
    if type(part) is Tensor:
        return part.array
    if isinstance(part, str):
        raise TypeError("new(): invalid data type 'str'")
    if not isinstance(part, (list, tuple, range, np.ndarray)):
        raise IndexError(INVALID_INDEX.format(type(part).__name__))
    array = np.asarray(part)
    if array.dtype == np.bool_:
        return array
    return array.astype(np.int64)


def _unsqueeze(t: Tensor, dim: int, args: tuple | None) -> Tensor:
    shape = t.array.shape[:dim] + (1,) + t.array.shape[dim:]
    index = (_FULL,) * dim + (None,)
    return _view(UNSQUEEZE, t, t.array.reshape(shape), (shape, t.array.shape), args or (t, index))


def _select(t: Tensor, dim: int, part: Any, args: tuple | None, position: int = 0) -> Tensor:
    """Element `part` (an integer or a 0-d integer tensor) of dimension `dim`: a view, also when
    it is 0-d (it shares memory). The OpRan args hold `part` as written."""
    size = t.array.shape[dim]
    i = int(part)
    if not -size <= i < size:
        raise IndexError(f"index {i} is out of bounds for dimension {position} with size {size}")
    index = (_FULL,) * dim + (i,)
    result = t.array[(*index, Ellipsis)]
    return _view(ops.GETITEM, t, result, (index, t.array.shape), args or (t, index[:-1] + (part,)))


def _slice(t: Tensor, dim: int, part: slice, args: tuple | None, always: bool = False) -> Tensor:
    """torch's applySlice; a slice from 0 to the end by 1 in a tuple index applies nothing. The
    OpRan args hold `part` as written (`1:`), not the resolved slice (`1:3`)."""
    size = t.array.shape[dim]
    start, stop, step = part.indices(size)
    if step < 0:
        raise ValueError("step must be greater than zero")
    if not always and step == 1 and _whole(part.start, part.stop, size):
        return t
    index = (_FULL,) * dim + (slice(start, stop, step),)
    result = t.array[index]
    return _view(ops.SLICE, t, result, (index, t.array.shape), args or (t, index[:-1] + (part,)))


def _whole(start: Any, stop: Any, size: int) -> bool:
    return (start is None or start.__index__() == 0) and (stop is None or stop.__index__() >= size)


def _index(t: Tensor, advanced: list, args: tuple | None) -> Tensor:
    """The tensor and sequence parts applied at once (numpy's advanced indexing, a copy)."""
    index = advanced_index(t.array.shape, advanced)
    if args is None:
        user_index, dim = [], 0
        for start, array, part in advanced:
            user_index += [*(_FULL,) * (start - dim), part]
            dim = start + _dims_of(array)
        args = (t, tuple(user_index))
    out = wrap(np.array(t.array[index]), t.dtype)
    _finish(ops.INDEX, out, (t,), (index, t.array.shape), args)
    if out._fn is not None:
        save_unread_inputs(out._fn, index_tensors(advanced))
    return out


def index_tensors(advanced: list) -> list[Tensor]:
    """The index tensors torch saves for an index's backward: each advanced part as a tensor (a
    list, a range or a bool scalar as the new tensor torch makes of it)."""
    return [
        part
        if type(part) is Tensor and not _is_bool_scalar(part)
        else wrap(array, dtypes.from_numpy(array.dtype))
        for _, array, part in advanced
    ]


def advanced_index(shape: tuple, advanced: list) -> tuple:
    """The numpy index for the advanced parts (`(dim, array, part)`, from `_apply_parts`) of a
    tensor of `shape`, after torch's checks in its order: index dtypes, mask shapes, broadcast,
    indices into an empty dimension, then bounds (only when the result has elements)."""
    for _, array, _ in advanced:
        if array.dtype.name not in _INDEX_DTYPES:
            raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
    index, dim, taken = [], 0, []
    for start, array, _ in advanced:
        if array.dtype == np.uint8:
            warnings.warn(BYTE_INDEX, UserWarning, stacklevel=5)
            array = array.astype(np.bool_)
        if array.dtype == np.bool_:
            _check_mask(shape, start, array)
        index += [*(_FULL,) * (start - dim), array]
        dim = start + _dims_of(array)
        taken += range(start, dim)
    indexed = _broadcast([array for array in index if type(array) is not slice])
    if _check_bounds(shape, advanced, indexed, taken):
        return tuple(index)
    return _clipped(index, shape)


def _clipped(index: list, shape: tuple) -> tuple:
    """The index with its integer arrays held in bounds: torch checks no values when the result
    is empty, numpy does unless the index arrays are."""
    out, dim = [], 0
    for part in index:
        if type(part) is not slice and part.dtype != np.bool_:
            part = np.clip(part, -shape[dim], shape[dim] - 1)
        out.append(part)
        dim += 1 if type(part) is slice else _dims_of(part)
    return tuple(out)


def _is_mask(array: np.ndarray) -> bool:
    return array.dtype == np.bool_ or array.dtype == np.uint8


def _dims_of(array: np.ndarray) -> int:
    """How many dimensions an index array takes: a mask its own number, others one."""
    return array.ndim if _is_mask(array) else 1


def _check_mask(shape: tuple, dim: int, mask: np.ndarray) -> None:
    for j, n in enumerate(mask.shape):
        if shape[dim + j] != n:
            raise IndexError(
                f"The shape of the mask {list(mask.shape)} at index {j} does not match the "
                f"shape of the indexed tensor {list(shape)} at index {dim + j}"
            )


def _broadcast(arrays: list) -> tuple:
    """The shape the index tensors broadcast to (a mask of k dims counts as k index tensors)."""
    shapes = []
    for array in arrays:
        if array.dtype == np.bool_:
            shapes += [(int(array.sum()),)] * array.ndim
        else:
            shapes.append(array.shape)
    try:
        return np.broadcast_shapes(*shapes)
    except ValueError:
        listed = ", ".join(str(list(s)) for s in shapes)
        raise IndexError(
            f"shape mismatch: indexing tensors could not be broadcast together with shapes {listed}"
        ) from None


def _check_bounds(shape: tuple, advanced: list, indexed: tuple, taken: list) -> bool:
    """torch's bounds checks: an index into an empty dimension, then each index value (its
    kernel checks values only when the result has elements). False when the values went
    unchecked but numpy would check them."""
    if any(shape[d] == 0 for d in taken) and 0 not in indexed:
        raise IndexError("index is out of bounds for dimension with size 0")
    rest = [n for d, n in enumerate(shape) if d not in taken]
    if 0 in indexed or 0 in rest:
        return 0 in indexed
    count = 0
    for start, array, _ in advanced:
        if _is_mask(array):
            count += array.ndim
            continue
        size = shape[start]
        bad = (array < -size) | (array >= size)
        if bad.any():
            value = array.flat[int(np.argmax(bad))]
            raise IndexError(
                f"index {value} is out of bounds for dimension {count} with size {size}"
            )
        count += 1
    return True
