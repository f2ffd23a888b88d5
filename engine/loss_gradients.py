"""The backward kernels of engine.losses' activations and losses, as torch's ops.

torch computes leaky_relu's gradient with `leaky_relu_backward(grad, self, slope)`, softplus's
with `softplus_backward`, mse_loss's with `mse_loss_backward`, nll_loss's with
`nll_loss_backward`: each is an op with its own derivative, recorded as one node
(LeakyReluBackwardBackward0, ...) when a backward runs with `create_graph=True`. The functions
here compute the kernel directly on the numpy backend and record it on the tensor backend.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from engine import libm, sleef
from engine.backends import NUMPY, ext
from engine.ops import Op, quiet
from engine.ops_backward import recorded

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
    scaled = b.scale(x, beta)
    sigmoid = NUMPY.sigmoid(scaled) if B is NUMPY else scaled.sigmoid()
    mask = b.as_type_of(scaled < threshold, g)
    grad_x = b.scale(b.sigmoid_backward(gg * g, sigmoid) * mask, beta)
    return softplus_backward(B, gg, x, attrs), grad_x


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
