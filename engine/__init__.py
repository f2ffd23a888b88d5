"""A small numpy autograd engine that reads like PyTorch: `import engine as torch`.

Only numpy and the standard library are used. See `engine.ops` for the op table, `engine.autograd`
for the backward engine and `engine.observe` for watching both run.
"""

from __future__ import annotations

from engine import autograd, functional, nn
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
from engine.factories import (
    arange,
    eye,
    full,
    linspace,
    manual_seed,
    ones,
    ones_like,
    rand,
    randint,
    randn,
    tensor,
    zeros,
    zeros_like,
)
from engine.functions import floor_divide, pow, remainder  # noqa: A004 (torch's name)
from engine.grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from engine.ops_math import torch_where as where
from engine.ops_shape import cat, stack
from engine.printing import set_printoptions
from engine.tensor import Size, Tensor

float = float32  # noqa: A001 (torch's alias)
double = float64
half = float16
long = int64
int = int32  # noqa: A001 (torch's alias)
short = int16


# torch's module functions that are Tensor methods under the same name and arguments.
add, sub, mul, div, neg = Tensor.add, Tensor.sub, Tensor.mul, Tensor.div, Tensor.neg
sin, cos, tanh, sigmoid, relu = Tensor.sin, Tensor.cos, Tensor.tanh, Tensor.sigmoid, Tensor.relu
abs, sqrt, square, sign = Tensor.abs, Tensor.sqrt, Tensor.square, Tensor.sign  # noqa: A001
clamp, clip, clamp_min = Tensor.clamp, Tensor.clip, Tensor.clamp_min
dot, sum, mean, exp, log = Tensor.dot, Tensor.sum, Tensor.mean, Tensor.exp, Tensor.log  # noqa: A001
maximum, minimum = Tensor.maximum, Tensor.minimum
max, min, amax, amin = Tensor.max, Tensor.min, Tensor.amax, Tensor.amin  # noqa: A001
argmax, argmin = Tensor.argmax, Tensor.argmin
softmax, log_softmax = Tensor.softmax, Tensor.log_softmax
mm, mv, matmul, outer = Tensor.mm, Tensor.mv, Tensor.matmul, Tensor.outer
t, transpose, permute = Tensor.t, Tensor.transpose, Tensor.permute
unsqueeze, squeeze, flatten, clone = Tensor.unsqueeze, Tensor.squeeze, Tensor.flatten, Tensor.clone
reshape = Tensor.reshape
isnan, isinf, isfinite, any, all = (  # noqa: A001
    Tensor.isnan,
    Tensor.isinf,
    Tensor.isfinite,
    Tensor.any,
    Tensor.all,
)
isclose, allclose, equal = Tensor.isclose, Tensor.allclose, Tensor.equal


def get_default_dtype() -> dtype:
    """The default floating dtype (float32)."""
    return float32


__all__ = [
    "set_printoptions",
    "equal",
    "allclose",
    "isclose",
    "all",
    "any",
    "isfinite",
    "isinf",
    "isnan",
    "Size",
    "Tensor",
    "abs",
    "add",
    "amax",
    "amin",
    "arange",
    "argmax",
    "argmin",
    "autograd",
    "bool",
    "cat",
    "clamp",
    "clamp_min",
    "clip",
    "clone",
    "cos",
    "div",
    "dot",
    "double",
    "dtype",
    "enable_grad",
    "exp",
    "eye",
    "flatten",
    "float",
    "float16",
    "float32",
    "float64",
    "floor_divide",
    "full",
    "functional",
    "get_default_dtype",
    "half",
    "int",
    "int16",
    "int32",
    "int64",
    "int8",
    "is_grad_enabled",
    "linspace",
    "log",
    "log_softmax",
    "long",
    "manual_seed",
    "matmul",
    "max",
    "maximum",
    "mean",
    "min",
    "minimum",
    "mm",
    "mul",
    "mv",
    "neg",
    "nn",
    "no_grad",
    "ones",
    "ones_like",
    "outer",
    "permute",
    "pow",
    "rand",
    "randint",
    "randn",
    "relu",
    "remainder",
    "reshape",
    "set_grad_enabled",
    "short",
    "sigmoid",
    "sign",
    "sin",
    "softmax",
    "sqrt",
    "square",
    "squeeze",
    "stack",
    "sub",
    "sum",
    "t",
    "tanh",
    "tensor",
    "transpose",
    "uint8",
    "unsqueeze",
    "where",
    "zeros",
    "zeros_like",
]
