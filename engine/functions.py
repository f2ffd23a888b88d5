"""torch's module functions (`torch.add`, `torch.sum`, ...), checked against torch's signatures
for them (engine.signatures.FUNCTIONS), where the tensor is the first argument, `input`.

Most run the code of the Tensor method of the same name. pow, remainder and floor_divide also
take a Python number first.
"""

from __future__ import annotations

from typing import Any

from engine.checked import torch_function
from engine.tensor import Tensor


def _from_method(name: str) -> Any:
    """torch.<name>: the code of Tensor.<name>, checked by torch.<name>'s signatures."""
    method = getattr(Tensor, name)
    return torch_function(getattr(method, "__wrapped__", method), name)


add, sub, mul, div, neg = map(_from_method, ("add", "sub", "mul", "div", "neg"))
sin, cos, tanh, sigmoid, relu = map(_from_method, ("sin", "cos", "tanh", "sigmoid", "relu"))
abs, sqrt, square, sign = map(_from_method, ("abs", "sqrt", "square", "sign"))  # noqa: A001
clamp, clip, clamp_min = map(_from_method, ("clamp", "clip", "clamp_min"))
dot, sum, mean, exp, log = map(_from_method, ("dot", "sum", "mean", "exp", "log"))  # noqa: A001
maximum, minimum = map(_from_method, ("maximum", "minimum"))
max, min, amax, amin = map(_from_method, ("max", "min", "amax", "amin"))  # noqa: A001
argmax, argmin = map(_from_method, ("argmax", "argmin"))
softmax, log_softmax = map(_from_method, ("softmax", "log_softmax"))
mm, mv, matmul, outer = map(_from_method, ("mm", "mv", "matmul", "outer"))
t, transpose, permute, reshape = map(_from_method, ("t", "transpose", "permute", "reshape"))
unsqueeze, squeeze, flatten, clone = map(_from_method, ("unsqueeze", "squeeze", "flatten", "clone"))
isnan, isinf, isfinite, any, all = map(  # noqa: A001
    _from_method, ("isnan", "isinf", "isfinite", "any", "all")
)
isclose, allclose, equal = map(_from_method, ("isclose", "allclose", "equal"))


def _pow(input: Any, exponent: Any) -> Tensor:  # noqa: A002 (torch's names)
    """input ** exponent; `input` may be a Python number when `exponent` is a Tensor."""
    if not isinstance(input, Tensor):
        return exponent.__rpow__(input)
    return input.pow(exponent)


def _remainder(input: Any, other: Any) -> Tensor:  # noqa: A002
    """input % other, with the sign of `other`; `input` may be a Python number."""
    if not isinstance(input, Tensor):
        return other.__rmod__(input)
    return input.remainder(other)


def _floor_divide(input: Any, other: Any) -> Tensor:  # noqa: A002
    """input // other, rounded down; either may be a Python number (torch takes them as
    tensors here: two numbers give a 0-d tensor)."""
    if isinstance(input, Tensor):
        return input.floor_divide(other)
    if isinstance(other, Tensor):
        return other.__rfloordiv__(input)
    from engine.factories import tensor

    return tensor(input).floor_divide(other)


pow = torch_function(_pow, "pow")  # noqa: A001
remainder = torch_function(_remainder, "remainder")
floor_divide = torch_function(_floor_divide, "floor_divide")
