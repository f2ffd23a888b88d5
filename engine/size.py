"""torch.Size, and torch's normalisation of a dim argument."""

from __future__ import annotations

import operator
from typing import Any

import numpy as np


class Size(tuple):
    """torch.Size: a tuple of ints that prints as `torch.Size([2, 3])`; slices, concatenations
    and repetitions stay Sizes."""

    __slots__ = ()

    def __new__(cls, sizes: Any = ()) -> Size:
        return tuple.__new__(cls, [_size_item(n, i) for i, n in enumerate(sizes)])

    def __repr__(self) -> str:
        return f"torch.Size({list(self)})"

    def __getitem__(self, index: Any) -> Any:
        item = tuple.__getitem__(self, index)
        return _size(item) if type(index) is slice else item

    def __add__(self, other: Any) -> Size:
        if not isinstance(other, tuple):
            raise TypeError(
                f"can only concatenate tuple (not {type(other).__name__}) to torch.Size"
            )
        return _size(tuple.__add__(self, other))

    def __radd__(self, other: Any) -> Size:
        if not isinstance(other, tuple):
            return NotImplemented
        return _size(tuple.__add__(other, self))

    def __mul__(self, count: Any) -> Size:
        return _size(tuple.__mul__(self, count))

    __rmul__ = __mul__

    def numel(self) -> int:
        """The number of elements of a tensor of this shape."""
        return int(np.prod(self, dtype=np.int64))


def _size(items: tuple) -> Size:
    """A Size of ints already checked (the engine's own shapes skip Size's checks)."""
    return tuple.__new__(Size, items)


def _size_item(value: Any, position: int) -> int:
    try:
        return operator.index(value)
    except TypeError:
        raise TypeError(
            f"torch.Size() takes an iterable of 'int' (item {position} is '{type(value).__name__}')"
        ) from None


def _dim(dim: int, ndim: int) -> int:
    """Normalise a possibly negative dim, with torch's IndexError when out of range."""
    low, high = (-1, 0) if ndim == 0 else (-ndim, ndim - 1)
    if not low <= dim <= high:
        raise IndexError(
            f"Dimension out of range (expected to be in range of [{low}, {high}], but got {dim})"
        )
    return dim % max(ndim, 1)
