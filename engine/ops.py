"""The op table: one row per op, its numpy forward and its backward rule side by side.

A backward rule is `backward(B, g, saved, attrs) -> tuple` with one gradient per input (None for
"no gradient"). `B` is a backend: `NUMPY` (plain arrays, the normal fast path) or the tensor
backend of `engine.autograd` (engine Tensors, used for `create_graph=True` so that the backward
itself is recorded). Rules only use arithmetic operators and `B.<function>`, so one rule serves
both. `saved` holds the values named by the row's `saves` (input indices, or OUT for the output).
The engine, not the rule, sums a gradient back to its input's shape (broadcasting) and casts it to
the input's dtype, the way torch's `validate_outputs` does.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from engine.backends import NUMPY, c_order, ext, pow_values
from engine.graph import node_class
from engine.summation import torch_mean, torch_sum

OUT = -1  # in `saves`: the op's output


def _error_state() -> tuple:
    """numpy's error-state context variable and its value under errstate(all="ignore")."""
    try:
        from numpy._core._ufunc_config import _extobj_contextvar as errors
    except ImportError:
        return None, None
    with np.errstate(all="ignore"):
        return errors, errors.get()


_ERRORS, _IGNORE_ERRORS = _error_state()

# torch computes inf and nan silently where numpy warns ("overflow encountered in multiply"). A
# numpy function written in C warns from the engine frame that called it, so this filter silences
# it at no cost until numpy warns; numpy functions written in Python (ndarray.sum, .max, .mean
# run numpy/_core/_methods.py) warn from their own frames and are wrapped in `quiet` instead.
warnings.filterwarnings("ignore", category=RuntimeWarning, module=r"engine(\.|$)")


NAMES: set[str] = set()  # every row's name: the names a recorded graph may give its ops


class Op:
    """One row of the table. `grad_fn` is torch's node name; None for ops with no gradient.

    `node_class` is the Node subclass named after `grad_fn`, shared by every row with that name.
    """

    __slots__ = ("name", "grad_fn", "forward", "backward", "saves", "node_class")

    def __init__(
        self,
        name: str,
        grad_fn: str | None,
        forward: Callable,
        backward: Callable | None = None,
        saves: tuple[int, ...] = (),
    ) -> None:
        self.name = name
        NAMES.add(name)
        self.grad_fn = grad_fn
        self.forward = forward
        self.backward = backward
        self.saves = saves
        self.node_class = node_class(grad_fn) if grad_fn else None

    def __repr__(self) -> str:
        return f"Op({self.name!r}, {self.grad_fn!r})"


def quiet(fn: Callable) -> Callable:
    """Forward `fn` with numpy's floating-point warnings silenced (torch gives inf/nan silently).

    Backward rules need no wrapper: the backward loop runs under `np.errstate(all="ignore")`.
    `np.errstate` costs about 2 µs a call, more than a small op, so this sets the context variable
    behind it directly (falling back to `np.errstate` if a numpy version lacks it).
    """

    if _ERRORS is None:

        def run(*args: Any) -> Any:
            with np.errstate(all="ignore"):
                return fn(*args)

    else:

        def run(*args: Any) -> Any:
            token = _ERRORS.set(_IGNORE_ERRORS)
            try:
                return fn(*args)
            finally:
                _ERRORS.reset(token)

    run.__name__ = run.__qualname__ = getattr(fn, "__name__", "quiet")
    run.__doc__ = fn.__doc__
    return run


# ---- torch's shape checks, with its messages ----


def broadcast_message(a: tuple, b: tuple) -> str:
    """torch's text for shapes `a` and `b` that do not broadcast (the last mismatch named)."""
    n = max(len(a), len(b))
    a, b = (1,) * (n - len(a)) + a, (1,) * (n - len(b)) + b
    for i in reversed(range(n)):
        if a[i] != b[i] and 1 not in (a[i], b[i]):
            return (
                f"The size of tensor a ({a[i]}) must match the size of tensor b ({b[i]}) "
                f"at non-singleton dimension {i}"
            )
    return "operands could not be broadcast together"


def broadcast_shapes(*shapes: tuple) -> tuple:
    """The shape `shapes` broadcast to, folded from the left as torch's TensorIterator does;
    RuntimeError names the first pair that does not fit (a: the shape so far, b: the next)."""
    result = shapes[0]
    for shape in shapes[1:]:
        if shape != result:
            try:
                result = np.broadcast_shapes(result, shape)
            except ValueError:
                raise RuntimeError(broadcast_message(result, shape)) from None
    return result


# ---- elementwise binary ops: inputs (self, other), other may be a Python scalar ----

SUB_TWO_BOOLS = (
    "Subtraction, the `-` operator, with two bool tensors is not supported. "
    "Use the `^` or `logical_xor()` operator instead."
)
SUB_BOOL = (
    "Subtraction, the `-` operator, with a bool tensor is not supported. "
    "If you are trying to invert a mask, use the `~` or `logical_not()` operator instead."
)
NEG_BOOL = (
    "Negation, the `-` operator, on a bool tensor is not supported. "
    "If you are trying to invert a mask, use the `~` or `logical_not()` operator instead."
)


