"""Op table rows for the functions torch's backward formulas call, recorded when a backward runs
with `create_graph=True`.

torch computes relu's gradient with `threshold_backward(grad, result, 0)`, sigmoid's with
`sigmoid_backward(grad, result)` and so on: one node each (ThresholdBackwardBackward0...) whose
inputs are the incoming gradient and the saved tensor. The backward rules reach these rows
through `ext(B)` (engine.backends): the numpy backend computes the kernel directly, the tensor
backend runs `recorded`. Each row's forward is the numpy backend's kernel, so a value is computed
in one place whether or not the backward is recorded.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from engine.backends import NUMPY, ext
from engine.dispatch import _as_array, _finish
from engine.grad_mode import STATE
from engine.inplace import _original_self
from engine.ops import Op, quiet
from engine.summation import torch_sum
from engine.tensor import Tensor, wrap


def recorded(op: Op, inputs: tuple, attrs: Any) -> Tensor:
    """`op` on Tensor `inputs` (None for an input no gradient goes to), recorded as one node."""
    arrays = [None if t is None else t.array for t in inputs]
    dtype = next(t for t in inputs if t is not None).dtype
    out = wrap(_as_array(op.forward(*arrays, attrs), dtype), dtype)
    return _finish(op, out, inputs, attrs, inputs)


def _mask(mask: Any) -> np.ndarray:
    """A mask given as a bool Tensor (computed from saved tensors) or a numpy array."""
    return mask.array if type(mask) is Tensor else mask


# ---- activation gradients: inputs (grad, result) ----


def _sigmoid_double(B, gg, s, a):
    g, y = s
    b = ext(B)
    grad_output = b.sigmoid_backward(gg, y)
    # `grad * grad_output * (-2 * output + 1)`: C++ evaluates the right operand first
    slope = b.add_scalar(b.scale(y, -2), 1)
    return grad_output, gg * g * slope


def _tanh_double(B, gg, s, a):
    g, y = s
    return ext(B).tanh_backward(gg, y), gg * (ext(B).scale(y, -2) * g)


THRESHOLD_BACKWARD = Op(
    "threshold_backward",
    "ThresholdBackwardBackward0",
    lambda g, y, a: NUMPY.threshold_backward(g, y),
    lambda B, gg, s, a: (ext(B).threshold_backward(gg, s[0]), B.zeros_like(gg)),
    (1,),
)
SIGMOID_BACKWARD = Op(
    "sigmoid_backward",
    "SigmoidBackwardBackward0",
    lambda g, y, a: NUMPY.sigmoid_backward(g, y),
    _sigmoid_double,
    (0, 1),
)
TANH_BACKWARD = Op(
    "tanh_backward",
    "TanhBackwardBackward0",
    lambda g, y, a: NUMPY.tanh_backward(g, y),
    _tanh_double,
    (0, 1),
)

# ---- softmax gradients: inputs (grad, result), attrs the dim ----


def _softmax_double(B, gg, s, dim):
    """torch's softmax_double_backward for the result; the grad's part is the same kernel."""
    g, y = s
    b = ext(B)
    grad_output = b.softmax_backward_data(gg, y, dim)
    # `grad_output * grad - (output * grad_output).sum(dim, true) * grad
    #  - grad_output * (output * grad).sum(dim, true)`, built right operand first as C++ does
    last = g * b.sum_dim(y * gg, dim)
    middle = b.sum_dim(y * g, dim) * gg
    return grad_output, (g * gg - middle) - last


def _log_softmax_double(B, gg, s, dim):
    g, y = s
    b = ext(B)
    grad_output = gg - b.sum_dim(gg * B.exp(y), dim)
    exp = B.exp(y)  # `-grad_output.sum(dim, true) * output.exp() * grad`: right operand first
    return grad_output, -b.sum_dim(g, dim) * exp * gg


SOFTMAX_BACKWARD_DATA = Op(
    "_softmax_backward_data",
    "SoftmaxBackwardDataBackward0",
    lambda g, y, dim: NUMPY.softmax_backward_data(g, y, dim),
    _softmax_double,
    (0, 1),
)
LOG_SOFTMAX_BACKWARD_DATA = Op(
    "_log_softmax_backward_data",
    "LogSoftmaxBackwardDataBackward0",
    lambda g, y, dim: NUMPY.log_softmax_backward_data(g, y, dim),
    _log_softmax_double,
    (0, 1),
)

# ---- masks, scalars and scatters inside backward formulas ----

MASKED_FILL = Op(
    "masked_fill",
    "MaskedFillBackward0",
    lambda t, a: NUMPY.masked_fill(t, *a),
    lambda B, gg, s, a: (ext(B).masked_fill(gg, a[0], 0.0),),
)
ZEROS_MASKED_FILL = Op(
    "masked_fill",
    "MaskedFillBackward1",
    lambda zeros, value, mask: NUMPY.zeros_masked_fill(mask, value),
    # torch's masked_fill_backward for the value: grad.masked_select(mask).sum()
    lambda B, gg, s, mask: (None, _sum(B, masked_select(B, gg, mask))),
)
MASKED_SELECT = Op(
    "masked_select",
    "MaskedSelectBackward0",
    lambda t, mask: np.broadcast_to(t, mask.shape)[mask],
    lambda B, gg, s, mask: (masked_scatter_zeros(B, gg, mask),),
)
MASKED_SCATTER = Op(
    "masked_scatter",
    "MaskedScatterBackward0",
    lambda zeros, source, mask: _scattered(source, mask),
    lambda B, gg, s, mask: (None, masked_select(B, gg, mask)),
)
ADD_SCALAR = Op("add", "AddBackward1", np.add, lambda B, gg, s, c: (gg,))
SUB_SCALAR = Op("sub", "SubBackward1", np.subtract, lambda B, gg, s, c: (gg,))
DIV_SCALAR = Op(
    "div",
    "DivBackward1",
    quiet(lambda t, c: np.true_divide(t, c)),
    lambda B, gg, s, c: (ext(B).div_scalar(gg, c),),
)
SCATTER = Op(
    "scatter",
    "ScatterBackward0",
    lambda zeros, g, a: NUMPY.scatter_dim(g, *a),
    lambda B, gg, s, a: (None, ext(B).gather_dim(gg, a[0], a[1])),
)
GATHER = Op(
    "gather",
    "GatherBackward0",
    lambda t, a: NUMPY.gather_dim(t, a[0], a[1]),
    lambda B, gg, s, a: (ext(B).scatter_dim(gg, *a),),
)


def masked_fill(t: Tensor, mask: Any, value: float) -> Tensor:
    """`t` with `value` where `mask` holds (torch's `masked_fill_` inside a formula)."""
    return recorded(MASKED_FILL, (t,), (_mask(mask), value))


def zeros_masked_fill(mask: Any, value: Tensor) -> Tensor:
    """Zeros of `mask`'s shape holding the 0-d `value` where `mask` holds (MaskedFillBackward1)."""
    return recorded(ZEROS_MASKED_FILL, (None, value), _mask(mask))


def _sum(B, t: Any) -> Any:
    """The sum of all of `t` (SumBackward0 when recorded)."""
    return torch_sum(t) if B is NUMPY else t.sum()


def _scattered(source: np.ndarray, mask: np.ndarray) -> np.ndarray:
    out = np.zeros(mask.shape, source.dtype)
    out[mask] = source
    return out


def masked_select(B, t: Any, mask: Any) -> Any:
    """The elements of `t` where the bool array `mask` (same shape) holds, as a 1-d tensor
    (MaskedSelectBackward0 when recorded)."""
    if B is NUMPY:
        return np.broadcast_to(t, mask.shape)[mask]
    return recorded(MASKED_SELECT, (t,), mask)


def masked_scatter_zeros(B, source: Any, mask: Any) -> Any:
    """Zeros of `mask`'s shape with the 1-d `source` written where `mask` holds: torch's
    masked_select_backward (MaskedScatterBackward0 when recorded)."""
    if B is NUMPY:
        return _scattered(source, mask)
    return recorded(MASKED_SCATTER, (None, source), mask)


def in_place(B, product: Any, t: Any, other: Any) -> Any:
    """`t.mul_(other)` or `t.div_(other)` in torch's formula, `t` a tensor the formula just
    made: `product(t, other)`, whose node saves `t` as torch's in-place op does when `other`
    requires grad, through `self.clone()` (CloneBackward0, made after the op's node); a later
    create_graph backward differentiates through that clone."""
    out = product(t, other)
    if B is NUMPY or not (STATE.enabled and other._rg):
        return out
    node = out._fn
    node.saved = (_original_self(t, t.array, node.next_nodes[0]), *node.saved[1:])
    node.versions = (None, *node.versions[1:])
    node.arrays = None
    return out


def add_scalar(t: Tensor, c: Any) -> Tensor:
    """`t + c` for a Python number `c` (AddBackward1, one input)."""
    return recorded(ADD_SCALAR, (t,), c)


def sub_scalar(t: Tensor, c: Any) -> Tensor:
    """`t - c` for a Python number `c` (SubBackward1, one input)."""
    return recorded(SUB_SCALAR, (t,), c)


def div_scalar(t: Tensor, c: Any) -> Tensor:
    """`t / c` for a Python number `c` (DivBackward1, one input)."""
    return recorded(DIV_SCALAR, (t,), c)
