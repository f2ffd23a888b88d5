"""torch's module functions whose first argument may be a Python number (`torch.pow(2, x)`):
pow, remainder and floor_divide, checked against torch's signatures (engine.signatures).

The other module functions are Tensor's methods read on the class (engine.arguments.TorchMethod).
"""

from __future__ import annotations

from typing import Any

from engine.arguments import torch_function
from engine.tensor import Tensor


@torch_function
def pow(input: Any, exponent: Any) -> Tensor:  # noqa: A001, A002 (torch's names)
    """input ** exponent; `input` may be a Python number when `exponent` is a Tensor."""
    if not isinstance(input, Tensor):
        return exponent.__rpow__(input)
    return input.pow(exponent)


@torch_function
def remainder(input: Any, other: Any) -> Tensor:  # noqa: A002
    """input % other, with the sign of `other`; `input` may be a Python number."""
    if not isinstance(input, Tensor):
        return other.__rmod__(input)
    return input.remainder(other)


@torch_function
def floor_divide(input: Any, other: Any) -> Tensor:  # noqa: A002
    """input // other, rounded down; either may be a Python number (torch takes them as
    tensors here: two numbers give a 0-d tensor)."""
    if isinstance(input, Tensor):
        return input.floor_divide(other)
    if isinstance(other, Tensor):
        return other.__rfloordiv__(input)
    from engine.factories import tensor

    return tensor(input).floor_divide(other)
