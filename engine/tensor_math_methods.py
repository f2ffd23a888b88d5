"""Tensor's named math methods: elementwise math, reductions, tests of values, linear algebra
and shape ops, each a thin call into the op modules.

`TensorMethods` (engine.tensor_methods) inherits this mixin; the op modules import
`engine.tensor`, so they are bound by `bind()` once it exists (engine.tensor_methods.bind_dispatch).
"""

from __future__ import annotations

from typing import Any

from engine.checked import torch_method
from engine.dtypes import DType


class TensorMathMethods:
    """Named math, reduction, value-test, linear algebra and shape methods of Tensor."""

    __slots__ = ()

    # ---- elementwise math ----

    @torch_method
    def sin(self) -> Tensor:
        """Elementwise sine (float result)."""
        return _math.float_unary(_math.SIN, self)

    @torch_method
    def cos(self) -> Tensor:
        """Elementwise cosine (float result)."""
        return _math.float_unary(_math.COS, self)

    @torch_method
    def tanh(self) -> Tensor:
        """Elementwise hyperbolic tangent (float result)."""
        return _math.float_unary(_math.TANH, self)

    @torch_method
    def sigmoid(self) -> Tensor:
        """Elementwise 1 / (1 + exp(-self)) (float result)."""
        return _math.float_unary(_math.SIGMOID, self)

    @torch_method
    def sqrt(self) -> Tensor:
        """Elementwise square root (float result)."""
        return _math.float_unary(_math.SQRT, self)

    @torch_method
    def relu(self) -> Tensor:
        """max(self, 0) elementwise; the gradient at 0 is 0."""
        return _math.same_dtype_unary(_math.RELU, self, "relu")

    @torch_method
    def abs(self) -> Tensor:
        """Elementwise absolute value; the gradient at 0 is 0."""
        return _math.same_dtype_unary(_math.ABS, self, "abs")

    @torch_method
    def sign(self) -> Tensor:
        """-1, 0 or 1 elementwise (zero gradient)."""
        return _math.same_dtype_unary(_math.SIGN, self, "sign")

    @torch_method
    def square(self) -> Tensor:
        """self ** 2 (PowBackward0, as in torch)."""
        return self.__pow__(2)

    @torch_method
    def clamp(self, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002 (torch's names)
        """Values limited to [min, max]; the boundaries pass the gradient."""
        return _math.clamp(self, min, max)

    clip = torch_method(clamp.__wrapped__, "clip")

    @torch_method
    def clamp_min(self, min: Any) -> Tensor:  # noqa: A002
        """Values limited from below by `min` (a number or a Tensor)."""
        return _bounds.clamp_bound("clamp_min", self, min)

    @torch_method
    def clamp_max(self, max: Any) -> Tensor:  # noqa: A002
        """Values limited from above by `max` (a number or a Tensor)."""
        return _bounds.clamp_bound("clamp_max", self, max)

    @torch_method
    def maximum(self, other: Tensor) -> Tensor:
        """The elementwise larger of self and other (ties share the gradient)."""
        return binary(_math.MAXIMUM, self, other, (self, other))

    @torch_method
    def minimum(self, other: Tensor) -> Tensor:
        """The elementwise smaller of self and other (ties share the gradient)."""
        return binary(_math.MINIMUM, self, other, (self, other))

    # ---- reductions ----

    @torch_method
    def max(self, dim: Any = None, keepdim: bool = False) -> Any:
        """The largest value; with `dim`, torch.return_types.max(values, indices)."""
        return _reduce.extreme(self, dim, keepdim, True)

    @torch_method
    def min(self, dim: Any = None, keepdim: bool = False) -> Any:
        """The smallest value; with `dim`, torch.return_types.min(values, indices)."""
        return _reduce.extreme(self, dim, keepdim, False)

    @torch_method
    def amax(self, dim: Any = (), keepdim: bool = False) -> Tensor:
        """The largest values over `dim` (all dims by default)."""
        return _reduce.amax(self, dim, keepdim, True)

    @torch_method
    def amin(self, dim: Any = (), keepdim: bool = False) -> Tensor:
        """The smallest values over `dim` (all dims by default)."""
        return _reduce.amax(self, dim, keepdim, False)

    @torch_method
    def argmax(self, dim: int | None = None, keepdim: bool = False) -> Tensor:
        """The int64 index of the first largest value (flat when `dim` is None)."""
        return _reduce.arg_extreme(self, dim, keepdim, True)

    @torch_method
    def argmin(self, dim: int | None = None, keepdim: bool = False) -> Tensor:
        """The int64 index of the first smallest value (flat when `dim` is None)."""
        return _reduce.arg_extreme(self, dim, keepdim, False)

    @torch_method
    def softmax(self, dim: int, dtype: DType | None = None) -> Tensor:
        """exp(self) / exp(self).sum(dim), computed stably."""
        return _reduce.softmax(self, dim, False, dtype)

    @torch_method
    def log_softmax(self, dim: int, dtype: DType | None = None) -> Tensor:
        """log(softmax(self, dim)), computed stably."""
        return _reduce.softmax(self, dim, True, dtype)

    # ---- tests of values ----

    @torch_method
    def isnan(self) -> Tensor:
        """Where the values are NaN (bool)."""
        return _logic.predicate(_logic.ISNAN, self)

    @torch_method
    def isinf(self) -> Tensor:
        """Where the values are infinite (bool)."""
        return _logic.predicate(_logic.ISINF, self)

    @torch_method
    def isfinite(self) -> Tensor:
        """Where the values are neither infinite nor NaN (bool)."""
        return _logic.predicate(_logic.ISFINITE, self)

    @torch_method
    def any(self, dim: Any = None, keepdim: bool = False) -> Tensor:
        """Whether any value is non-zero (over everything, or along `dim`)."""
        return _logic.any_all(self, dim, keepdim, False)

    @torch_method
    def all(self, dim: Any = None, keepdim: bool = False) -> Tensor:
        """Whether every value is non-zero (over everything, or along `dim`)."""
        return _logic.any_all(self, dim, keepdim, True)

    @torch_method
    def isclose(
        self, other: Tensor, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False
    ) -> Tensor:
        """Elementwise |self - other| <= atol + rtol * |other| (bool)."""
        return _logic.isclose(self, other, rtol, atol, equal_nan)

    @torch_method
    def allclose(
        self, other: Tensor, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False
    ) -> bool:
        """Whether all elements are close (see isclose), as a Python bool."""
        return _logic.allclose(self, other, rtol, atol, equal_nan)

    @torch_method
    def equal(self, other: Tensor) -> bool:
        """Whether both have the same shape and values, as a Python bool."""
        return _logic.equal(self, other)

    # ---- linear algebra ----

    @torch_method
    def mm(self, mat2: Tensor) -> Tensor:
        """Matrix product of two 2-D tensors."""
        return _linalg.mm(self, mat2)

    @torch_method
    def bmm(self, mat2: Tensor) -> Tensor:
        """Batched matrix product of two 3-D tensors with the same batch size."""
        return _batched.bmm(self, mat2)

    @torch_method
    def mv(self, vec: Tensor) -> Tensor:
        """Product of a 2-D tensor and a 1-D tensor."""
        return _linalg.mv(self, vec)

    @torch_method
    def matmul(self, other: Tensor) -> Tensor:
        """self @ other."""
        return _linalg.matmul(self, other)

    @torch_method
    def outer(self, vec2: Tensor) -> Tensor:
        """Outer product of two 1-D tensors."""
        return _linalg.outer(self, vec2)

    # ---- shape ----

    @torch_method
    def t(self) -> Tensor:
        """Transpose of a matrix (at most 2-D)."""
        return _shape.t(self)

    @torch_method
    def transpose(self, dim0: int, dim1: int) -> Tensor:
        """Dimensions dim0 and dim1 swapped (a view)."""
        return _shape.transpose(self, dim0, dim1)

    @torch_method
    def permute(self, *dims: Any) -> Tensor:
        """Dimensions reordered (a view)."""
        if len(dims) == 1 and isinstance(dims[0], (tuple, list)):
            dims = tuple(dims[0])
        return _shape.permute(self, dims)

    @torch_method
    def unsqueeze(self, dim: int) -> Tensor:
        """A new size-1 dimension at `dim` (a view)."""
        return _shape.unsqueeze(self, dim)

    @torch_method
    def squeeze(self, *dim: Any) -> Tensor:
        """Size-1 dimensions removed (all, or those in `dim`: an int, a tuple, or several)."""
        return _shape.squeeze(self, dim[0] if len(dim) == 1 else dim or None)

    @torch_method
    def flatten(self, start_dim: int = 0, end_dim: int = -1) -> Tensor:
        """Dimensions start_dim..end_dim merged into one."""
        return _shape.flatten(self, start_dim, end_dim)

    @torch_method
    def clone(self) -> Tensor:
        """A copy that stays in the graph (CloneBackward0)."""
        return _shape.clone(self)


def bind() -> None:
    """Bind Tensor, binary and the op modules the methods call (run once by bind_dispatch)."""
    global Tensor, binary, _batched, _bounds, _linalg, _logic, _math, _reduce, _shape
    from engine import ops_batched as _batched
    from engine import ops_clamp_bounds as _bounds
    from engine import ops_linalg as _linalg
    from engine import ops_logic as _logic
    from engine import ops_math as _math
    from engine import ops_reduce as _reduce
    from engine import ops_shape as _shape
    from engine.dispatch import binary
    from engine.tensor import Tensor
