"""A small `torch.nn.functional`: activations, softmax and losses (`engine.nn.functional`)."""

from __future__ import annotations

from typing import Any

from engine import functions
from engine.losses import (  # noqa: F401 (torch.nn.functional's names)
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    leaky_relu,
    mse_loss,
    nll_loss,
    softplus,
)
from engine.losses_l1 import l1_loss  # noqa: F401
from engine.ops_reduce import implicit_softmax_dim
from engine.tensor import Tensor


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
