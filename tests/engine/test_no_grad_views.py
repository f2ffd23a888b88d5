"""Views made under no_grad of a tensor that requires grad, compared with torch.

torch gives such a view `requires_grad=True` but no grad_fn and no gradient edge: ops on it record
nodes whose edge to it is `(None, 0)`, so no gradient reaches it or its base. Changing it (or a view
of it) in place with grad mode on is an error.
"""

from __future__ import annotations

import pytest

import engine
from tests.engine.test_autograd_depth import outcome

torch = pytest.importorskip("torch")

VIEWS = [
    lambda x: x[0:1],
    lambda x: x[0],
    lambda x: x.view(2),
    lambda x: x.reshape(2),
    lambda x: x.unsqueeze(0),
    lambda x: x.unsqueeze(0).t(),
    lambda x: x.expand(2),
]


def _edges(node) -> list:
    return [None if n is None else n.name() for n, _ in node.next_functions]


@pytest.mark.parametrize("make_view", VIEWS)
def test_view_requires_grad_without_a_grad_fn(make_view):
    def scenario(L, out):
        x = L.ones(2, requires_grad=True)
        with L.no_grad():
            v = make_view(x)
        m = v * 2
        out += [repr(v), repr(v.requires_grad), repr(v.is_leaf), repr(v.grad_fn), repr(m)]
        out += [repr(_edges(m.grad_fn))]
        m.sum().backward()
        out += [repr(x.grad), repr(v.grad)]

    assert outcome(scenario, engine) == outcome(scenario, torch)


def test_gradient_for_such_a_view_is_unused():
    def scenario(L, out):
        x = L.ones(2, requires_grad=True)
        with L.no_grad():
            v = x[0:1]
        out.append(repr(v.detach().requires_grad))
        L.autograd.grad((v * 2).sum(), v)

    assert outcome(scenario, engine) == outcome(scenario, torch)


@pytest.mark.parametrize("base_is_leaf", [True, False])
def test_in_place_change_with_grad_mode_on_is_an_error(base_is_leaf):
    def scenario(L, out):
        x = L.ones(2, requires_grad=True)
        base = x if base_is_leaf else x * 1
        with L.no_grad():
            v = base[0:1]
            v.add_(1)  # allowed: both in no_grad
        out.append(repr(base))
        v.mul_(2)

    assert outcome(scenario, engine) == outcome(scenario, torch)


def test_in_place_change_of_a_view_of_such_a_view_is_an_error():
    def scenario(L, out):
        x = L.ones(2, requires_grad=True) * 1
        with L.no_grad():
            v = x[0:2]
        w = v[0:1]
        out += [repr(w), repr(_edges(w.grad_fn))]
        w.add_(1)

    assert outcome(scenario, engine) == outcome(scenario, torch)


@pytest.mark.parametrize(
    "statement", ["v[0] = 1", "v[0:1] = 2", "v[None] = 3", "v.zero_()", "v[v > 0] = 1"]
)
def test_assignment_through_such_a_view_is_an_error(statement):
    def scenario(L, out):
        x = L.ones(2, 2, requires_grad=True) * 1
        with L.no_grad():
            v = x[0:2]
        {
            "v[0] = 1": lambda: v.__setitem__(0, 1),
            "v[0:1] = 2": lambda: v.__setitem__(slice(0, 1), 2),
            "v[None] = 3": lambda: v.__setitem__(None, 3),
            "v.zero_()": v.zero_,
            "v[v > 0] = 1": lambda: v.__setitem__(v > 0, 1),
        }[statement]()

    assert outcome(scenario, engine) == outcome(scenario, torch)


def test_views_of_tensors_without_grad_and_copies_are_unaffected():
    def scenario(L, out):
        x = L.ones(2, 2, requires_grad=True)
        with L.no_grad():
            copy = x.t().reshape(4)  # not viewable: a copy, which does not require grad
            plain = L.ones(2)[0:1]
        out += [repr(copy.requires_grad), repr(plain.requires_grad)]
        plain.add_(1)
        out.append(repr(plain))

    assert outcome(scenario, engine) == outcome(scenario, torch)


def test_no_grad_view_of_a_view_follows_its_root_base():
    """torch's view bookkeeping uses the root base: once it is detached in place, a view made
    from an intermediate view under no_grad may change under no_grad without an error."""

    def scenario(L, out):
        b = L.tensor([1.0, 2.0, 3.0], requires_grad=True) * 1
        v = b[:]
        v.mul_(2)
        with L.no_grad():
            s = v[:]
        b.detach_()
        with L.no_grad():
            s.mul_(0.5)
        out += [repr(s.is_leaf), repr(s.grad_fn), repr(b)]

    assert outcome(scenario, engine) == outcome(scenario, torch)


def test_no_grad_view_of_a_base_detached_in_place_may_change():
    def scenario(L, out):
        b = L.tensor([1.0, 2.0, 3.0], requires_grad=True) * 1
        with L.no_grad():
            s = b[:]
        b.detach_()
        s.mul_(0.5)
        out.append(repr(b.sum().item()))

    assert outcome(scenario, engine) == outcome(scenario, torch)


@pytest.mark.parametrize("change", ["mul_", "zero_", "setitem"])
def test_view_made_before_its_base_required_grad_is_refused(change):
    """The view follows its base's requires_grad: it is a view of a leaf that requires grad."""

    def scenario(L, out):
        x = L.tensor([1.0, 2.0, 3.0])
        v = x[1:]
        x.requires_grad_()
        try:
            {"mul_": lambda: v.mul_(2), "zero_": v.zero_, "setitem": lambda: v.__setitem__(0, 5.0)}[
                change
            ]()
        finally:
            out.append(repr(x))

    assert outcome(scenario, engine) == outcome(scenario, torch)
