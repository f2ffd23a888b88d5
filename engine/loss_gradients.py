"""The backward kernels of engine.losses' activations and losses, as torch's ops.

torch computes leaky_relu's gradient with `leaky_relu_backward(grad, self, slope)`, softplus's
with `softplus_backward`, mse_loss's with `mse_loss_backward`, nll_loss's with
`nll_loss_backward`, binary_cross_entropy's with `binary_cross_entropy_backward`: each is an op
with its own derivative, recorded as one node (LeakyReluBackwardBackward0, ...) when a backward
runs with `create_graph=True`. The functions here compute the kernel directly on the numpy
backend and record it on the tensor backend.
"""

from __future__ import annotations

from operator import mul, truediv
from typing import Any

import numpy as np

from engine import libm, sleef
from engine.backends import NUMPY, ext
from engine.factories import full
from engine.factories_more import full_like
from engine.ops import Op, quiet
from engine.ops_backward import in_place, recorded
from engine.ops_more import values

# ---- leaky_relu: inputs (grad, self), attrs the slope ----


def _leaky_relu_grad(g: np.ndarray, x: np.ndarray, slope: float) -> np.ndarray:
    return np.where(x > 0, g, g * slope)


def leaky_relu_backward(B, g: Any, x: Any, slope: float) -> Any:
    """grad where `x` is positive, grad * slope elsewhere (LeakyReluBackwardBackward0)."""
    if B is NUMPY:
        return _leaky_relu_grad(g, x, slope)
    return recorded(LEAKY_RELU_BACKWARD, (g, x), slope)


LEAKY_RELU_BACKWARD = Op(
    "leaky_relu_backward",
    "LeakyReluBackwardBackward0",
    _leaky_relu_grad,
    lambda B, gg, s, slope: (leaky_relu_backward(B, gg, s[0], slope), B.zeros_like(gg)),
    (1,),
)

# ---- softplus: inputs (grad, self), attrs (beta, threshold) ----


def _softplus_grad(g: np.ndarray, x: np.ndarray, attrs: tuple) -> np.ndarray:
    if x.dtype != np.float32 or g.dtype != np.float32:
        return _softplus_grad_with(g, x, attrs, NUMPY.exp)
    if not _vector_loop(g, x):
        return _softplus_grad_with(g, x, attrs, libm.expf)
    gf, xf = np.broadcast_to(g, x.shape).reshape(-1), x.reshape(-1)
    return sleef.vector_split(
        np.arange(x.size).reshape(x.shape),
        lambda i: _softplus_grad_with(gf[i], xf[i], attrs, sleef.expf),
        lambda i: _softplus_grad_with(gf[i], xf[i], attrs, libm.expf),
    )


def _vector_loop(g: np.ndarray, x: np.ndarray) -> bool:
    """Whether torch's binary kernel runs its vector loop: x contiguous and the gradient
    contiguous too or one broadcast value (as `sum().backward()` sends)."""
    if g.shape != x.shape or not x.flags.c_contiguous:
        return False
    return g.flags.c_contiguous or not any(g.strides)


def _softplus_grad_with(g: np.ndarray, x: np.ndarray, attrs: tuple, exp: Any) -> np.ndarray:
    """torch's softplus_backward kernel with the given float exp."""
    beta, threshold = attrs
    scaled = x * beta
    linear = scaled > threshold
    z = exp(np.where(linear, 0, scaled))  # no inf in the branch not taken
    return np.where(linear, g, g * z / (z + 1))


def softplus_backward(B, g: Any, x: Any, attrs: tuple) -> Any:
    """softplus's gradient: grad * sigmoid(beta * x), grad where linear
    (SoftplusBackwardBackward0)."""
    if B is NUMPY:
        return _softplus_grad(g, x, attrs)
    return recorded(SOFTPLUS_BACKWARD, (g, x), attrs)


def _softplus_double(B, gg, s, attrs):
    """torch's softplus_double_backward for self: sigmoid_backward(gg * grad, sigmoid(beta * x))
    where not linear, times beta."""
    g, x = s
    beta, threshold = attrs
    b = ext(B)
    grad_g = softplus_backward(B, gg, x, attrs)
    product = gg * g  # the argument `grad * grad_output`, built before the function runs
    scaled = b.scale(x, beta)
    sigmoid = NUMPY.sigmoid(scaled) if B is NUMPY else scaled.sigmoid()
    mask = b.as_type_of(scaled < threshold, g)
    return grad_g, b.scale(b.sigmoid_backward(product, sigmoid) * mask, beta)


SOFTPLUS_BACKWARD = Op(
    "softplus_backward",
    "SoftplusBackwardBackward0",
    quiet(_softplus_grad),
    _softplus_double,
    (0, 1),
)

# ---- mse_loss: inputs (grad, self, target), attrs (reduction, element count) ----


def _mse_grad(g: np.ndarray, x: np.ndarray, t: np.ndarray, attrs: tuple) -> np.ndarray:
    reduction, numel = attrs
    diff = x - t
    return (diff.dtype.type(2.0 / numel if reduction == "mean" else 2.0) * diff) * g


def mse_loss_backward(B, g: Any, x: Any, t: Any, attrs: tuple) -> Any:
    """mse_loss's gradient for `x`: norm * (x - t) * grad (MseLossBackwardBackward0)."""
    if B is NUMPY:
        return _mse_grad(g, x, t, attrs)
    return recorded(MSE_LOSS_BACKWARD, (g, x, t), attrs)


