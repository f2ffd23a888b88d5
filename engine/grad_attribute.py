"""The `.grad` attribute: torch's warning when a non-leaf's is read, and its checks of
`t.grad = value`."""

from __future__ import annotations

from typing import Any

from engine import dtypes
from engine import tensor as _tensor  # partly made when engine.tensor imports this module

NON_LEAF_GRAD = (
    "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad "
    "attribute won't be populated during autograd.backward(). If you indeed want the .grad field "
    "to be populated for a non-leaf Tensor, use .retain_grad() on the non-leaf Tensor. If you "
    "access the non-leaf Tensor by mistake, make sure you access the leaf Tensor instead. See "
    "github.com/pytorch/pytorch/pull/30531 for more information."
)


def check_grad_assignment(t: Any, value: Any) -> None:
    """torch's checks of `t.grad = value`: a Tensor of `t`'s shape and dtype."""
    if not isinstance(value, _tensor.Tensor):
        raise TypeError(
            "assigned grad expected to be a Tensor or None but got grad of type "
            f"{type(value).__name__}"
        )
    if value.array.shape != t.array.shape:
        raise RuntimeError(
            f"attempting to assign a gradient of size '{list(value.array.shape)}' to a tensor of "
            f"size '{list(t.array.shape)}'. Please ensure that the gradient and the tensor are "
            "the same size"
        )
    if value.dtype is not t.dtype:
        raise RuntimeError(
            f"attempting to assign a gradient with dtype '{_CPP_NAMES.get(value.dtype.name)}' to "
            f"a tensor with grad_dtype '{dtypes.SCALAR_NAMES[t.dtype]}'. The gradient must match "
            "the tensor's grad_dtype (defaults to the tensor's dtype). You can set the tensor's "
            "grad_dtype attribute with a specific dtype, or None to allow any dtype. Set "
            "grad_dtype with caution. Diverging the dtypes of a tensor and its gradient may break "
            "downstream systems that assume they match."
        )


_CPP_NAMES = {
    "float32": "float",
    "float64": "double",
    "float16": "c10::Half",
    "int64": "long int",
    "int32": "int",
    "int16": "short int",
    "int8": "signed char",
    "uint8": "unsigned char",
    "bool": "bool",
}
