"""`t.data = other`: torch's set_data, which gives `t` the values (storage, shape and dtype) of
`other` and keeps everything else: requires_grad, grad_fn, `.grad`, the version counter, views.
"""

from __future__ import annotations

from typing import Any

from engine import dtypes
from engine import tensor as _tensor  # partly made when engine.tensor imports this module
from engine.graph import LAST_MUTATION, UIDS
from engine.observe import LISTENERS, InPlaceModified, emit

# The uid counter's value at the latest `.data` assignment: a backward rebuilds the saved arrays
# of nodes made before it from their saved tensors (torch's saved variables see the new data).
DATA_SET = [-1]
NOT_FLOATING = (
    "data set to a tensor that requires gradients must be floating point or complex dtype"
)


def set_data(t: Any, value: Any) -> None:
    """Give `t` the values of tensor `value` (they share memory from now on); torch's checks."""
    if not isinstance(value, _tensor.Tensor):
        raise TypeError(f"Variable data has to be a tensor, but got {type(value).__name__}")
    if t._rg and value.dtype.category != dtypes.FLOATING:
        raise RuntimeError(NOT_FLOATING)
    before = t.array
    t.array = value.array
    t._dtype = value.dtype
    DATA_SET[0] = LAST_MUTATION[0] = next(UIDS)  # older nodes take backward's checked path
    if LISTENERS:
        emit(InPlaceModified("set_data", t, (t, value), before.copy()))


def delete_data(t: Any) -> None:
    """`del t.data`: refused, as torch does."""
    raise RuntimeError("Deleting tensor data is not allowed. Delete tensor instead!")
