"""register_hook, retain_grad and the non-leaf .grad warning, compared with torch."""

from __future__ import annotations

import warnings

import pytest

import engine
from tests.engine.test_autograd_depth import outcome

torch = pytest.importorskip("torch")


def leaf_hooks_in_order(L, out):
    x = L.tensor([1.0, 2.0], requires_grad=True)
    h1 = x.register_hook(lambda g: out.append("h1 " + repr(g)) or g * 2)
    x.register_hook(lambda g: out.append("h2 " + repr(g)))
    x.sum().backward()
    out.append(repr(x.grad))
    h1.remove()
    h1.remove()
    x.sum().backward()
    out.append(repr(x.grad))


def leaf_hook_changes_accumulation(L, out):
    x = L.ones(3, requires_grad=True)
    x.register_hook(lambda g: g * 10)
    (x * 2).sum().backward()
    out.append(repr(x.grad))


def non_leaf_hook_and_retain(L, out):
    x = L.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 2
    y.retain_grad()
    y.register_hook(lambda g: g + 1)
    (y * y).sum().backward()
    out += [repr(x.grad), repr(y.grad), str(y.retains_grad), str(x.retains_grad)]
    x.retain_grad()
    out.append(str(x.retains_grad))


def retain_twice_accumulates(L, out):
    x = L.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    y.retain_grad()
    z = (y * y).sum()
    z.backward(retain_graph=True)
    z.backward()
    out.append(repr(y.grad))


def hook_in_grad(L, out):
    x = L.tensor([1.0, 2.0], requires_grad=True)
    y = x * 3
    y.register_hook(lambda g: g * 0 + 1)
    out.append(repr(L.autograd.grad((y * y).sum(), x)))


def hook_without_grad(L, out):
    L.ones(2).register_hook(lambda g: g)


def retain_without_grad(L, out):
    L.ones(2).retain_grad()


SCENARIOS = [
    leaf_hooks_in_order,
    leaf_hook_changes_accumulation,
    non_leaf_hook_and_retain,
    retain_twice_accumulates,
    hook_in_grad,
    hook_without_grad,
    retain_without_grad,
]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda f: f.__name__)
def test_matches_torch(scenario):
    assert outcome(scenario, engine) == outcome(scenario, torch)


def test_non_leaf_grad_warning_only_without_retain_grad():
    x = engine.ones(2, requires_grad=True)
    y = x * 2
    with pytest.warns(UserWarning, match="^The .grad attribute of a Tensor that is not a leaf"):
        assert y.grad is None
    y.retain_grad()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert y.grad is None
        assert (engine.ones(2) * 2).grad is None


def test_handle_is_a_context_manager():
    x = engine.ones(2, requires_grad=True)
    with x.register_hook(lambda g: g * 5):
        x.sum().backward()
    x.sum().backward()
    assert x.grad.tolist() == [6.0, 6.0]
