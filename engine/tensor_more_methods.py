"""More Tensor methods learners' programs use: comparisons by name, `where`, logsumexp, norm,
prod, cumsum, cumprod, flip, var/std, round/floor/ceil, in-place clamp_, relu_, abs_, neg_, exp_,
sqrt_, fill_ and copy_, half, mT, device, and unbind/split/chunk; each a thin call into
engine.ops_more, ops_cumprod, ops_norm, inplace_more and multi_output.

`TensorMethods` (engine.tensor_methods) inherits this mixin; the op modules import
`engine.tensor`, so they are bound by `bind()` once it exists.
"""

from __future__ import annotations

from typing import Any

from engine import once
from engine.checked import torch_method
from engine.device_type import CPU, device
from engine.graph import output_number

MT_0D_WARNING = (
    "Tensor.mT is deprecated on 0-D tensors. This function is the identity in these cases."
)
MT_NOT_MATRIX = "tensor.mT is only supported on matrices or batches of matrices. Got {}-D tensor."


class TensorMoreMethods:
    """Comparison, reduction, rounding and in-place methods beyond the core."""

    __slots__ = ()

    # ---- comparisons (bool results, no gradient) ----

    @torch_method
    def eq(self, other: Any) -> Tensor:
        """self == other elementwise."""
        return binary(ops.EQ, self, other, (self, other))

    @torch_method
    def ne(self, other: Any) -> Tensor:
        """self != other elementwise."""
        return binary(ops.NE, self, other, (self, other))

    @torch_method
    def lt(self, other: Any) -> Tensor:
        """self < other elementwise."""
        return binary(ops.LT, self, other, (self, other))

    @torch_method
    def le(self, other: Any) -> Tensor:
        """self <= other elementwise."""
        return binary(ops.LE, self, other, (self, other))

    @torch_method
    def gt(self, other: Any) -> Tensor:
        """self > other elementwise."""
        return binary(ops.GT, self, other, (self, other))

    @torch_method
    def ge(self, other: Any) -> Tensor:
        """self >= other elementwise."""
        return binary(ops.GE, self, other, (self, other))

    @torch_method
    def where(self, condition: Any, other: Any) -> Tensor:
        """self where `condition` holds, else `other` (torch.where(condition, self, other))."""
        return _math.where(condition, self, other)

    # ---- reductions ----

    @torch_method
    def logsumexp(self, dim: Any, keepdim: bool = False) -> Tensor:
        """log(sum(exp(self), dim)), computed stably."""
        return _more.logsumexp(self, dim, keepdim)

    def norm(
        self, p: Any = "fro", dim: Any = None, keepdim: bool = False, dtype: Any = None
    ) -> Tensor:
        """The p-norm (2 by default) of all elements, or over `dim`."""
        return _norm.norm(self, p, dim, keepdim, dtype)

    norm.__qualname__ = "Tensor.norm"  # torch's is a Python method: Python's errors name it so

    @torch_method
    def prod(self, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
        """The product of all elements, or along `dim`."""
        return _more.prod(self, dim, keepdim, dtype)

    @torch_method
    def cumsum(self, dim: int, *, dtype: Any = None) -> Tensor:
        """Running sums along `dim`."""
        return _more.cumsum(self, dim, dtype)

    @torch_method
    def cumprod(self, dim: int, *, dtype: Any = None) -> Tensor:
        """Running products along `dim`."""
        return _cumprod.cumprod(self, dim, dtype=dtype)

    @torch_method
    def flip(self, *dims: Any) -> Tensor:
        """The values reversed along `dims` (a copy)."""
        return _more.flip(self, dims[0] if len(dims) == 1 else dims)

    @torch_method
    def var(
        self,
        dim: Any = None,
        unbiased: Any = None,
        keepdim: bool = False,
        *,
        correction: Any = None,
    ) -> Tensor:
        """The variance (unbiased unless `unbiased=False` or a `correction` is given)."""
        if isinstance(dim, bool):  # the (bool unbiased) overload
            dim, unbiased = None, dim
        return _more.var_std(self, dim, unbiased, correction, keepdim, root=False)

    @torch_method
    def std(
        self,
        dim: Any = None,
        unbiased: Any = None,
        keepdim: bool = False,
        *,
        correction: Any = None,
    ) -> Tensor:
        """The standard deviation (unbiased unless `unbiased=False` or a `correction`)."""
        if isinstance(dim, bool):
            dim, unbiased = None, dim
        return _more.var_std(self, dim, unbiased, correction, keepdim, root=True)

    # ---- roundings (zero gradients) ----

    @torch_method
    def round(self, *, decimals: Any = None) -> Tensor:
        """Rounded to the nearest integer, ties to even (or to `decimals` places)."""
        return _more.rounding(_more.ROUND, self, decimals)

    @torch_method
    def floor(self) -> Tensor:
        """Rounded down."""
        return _more.rounding(_more.FLOOR, self)

    @torch_method
    def ceil(self) -> Tensor:
        """Rounded up."""
        return _more.rounding(_more.CEIL, self)

    # ---- in place ----

    @torch_method
    def clamp_(self, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002 (torch's names)
        """Values limited to [min, max], in place."""
        return _inplace.clamp_(self, min, max)

    @torch_method
    def relu_(self) -> Tensor:
        """max(self, 0), in place."""
        return _inplace.relu_(self)

    @torch_method
    def abs_(self) -> Tensor:
        """|self|, in place."""
        return _inplace.abs_(self)

    @torch_method
    def neg_(self) -> Tensor:
        """-self, in place."""
        return _inplace.unary_("neg_", self)

    @torch_method
    def exp_(self) -> Tensor:
        """e ** self, in place (float tensors only)."""
        return _inplace.unary_("exp_", self)

    @torch_method
    def sqrt_(self) -> Tensor:
        """The square root of self, in place (float tensors only)."""
        return _inplace.unary_("sqrt_", self)

    @torch_method
    def fill_(self, value: Any) -> Tensor:
        """Every element set to `value`, in place."""
        return _inplace.fill_(self, value)

    @torch_method
    def copy_(self, other: Any, non_blocking: bool = False) -> Tensor:
        """`other`'s values written into self (broadcast and converted), in place."""
        return _inplace.copy_(self, other)

    # ---- conversions and attributes ----

    @torch_method
    def half(self) -> Tensor:
        """As float16."""
        return convert(self, dtypes.float16)

    @property
    def mT(self) -> Tensor:  # noqa: N802 (torch's name)
        """The last two dimensions swapped (a view; needs at least 2 dimensions, a 0-D tensor is
        returned itself with torch's warning)."""
        if not self.array.ndim:
            once.warn(MT_0D_WARNING, stacklevel=2)
            return self
        if self.array.ndim < 2:
            raise RuntimeError(MT_NOT_MATRIX.format(self.array.ndim))
        return self.transpose(-2, -1)

    # ---- several outputs (views sharing one grad_fn) ----

    @torch_method
    def unbind(self, dim: int = 0) -> tuple:
        """The slices along `dim`, that dimension removed."""
        return _multi.unbind(self, dim)

    def split(self, split_size: Any, dim: int = 0) -> tuple:
        """Pieces along `dim`: of `split_size` each (the last smaller), or of the listed sizes."""
        return _multi.split(self, split_size, dim)

    @torch_method
    def chunk(self, chunks: int, dim: int = 0) -> tuple:
        """`chunks` pieces of equal size along `dim` (the last may be smaller)."""
        return _multi.chunk(self, chunks, dim)

    @property
    def output_nr(self) -> int:
        """Which output of its grad_fn this tensor is (0 but for `unbind`'s and `split`'s)."""
        return output_number(self._fn)

    @property
    def device(self) -> device:
        """The tensor's device: always the cpu."""
        return CPU

    @property
    def is_cuda(self) -> bool:
        """False: the engine runs on the cpu only."""
        return False


def bind() -> None:
    """Bind the op modules the methods call (run once by tensor_methods.bind_dispatch)."""
    global Tensor, binary, convert, dtypes, ops, _cumprod, _inplace, _math, _more, _multi, _norm
    from engine import dtypes, ops
    from engine import inplace_more as _inplace
    from engine import multi_output as _multi
    from engine import ops_cumprod as _cumprod
    from engine import ops_math as _math
    from engine import ops_more as _more
    from engine import ops_norm as _norm
    from engine.dispatch import binary, convert
    from engine.tensor import Tensor
