"""torch.autograd.gradcheck (its default slow mode): backward's Jacobians against central
differences, with torch's checks, warnings and messages."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from engine import factories
from engine.autograd import grad
from engine.dtypes import float64, from_numpy
from engine.tensor import Tensor, wrap

GRADCHECK_NO_INPUT = (
    "gradcheck expects at least one input tensor to require gradient, but none of them have "
    "requires_grad=True."
)
GRADCHECK_NOT_DOUBLE = (
    "Input #{} requires gradient and is not a double precision floating point or complex. This "
    "check will likely fail if all the inputs are not of double precision floating point or "
    "complex. "
)
GRADCHECK_STRIDE_0 = (
    "The {}th input has a dimension with stride 0. gradcheck only supports inputs that are "
    "non-overlapping to be able to compute the numerical gradients correctly. You should call "
    ".contiguous on the input before passing it to gradcheck."
)


class GradcheckError(RuntimeError):
    """Analytical and numerical gradients differ (torch.autograd.gradcheck.GradcheckError)."""


def gradcheck(
    func: Any,
    inputs: Any,
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
) -> bool:
    """torch.autograd.gradcheck (its default slow mode): compare backward's Jacobians with
    central differences, computed in the inputs' and outputs' own dtypes (use float64 inputs).
    Jacobians are laid out [input element, output element], as in torch's messages."""
    try:
        return _gradcheck(func, inputs, eps, atol, rtol)
    except GradcheckError:
        if raise_exception:
            raise
        return False


def _gradcheck(func: Any, inputs: Any, eps: float, atol: float, rtol: float) -> bool:
    inputs = _gradcheck_tuple(inputs)
    wrt = [inputs[i] for i in _gradcheck_inputs(inputs)]
    func_out = _gradcheck_tuple(func(*inputs))
    outputs = [o for o in func_out if o.requires_grad]
    numerical = [_numerical(func, inputs, t, func_out, eps) for t in wrt]  # [input][output]
    if not outputs:
        if any(np.any(j != 0) for per_input in numerical for j in per_input):
            raise GradcheckError("Numerical gradient for function expected to be zero")
        return True
    differentiable = [k for k, o in enumerate(func_out) if o.requires_grad]
    for i, (k, out) in enumerate(zip(differentiable, outputs, strict=True)):
        for j, a in enumerate(_analytical(out, wrt)):
            n = numerical[j][k]
            if not _allclose(a, n, rtol, atol):
                raise GradcheckError(
                    f"Jacobian mismatch for output {i} with respect to input {j},\n"
                    f"numerical:{_shown(n)}\nanalytical:{_shown(a)}\n"
                )
    _check_zero_grad_outputs(outputs, wrt)
    return True


def _gradcheck_tuple(x: Any) -> tuple:
    return x if isinstance(x, tuple) else tuple(x) if isinstance(x, list) else (x,)


def _gradcheck_inputs(inputs: tuple) -> list[int]:
    """Positions of the inputs requiring grad, checked and warned about as torch does."""
    wrt = [i for i, t in enumerate(inputs) if isinstance(t, Tensor) and t.requires_grad]
    for i in wrt:
        array = inputs[i].array
        if inputs[i].dtype is not float64:
            warnings.warn(GRADCHECK_NOT_DOUBLE.format(i), UserWarning, stacklevel=4)
        if any(st == 0 and n > 1 for st, n in zip(array.strides, array.shape, strict=True)):
            raise RuntimeError(GRADCHECK_STRIDE_0.format(i))
    if not wrt:
        raise ValueError(GRADCHECK_NO_INPUT)
    return wrt


def _numerical(func: Any, inputs: tuple, t: Tensor, outputs: tuple, eps: float) -> list:
    """d(each output)/d(t) by central differences, [t element, output element], in the
    outputs' dtypes. As in torch, `t`'s own values are perturbed (a function that reads `t`
    from a closure sees it too) and restored."""
    array = t.array
    rows = []
    for index in np.ndindex(array.shape):
        value = array[index]
        array[index] = value - eps  # rounded in the input's dtype, as torch does
        before = _output_arrays(func, inputs)
        array[index] = value + eps
        after = _output_arrays(func, inputs)
        array[index] = value
        rows.append([((b - a) / (2 * eps)).ravel() for a, b in zip(before, after, strict=True)])
    return [
        np.array([row[k] for row in rows], out.dtype.np).reshape(array.size, out.array.size)
        for k, out in enumerate(outputs)
    ]


def _output_arrays(func: Any, inputs: tuple) -> list[np.ndarray]:
    return [o.array.copy() for o in _gradcheck_tuple(func(*inputs))]


def _analytical(out: Tensor, wrt: list) -> list[np.ndarray]:
    """Backward's Jacobians of `out`, one per input, [input element, output element], in the
    input's dtype; a column per vector-Jacobian product with a one-hot gradient."""
    jacobians = [np.zeros((t.array.size, out.array.size), t.dtype.np) for t in wrt]
    for j in range(out.array.size):
        onehot = np.zeros(out.array.size, out.dtype.np)
        onehot[j] = 1
        g = wrap(onehot.reshape(out.array.shape), out.dtype)
        grads = grad(out, wrt, g, retain_graph=True, allow_unused=True)
        for jacobian, gi in zip(jacobians, grads, strict=True):
            if gi is not None:
                jacobian[:, j] = gi.array.ravel()
    return jacobians


def _allclose(a: np.ndarray, b: np.ndarray, rtol: float, atol: float) -> bool:
    """torch.allclose after promoting both to one dtype (NaN is never close)."""
    dtype = np.promote_types(a.dtype, b.dtype)
    a, b = a.astype(dtype), b.astype(dtype)
    error = np.abs(a - b)
    return bool(np.all((a == b) | (np.isfinite(error) & (error <= atol + np.abs(rtol * b)))))


def _check_zero_grad_outputs(outputs: list, wrt: list) -> None:
    """torch's last check: zero output gradients must give zero input gradients."""
    zeros = [factories.zeros_like(o) for o in outputs]
    for g in grad(outputs, wrt, zeros, allow_unused=True):
        if g is not None and np.any(g.array != 0):
            raise GradcheckError("backward not multiplied by grad_output")


def _shown(jacobian: np.ndarray) -> str:
    return repr(wrap(jacobian, from_numpy(jacobian.dtype)))
