"""Property tests: random graphs against finite differences, accumulation, stepping = backward."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import engine
from engine.autograd import backward_steps, gradcheck

UNARY = {
    "exp": lambda t: (t * 0.3).exp(),
    "tanh": lambda t: t.tanh(),
    "sigmoid": lambda t: t.sigmoid(),
    "square": lambda t: t * t,
    "neg": lambda t: -t,
}
BINARY = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / (b * b + 1),
}
shapes = st.sampled_from([(), (3,), (2, 3)])
steps = st.lists(
    st.tuples(st.sampled_from(sorted(UNARY) + sorted(BINARY)), st.integers(0, 10)),
    min_size=1,
    max_size=8,
)


def build(program, leaves):
    """Apply `program` to the leaves: each step combines earlier values (a DAG, with reuse)."""
    values = list(leaves)
    for name, pick in program:
        a = values[pick % len(values)]
        if name in UNARY:
            values.append(UNARY[name](a))
        else:
            b = values[(pick * 7 + 1) % len(values)]
            values.append(BINARY[name](a, b))
    return values[-1].sum() + values[-1].sum() * 0.5


def grad_of(t):
    """The leaf's gradient as an array (zeros when backward never reached it)."""
    return np.zeros(t.array.shape, t.dtype.np) if t.grad is None else t.grad.array


def leaves_for(shape, seed, dtype=engine.float64):
    rng = np.random.default_rng(seed)
    return [
        engine.tensor(rng.uniform(-1.5, 1.5, shape), dtype=dtype, requires_grad=True)
        for _ in range(2)
    ]


@settings(max_examples=40, deadline=None)
@given(program=steps, shape=shapes, seed=st.integers(0, 1000))
def test_backward_equals_finite_differences(program, shape, seed):
    leaves = leaves_for(shape, seed)
    assert gradcheck(lambda a, b: build(program, [a, b]), tuple(leaves))


@settings(max_examples=25, deadline=None)
@given(program=steps, shape=shapes, seed=st.integers(0, 1000), times=st.integers(2, 3))
def test_gradients_accumulate(program, shape, seed, times):
    leaves = leaves_for(shape, seed)
    build(program, leaves).backward()
    once = [grad_of(t).copy() for t in leaves]
    for _ in range(times - 1):
        build(program, leaves).backward()
    for t, g in zip(leaves, once, strict=True):
        np.testing.assert_allclose(grad_of(t), g * times, rtol=1e-12, atol=1e-12)


@settings(max_examples=25, deadline=None)
@given(program=steps, shape=shapes, seed=st.integers(0, 1000))
def test_draining_backward_steps_equals_backward(program, shape, seed):
    first, second = leaves_for(shape, seed, engine.float32), leaves_for(shape, seed, engine.float32)
    build(program, first).backward()
    executed = [step.node.name() for step in backward_steps(build(program, second))]
    assert executed and executed[-1] == "torch::autograd::AccumulateGrad"
    for a, b in zip(first, second, strict=True):
        assert grad_of(a).tobytes() == grad_of(b).tobytes()


@settings(max_examples=25, deadline=None)
@given(program=steps, shape=shapes, seed=st.integers(0, 1000))
def test_grad_equals_backward(program, shape, seed):
    leaves = leaves_for(shape, seed)
    grads = engine.autograd.grad(build(program, leaves), leaves, allow_unused=True)
    build(program, leaves).backward()
    for g, t in zip(grads, leaves, strict=True):
        np.testing.assert_array_equal(np.zeros(t.array.shape) if g is None else g.array, grad_of(t))
