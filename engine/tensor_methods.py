"""Tensor's op methods: operators and named ops, each a thin dispatch into the op table.

`Tensor` (engine.tensor) inherits this mixin. `engine.dispatch` imports `engine.tensor`, which
imports this module, so the dispatch functions are bound by `bind_dispatch()` once both exist.
"""

from __future__ import annotations

from typing import Any

from engine import dtypes, ops
from engine.dtypes import DType


class TensorMethods:
    """Arithmetic, comparison and named op methods of Tensor (args in the user's operand order)."""

    __slots__ = ()

    def __add__(self, other: Any) -> Tensor:
        return binary(ops.ADD, self, other, (self, other))

    def __radd__(self, other: Any) -> Tensor:
        return binary(ops.ADD, self, other, (other, self))

    def __sub__(self, other: Any) -> Tensor:
        return binary(ops.SUB, self, other, (self, other))

    def __rsub__(self, other: Any) -> Tensor:
        return scalar_op(ops.RSUB, self, other, (other, self))

    def __mul__(self, other: Any) -> Tensor:
        return binary(ops.MUL, self, other, (self, other))

    def __rmul__(self, other: Any) -> Tensor:
        return binary(ops.MUL, self, other, (other, self))

    def __truediv__(self, other: Any) -> Tensor:
        return binary(ops.DIV, self, other, (self, other))

    def __rtruediv__(self, other: Any) -> Tensor:
        # torch computes `c / x` as `x.reciprocal() * c`
        return binary(ops.MUL, self.reciprocal(), other, (other, self))

    def __pow__(self, other: Any) -> Tensor:
        if type(other) is Tensor:
            return binary(ops.POW_TENSOR, self, other, (self, other))
        return scalar_op(ops.POW_SCALAR, self, other, (self, other))

    def __rpow__(self, other: Any) -> Tensor:
        return scalar_op(ops.RPOW, self, other, (other, self))

    def __neg__(self) -> Tensor:
        return unary(ops.NEG, self, None, (self,))

    def __eq__(self, other: Any) -> Tensor:  # type: ignore[override]
        return binary(ops.EQ, self, other, (self, other))

    def __ne__(self, other: Any) -> Tensor:  # type: ignore[override]
        return binary(ops.NE, self, other, (self, other))

    def __lt__(self, other: Any) -> Tensor:
        return binary(ops.LT, self, other, (self, other))

    def __le__(self, other: Any) -> Tensor:
        return binary(ops.LE, self, other, (self, other))

    def __gt__(self, other: Any) -> Tensor:
        return binary(ops.GT, self, other, (self, other))

    def __ge__(self, other: Any) -> Tensor:
        return binary(ops.GE, self, other, (self, other))

    def add(self, other: Any) -> Tensor:
        """self + other."""
        return binary(ops.ADD, self, other, (self, other))

    def sub(self, other: Any) -> Tensor:
        """self - other."""
        return binary(ops.SUB, self, other, (self, other))

    def mul(self, other: Any) -> Tensor:
        """self * other."""
        return binary(ops.MUL, self, other, (self, other))

    def div(self, other: Any) -> Tensor:
        """self / other (true division)."""
        return binary(ops.DIV, self, other, (self, other))

    def pow(self, exponent: Any) -> Tensor:
        """self ** exponent."""
        return self.__pow__(exponent)

    def neg(self) -> Tensor:
        """-self."""
        return unary(ops.NEG, self, None, (self,))

    def exp(self) -> Tensor:
        """e ** self (float result)."""
        return unary(ops.EXP, self, None, (self,), to_float=True)

    def log(self) -> Tensor:
        """Natural logarithm (float result)."""
        return unary(ops.LOG, self, None, (self,), to_float=True)

    def reciprocal(self) -> Tensor:
        """1 / self (float result)."""
        return unary(ops.RECIPROCAL, self, None, (self,), to_float=True)

    def dot(self, other: Tensor) -> Tensor:
        """Inner product of two 1-D tensors of the same dtype."""
        return dot(self, other)

    def sum(self, dim: int | tuple | None = None, keepdim: bool = False) -> Tensor:
        """Sum of all elements, or over `dim` (int and bool sum to int64)."""
        return reduction(ops.SUM, ops.SUM_DIM, self, dim, keepdim)

    def mean(self, dim: int | tuple | None = None, keepdim: bool = False) -> Tensor:
        """Mean of all elements, or over `dim` (floating tensors only)."""
        return reduction(ops.MEAN, ops.MEAN_DIM, self, dim, keepdim)

    def reshape(self, *shape: Any) -> Tensor:
        """The same values in a new shape (one dimension may be -1)."""
        return reshape(ops.RESHAPE, self, shape)

    def view(self, *shape: Any) -> Tensor:
        """The same values in a new shape, sharing the version counter."""
        return reshape(ops.VIEW, self, shape)

    def expand(self, *sizes: Any) -> Tensor:
        """A broadcast view to `sizes` (-1 keeps a dimension)."""
        return expand(self, sizes)

    def to(self, dtype: DType) -> Tensor:
        """A copy converted to `dtype` (self when it already has that dtype)."""
        return convert(self, dtype)

    def float(self) -> Tensor:
        """As float32."""
        return convert(self, dtypes.float32)

    def double(self) -> Tensor:
        """As float64."""
        return convert(self, dtypes.float64)

    def long(self) -> Tensor:
        """As int64."""
        return convert(self, dtypes.int64)


def bind_dispatch() -> None:
    """Bind Tensor and the dispatch functions the methods call (run once, end of engine.tensor)."""
    global Tensor, binary, convert, dot, expand, reduction, reshape, scalar_op, unary
    from engine.dispatch import (
        binary,
        convert,
        dot,
        expand,
        reduction,
        reshape,
        scalar_op,
        unary,
    )
    from engine.tensor import Tensor