def _mse_double_backward(B, grad: Any, attrs: tuple) -> Any:
    """torch's mse_loss_double_backward: 2 * grad, divided by the element count for a mean."""
    reduction, numel = attrs
    b = ext(B)
    grad = b.scale(grad, 2)
    return b.div_scalar(grad, numel) if reduction == "mean" else grad


def _mse_double(B, gg, s, attrs):
    g, x, t = s
    return (
        mse_loss_backward(B, gg, x, t, attrs),
        _mse_double_backward(B, gg * g, attrs),
        -_mse_double_backward(B, gg * g, attrs),
    )


MSE_LOSS_BACKWARD = Op(
    "mse_loss_backward", "MseLossBackwardBackward0", quiet(_mse_grad), _mse_double, (0, 1, 2)
)

# ---- binary_cross_entropy: inputs (grad, self, target), attrs the reduction ----

BCE_EPSILON = 1e-12


def _bce_grad(g: np.ndarray, x: np.ndarray, t: np.ndarray, reduction: str) -> np.ndarray:
    """torch's binary_cross_entropy_backward kernel: grad * (x - t) / max((1 - x) * x, eps),
    over the element count for a mean."""
    den = (1 - x) * x
    grad = g * (x - t) / np.where(den < BCE_EPSILON, x.dtype.type(BCE_EPSILON), den)
    return grad / x.size if reduction == "mean" else grad


def bce_backward(B, g: Any, x: Any, t: Any, reduction: str) -> Any:
    """binary_cross_entropy's gradient for its input (BinaryCrossEntropyBackwardBackward0)."""
    if B is NUMPY:
        return _bce_grad(g, x, t, reduction)
    return recorded(BCE_BACKWARD, (g, x, t), reduction)


def _mean_of(B, reduction: str, x: Any, grad: Any) -> Any:
    """`grad` over `x`'s element count when the loss is a mean (DivBackward1)."""
    return ext(B).div_scalar(grad, values(x).size) if reduction == "mean" else grad


def _bce_double(B, gg, s, reduction):
    """torch's binary_cross_entropy_double_backward(_grad_output, _target), op by op, each
    building its own nodes; C++ builds the right operand of a product or quotient first."""
    g, x, t = s
    grad_g = _mean_of(B, reduction, x, in_place(B, mul, _bce_slope(B, x, t), gg))
    grad_x = _mean_of(B, reduction, x, in_place(B, mul, _bce_curvature(B, x, t), gg * g))
    grad_t = in_place(B, truediv, -gg * g, _clamped_den(B, x))
    return grad_g, grad_x, _mean_of(B, reduction, x, grad_t)


def _bce_slope(B, x: Any, t: Any) -> Any:
    """`(input - target) / ((input + eps) * (1 - input + eps))`."""
    b = ext(B)
    near_rest = b.add_scalar(_one_minus(B, x), BCE_EPSILON)
    den = b.add_scalar(x, BCE_EPSILON) * near_rest
    return (x - t) / den


def _bce_curvature(B, x: Any, t: Any) -> Any:
    """`(input * input - 2 * input * target + target) / (inp_pl_eps.pow(2) *
    one_m_inp_pl_eps.pow(2))`, the two sums with eps built first."""
    b = ext(B)
    near_x, near_rest = b.add_scalar(x, BCE_EPSILON), b.add_scalar(_one_minus(B, x), BCE_EPSILON)
    rest_squared = b.pow_scalar(near_rest, 2)
    den = b.pow_scalar(near_x, 2) * rest_squared
    twice = b.scale(x, 2) * t
    return (x * x - twice + t) / den


def _one_minus(B, x: Any) -> Any:
    """1 - x as torch's C++ formulas compute it: a filled tensor minus x (SubBackward0)."""
    return 1 - x if B is NUMPY else full_like(x, 1) - x


def _clamped_den(B, x: Any) -> Any:
    """(1 - x) * x clamped at eps outside the recorded graph (torch's NoGradGuard clamp_min_)."""
    den = in_place(B, mul, _one_minus(B, x), x)
    array = values(den)
    np.maximum(array, array.dtype.type(BCE_EPSILON), out=array)
    return den


BCE_BACKWARD = Op(
    "binary_cross_entropy_backward",
    "BinaryCrossEntropyBackwardBackward0",
    quiet(_bce_grad),
    _bce_double,
    (0, 1, 2),
)

# ---- logit (binary_cross_entropy's target gradient): input self ----


def _logit_grad(g: np.ndarray, x: np.ndarray) -> np.ndarray:
    """torch's logit_backward kernel without eps: nan outside [0, 1], grad * inf at 0 and 1."""
    inside = g / (x * (1 - x))
    edge = np.where((x == 0) | (x == 1), g * np.inf, inside)
    return np.where((x < 0) | (x > 1), np.nan, edge).astype(inside.dtype)


def _logit_backward(B, g, s, attrs):
    """logit_backward; recorded, torch's infinitely_differentiable_logit_backward:
    where(0 <= x <= 1, grad / (x * (1 - x)), nan)."""
    x = s[0]
    if B is NUMPY:
        return (_logit_grad(g, x),)
    inside = (x >= 0) & (x <= 1)
    return (B.where(inside, g / (x * _one_minus(B, x)), full((), np.nan, dtype=x.dtype)),)


LOGIT = Op(
    "logit", "LogitBackward0", quiet(lambda x, a: NUMPY.log(x / (1 - x))), _logit_backward, (0,)
)


def logit(B, x: Any) -> Any:
    """log(x / (1 - x)) (LogitBackward0 when recorded)."""
    if B is NUMPY:
        return NUMPY.log(x / (1 - x))
    return recorded(LOGIT, (x,), None)
