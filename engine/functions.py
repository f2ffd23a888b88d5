"""torch's module functions (`torch.add`, `torch.sum`, ...), checked against torch's signatures
for them (engine.signatures.FUNCTIONS), where the tensor is the first argument, `input`.

Most run the code of the Tensor method of the same name. add, sub, mul, div, pow, remainder and
floor_divide also take a Python number first.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from engine import dtypes, ops
from engine.checked import torch_function
from engine.dispatch import _promoted, _scalar, binary
from engine.ops_alpha import ADD_ALPHA, SUB_ALPHA, add_or_sub
from engine.ops_divide import divide
from engine.tensor import Tensor, wrap
from engine.tensor_methods import OMITTED


def _from_method(name: str) -> Any:
    """torch.<name>: the code of Tensor.<name>, checked by torch.<name>'s signatures."""
    method = getattr(Tensor, name)
    return torch_function(getattr(method, "__wrapped__", method), name)


neg = _from_method("neg")
sin, cos, tanh, sigmoid, relu = map(_from_method, ("sin", "cos", "tanh", "sigmoid", "relu"))
abs, sqrt, square, sign = map(_from_method, ("abs", "sqrt", "square", "sign"))  # noqa: A001
clamp, clip, clamp_min, clamp_max = map(_from_method, ("clamp", "clip", "clamp_min", "clamp_max"))
dot, sum, mean, exp, log = map(_from_method, ("dot", "sum", "mean", "exp", "log"))  # noqa: A001
maximum, minimum = map(_from_method, ("maximum", "minimum"))
max, min, amax, amin = map(_from_method, ("max", "min", "amax", "amin"))  # noqa: A001
argmax, argmin = map(_from_method, ("argmax", "argmin"))
softmax, log_softmax = map(_from_method, ("softmax", "log_softmax"))
mm, mv, matmul, outer = map(_from_method, ("mm", "mv", "matmul", "outer"))
bmm = _from_method("bmm")
t, transpose, permute, reshape = map(_from_method, ("t", "transpose", "permute", "reshape"))
unsqueeze, squeeze, flatten, clone = map(_from_method, ("unsqueeze", "squeeze", "flatten", "clone"))
isnan, isinf, isfinite, any, all = map(  # noqa: A001
    _from_method, ("isnan", "isinf", "isfinite", "any", "all")
)
isclose, allclose, equal = map(_from_method, ("isclose", "allclose", "equal"))
eq, ne, lt, le, gt, ge = map(_from_method, ("eq", "ne", "lt", "le", "gt", "ge"))
logsumexp, prod, flip = map(_from_method, ("logsumexp", "prod", "flip"))
cumsum, cumprod = map(_from_method, ("cumsum", "cumprod"))
var, std, round, floor, ceil = map(_from_method, ("var", "std", "round", "floor", "ceil"))  # noqa: A001
clamp_, relu_, abs_ = map(_from_method, ("clamp_", "relu_", "abs_"))
neg_, exp_, sqrt_ = map(_from_method, ("neg_", "exp_", "sqrt_"))
sin_, cos_, tanh_, sigmoid_ = map(_from_method, ("sin_", "cos_", "tanh_", "sigmoid_"))
log_, reciprocal_, square_ = map(_from_method, ("log_", "reciprocal_", "square_"))
floor_, ceil_, round_ = map(_from_method, ("floor_", "ceil_", "round_"))
clamp_min_, clamp_max_, clip_ = map(_from_method, ("clamp_min_", "clamp_max_", "clip_"))
unbind, chunk = map(_from_method, ("unbind", "chunk"))


def split(tensor: Tensor, split_size_or_sections: Any, dim: int = 0) -> tuple:
    """torch.split: `tensor.split(split_size_or_sections, dim)`."""
    return tensor.split(split_size_or_sections, dim)


def norm(
    input: Tensor,  # noqa: A002 (torch's names)
    p: Any = "fro",
    dim: Any = None,
    keepdim: bool = False,
    out: None = None,
    dtype: Any = None,
) -> Tensor:
    """The p-norm (2 by default) of all elements of `input`, or over `dim` (torch.norm, a
    Python function in torch as here)."""
    return input.norm(p, dim, keepdim, dtype)


def _wrapped_number(number: Any, other: Any) -> Tensor:
    """A Python number given as `input` as torch takes it (a wrapped number): a 0-d tensor of the
    dtype it computes in with `other`; a bool stays bool (subtraction refuses it)."""
    number = _scalar(number)
    if type(number) is bool:
        dt = dtypes.bool_
    elif isinstance(other, Tensor):
        dt = _promoted(other, number)
    else:
        dt = dtypes.scalar_dtype(number)
    return wrap(np.array(number, dt.np), dt)


def _first(input: Any, other: Any) -> Tensor:  # noqa: A002 (torch's names)
    return input if isinstance(input, Tensor) else _wrapped_number(input, other)


def _add(input: Any, other: Any, *, alpha: Any = 1) -> Tensor:  # noqa: A002
    """input + alpha * other; `input` may be a Python number."""
    return add_or_sub(_first(input, other), other, alpha, (input, other), ADD_ALPHA)


def _sub(input: Any, other: Any, *, alpha: Any = 1) -> Tensor:  # noqa: A002
    """input - alpha * other; `input` may be a Python number (SubBackward0, not RsubBackward1)."""
    return add_or_sub(_first(input, other), other, alpha, (input, other), SUB_ALPHA)


def _mul(input: Any, other: Any) -> Tensor:  # noqa: A002
    """input * other; `input` may be a Python number."""
    return binary(ops.MUL, _first(input, other), other, (input, other))


def _div(input: Any, other: Any, *, rounding_mode: Any = OMITTED) -> Tensor:  # noqa: A002
    """input / other, rounded as `rounding_mode` says when given; `input` may be a number."""
    if rounding_mode is OMITTED:
        return binary(ops.DIV, _first(input, other), other, (input, other))
    return divide(_first(input, other), other, rounding_mode, (input, other))


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


add = torch_function(_add, "add")
sub = torch_function(_sub, "sub")
mul = torch_function(_mul, "mul")
div = torch_function(_div, "div")
pow = torch_function(_pow, "pow")  # noqa: A001
remainder = torch_function(_remainder, "remainder")
floor_divide = torch_function(_floor_divide, "floor_divide")
