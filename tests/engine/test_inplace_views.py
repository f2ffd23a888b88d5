"""In-place changes of views of non-leaves (CopySlices, AsStridedBackward0), other views of a
tensor changed in place, and retain_grad or hooks across an in-place rebase, compared with torch."""

from __future__ import annotations

import re

import pytest

import engine
from tests.engine.test_autograd_depth import outcome

torch = pytest.importorskip("torch")


def _chain(t) -> list[str]:
    """grad_fn names along the first edge, as far as it goes."""
    names, node = [], t.grad_fn
    while node is not None:
        names.append(node.name())
        node = node.next_functions[0][0] if node.next_functions else None
    return names


def retain_grad_survives_add(L, out):
    a = L.tensor([1.0, 2.0], requires_grad=True)
    b = a * 1
    b.retain_grad()
    b += 1
    (b * 2).sum().backward()
    out += [repr(b.grad), repr(a.grad), repr(b.retains_grad)]


def retain_grad_survives_two_ops(L, out):
    a = L.tensor([1.0, 2.0], requires_grad=True)
    c = a * 1
    c.retain_grad()
    c.add_(1)
    c.mul_(2)
    c.sum().backward()
    out += [repr(c.grad), repr(c.retains_grad)]


def hooks_stay_after_rebase(L, out):
    a = L.tensor([1.0, 2.0], requires_grad=True)
    b = a * 1
    b.register_hook(lambda g: out.append("first " + repr(g)))
    b += 1
    b.register_hook(lambda g: out.append("second " + repr(g)))
    b *= 3
    (b * 2).sum().backward()
    out.append(repr(a.grad))


def mul_on_slice(L, out):
    a = L.tensor([1.0, 2.0, 3.0], requires_grad=True)
    b = a * 2
    v = b[1:]
    v.mul_(3)
    out += [repr(b), repr(v), *_chain(b), *_chain(v)]
    b.sum().backward()
    out.append(repr(a.grad))


def use_the_view_after(L, out):
    a = L.tensor([1.0, 2.0, 3.0], requires_grad=True)
    b = a * 2
    v = b[1:]
    v.mul_(3)
    (v * 5).sum().backward()
    out.append(repr(a.grad))


def setitem_on_a_view(L, out):
    a = L.tensor([1.0, 2.0, 3.0], requires_grad=True)
    w = L.tensor(7.0, requires_grad=True)
    b = a * 2
    v = b[:2]
    v[0] = w * 2
    out += [repr(b), repr(v), *_chain(b), *_chain(v)]
    (b * L.tensor([1.0, 2.0, 3.0])).sum().backward()
    out += [repr(a.grad), repr(w.grad)]


def zero_through_reshape(L, out):
    a = L.tensor([1.0, 2.0, 3.0], requires_grad=True)
    b = a * 2
    v = b.view(3, 1)
    v.zero_()
    out += [repr(b), repr(v)]
    b.sum().backward()
    out.append(repr(a.grad))


def add_tensor_to_a_row(L, out):
    a = L.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    w = L.tensor([10.0, 20.0], requires_grad=True)
    b = a.sin()
    r = b.t()[1]
    r.add_(w * w)
    out += [repr(b), repr(r), repr(b.grad_fn.next_functions)]
    (b * b).sum().backward()
    out += [repr(a.grad), repr(w.grad)]


def view_of_a_base_without_grad(L, out):
    w = L.tensor([1.0, 2.0], requires_grad=True)
    b = L.zeros(2, 3)
    b[:, 1].add_(w)
    out += [repr(b), *_chain(b)]
    b.sum().backward()
    out.append(repr(w.grad))


def retain_grad_on_view_and_base(L, out):
    a = L.tensor([1.0, 2.0, 3.0], requires_grad=True)
    b = a.clone()
    b.retain_grad()
    v = b[1:]
    v.retain_grad()
    v += 1
    (b * b).sum().backward()
    out += [repr(b.grad), repr(v.grad), repr(a.grad)]


def second_backward_through_copy_slices(L, out):
    a = L.tensor([1.0, 2.0, 3.0], requires_grad=True)
    b = a * 2
    b[1:].mul_(a[:2] * 3)
    b.sum().backward()
    out.append(repr(a.grad))
    b.sum().backward()


def other_view_after_base_changes(L, out):
    x = L.ones(4, requires_grad=True)
    y = x * 1
    v = y[:2]
    w = y[1:3].t()
    y.mul_(2)
    out += [repr(v), *_chain(v), *_chain(w)]
    (v.sum() + (w * w).sum()).backward()
    out.append(repr(x.grad))


def other_view_after_a_view_changes(L, out):
    x = L.ones(2, 3, requires_grad=True)
    y = x * 1
    row0, col = y[0], y[:, 1]
    y[1].add_(5)
    row0.mul_(3)
    out += [*_chain(row0), *_chain(col), repr(col)]
    (col * col).sum().backward()
    out.append(repr(x.grad))


def view_of_a_view_and_hooks_after_change(L, out):
    x = L.ones(4, requires_grad=True)
    y = x * 2
    v = y[:3]
    w = v[1:]
    y.add_(1)
    w.retain_grad()
    w.register_hook(lambda g: g * 10)
    (w * 3).sum().backward()
    out += [*_chain(w), repr(w.grad), repr(x.grad)]


def view_made_after_the_change_keeps_its_node(L, out):
    x = L.ones(3, requires_grad=True)
    y = x * 1
    y.mul_(2)
    v = y[1:]
    out += _chain(v)
    with L.no_grad():
        y.add_(1)
    out += _chain(v)
    v.sum().backward()
    out.append(repr(x.grad))


SCENARIOS = [
    other_view_after_base_changes,
    other_view_after_a_view_changes,
    view_of_a_view_and_hooks_after_change,
    view_made_after_the_change_keeps_its_node,
    retain_grad_survives_add,
    retain_grad_survives_two_ops,
    hooks_stay_after_rebase,
    mul_on_slice,
    use_the_view_after,
    setitem_on_a_view,
    zero_through_reshape,
    add_tensor_to_a_row,
    view_of_a_base_without_grad,
    retain_grad_on_view_and_base,
    second_backward_through_copy_slices,
]


def _clean(lines: list[str]) -> list[str]:
    return [re.sub(r"0x[0-9a-f]+", "0x", line) for line in lines]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda f: f.__name__)
def test_matches_torch(scenario):
    assert _clean(outcome(scenario, engine)) == _clean(outcome(scenario, torch))
