"""Tensor's op methods: operators and named ops, each a thin dispatch into the op table.

`Tensor` (engine.tensor) inherits this mixin. `engine.dispatch` imports `engine.tensor`, which
imports this module, so the dispatch functions are bound by `bind_dispatch()` once both exist.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np

from engine import (
    device_type,
    devices,
    dtypes,
    once,
    ops,
    signatures,
    tensor_inplace_methods,
    tensor_math_methods,
    tensor_more_methods,
)
from engine.arguments import Arguments
from engine.checked import torch_method
from engine.tensor_inplace_methods import TensorInplaceMethods
from engine.tensor_math_methods import TensorMathMethods
from engine.tensor_more_methods import TensorMoreMethods

T_0D_WARNING = (
    "Tensor.T is deprecated on 0-D tensors. This function is the identity in these cases."
)
BOOL_NEGATION = (
    "Negation, the `-` operator, on a bool tensor is not supported. If you are trying to invert "
    "a mask, use the `~` or `logical_not()` operator instead."
)
BOOL_SUBTRACTION = (
    "Subtraction, the `-` operator, with a bool tensor is not supported. If you are trying to "
    "invert a mask, use the `~` or `logical_not()` operator instead."
)


def not_writable(name: str) -> Any:
    """A setter refusing to set the read-only attribute `name` with torch's message."""

    def refuse(self: Any, value: Any) -> None:
        raise AttributeError(f"attribute '{name}' of 'torch._C.TensorBase' objects is not writable")

    return refuse


