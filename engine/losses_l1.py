"""`l1_loss`, composed as torch composes it: broadcast the operands, `(input - target).abs()`,
then the reduction (SubBackward0, AbsBackward0, MeanBackward0 or SumBackward0)."""

from __future__ import annotations

from typing import Any

from engine import ops
from engine.losses import _check_reduction, _refuse, warn_if_sizes_differ
from engine.tensor import Tensor


def _broadcast(t: Tensor, shape: tuple) -> Tensor:
    """torch.broadcast_tensors for one operand: the tensor itself when it has the shape."""
    return t if t.array.shape == shape else t.expand(*shape)


def l1_loss(
    input: Tensor,  # noqa: A002 (torch's names)
    target: Tensor,
    size_average: Any = None,
    reduce: Any = None,
    reduction: str = "mean",
    weight: Tensor | None = None,
) -> Tensor:
    """The mean (or sum, or elementwise) absolute difference of input and target."""
    _refuse(size_average=size_average, reduce=reduce, weight=weight)
    warn_if_sizes_differ(input, target)
    shape = ops.broadcast_shapes(input.array.shape, target.array.shape)
    _check_reduction(reduction)
    errors = (_broadcast(input, shape) - _broadcast(target, shape)).abs()
    if reduction == "none":
        return errors
    return errors.mean() if reduction == "mean" else errors.sum()
