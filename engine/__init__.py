"""A small numpy autograd engine that reads like PyTorch: `import engine as torch`.

Only numpy and the standard library are used. See `engine.ops` for the op table, `engine.autograd`
for the backward engine and `engine.observe` for watching both run.
"""

from __future__ import annotations

from engine import autograd
from engine.dispatch import where
from engine.dtypes import (
    DType as dtype,
)
from engine.dtypes import (
    bool_ as bool,  # noqa: A004 (torch's name)
)
from engine.dtypes import (
    float16,
    float32,
    float64,
    int8,
    int16,
    int32,
    int64,
    uint8,
)
from engine.factories import arange, full, ones, ones_like, tensor, zeros, zeros_like
from engine.grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from engine.tensor import Size, Tensor

float = float32  # noqa: A001 (torch's alias)
double = float64
half = float16
long = int64
int = int32  # noqa: A001 (torch's alias)
short = int16


def dot(input: Tensor, other: Tensor) -> Tensor:  # noqa: A002 (torch's parameter name)
    """Inner product of two 1-D tensors."""
    return input.dot(other)


def sum(input: Tensor, dim=None, keepdim: bool = False) -> Tensor:  # noqa: A001, A002
    """Sum of all elements, or over `dim`."""
    return input.sum(dim, keepdim)


def mean(input: Tensor, dim=None, keepdim: bool = False) -> Tensor:  # noqa: A002
    """Mean of all elements, or over `dim`."""
    return input.mean(dim, keepdim)


def exp(input: Tensor) -> Tensor:  # noqa: A002
    """Elementwise e ** input."""
    return input.exp()


def log(input: Tensor) -> Tensor:  # noqa: A002
    """Elementwise natural logarithm."""
    return input.log()


def get_default_dtype() -> dtype:
    """The default floating dtype (float32)."""
    return float32


__all__ = [
    "Size",
    "Tensor",
    "arange",
    "autograd",
    "bool",
    "double",
    "dot",
    "dtype",
    "enable_grad",
    "exp",
    "float",
    "float16",
    "float32",
    "float64",
    "full",
    "get_default_dtype",
    "half",
    "int",
    "int8",
    "int16",
    "int32",
    "int64",
    "is_grad_enabled",
    "log",
    "long",
    "mean",
    "no_grad",
    "ones",
    "ones_like",
    "set_grad_enabled",
    "short",
    "sum",
    "tensor",
    "uint8",
    "where",
    "zeros",
    "zeros_like",
]