def sub_check(a_is_bool: bool, b_is_bool: bool) -> None:
    """torch's refusal to subtract bools (a Python bool operand counts as a bool tensor)."""
    if a_is_bool and b_is_bool:
        raise RuntimeError(SUB_TWO_BOOLS)
    if a_is_bool or b_is_bool:
        raise RuntimeError(SUB_BOOL)


def is_bool(value: Any) -> bool:
    """Whether an operand (a Tensor, array or Python scalar) is boolean, for `sub_check`."""
    dtype = getattr(value, "dtype", None)
    if dtype is None:
        return type(value) is bool or isinstance(value, np.bool_)
    return dtype == np.bool_ or getattr(dtype, "name", None) == "bool"


ADD = Op("add", "AddBackward0", np.add, lambda B, g, s, a: (g, g))
SUB = Op("sub", "SubBackward0", np.subtract, lambda B, g, s, a: (g, -g))
# Rules create their recorded ops (create_graph) in torch's order: the inputs' gradients in the
# order of torch's generated code, which sorts them by name (`other` before `self`), and in a C++
# expression `a * b` the right operand first (GCC's order). Creation order decides the order a
# later backward runs the nodes in, and so the order in which it adds gradients.


def _mul_backward(B, g, s, a):
    grad_other = g * s[0]
    return g * s[1], grad_other


def div_grad_other(g, s):
    """torch's div_tensor_other_backward, `-grad * ((self / other) / other)`, whose right operand
    C++ (GCC) evaluates first."""
    quotient = (s[0] / s[1]) / s[1]
    return -g * quotient


def _div_backward(B, g, s, a):
    grad_other = div_grad_other(g, s)
    return g / s[1], grad_other


MUL = Op("mul", "MulBackward0", np.multiply, _mul_backward, (0, 1))
DIV = Op("div", "DivBackward0", quiet(np.true_divide), _div_backward, (0, 1))


def _pow_tensor_backward(B, g, s, a):
    base, exponent, out = s
    sub_check(is_bool(exponent), False)  # torch's formula computes `exponent - 1`
    log_base = B.where((base == 0) & (exponent >= 0), 0.0, out * B.log(base))
    grad_exponent = g * log_base
    # `exponent - 1`: torch's C++ subtracts a Scalar (SubBackward1)
    power = base ** ext(B).sub_scalar(exponent, 1)
    return B.where(exponent == 0, 0.0, g * (exponent * power)), grad_exponent


DIV_FLOOR = Op(
    "div",
    "DivBackward2",
    quiet(np.floor_divide),
    lambda B, g, s, a: (B.zeros_like(g), B.zeros_like(g)),
)


def refuse_bool(x: np.ndarray, result: np.ndarray, kernel: str) -> np.ndarray:
    """`result`, or torch's NotImplementedError if it was computed from bool operands `x`
    (checked after the computation, so a broadcast error comes first as in torch)."""
    if x.dtype == np.bool_:
        raise NotImplementedError(f"\"{kernel}\" not implemented for 'Bool'")
    return result


def power(base: Any, exponent: Any) -> np.ndarray:
    """`base ** exponent` elementwise with torch's integer rule for negative exponents: 1 for
    base 1, -1 or 1 for base -1 (odd or even exponent), 0 for any other base (0 included)."""
    if np.asarray(exponent).dtype.kind != "i" or not np.any(exponent < 0):
        return np.power(base, exponent)
    negative = exponent < 0
    result = np.power(base, np.where(negative, 0, exponent))
    odd_sign = np.where(exponent & 1, -1, 1)
    inverse = np.where(base == 1, 1, np.where(base == -1, odd_sign, 0))
    return np.where(negative, inverse, result).astype(result.dtype)


def _pow_tensors(base: np.ndarray, exponent: np.ndarray) -> np.ndarray:
    return refuse_bool(base, power(base, exponent), "pow")


POW_TENSOR = Op("pow", "PowBackward1", quiet(_pow_tensors), _pow_tensor_backward, (0, 1, OUT))

EQ = Op("eq", None, np.equal)
NE = Op("ne", None, np.not_equal)
LT = Op("lt", None, np.less)
LE = Op("le", None, np.less_equal)
GT = Op("gt", None, np.greater)
GE = Op("ge", None, np.greater_equal)

# ---- ops of one tensor and a Python scalar attribute (torch's `.Scalar` overloads) ----

RSUB = Op("rsub", "RsubBackward1", lambda x, c: c - x, lambda B, g, s, c: (-g,))


def _pow_scalar_backward(B, g, s, exponent):
    """torch's pow_backward: `grad * (exponent * self.pow(exponent - 1))` (MulBackward1)."""
    if exponent == 0:
        return (B.zeros_like(g),)
    b = ext(B)
    return (g * b.scale(b.pow_scalar(s[0], exponent - 1), exponent),)


