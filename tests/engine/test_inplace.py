"""In-place ops: leaf errors, rebased grad_fn, version counters, saved-tensor checks, events."""

from __future__ import annotations

import pytest

import engine
from engine.observe import InPlaceModified, observe
from tests.engine.test_autograd_depth import outcome

torch = pytest.importorskip("torch")


def rebase_add(L, out):
    x = L.tensor([0.0, 1.0, 2.0, 3.0], requires_grad=True)
    y = x * 2
    y.add_(1)
    out.append(repr(y))
    y.sum().backward()
    out += [repr(x.grad), repr(y.grad_fn.next_functions[0][0].name())]


def augmented_assignments(L, out):
    x = L.tensor([1.0, 2.0, 3.0], requires_grad=True)
    w = L.tensor([0.5, 2.0, -1.0], requires_grad=True)
    y = x * 1
    y *= w
    y /= w + 2
    y -= x
    y += 1
    y.sub_(w, alpha=2)
    y.mul_(3)
    y.div_(2)
    out += [repr(y), str(y._version)]
    y.sum().backward()
    out += [repr(x.grad), repr(w.grad)]


def saved_input_modified(L, out):
    x = L.tensor([0.0, 1.0, 2.0, 3.0], requires_grad=True)
    y = x * 2
    z = y * y
    y.add_(1)
    y.add_(1)
    z.sum().backward()


def saved_output_modified_through_detach(L, out):
    x = L.tensor([0.0, 1.0], requires_grad=True)
    y = x.exp()
    y.detach().zero_()
    y.sum().backward()


def saved_leaf_modified_under_no_grad(L, out):
    a = L.ones(2, 3, requires_grad=True)
    b = a * a
    with L.no_grad():
        a.add_(1)
    out.append(repr(a))
    b.sum().backward()


def relu_saves_its_output(L, out):
    x = L.tensor([-1.0, 2.0], requires_grad=True)
    y = x * 2
    z = y.relu()
    y.add_(1)
    z.sum().backward()
    out.append(repr(x.grad))


def leaf_errors(L, out):
    x = L.tensor([1.0, 2.0, 3.0], requires_grad=True)
    for change in (
        lambda: x.add_(1),
        lambda: x.mul_(2),
        lambda: x.zero_(),
        lambda: x.__iadd__(1),
        lambda: x[:2].add_(1),
        lambda: x.__setitem__(0, 5.0),
    ):
        try:
            change()
        except RuntimeError as exc:
            out.append(str(exc))
    with L.no_grad():
        x -= 1
    out += [repr(x), str(x.is_leaf)]
    x.detach().add_(1)
    out.append(repr(x))


def versions_shared(L, out):
    a = L.ones(2)
    a.add_(1)
    a[0] = 3
    d = a.detach()
    d.add_(1)
    v = a[1:]
    v.mul_(2)
    out += [str(a._version), str(d._version), str(v._version), repr(a), str(a.data._version)]


def setitem_copy_slices(L, out):
    x = L.tensor([1.0, 2.0, 3.0], requires_grad=True)
    w = L.tensor(2.0, requires_grad=True)
    y = x * 2
    y[0] = w * 3
    y[1:] = 7.0
    out += [repr(y), y.grad_fn.name(), repr(y.grad_fn.next_functions[1])]
    (y * y).sum().backward()
    out += [repr(x.grad), repr(w.grad)]


def non_leaf_requires_grad(L, out):
    y = L.ones(2, requires_grad=True) * 2
    out.append(str(y.requires_grad_(True) is y))
    y.requires_grad = False


def zero_on_non_leaf(L, out):
    x = L.ones(2, requires_grad=True)
    y = x * 3
    y.zero_()
    out.append(repr(y))
    (y + x).sum().backward()
    out.append(repr(x.grad))


SCENARIOS = [
    rebase_add,
    augmented_assignments,
    saved_input_modified,
    saved_output_modified_through_detach,
    saved_leaf_modified_under_no_grad,
    relu_saves_its_output,
    leaf_errors,
    versions_shared,
    setitem_copy_slices,
    non_leaf_requires_grad,
    zero_on_non_leaf,
]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda f: f.__name__)
def test_matches_torch(scenario):
    assert outcome(scenario, engine) == outcome(scenario, torch)


def test_in_place_ops_emit_events():
    events = []
    y = engine.tensor([1.0, 2.0], requires_grad=True) * 2
    with observe(events.append):
        y += 1
        y.mul_(2)
        y[0] = 0.0
        y.zero_()
    changes = [e for e in events if isinstance(e, InPlaceModified)]
    assert [e.op for e in changes] == ["add_", "mul_", "__setitem__", "zero_"]
    assert changes[0].before.tolist() == [2.0, 4.0] and changes[0].tensor is y
    assert changes[2].before.tolist() == [6.0, 10.0]
