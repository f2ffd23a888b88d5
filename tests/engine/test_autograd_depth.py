"""autograd.grad, backward(inputs=), create_graph and gradcheck, compared with torch."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import engine
from engine.autograd import GradcheckError, gradcheck

torch = pytest.importorskip("torch")


ERRORS = (RuntimeError, TypeError, ValueError, IndexError)


def outcome(scenario, lib) -> list[str]:
    """What a scenario prints (reprs, names, error type and text), with `lib` as torch."""
    lines: list[str] = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            scenario(lib, lines)
        except ERRORS as exc:
            lines.append(f"{type(exc).__name__}: {exc}")
    return lines


def higher_order(L, out):
    x = L.tensor(2.0, requires_grad=True)
    (g1,) = L.autograd.grad(x**4, x, create_graph=True)
    (g2,) = L.autograd.grad(g1, x, create_graph=True)
    (g3,) = L.autograd.grad(g2, x)
    out += [repr(g1), repr(g2), repr(g3), repr(x.grad)]
    L.autograd.grad(g3, x)


def sine_and_vector(L, out):
    x = L.tensor(1.0, requires_grad=True)
    (g1,) = L.autograd.grad(x.sin(), x, create_graph=True)
    out += [repr(g1), repr(L.autograd.grad(g1, x))]
    v = L.tensor([0.0, 1.0, 2.0], requires_grad=True)
    (g,) = L.autograd.grad((v**2).sum(), v, create_graph=True)
    out += [repr(g), repr(L.autograd.grad(g.sum(), v))]
    out.append(repr(L.autograd.grad(v**2, v, grad_outputs=L.ones(3))))
    L.autograd.grad(v**2, v)


def unused_inputs(L, out):
    x, w = L.tensor([0.0, 1.0, 2.0], requires_grad=True), L.ones(3, requires_grad=True)
    out.append(repr(L.autograd.grad((x**2).sum(), [x, w], allow_unused=True)))
    L.autograd.grad((x**2).sum(), [x, w])


def input_without_grad(L, out):
    x = L.tensor([0.0, 1.0], requires_grad=True)
    L.autograd.grad((x**2).sum(), [x, L.ones(2)])


def second_grad_call(L, out):
    x = L.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    out.append(repr(L.autograd.grad(y, x, retain_graph=True)))
    out.append(repr(L.autograd.grad(y, x)))
    L.autograd.grad(y, x)


def non_leaf_input(L, out):
    x = L.tensor([1.0, 2.0], requires_grad=True)
    y = x * 3
    out.append(repr(L.autograd.grad((y * y).sum(), [y, x])))


def create_graph_backward(L, out):
    x = L.tensor(3.0, requires_grad=True)
    (x**3).backward(create_graph=True)
    g = x.grad
    out += [repr(g), g.grad_fn.name(), repr(g.grad_fn.next_functions[0])]
    x.grad = None
    g.backward()
    out.append(repr(x.grad))


def backward_inputs(L, out):
    x, w = L.tensor([1.0, 2.0], requires_grad=True), L.tensor([3.0, 4.0], requires_grad=True)
    (x * w).sum().backward(inputs=[w])
    out += [repr(x.grad), repr(w.grad)]
    y = x * 2
    (y * y).sum().backward(inputs=[x])
    out.append(repr(x.grad))


def indexing_twice(L, out):
    for index in ([0, 0, 1], 1, slice(1, None)):
        x = L.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = x[index]
        (g,) = L.autograd.grad((y * y).sum(), x, create_graph=True)
        out += [repr(g), repr(L.autograd.grad(g.sum(), x))]


SCENARIOS = [
    higher_order,
    sine_and_vector,
    unused_inputs,
    input_without_grad,
    second_grad_call,
    non_leaf_input,
    create_graph_backward,
    backward_inputs,
    indexing_twice,
]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda f: f.__name__)
def test_matches_torch(scenario):
    assert outcome(scenario, engine) == outcome(scenario, torch)


def test_create_graph_backward_warns():
    engine.once.forget()  # torch warns once per process; an earlier test may have used it up
    x = engine.tensor(3.0, requires_grad=True)
    with pytest.warns(UserWarning, match="^Using backward\\(\\) with create_graph=True will"):
        (x**3).backward(create_graph=True)


def test_grad_leaves_dot_grad_alone():
    x = engine.tensor([1.0, 2.0], requires_grad=True)
    (x * x).sum().backward()
    before = x.grad.tolist()
    engine.autograd.grad((x * x).sum(), x)
    assert x.grad.tolist() == before


def test_gradcheck_passes_and_fails():
    x = engine.tensor(np.linspace(0.5, 2.0, 5), requires_grad=True)
    w = engine.tensor(np.linspace(-1.0, 1.0, 5), requires_grad=True)
    assert gradcheck(lambda a, b: (a * b).exp() / (a + 3), (x, w))
    assert gradcheck(lambda a: a[[0, 0, 2]] * a[1:4].sum(), (x,))

    def wrong(a):
        return a * engine.tensor(a.detach().array * 0 + 2.0)

    assert gradcheck(wrong, (x,))
    bad = lambda a: a.detach() * a  # noqa: E731 (gradient misses the detached factor)
    assert gradcheck(bad, (x,), raise_exception=False) is False
    with pytest.raises(GradcheckError, match="^Jacobian mismatch for output 0 with respect to"):
        gradcheck(bad, (x,))
