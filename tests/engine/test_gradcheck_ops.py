"""Property tests: random shapes and values, gradients checked by finite differences (float64)
and against torch. Uses `engine.autograd.gradcheck` when it exists, else a local check."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import engine
from engine import autograd

UNARY = {
    "sin": lambda x: x.sin(),
    "cos": lambda x: x.cos(),
    "tanh": lambda x: x.tanh(),
    "sigmoid": lambda x: x.sigmoid(),
    "relu": lambda x: x.relu(),
    "abs": lambda x: x.abs(),
    "sqrt": lambda x: (x * x + 0.5).sqrt(),
    "square": lambda x: x.square(),
    "clamp": lambda x: x.clamp(-0.5, 0.7),
    "clamp_min": lambda x: x.clamp_min(0.2),
    "max": lambda x: x.max(),
    "amax": lambda x: x.amax(-1),
    "max_dim": lambda x: x.max(0).values,
    "min_dim": lambda x: x.min(-1, keepdim=True).values,
    "softmax": lambda x: x.softmax(-1),
    "log_softmax": lambda x: x.log_softmax(0),
    "t_or_T": lambda x: x.t() if x.ndim <= 2 else x.transpose(0, 2),
    "permute": lambda x: x.permute(*reversed(range(x.ndim))),
    "unsqueeze_squeeze": lambda x: x.unsqueeze(0).squeeze(),
    "flatten": lambda x: x.flatten() * 2,
    "cat": lambda x: engine.cat([x, x.sin()], dim=-1),
    "stack": lambda x: engine.stack([x, x * x], dim=x.ndim),
    "clone": lambda x: x.clone() * x,
}
BINARY = {
    "maximum": lambda a, b: engine.maximum(a, b),
    "minimum": lambda a, b: engine.minimum(a, b),
    "add_alpha": lambda a, b: a.add(b, alpha=0.5),
    "sub_alpha": lambda a, b: a.sub(b, alpha=3),
    "where": lambda a, b: engine.where(a > b, a * b, a - b),
    "mse": lambda a, b: engine.nn.functional.mse_loss(a, b),
}

shapes = hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4)
values = st.floats(-3, 3, allow_nan=False, width=64)


def _numeric_check(fn, inputs, eps=1e-6, tol=1e-4):
    """Compare backward's gradient of sum(fn(*inputs) * w) with central differences."""
    for x in inputs:
        x.grad = None
    out = fn(*inputs)
    weights = np.linspace(0.5, 1.5, out.numel()).reshape(out.shape)
    (out * engine.tensor(weights)).sum().backward()
    for x in inputs:
        numeric = np.zeros_like(x.array)
        for i in np.ndindex(x.array.shape):
            old = x.array[i]
            x.array[i] = old + eps
            up = (fn(*inputs).array * weights).sum()
            x.array[i] = old - eps
            down = (fn(*inputs).array * weights).sum()
            x.array[i] = old
            numeric[i] = (up - down) / (2 * eps)
        np.testing.assert_allclose(x.grad.array, numeric, rtol=tol, atol=tol)


def _check(fn, inputs):
    gradcheck = getattr(autograd, "gradcheck", None)
    if gradcheck is not None:
        assert gradcheck(fn, tuple(inputs))
    else:
        _numeric_check(fn, inputs)


def _away_from_kinks(array, points=(0.0, -0.5, 0.7, 0.2)):
    """Move values off the points where an op is not differentiable, ties included: moving two
    values to the same point would make one, so such draws are discarded."""
    array = array + np.arange(array.size).reshape(array.shape) * 1e-3
    for p in points:
        array = np.where(np.abs(array - p) < 1e-3, p + 0.01, array)
    assume(array.size < 2 or np.diff(np.sort(array, axis=None)).min() > 1e-4)
    return array


@pytest.mark.parametrize("name", UNARY)
@settings(max_examples=15, deadline=None)
@given(data=st.data())
def test_unary_gradients(name, data):
    shape = data.draw(shapes)
    array = _away_from_kinks(data.draw(hnp.arrays(np.float64, shape, elements=values)))
    x = engine.tensor(array, requires_grad=True)
    _check(UNARY[name], [x])


@pytest.mark.parametrize("name", BINARY)
@settings(max_examples=15, deadline=None)
@given(data=st.data())
def test_broadcast_binary_gradients(name, data):
    shape_a, shape_b = data.draw(
        hnp.mutually_broadcastable_shapes(num_shapes=2, max_side=3)
    ).input_shapes
    a = data.draw(hnp.arrays(np.float64, shape_a, elements=values))
    b = data.draw(hnp.arrays(np.float64, shape_b, elements=values)) + 0.05
    if name == "mse" and shape_a != shape_b:
        shape_b = shape_a
        b = a + 0.3
    assume(np.abs(np.subtract(a, b)).min(initial=1.0) > 1e-3)  # a tie is where's branch point
    inputs = [engine.tensor(a, requires_grad=True), engine.tensor(b, requires_grad=True)]
    _check(BINARY[name], inputs)


@settings(max_examples=20, deadline=None)
@given(n=st.integers(1, 4), k=st.integers(1, 4), m=st.integers(1, 4), data=st.data())
def test_matmul_gradients(n, k, m, data):
    a = data.draw(hnp.arrays(np.float64, (n, k), elements=values))
    b = data.draw(hnp.arrays(np.float64, (k, m), elements=values))
    v = data.draw(hnp.arrays(np.float64, (k,), elements=values))
    A, Bm, V = (engine.tensor(x, requires_grad=True) for x in (a, b, v))
    _check(lambda p, q: p @ q, [A, Bm])
    _check(lambda p, q: p @ q, [A, V])
    _check(lambda p, q: p @ q, [V, Bm])
    _check(lambda p, q: engine.outer(p, q), [V, engine.tensor(a[0], requires_grad=True)])


@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_values_match_torch_on_random_shapes(data):
    torch = pytest.importorskip("torch")
    shape = data.draw(shapes)
    array = data.draw(hnp.arrays(np.float32, shape, elements=st.floats(-5, 5, width=32)))
    for name in ("sin", "tanh", "sigmoid", "relu", "abs", "softmax", "log_softmax", "max_dim"):
        fn = UNARY[name]
        e, t = fn(engine.tensor(array)), fn(torch.tensor(array))
        np.testing.assert_allclose(e.numpy(), t.numpy(), rtol=1e-5, atol=1e-6, err_msg=name)
        assert repr(e.dtype) == repr(t.dtype)
