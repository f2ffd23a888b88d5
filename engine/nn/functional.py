"""A small `torch.nn.functional`: activations, softmax and mse_loss (`engine.nn.functional`)."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from engine import functions, ops
from engine.dispatch import _finish, _promoted
from engine.losses import (  # noqa: F401 (torch.nn.functional's names)
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    leaky_relu,
    nll_loss,
    softplus,
)
from engine.ops import Op
from engine.ops_reduce import implicit_softmax_dim
from engine.tensor import Tensor, wrap


def relu(input: Tensor) -> Tensor:  # noqa: A002 (torch's parameter name)
    """max(input, 0) elementwise (torch.relu, with its argument check)."""
    return functions.relu(input)


def sigmoid(input: Tensor) -> Tensor:  # noqa: A002
    """1 / (1 + exp(-input)) elementwise."""
    return input.sigmoid()


def tanh(input: Tensor) -> Tensor:  # noqa: A002
    """Hyperbolic tangent elementwise."""
    return input.tanh()


def softmax(input: Tensor, dim: int | None = None, dtype: Any = None) -> Tensor:  # noqa: A002
    """softmax along `dim` (an implicit dim warns, as in torch)."""
    if dim is None:
        dim = implicit_softmax_dim("softmax", input.dim())
    return input.softmax(dim) if dtype is None else input.softmax(dim, dtype=dtype)


def log_softmax(input: Tensor, dim: int | None = None, dtype: Any = None) -> Tensor:  # noqa: A002
    """log_softmax along `dim` (an implicit dim warns, as in torch)."""
    if dim is None:
        dim = implicit_softmax_dim("log_softmax", input.dim())
    return input.log_softmax(dim) if dtype is None else input.log_softmax(dim, dtype=dtype)


def _mse_forward(x: np.ndarray, t: np.ndarray, reduction: str) -> np.ndarray:
    squared = (x - t) ** 2
    if reduction == "mean":
        return squared.mean()
    return squared.sum() if reduction == "sum" else squared


def _mse_backward(B, g, s, attrs):
    reduction, numel = attrs
    x, t = s
    diff = x - t
    norm = 2.0 / numel if reduction == "mean" else 2.0
    return (norm * diff) * g, -((norm * diff) * g)


MSE_LOSS = Op("mse_loss", "MseLossBackward0", _mse_forward, _mse_backward, (0, 1))


def mse_loss(input: Tensor, target: Tensor, reduction: str = "mean") -> Tensor:  # noqa: A002
    """The mean (or sum, or elementwise) squared difference of input and target."""
    if target.size() != input.size():
        warnings.warn(
            f"Using a target size ({target.shape!r}) that is different to the input size "
            f"({input.shape!r}). This will likely lead to incorrect results due to "
            "broadcasting. Please ensure they have the same size.",
            UserWarning,
            stacklevel=2,
        )
    ops.broadcast_shapes(input.array.shape, target.array.shape)  # torch's text, before reduction
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    dt = _promoted(input, target)
    x, t = input.array.astype(dt.np, copy=False), target.array.astype(dt.np, copy=False)
    x, t = np.broadcast_arrays(x, t)
    out = wrap(np.asarray(_mse_forward(x, t, reduction), dt.np), dt)
    return _finish(MSE_LOSS, out, (input, target), (reduction, x.size), (input, target))
