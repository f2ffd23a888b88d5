"""torch.nn.functional's losses and activations learners use beyond the core: cross_entropy,
nll_loss, binary_cross_entropy(_with_logits), mse_loss, leaky_relu and softplus, with torch's nodes
(NllLossBackward0, BinaryCrossEntropyBackward0, ...) and the float order of its CPU kernels
(nll_loss sums in its cascade; logs and exps rounded once from double)."""

from __future__ import annotations

import operator
import warnings
from functools import partial
from typing import Any

import numpy as np

from engine import dtypes, libm, ops, sleef
from engine.backends import NUMPY, ext
from engine.dispatch import _as_array, _finish, _promoted
from engine.dtypes import FLOATING
from engine.loss_gradients import (
    bce_backward,
    leaky_relu_backward,
    logit,
    mse_loss_backward,
    softplus_backward,
)
from engine.ops import Op, quiet
from engine.ops_backward import in_place, recorded
from engine.ops_more import values
from engine.summation import torch_mean, torch_sum
from engine.tensor import Tensor, wrap

REDUCTIONS = ("mean", "sum", "none")
_log1p = quiet(lambda x: np.log1p(x.astype(np.float64)).astype(x.dtype))


def _refuse(**options: Any) -> None:
    """NotImplementedError for options the engine does not compute (rather than a wrong value)."""
    for name, value in options.items():
        if value is not None and not (isinstance(value, (int, float)) and value == 0):
            raise NotImplementedError(f"the engine's losses do not support {name}= yet")


def _check_reduction(reduction: str) -> None:
    if reduction not in REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction")


def _reduced(loss: np.ndarray, reduction: str) -> np.ndarray:
    if reduction == "mean":
        return torch_mean(loss)
    return torch_sum(loss) if reduction == "sum" else loss


def _mean_scaled(B, reduction: str, x: Any, *grads: Any) -> tuple:
    """The gradients, divided by `x`'s element count when the loss is a mean."""
    if reduction != "mean":
        return grads
    n = values(x).size
    return tuple(ext(B).div_scalar(g, n) for g in grads)


# ---- nll_loss and cross_entropy; attrs = (targets, weights per sample, total, reduction) ----


