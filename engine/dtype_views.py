"""`Tensor.view(dtype)`: the same memory read as another dtype, as torch's view_dtype.

Elements of the same size keep the shape; a smaller element multiplies the last dimension, a
larger one divides it (torch's checks of the last stride, the size and the storage offset, with
its messages). The result shares the version counter and is never differentiable (torch's
output_differentiability is False): no grad_fn and no requires_grad, whatever the input.
"""

from __future__ import annotations

import numpy as np

from engine import dtypes
from engine.dispatch import _finish
from engine.graph import shared_counter
from engine.ops import Op
from engine.tensor import Tensor, wrap

VIEW_DTYPE = Op("view", None, None)


def view_dtype(t: Tensor, dtype: dtypes.DType) -> Tensor:
    """`t`'s memory reinterpreted as `dtype` (torch's Tensor.view(dtype))."""
    array = t.array
    if array.itemsize != dtype.np.itemsize:
        _check_reinterpretable(array, t.dtype, dtype)
    out = wrap(array.view(dtype.np), dtype, shared_counter(t))
    return _finish(VIEW_DTYPE, out, (t,), None, (t, dtype))


def _check_reinterpretable(array: np.ndarray, old: dtypes.DType, new: dtypes.DType) -> None:
    """torch's checks for a view between dtypes of different element sizes."""
    what = (
        f"to view {dtypes.SCALAR_NAMES[old]} as {dtypes.SCALAR_NAMES[new]} "
        "(different element sizes)"
    )
    if array.ndim == 0:
        raise RuntimeError(f"self.dim() cannot be 0 {what}")
    strides = _element_strides(array)
    if strides[-1] != 1:
        raise RuntimeError(f"self.stride(-1) must be 1 {what}, but got {strides[-1]}")
    ratio = new.np.itemsize // array.itemsize
    if ratio <= 1:
        return
    checks = [("self.size(-1)", array.shape[-1]), ("self.storage_offset()", _offset(array))]
    checks += [(f"self.stride({i})", s) for i, s in enumerate(strides[:-1])]
    for name, value in checks:
        if value % ratio:
            raise RuntimeError(f"{name} must be divisible by {ratio} {what}, but got {value}")


def _element_strides(array: np.ndarray) -> list[int]:
    """torch's strides (in elements); numpy gives an empty array zero strides, torch contiguous
    ones."""
    if array.size:
        return [s // array.itemsize for s in array.strides]
    strides, step = [], 1
    for n in reversed(array.shape):
        strides.insert(0, step)
        step *= max(n, 1)
    return strides


def _offset(array: np.ndarray) -> int:
    """The element offset of `array` in the memory it views (torch's storage_offset)."""
    owner = array
    while isinstance(owner.base, np.ndarray):
        owner = owner.base
    start = array.__array_interface__["data"][0] - owner.__array_interface__["data"][0]
    return start // array.itemsize
