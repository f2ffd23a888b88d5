"""ATen's shape arithmetic: pure functions of shapes, strides and dims, with torch's errors.

`reduced_dims` (reductions and squeeze), `inferred_shape` (view/reshape's -1), `view_of` (whether
strides can express a new shape: ATen's computeStride) and `expanded_shape` (expand's -1 and
checks). They take and return shapes, never tensors.
"""

from __future__ import annotations

import operator
from typing import Any

import numpy as np

from engine import dtypes
from engine.tensor import _dim


def reduced_dims(dim: Any, ndim: int) -> tuple[int, ...]:
    """The sorted non-negative dims a reduction over `dim` (an int or a sequence) covers: an empty
    sequence means all of them, and a 0-d tensor's dim 0 or -1 none; torch's errors otherwise."""
    dims = tuple(dim) if isinstance(dim, (tuple, list)) else (dim,)
    if not dims:
        return tuple(range(ndim))
    seen = set()
    for d in dims:
        d = _dim(operator.index(d), ndim)
        if d in seen:
            raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
        seen.add(d)
    return tuple(sorted(seen)) if ndim else ()


VIEW_STRIDES = (
    "view size is not compatible with input tensor's size and stride (at least one dimension "
    "spans across two contiguous subspaces). Use .reshape(...) instead."
)


def shape_argument(shape: tuple) -> tuple:
    """`view(2, 3)` and `view((2, 3))` both give `(2, 3)`."""
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        return tuple(shape[0])
    return tuple(shape)


def inferred_shape(shape: tuple, numel: int) -> tuple[int, ...]:
    """ATen's infer_size: `shape` (as given to view/reshape) with its -1 worked out."""
    shape = tuple(operator.index(n) for n in shape)
    size, inferred = 1, None
    for i, n in enumerate(shape):
        if n == -1:
            if inferred is not None:
                raise RuntimeError("only one dimension can be inferred")
            inferred = i
        elif n >= 0:
            size *= n
        else:
            raise RuntimeError(f"invalid shape dimension {n} at index {i} of shape {list(shape)}")
    if numel == size or (inferred is not None and size > 0 and numel % size == 0):
        if inferred is None:
            return shape
        if size == 0:
            raise RuntimeError(
                f"cannot reshape tensor of 0 elements into shape {list(shape)} because the "
                "unspecified dimension size -1 can be any value and is ambiguous"
            )
        return (*shape[:inferred], numel // size, *shape[inferred + 1 :])
    raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")


def view_of(array: np.ndarray, shape: tuple) -> np.ndarray | None:
    """`array` seen in `shape` without copying, or None when its strides cannot express it
    (ATen's computeStride; `shape` is already inferred)."""
    if array.size == 0:
        return array.reshape(shape)
    strides = _view_strides(array.shape, array.strides, shape, array.itemsize)
    if strides is None:
        return None
    return np.lib.stride_tricks.as_strided(array, shape, strides)


def _view_strides(old: tuple, strides: tuple, new: tuple, itemsize: int) -> list | None:
    """ATen's computeStride for a non-empty tensor, in bytes."""
    if not old:
        return [itemsize] * len(new)
    result = [0] * len(new)
    view_d = len(new) - 1
    base = strides[-1]
    tensor_numel = view_numel = 1
    for d in range(len(old) - 1, -1, -1):
        tensor_numel *= old[d]
        if d == 0 or (old[d - 1] != 1 and strides[d - 1] != tensor_numel * base):
            while view_d >= 0 and (view_numel < tensor_numel or new[view_d] == 1):
                result[view_d] = view_numel * base
                view_numel *= new[view_d]
                view_d -= 1
            if view_numel != tensor_numel:
                return None
            if d > 0:
                base = strides[d - 1]
                tensor_numel = view_numel = 1
    return None if view_d != -1 else result


def expanded_shape(old: tuple, sizes: tuple, dtype: dtypes.DType) -> tuple:
    """ATen's inferExpandGeometry: `sizes` (for a tensor of shape `old` and `dtype`) with -1
    resolved, and torch's errors."""
    lead = len(sizes) - len(old)
    if lead < 0:
        raise RuntimeError(
            f"expand({dtypes.type_string(dtype)}{{{list(old)}}}, size={list(sizes)}): the number "
            f"of sizes "
            f"provided ({len(sizes)}) must be greater or equal to the number of dimensions in "
            f"the tensor ({len(old)})"
        )
    shape = list(sizes)
    for i in reversed(range(len(sizes))):  # from the last dim, as ATen (the first error wins)
        target, size = sizes[i], old[i - lead] if i >= lead else 1
        if target == -1:
            if i < lead:
                raise RuntimeError(
                    f"The expanded size of the tensor (-1) isn't allowed in a leading, "
                    f"non-existing dimension {i}"
                )
            shape[i] = target = size
        if size != target and size != 1:
            raise RuntimeError(
                f"The expanded size of the tensor ({target}) must match the existing size "
                f"({size}) at non-singleton dimension {i}.  Target sizes: {list(sizes)}.  "
                f"Tensor sizes: {list(old)}"
            )
    return tuple(shape)
