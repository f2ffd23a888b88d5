"""Tensor's in-place forms of one-tensor math, roundings, powers and bounds (`sin_`, `floor_`,
`pow_`, `clamp_min_`, ...), each a thin call into engine.inplace_more or inplace_pow_clamp.

`TensorMethods` (engine.tensor_methods) inherits this mixin; the op modules import
`engine.tensor`, so they are bound by `bind()` once it exists.
"""

from __future__ import annotations

from typing import Any

from engine.checked import torch_method


class TensorInplaceMethods:
    """In-place math, rounding, power and bound methods of Tensor."""

    __slots__ = ()

    @torch_method
    def sin_(self) -> Tensor:
        """sin(self), in place (float tensors only)."""
        return _inplace.unary_("sin_", self)

    @torch_method
    def cos_(self) -> Tensor:
        """cos(self), in place (float tensors only)."""
        return _inplace.unary_("cos_", self)

    @torch_method
    def tanh_(self) -> Tensor:
        """tanh(self), in place (float tensors only)."""
        return _inplace.unary_("tanh_", self)

    @torch_method
    def sigmoid_(self) -> Tensor:
        """1 / (1 + exp(-self)), in place (float tensors only)."""
        return _inplace.unary_("sigmoid_", self)

    @torch_method
    def log_(self) -> Tensor:
        """The natural logarithm of self, in place (float tensors only)."""
        return _inplace.unary_("log_", self)

    @torch_method
    def reciprocal_(self) -> Tensor:
        """1 / self, in place (float tensors only)."""
        return _inplace.unary_("reciprocal_", self)

    @torch_method
    def sign_(self) -> Tensor:
        """-1, 0 or 1 by the sign of self, in place."""
        return _inplace.unary_("sign_", self)

    @torch_method
    def floor_(self) -> Tensor:
        """Rounded down, in place."""
        return _inplace.rounding_("floor_", self)

    @torch_method
    def ceil_(self) -> Tensor:
        """Rounded up, in place."""
        return _inplace.rounding_("ceil_", self)

    @torch_method
    def round_(self, *, decimals: Any = None) -> Tensor:
        """Rounded to the nearest integer, ties to even (or to `decimals` places), in place."""
        return _inplace.rounding_("round_", self, decimals)

    @torch_method
    def pow_(self, exponent: Any) -> Tensor:
        """self ** exponent, in place."""
        return _pow_clamp.pow_(self, exponent)

    @torch_method
    def square_(self) -> Tensor:
        """self ** 2, in place (PowBackward0, as in torch)."""
        return _pow_clamp.pow_(self, 2, "square_")

    @torch_method
    def clamp_min_(self, min: Any) -> Tensor:  # noqa: A002 (torch's names)
        """Values limited from below by `min`, in place."""
        return _pow_clamp.clamp_bound_("clamp_min_", self, min)

    @torch_method
    def clamp_max_(self, max: Any) -> Tensor:  # noqa: A002
        """Values limited from above by `max`, in place."""
        return _pow_clamp.clamp_bound_("clamp_max_", self, max)

    @torch_method
    def clip_(self, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002
        """Values limited to [min, max], in place (clamp_'s alias)."""
        return _inplace.clamp_(self, min, max, "clip_")


def bind() -> None:
    """Bind the op modules the methods call (run once by tensor_methods.bind_dispatch)."""
    global Tensor, _inplace, _pow_clamp
    from engine import inplace_more as _inplace
    from engine import inplace_pow_clamp as _pow_clamp
    from engine.tensor import Tensor