def _python_operator(method: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    """An operator method that answers NotImplemented for an operand that is neither a Tensor nor
    a number, so that Python gives its own TypeError (`t < 'a'`, `'a' + t`) or falls back to
    identity (`t == None` is False), as torch does."""

    @functools.wraps(method)
    def operator(self: Any, other: Any) -> Any:
        if not is_operand(other):
            return NotImplemented
        return method(self, other)

    return operator


OMITTED = object()  # sum/mean called without `dim`: torch's overload without it (not dim=None)
# Tensor.to binds its own; torch takes a number for `tensor` (its dtype: bool, int64, float64)
TO_ARGUMENTS = Arguments("to", *signatures.METHODS["to"], numbers_as_tensors=True)
_NUMBER_DTYPES = (
    ((bool, np.bool_), dtypes.bool_),
    ((int, np.integer), dtypes.int64),
    ((float, np.floating), dtypes.float64),
)


def _named_as_functions(cls: type) -> type:
    """Give `cls`'s methods their bare names as qualified names. torch's are C functions, so
    Python's argument errors read `softmax() missing 1 required positional argument`, not
    `TensorMethods.softmax() ...` (torch's own wording differs slightly again)."""
    for name, member in vars(cls).items():
        if callable(member) and hasattr(member, "__qualname__"):
            member.__qualname__ = name
    return cls


@_named_as_functions
class TensorMethods(
    _named_as_functions(TensorMathMethods),
    TensorMoreMethods,
    _named_as_functions(TensorInplaceMethods),
):
    """Arithmetic, comparison and named op methods of Tensor (args in the user's operand order);
    the named math methods come from TensorMathMethods."""

    __slots__ = ()

    # `x + y`, `x - y`, `x * y`, `x / y`: `__add__`, `__sub__`, `__mul__` and `__truediv__` are
    # set by bind_dispatch (engine.dispatch.binary_operator, the engine's hottest path).

    @_python_operator
    def __radd__(self, other: Any) -> Tensor:
        return binary(ops.ADD, self, other, (other, self))

    @_python_operator
    def __rsub__(self, other: Any) -> Tensor:
        if self.dtype is dtypes.bool_ or type(other) is bool:
            raise RuntimeError(BOOL_SUBTRACTION)
        return scalar_op(ops.RSUB, self, other, (other, self))

    @_python_operator
    def __rmul__(self, other: Any) -> Tensor:
        return binary(ops.MUL, self, other, (other, self))

    @_python_operator
    def __rtruediv__(self, other: Any) -> Tensor:
        # torch computes `c / x` as `x.reciprocal() * c`
        return binary(ops.MUL, self.reciprocal(), other, (other, self))

    @_python_operator
    def __pow__(self, other: Any) -> Tensor:
        if type(other) is Tensor:
            return binary(ops.POW_TENSOR, self, other, (self, other))
        return scalar_op(ops.POW_SCALAR, self, other, (self, other))

    @_python_operator
    def __rpow__(self, other: Any) -> Tensor:
        return scalar_op(ops.RPOW, self, other, (other, self))

    def __neg__(self) -> Tensor:
        return self.neg()

    def __pos__(self) -> Tensor:
        if self.dtype is dtypes.bool_:
            raise RuntimeError("The `+` operator, on a bool tensor is not supported.")
        return self

    @_python_operator
    def __eq__(self, other: Any) -> Tensor:  # type: ignore[override]
        return binary(ops.EQ, self, other, (self, other))

    @_python_operator
    def __ne__(self, other: Any) -> Tensor:  # type: ignore[override]
        return binary(ops.NE, self, other, (self, other))

    @_python_operator
    def __lt__(self, other: Any) -> Tensor:
        return binary(ops.LT, self, other, (self, other))

    @_python_operator
    def __le__(self, other: Any) -> Tensor:
        return binary(ops.LE, self, other, (self, other))

    @_python_operator
    def __gt__(self, other: Any) -> Tensor:
        return binary(ops.GT, self, other, (self, other))

    @_python_operator
    def __ge__(self, other: Any) -> Tensor:
        return binary(ops.GE, self, other, (self, other))

    @torch_method
    def add(self, other: Any, *, alpha: Any = 1) -> Tensor:
        """self + alpha * other."""
        if type(alpha) is int and alpha == 1:  # not True or 1.0: torch checks those
            return self.__add__(other)
        return _math.add_alpha(self, other, alpha, (self, other), _math.ADD_ALPHA)

    @torch_method
    def sub(self, other: Any, *, alpha: Any = 1) -> Tensor:
        """self - alpha * other."""
        if type(alpha) is int and alpha == 1:
            return self.__sub__(other)
        return _math.add_alpha(self, other, alpha, (self, other), _math.SUB_ALPHA)

    @torch_method
    def mul(self, other: Any) -> Tensor:
        """self * other."""
        return self.__mul__(other)

    @torch_method
    def div(self, other: Any, *, rounding_mode: Any = OMITTED) -> Tensor:
        """self / other: true division, or with `rounding_mode` given (None, 'floor', 'trunc')
        torch's DivBackward2 (rounded results have a zero gradient)."""
        if rounding_mode is OMITTED:
            return self.__truediv__(other)
        return _math.divide(self, other, rounding_mode, (self, other))

    @torch_method
    def pow(self, exponent: Any) -> Tensor:
        """self ** exponent."""
        return self.__pow__(exponent)

    @torch_method
    def neg(self) -> Tensor:
        """-self (refused for bool tensors, as in torch)."""
        if self.dtype is dtypes.bool_:
            raise RuntimeError(BOOL_NEGATION)
        return unary(ops.NEG, self, None, (self,))

    @torch_method
    def exp(self) -> Tensor:
        """e ** self (float result)."""
        return unary(ops.EXP, self, None, (self,), to_float=True)

    @torch_method
    def log(self) -> Tensor:
        """Natural logarithm (float result)."""
        return unary(ops.LOG, self, None, (self,), to_float=True)

    @torch_method
    def reciprocal(self) -> Tensor:
        """1 / self (float result)."""
        return unary(ops.RECIPROCAL, self, None, (self,), to_float=True)

    @torch_method
    def dot(self, tensor: Tensor) -> Tensor:
        """Inner product of two 1-D tensors of the same dtype."""
        return _linalg.dot(self, tensor)

    @torch_method
    def sum(self, dim: Any = OMITTED, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
        """Sum of all elements, or over `dim` (int and bool sum to int64), in `dtype` if given."""
        return reduction(ops.SUM, ops.SUM_DIM, self, dim, keepdim, dtype)

    @torch_method
    def mean(self, dim: Any = OMITTED, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
        """Mean of all elements, or over `dim` (floating tensors, or a floating `dtype`)."""
        return reduction(ops.MEAN, ops.MEAN_DIM, self, dim, keepdim, dtype)

    @torch_method
    def reshape(self, *shape: Any) -> Tensor:
        """The same values in a new shape (one dimension may be -1); a view when possible."""
        from engine.ops_batched import torch_reshape

        return torch_reshape(self, shape)

    @torch_method
    def reshape_as(self, other: Tensor) -> Tensor:
        """`self.reshape(other.shape)`."""
        return self.reshape(tuple(other.shape))

    @torch_method
    def view(self, *shape: Any) -> Tensor:
        """The same values in a new shape, sharing the version counter; or, given a dtype, the
        same memory read as that dtype (never differentiable, as in torch)."""
        if len(shape) == 1 and type(shape[0]) is dtypes.DType:
            from engine.dtype_views import view_dtype

            return view_dtype(self, shape[0])
        return reshape(ops.VIEW, self, shape)

    @torch_method
    def expand(self, *sizes: Any, implicit: bool = False) -> Tensor:
        """A broadcast view to `sizes` (-1 keeps a dimension); `implicit` only matters to
        torch's tracer."""
        return expand(self, sizes)

    @torch_method
    def expand_as(self, other: Tensor) -> Tensor:
        """A broadcast view to `other`'s shape (torch's `self.expand(other.size())`)."""
        return expand(self, (tuple(other.shape),))

    def to(self, *args: Any, **kwargs: Any) -> Tensor:
        """Converted to a dtype (given, or another tensor's) on the cpu, the only device: self
        when nothing changes, unless `copy=True` or a device index is given (as in torch)."""
        named = TO_ARGUMENTS.named(args, kwargs)
        device = named.get("device")
        device = str(device) if isinstance(device, device_type.device) else device
        copy = devices.names_cpu_index(device) or named.get("copy", False)
        dtype = named.get("dtype")
        if dtype is None:
            dtype = _dtype_of(named["tensor"]) if "tensor" in named else self.dtype
        if copy and dtype is self.dtype:
            out = wrap(self.array.copy(), dtype)
            return _finish(ops.TO, out, (self,), (dtype, dtype), (self, dtype))
        return convert(self, dtype)

    @torch_method
    def float(self) -> Tensor:
        """As float32."""
        return convert(self, dtypes.float32)

    @torch_method
    def double(self) -> Tensor:
        """As float64."""
        return convert(self, dtypes.float64)

    @torch_method
    def long(self) -> Tensor:
        """As int64."""
        return convert(self, dtypes.int64)

    @_python_operator
    def __floordiv__(self, other: Any) -> Tensor:
        return _math.floor_divide(self, other, (self, other))

    @_python_operator
    def __rfloordiv__(self, other: Any) -> Tensor:
        return _math.number_first(_math.RFLOOR_DIVIDE, other, self, (other, self))

    @_python_operator
    def __mod__(self, other: Any) -> Tensor:
        return self.remainder(other)

    @_python_operator
    def __rmod__(self, other: Any) -> Tensor:
        return _math.number_first(_math.RREMAINDER, other, self, (other, self))

    @_python_operator
    def __and__(self, other: Any) -> Tensor:
        return _math.logical("bitwise_and", self, other, (self, other))

    @_python_operator
    def __or__(self, other: Any) -> Tensor:
        return _math.logical("bitwise_or", self, other, (self, other))

    @_python_operator
    def __xor__(self, other: Any) -> Tensor:
        return _math.logical("bitwise_xor", self, other, (self, other))

    __rand__, __ror__, __rxor__ = __and__, __or__, __xor__

    def __invert__(self) -> Tensor:
        return _math.bitwise_not(self)

    def __matmul__(self, other: Any) -> Tensor:
        return _linalg.matmul(self, other)

    @torch_method
    def floor_divide(self, other: Any) -> Tensor:
        """self // other (rounded down; integer dtypes stay integer)."""
        return _math.floor_divide(self, other, (self, other))

    @torch_method
    def remainder(self, other: Any) -> Tensor:
        """self % other, with the sign of `other` (Python's modulo)."""
        if type(other) is Tensor:
            return binary(_math.REMAINDER, self, other, (self, other))
        return scalar_op(_math.REMAINDER_SCALAR, self, other, (self, other))

    @torch_method
    def logical_not(self) -> Tensor:
        """Elementwise not, as a bool tensor."""
        return convert(self, dtypes.bool_).__invert__()

    # ---- shape ----

    @property
    def T(self) -> Tensor:  # noqa: N802 (torch's name)
        """All dimensions reversed (warns once when not 2-D, once more on a 0-D tensor)."""
        if self.array.ndim:
            return _shape.reverse_dims(self)
        once.warn(T_0D_WARNING, stacklevel=2)
        return self.permute(())

    T = T.setter(not_writable("T"))

    @torch_method
    def int(self) -> Tensor:
        """As int32."""
        return convert(self, dtypes.int32)

    @torch_method
    def bool(self) -> Tensor:
        """As bool."""
        return convert(self, dtypes.bool_)

    @torch_method
    def type_as(self, other: Tensor) -> Tensor:
        """As `other`'s dtype."""
        return convert(self, other.dtype)


def _dtype_of(other: Any) -> dtypes.DType:
    """The dtype `to(other)` converts to: a Tensor's, or a number's as torch wraps it."""
    if isinstance(other, Tensor):
        return other.dtype
    for kinds, dtype in _NUMBER_DTYPES:
        if isinstance(other, kinds):
            return dtype
    raise TypeError(f"to(): the engine has no dtype for {type(other).__name__} numbers")


def bind_dispatch() -> None:
    """Bind Tensor and the dispatch functions the methods call (run once, end of engine.tensor)."""
    global Tensor, binary, convert, expand, is_operand, reduction, reshape, scalar_op, unary
    global _finish, wrap
    global _linalg, _math, _shape
    from engine import ops_linalg as _linalg
    from engine import ops_math as _math
    from engine import ops_shape as _shape
    from engine.dispatch import (
        _finish,
        binary,
        binary_operator,
        convert,
        expand,
        is_operand,
        reduction,
        reshape,
        scalar_op,
        unary,
    )
    from engine.tensor import Tensor, wrap

    tensor_math_methods.bind()
    tensor_more_methods.bind()
    tensor_inplace_methods.bind()
    TensorMethods.__add__ = binary_operator(ops.ADD, "__add__")
    TensorMethods.__sub__ = binary_operator(ops.SUB, "__sub__")
    TensorMethods.__mul__ = binary_operator(ops.MUL, "__mul__")
    TensorMethods.__truediv__ = binary_operator(ops.DIV, "__truediv__")
