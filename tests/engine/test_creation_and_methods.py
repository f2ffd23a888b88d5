"""Differential tests against torch: creation functions, Tensor methods' argument handling,
reductions over values (max/min/amax/argmax/softmax) and printing options.

Each case runs the same code on engine and on torch and compares the outcome: the repr and dtype
of the result, or the type and text of the exception, and the warnings raised.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import engine

torch = pytest.importorskip("torch")

NAN = float("nan")


def outcome(lib, fn):
    """What `fn(lib)` gives: ("ok", repr, dtype) or ("exc", type name, text), plus warnings."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = fn(lib)
            value = ("ok", repr(result), str(getattr(result, "dtype", "")))
        except Exception as exc:  # noqa: BLE001 (the exception is what is compared)
            value = ("exc", type(exc).__name__, str(exc))
    return value, [(w.category.__name__, str(w.message)) for w in caught]


def same_as_torch(fn):
    """Assert engine and torch agree on `fn`."""
    assert outcome(engine, fn) == outcome(torch, fn)


def grads(lib, fn, data, gradient=None):
    """x.grad after fn(x).backward(gradient) for a float32 leaf x holding `data`."""
    x = lib.tensor(data, requires_grad=True)
    y = fn(x)
    y.backward(None if gradient is None else lib.tensor(gradient))
    return x.grad.numpy() if hasattr(x.grad, "numpy") else x.grad.array


# ---- G3: max()/min() of everything split the gradient between NaNs when the result is NaN ----

NAN_DATA = [[1.0, NAN, 3.0], [4.0, 5.0, 6.0], [NAN, NAN, 2.0]]


@pytest.mark.parametrize(
    "fn",
    [
        lambda x: x.max(),
        lambda x: x.min(),
        lambda x: x.amax(),
        lambda x: x.amax(1).sum(),
        lambda x: x.amin(0).sum(),
        lambda x: x.max(1)[0].sum(),
        lambda x: x.min(0)[0].sum(),
    ],
)
def test_nan_gradients_of_max_and_min(fn):
    expected = grads(torch, fn, NAN_DATA)
    np.testing.assert_array_equal(grads(engine, fn, NAN_DATA), expected)


@pytest.mark.parametrize("largest", [True, False])
def test_nan_values_and_indices_along_a_dim(largest):
    def pick(lib):
        x = lib.tensor(NAN_DATA)
        return x.max(1) if largest else x.min(0)

    same_as_torch(pick)


def test_full_max_with_infinite_gradient_leaves_exact_zeros():
    def fn(x):
        return x.max()

    expected = grads(torch, fn, [1.0, 2.0, 2.0], float("inf"))
    np.testing.assert_array_equal(grads(engine, fn, [1.0, 2.0, 2.0], float("inf")), expected)


def test_full_max_double_backward():
    def second(lib):
        x = lib.tensor([1.0, 2.0, 2.0], requires_grad=True)
        (g,) = lib.autograd.grad((x * x).max(), x, create_graph=True)
        g.sum().backward()
        return repr(g), repr(x.grad)

    assert second(engine) == second(torch)


# ---- items 1, 12, 13: reductions of 0-d and empty tensors, dims out of range or repeated ----

REDUCTION_CASES = [
    lambda t: t.tensor(2.0).amax(0),
    lambda t: t.tensor(2.0).amax((0,)),
    lambda t: t.tensor(2.0).amin(-1, keepdim=True),
    lambda t: t.tensor(2.0).amax(1),
    lambda t: t.tensor(2.0).amax([]),
    lambda t: t.tensor(2.0).amax((0, -1)),
    lambda t: t.tensor(2.0).max(1),
    lambda t: t.tensor(2.0).argmax(1),
    lambda t: t.tensor(2.0).argmax(0, keepdim=True),
    lambda t: t.ones(2, 3).amax((0, -2)),
    lambda t: t.ones(2, 3).amax((0, 1, 2)),
    lambda t: t.ones(2, 3).amax(None),
    lambda t: t.ones(0, 3).max(0),
    lambda t: t.ones(0, 3).min(-2),
    lambda t: t.ones(0, 3).max(1),
    lambda t: t.ones(2, 0, 3).max(-2),
    lambda t: t.ones(0).max(),
    lambda t: t.ones(0).amax(),
    lambda t: t.ones(0, 3).amin([]),
    lambda t: t.ones(0, 3).amax(None),
    lambda t: t.ones(0, 3).amax(-2),
    lambda t: t.ones(3, 0).amax((0, -1)),
    lambda t: t.ones(0, 0).amax((1, 0)),
    lambda t: t.ones(3, 0).amax(0),
    lambda t: t.ones(0, 3).amax(1, keepdim=True),
    lambda t: t.ones(0).argmax(),
    lambda t: t.ones(0, 3).argmin(keepdim=True),
    lambda t: t.ones(0, 3).argmax(-2),
    lambda t: t.ones(0, 3).argmax(1),
    lambda t: t.ones(0, 3).softmax(0),
    lambda t: t.ones(3, 0).log_softmax(1),
    lambda t: t.tensor(1.0).softmax(1),
    lambda t: t.tensor(1.0).log_softmax(-2),
    lambda t: t.tensor(1.0).softmax(-1),
    lambda t: t.nn.functional.softmax(t.tensor(1.0), 2),
]


@pytest.mark.parametrize("case", range(len(REDUCTION_CASES)))
def test_reductions_of_0d_and_empty_tensors(case):
    same_as_torch(REDUCTION_CASES[case])


@pytest.mark.parametrize(
    "fn",
    [
        lambda x: x.amax(0),
        lambda x: x.amin((-1,), keepdim=True),
        lambda x: x.max(0)[0],
        lambda x: x.softmax(0) * 3,
    ],
)
def test_gradients_of_0d_reductions(fn):
    np.testing.assert_array_equal(grads(engine, fn, 2.0), grads(torch, fn, 2.0))


def test_gradients_of_empty_reductions():
    def run(lib):
        x = lib.ones(2, 0, requires_grad=True)
        y = x.amax(0).sum() + x.max(0)[0].sum() + x.softmax(1).sum()
        y.backward()
        return repr(y), repr(x.grad)

    assert run(engine) == run(torch)
