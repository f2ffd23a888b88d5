"""Copied, read-only numpy arrays, stored once however often they recur.

The recorder copies every value and gradient it keeps exactly once, through an `ArrayStore`:
equal arrays (same dtype, shape and bytes) come back as the same read-only object, so a tensor
whose value never changes, or a gradient of ones seen at every step, costs its memory once.
"""

from __future__ import annotations

import numpy as np

DTYPES = ("float16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8", "bool")


def is_nonfinite(array: np.ndarray | None) -> bool:
    """True when a floating array holds a NaN or an infinity."""
    if array is None or array.dtype.kind != "f":
        return False
    return not bool(np.isfinite(array).all())


class ArrayStore:
    """Interns arrays by content: `freeze(a)` gives a read-only copy shared by equal arrays."""

    def __init__(self) -> None:
        self._by_key: dict[tuple, np.ndarray] = {}
        self._nonfinite: dict[int, bool] = {}

    def __len__(self) -> int:
        return len(self._by_key)

    def freeze(self, array: object) -> np.ndarray:
        """A read-only copy of `array` (anything np.asarray accepts), shared with equal arrays."""
        if type(array) is not np.ndarray:
            array = np.asarray(array)
        data = array.tobytes()  # the one copy, in C order; the stored array is a view of it
        key = (data, array.shape, array.dtype)
        stored = self._by_key.get(key)
        if stored is None:
            stored = self._by_key[key] = np.ndarray(array.shape, array.dtype, data)
        return stored

    def nonfinite(self, array: np.ndarray | None) -> bool:
        """`is_nonfinite` of a frozen array, computed once per stored array."""
        if array is None:
            return False
        flag = self._nonfinite.get(id(array))
        if flag is None:
            flag = self._nonfinite[id(array)] = is_nonfinite(array)
        return flag

    def freeze_optional(self, array: object | None) -> np.ndarray | None:
        """`freeze(array)`, passing None through."""
        return None if array is None else self.freeze(array)

    def nbytes(self) -> int:
        """Bytes held by the stored arrays."""
        return sum(a.nbytes for a in self._by_key.values())