def _cascade_sum(terms: np.ndarray) -> Any:
    """torch's nll_loss sum: partial sums flushed up 8 levels every 2**level_power terms."""
    power = max(4, int(np.ceil(np.log2(max(len(terms), 1)))) // 2)
    mask = (1 << power) - 1
    zero = terms.dtype.type(0)
    levels = [zero] * 8
    for b, term in enumerate(terms):
        levels[0] = levels[0] + term
        for j in range(7):
            if b & (mask << (j * power)):
                break
            levels[j + 1], levels[j] = levels[j + 1] + levels[j], zero
    total = zero
    for level in levels:
        total = total + level
    return total


def _nll_grad(g: Any, attrs: tuple) -> Any:
    """-weight * grad (over the total weight for mean) at each target; +0 elsewhere."""
    targets, weights, total, reduction, shape = attrs[:5]
    rows = np.arange(len(targets))
    place = np.zeros((len(targets), shape[-1]), dtype=g.dtype)
    hit = np.zeros(place.shape, dtype=bool)
    place[rows, targets], hit[rows, targets] = weights, weights != 0
    place, hit = place.reshape(shape), hit.reshape(shape)
    if reduction == "none":
        step = -g.reshape(*shape[:-1], 1)
    else:
        step = -(g / total) if reduction == "mean" else -g
    return np.where(hit, step * place, 0.0)


def _nll_values(x: np.ndarray, attrs: tuple) -> Any:
    """nll_loss of log-probabilities `x` for the targets, weights and reduction in `attrs`."""
    targets, weights, total, reduction, _, kept, weighted = attrs
    picked = x.reshape(-1, x.shape[-1])[np.arange(len(targets)), targets]
    terms = -(picked * weights) if weighted else -picked
    if reduction == "none":
        return np.where(kept, terms, 0).astype(x.dtype)
    result = _cascade_sum(terms[kept])
    return result / total if reduction == "mean" else result


NLL_LOSS_BACKWARD = Op(
    "nll_loss_backward",
    "NllLossBackwardBackward0",
    lambda g, x, attrs: _nll_grad(g, attrs),
    lambda B, gg, s, attrs: (_nll_of(B, gg, attrs), B.zeros_like(gg)),
)


def _nll_backward(B, g, s, attrs):
    if B is NUMPY:
        return (_nll_grad(g, attrs),)
    return (recorded(NLL_LOSS_BACKWARD, (g, s[0]), attrs),)


NLL_LOSS = Op("nll_loss", "NllLossBackward0", None, _nll_backward, (0,))


def _nll_of(B, x: Any, attrs: tuple) -> Any:
    """nll_loss of `x` (the gradient of nll_loss_backward for its grad), recorded on Tensors."""
    value = _nll_values(values(x), attrs)
    if attrs[3] == "none":
        value = value.reshape(attrs[4][:-1])
    if B is NUMPY:
        return value
    return _finish(NLL_LOSS, wrap(_as_array(value, x.dtype), x.dtype), (x,), attrs, (x,))


def _check_targets(x: np.ndarray, target: Tensor, ignore_index: int) -> np.ndarray:
    t = target.array
    if target.dtype not in (dtypes.int64, dtypes.uint8):
        raise RuntimeError(
            f"expected target dtype to be Long or Byte, but got {dtypes.SCALAR_NAMES[target.dtype]}"
        )
    batch = x.shape[0] if x.ndim > 1 else 1
    if x.ndim > 1 and t.reshape(-1).shape[0] != batch:
        raise ValueError(
            f"Expected input batch_size ({batch}) to match target batch_size ({t.size})."
        )
    flat = t.reshape(-1).astype(np.int64)
    bad = (flat != ignore_index) & ((flat < 0) | (flat >= x.shape[-1]))
    if bad.any():
        raise IndexError(f"Target {flat[bad][0]} is out of bounds.")
    return flat


def nll_loss(
    input: Tensor,  # noqa: A002 (torch's names)
    target: Tensor,
    weight: Tensor | None = None,
    size_average: Any = None,
    ignore_index: int = -100,
    reduce: Any = None,
    reduction: str = "mean",
) -> Tensor:
    """The negative log-likelihood of class indices `target` under log-probabilities `input`
    ((N, C) or (C,)), weighted per class; ignored targets count for nothing."""
    _check_reduction(reduction)
    x = input.array
    if input.dtype.category != FLOATING:
        raise NotImplementedError(
            f"\"nll_loss_out_frame\" not implemented for '{dtypes.SCALAR_NAMES[input.dtype]}'"
        )
    if x.ndim > 2:
        raise NotImplementedError("the engine's nll_loss takes (N, C) or (C,) inputs only")
    flat = _check_targets(x, target, ignore_index)
    kept = flat != ignore_index
    safe = np.where(kept, flat, 0)
    class_weights = np.ones(x.shape[-1], x.dtype) if weight is None else weight.array
    weights = np.where(kept, class_weights[safe], 0).astype(x.dtype)
    if reduction == "none":
        total = None
    elif weight is not None:
        total = _cascade_sum(weights[kept])
    else:
        total = x.dtype.type(kept.sum())
    attrs = (safe, weights, total, reduction, x.shape, kept, weight is not None)
    result = _nll_values(x, attrs)
    if reduction == "none":
        result = result.reshape(target.array.shape)
    out = wrap(_as_array(result, input.dtype), input.dtype)
    return _finish(NLL_LOSS, out, (input,), attrs, (input, target))


def cross_entropy(
    input: Tensor,  # noqa: A002
    target: Tensor,
    weight: Tensor | None = None,
    size_average: Any = None,
    ignore_index: int = -100,
    reduce: Any = None,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> Tensor:
    """nll_loss of log_softmax(input) over the class dimension (class-index targets)."""
    _refuse(label_smoothing=label_smoothing)
    _check_reduction(reduction)
    dim = 0 if input.dim() == 1 else 1
    log_p = input.log_softmax(dim)
    return nll_loss(log_p, target, weight, ignore_index=ignore_index, reduction=reduction)


# ---- binary cross entropy; attrs = reduction ----


def _bce_forward(x: np.ndarray, t: np.ndarray, reduction: str) -> np.ndarray:
    log, log1p = (libm.logf, libm.log1pf) if x.dtype == np.float32 else (NUMPY.log, _log1p)
    log_x = np.maximum(log(x), x.dtype.type(-100))  # torch's scalar kernel: glibc's logs
    log_rest = np.maximum(log1p(-x), x.dtype.type(-100))
    return _reduced((t - 1) * log_rest - t * log_x, reduction)


def _bce_backward(B, g, s, reduction):
    """torch's binary_cross_entropy_backward for the input (one node when recorded) and
    binary_cross_entropy_target_backward for the target: -logit(x) * grad."""
    x, t = s
    grad_input = bce_backward(B, g, x, t, reduction)  # first: torch's order of the nodes
    grad_target = in_place(B, operator.mul, -logit(B, x), g)  # `logit(self).neg_().mul_(grad)`
    return grad_input, _mean_scaled(B, reduction, x, grad_target)[0]


BCE = Op(
    "binary_cross_entropy",
    "BinaryCrossEntropyBackward0",
    quiet(_bce_forward),
    _bce_backward,
    (0, 1),
)


def _check_sizes(input: Tensor, target: Tensor, message: str) -> None:  # noqa: A002
    if input.shape != target.shape:
        raise ValueError(message.format(target.shape, input.shape))


def binary_cross_entropy(
    input: Tensor,  # noqa: A002
    target: Tensor,
    weight: Tensor | None = None,
    size_average: Any = None,
    reduce: Any = None,
    reduction: str = "mean",
) -> Tensor:
    """-(target * log(input) + (1 - target) * log(1 - input)), logs clamped at -100."""
    _refuse(weight=weight)
    _check_sizes(
        input,
        target,
        "Using a target size ({!r}) that is different to the input size ({!r}) is deprecated. "
        "Please ensure they have the same size.",
    )
    _check_reduction(reduction)
    if target.dtype is not input.dtype:
        names = dtypes.SCALAR_NAMES
        raise RuntimeError(f"Found dtype {names[target.dtype]} but expected {names[input.dtype]}")
    x = input.array
    if ((x < 0) | (x > 1)).any():
        raise RuntimeError("all elements of input should be between 0 and 1")
    result = BCE.forward(x, target.array, reduction)
    out = wrap(_as_array(result, input.dtype), input.dtype)
    return _finish(BCE, out, (input, target), reduction, (input, target))


def _bce_logits_forward(x: np.ndarray, t: np.ndarray, reduction: str) -> np.ndarray:
    return _reduced((1 - t) * x - NUMPY.log_sigmoid(x), reduction)


def _bce_logits_backward(B, g, s, reduction):
    x, t = s
    sigmoid = NUMPY.sigmoid(x) if B is NUMPY else x.sigmoid()
    # torch divides the input's gradient before it builds the target's, `self.neg() * grad`
    grad_input = _mean_scaled(B, reduction, x, (sigmoid - t) * g)[0]
    return grad_input, _mean_scaled(B, reduction, x, -x * g)[0]


BCE_LOGITS = Op(
    "binary_cross_entropy_with_logits",
    "BinaryCrossEntropyWithLogitsBackward0",
    quiet(_bce_logits_forward),
    _bce_logits_backward,
    (0, 1),
)


def binary_cross_entropy_with_logits(
    input: Tensor,  # noqa: A002
    target: Tensor,
    weight: Tensor | None = None,
    size_average: Any = None,
    reduce: Any = None,
    reduction: str = "mean",
    pos_weight: Tensor | None = None,
) -> Tensor:
    """binary_cross_entropy of sigmoid(input), computed stably from the logits."""
    _refuse(weight=weight, pos_weight=pos_weight)
    _check_sizes(input, target, "Target size ({!r}) must be the same as input size ({!r})")
    _check_reduction(reduction)
    result = BCE_LOGITS.forward(input.array, target.array.astype(input.dtype.np), reduction)
    out = wrap(_as_array(result, input.dtype), input.dtype)
    return _finish(BCE_LOGITS, out, (input, target), reduction, (input, target))


# ---- activations ----

LEAKY_RELU = Op(
    "leaky_relu",
    "LeakyReluBackward0",
    lambda x, slope: np.where(x > 0, x, x * x.dtype.type(slope)),
    lambda B, g, s, slope: (leaky_relu_backward(B, g, s[0], slope),),
    (0,),
)


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:  # noqa: A002
    """input where positive, else input * negative_slope."""
    out = wrap(_as_array(LEAKY_RELU.forward(input.array, negative_slope), input.dtype), input.dtype)
    return _finish(LEAKY_RELU, out, (input,), negative_slope, (input, negative_slope))


def _softplus_forward(x: np.ndarray, attrs: tuple) -> np.ndarray:
    if x.dtype == np.float32:
        vector, scalar = (
            partial(_softplus, attrs=attrs, exp=fns[0], log1p=fns[1]) for fns in _SOFTPLUS32
        )
        return sleef.vector_split(x, vector, scalar)
    return _softplus(x, attrs, NUMPY.exp, _log1p)


def _softplus(x: np.ndarray, attrs: tuple, exp: Any, log1p: Any) -> np.ndarray:
    """torch's softplus kernel with the given exp and log1p."""
    beta, threshold = attrs
    scaled = x * x.dtype.type(beta)
    smooth = log1p(exp(scaled)) / x.dtype.type(beta)
    return np.where(scaled > threshold, x, smooth)


# float32 softplus: Sleef in torch's vector loop, glibc in its scalar one
_SOFTPLUS32 = ((sleef.expf, sleef.log1pf), (libm.expf, libm.log1pf))


SOFTPLUS = Op(
    "softplus",
    "SoftplusBackward0",
    quiet(_softplus_forward),
    lambda B, g, s, attrs: (softplus_backward(B, g, s[0], attrs),),
    (0,),
)


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:  # noqa: A002
    """log(1 + exp(beta * input)) / beta, linear where beta * input > threshold."""
    attrs = (beta, threshold)
    out = wrap(_as_array(SOFTPLUS.forward(input.array, attrs), input.dtype), input.dtype)
    return _finish(SOFTPLUS, out, (input,), attrs, (input,))


# ---- mse_loss; attrs = (reduction, element count) ----


def _mse_forward(x: np.ndarray, t: np.ndarray, reduction: str) -> np.ndarray:
    return _reduced((x - t) ** 2, reduction)


def _mse_backward(B, g, s, attrs):
    x, t = s
    return mse_loss_backward(B, g, x, t, attrs), mse_loss_backward(B, g, t, x, attrs)


MSE_LOSS = Op("mse_loss", "MseLossBackward0", _mse_forward, _mse_backward, (0, 1))


def warn_if_sizes_differ(input: Tensor, target: Tensor) -> None:  # noqa: A002
    """torch's warning, at the loss's caller, when the target's size differs from the input's."""
    if target.size() != input.size():
        warnings.warn(
            f"Using a target size ({target.shape!r}) that is different to the input size "
            f"({input.shape!r}). This will likely lead to incorrect results due to "
            "broadcasting. Please ensure they have the same size.",
            UserWarning,
            stacklevel=3,
        )


def mse_loss(input: Tensor, target: Tensor, reduction: str = "mean") -> Tensor:  # noqa: A002
    """The mean (or sum, or elementwise) squared difference of input and target."""
    warn_if_sizes_differ(input, target)
    ops.broadcast_shapes(input.array.shape, target.array.shape)  # torch's text, before reduction
    _check_reduction(reduction)
    dt = _promoted(input, target)
    x, t = input.array.astype(dt.np, copy=False), target.array.astype(dt.np, copy=False)
    x, t = np.broadcast_arrays(x, t)
    out = wrap(np.asarray(_mse_forward(x, t, reduction), dt.np), dt)
    return _finish(MSE_LOSS, out, (input, target), (reduction, x.size), (input, target))
