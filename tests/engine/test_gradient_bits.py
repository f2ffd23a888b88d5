"""Gradients equal to PyTorch's bit for bit where numpy's defaults would differ: the sign of
zero in summed and scattered gradients, and the dtype a mixed-dtype rule computes in."""

from __future__ import annotations

import numpy as np
import pytest

import engine

torch = pytest.importorskip("torch")

X = "x = L.tensor([0., 1., 2.], requires_grad=True); "
W = "w = L.tensor([0.16666667, 0.3333333, 0.7], requires_grad=True); "
CASES = {
    # -0. + -0. is -0.: gradients that meet in a sum keep the sign
    "summed -0.": X + "(x * x).backward(L.tensor([-1., 1., 1.])); out = x.grad",
    # select and slice backward copy the gradient into zeros, index backward adds it
    "select -0.": X + "(x[1] * -0.).backward(); out = x.grad",
    "slice -0.": "x = L.ones(2, 2, requires_grad=True); (x[:, 0] * -0.).sum().backward(); "
    "out = x.grad",
    "index -0.": X + "(x[[0, 0]] * -0.).sum().backward(); out = x.grad",
    # an int64 operand: torch computes the rule in float32, numpy would in float64
    "int / float": W + "(L.tensor([-5, 7, 3]) / w).sum().backward(); out = w.grad",
    "int * float": W + "(L.tensor([17, 3, -9]) * w).sum().backward(); out = w.grad",
    "float ** int": W + "(w ** L.tensor([3, 2, 5])).sum().backward(); out = w.grad",
    "int ** float": W + "(L.tensor([3, 2, 5]) ** w).sum().backward(); out = w.grad",
    "0-d float64": W + "(w * L.tensor(0.1, dtype=L.float64)).sum().backward(); out = w.grad",
    "bool exponent": "x = L.tensor(2., requires_grad=True); (x ** L.tensor(True)).backward(); "
    "out = x.grad",
}


def run(L, src: str):
    """The bits, dtype and shape of `out`, or the error `src` raises."""
    namespace = {"L": L}
    try:
        exec(src, namespace)  # noqa: S102 (test-only: one snippet for both libraries)
    except Exception as error:  # noqa: BLE001 (the error is what is compared)
        return type(error).__name__, str(error)
    array = namespace["out"].detach().numpy()
    return array.tobytes(), str(array.dtype), array.shape


@pytest.mark.parametrize("name", CASES)
def test_gradient_bits_like_torch(name):
    assert run(engine, CASES[name]) == run(torch, CASES[name])


def test_random_int_operands_give_torchs_float32_gradients():
    rng = np.random.default_rng(6)
    ints, floats = rng.integers(-50, 50, 500), rng.standard_normal(500).astype(np.float32)
    grads = []
    for L in (engine, torch):
        w = L.tensor(floats, requires_grad=True)
        (L.tensor(ints) / w + L.tensor(ints) * w).sum().backward()
        grads.append(w.grad.numpy())
    np.testing.assert_array_equal(*grads)