def _rpow_backward(B, g, s, base):
    """torch's pow_backward_exponent: `grad * (result * log(base))` (MulBackward1), 0 where
    base is 0 and the exponent is not negative."""
    log_base = math.log(base) if base > 0 else -math.inf if base == 0 else math.nan
    scaled = ext(B).scale(s[1], log_base)
    if base == 0:
        return (g * B.where(s[0] >= 0, 0.0, scaled),)
    return (g * scaled,)


POW_SCALAR = Op("pow", "PowBackward0", quiet(pow_values), _pow_scalar_backward, (0,))
MUL_SCALAR = Op("mul", "MulBackward1", np.multiply, lambda B, g, s, c: (ext(B).scale(g, c),))
RPOW = Op(
    "pow",
    "PowBackward2",
    quiet(lambda x, c: refuse_bool(x, power(c, x), "pow")),
    _rpow_backward,
    (0, OUT),
)

# ---- unary ops (inputs cast to float first where torch does) ----


def _neg_forward(x: np.ndarray, attrs: Any) -> np.ndarray:
    if x.dtype == np.bool_:
        raise RuntimeError(NEG_BOOL)
    return np.negative(x)


NEG = Op("neg", "NegBackward0", _neg_forward, lambda B, g, s, a: (-g,))
EXP = Op(
    "exp", "ExpBackward0", quiet(lambda x, a: NUMPY.exp(x)), lambda B, g, s, a: (g * s[0],), (OUT,)
)
LOG = Op(
    "log",
    "LogBackward0",
    quiet(lambda x, a: NUMPY.log(x)),
    lambda B, g, s, a: (g / s[0],),
    (0,),
)


def _reciprocal_backward(B, g, s, a):
    square = s[0] * s[0]  # `-grad * (result * result).conj()`: the right operand first
    return (-g * square,)


RECIPROCAL = Op(
    "reciprocal",
    "ReciprocalBackward0",
    quiet(lambda x, a: np.reciprocal(x)),
    _reciprocal_backward,
    (OUT,),
)

# ---- reductions; attrs = (dims or None, keepdim, input shape) ----


def _sum_forward(x, attrs):
    dims, keepdim, _ = attrs
    return c_order(torch_sum(x, dims, keepdim))


def _expand_back(B, g, attrs):
    """The reduction's gradient expanded to the input shape (reduced dims re-inserted)."""
    dims, keepdim, shape = attrs
    if dims is not None and not keepdim:
        g = B.unsqueeze_dims(g, dims)
    return B.expand(g, shape)


def _mean_backward(B, g, s, attrs):
    dims, _, shape = attrs
    count = math.prod(shape) if dims is None else math.prod(shape[d] for d in dims)
    return (ext(B).div_scalar(_expand_back(B, g, attrs), count),)


SUM = Op("sum", "SumBackward0", quiet(_sum_forward), lambda B, g, s, a: (_expand_back(B, g, a),))
SUM_DIM = Op("sum", "SumBackward1", SUM.forward, SUM.backward)
MEAN = Op(
    "mean",
    "MeanBackward0",
    quiet(lambda x, a: c_order(torch_mean(x, a[0], a[1]))),
    _mean_backward,
)
MEAN_DIM = Op("mean", "MeanBackward1", MEAN.forward, _mean_backward)

# ---- linear algebra ----

DOT = Op("dot", "DotBackward0", np.dot, lambda B, g, s, a: (g * s[1], g * s[0]), (0, 1))

# ---- shape ops; attrs = (new shape, input shape) ----

VIEW = Op(
    "view",
    "ViewBackward0",
    lambda x, a: x.reshape(a[0]),
    lambda B, g, s, a: (B.reshape(g, a[1]),),
)
EXPAND = Op(
    "expand",
    "ExpandBackward0",
    lambda x, a: np.broadcast_to(x, a[0]),
    lambda B, g, s, a: (B.sum_to(g, a[1]),),
)


def _index_backward(B, g, s, attrs):
    index, shape = attrs
    return (B.index_add_zeros(g, index, shape),)


GETITEM = Op("getitem", "SelectBackward0", lambda x, a: x[a[0]], _index_backward)
SLICE = Op("getitem", "SliceBackward0", GETITEM.forward, _index_backward)
INDEX = Op("getitem", "IndexBackward0", GETITEM.forward, _index_backward, ())

# ---- selection and conversion ----

TO = Op(
    "to",
    "ToCopyBackward0",
    lambda x, a: x.astype(a[0].np),
    lambda B, g, s, a: (B.cast(g, a[1]),),
)
TO_DISCRETE = Op("to", None, TO.forward)  # to an integer or bool dtype: no gradient

# ---- in-place ops (the forward mutates; dispatch.inplace runs it) ----

ZERO_ = Op("zero_", "ZeroBackward0", None, lambda B, g, s, a: (B.zeros_like(g),))
