"""`t[index] = value` and in-place ops through views, differentiated with create_graph=True:
the recorded graphs (grad_fn names, next_functions, creation order) and the values, zeros' signs
included, are torch's to the third derivative.

torch's CopySlices::apply copies the gradient into a new tensor (CopyBackwards), takes the
written region of it as a strided view (AsStridedBackward0), passes a clone of that region to the
in-place op's node (CloneBackward0), and copies the op's gradient for its target back into the
region (a CopySlices of the backward's own).
"""

from __future__ import annotations

import pytest

import engine
from tests.engine.grad_graph import grad_fn_names, nodes_in_creation_order

torch = pytest.importorskip("torch")


def _set(index, value):
    def write(L, y, v):
        y[index] = value(L, v)

    return write


def _in_place(method, *args):
    def write(L, y, v):
        getattr(y[1:3], method)(*[arg(L, v) if callable(arg) else arg for arg in args])

    return write


WRITES = {
    "slice": _set(slice(1, 3), lambda L, v: v[:2] * v[:2]),
    "int": _set(0, lambda L, v: v[0] * 2),
    "int_pair": _set((2, 1), lambda L, v: v[1, 2] * v[0, 0]),
    "column": _set((slice(None), 1), lambda L, v: v[:, 0].exp()),
    "step": _set(slice(None, None, 2), lambda L, v: v[1:] * v[:2]),
    "broadcast_row": _set(slice(2, None), lambda L, v: v[0] * 3),
    "number": _set(slice(1, 3), lambda L, v: 0.5),
    "ellipsis_int": _set((Ellipsis, 2), lambda L, v: v[2] * v[1]),
    "float64_value": _set(slice(1, 3), lambda L, v: (v[:2] * v[:2]).double()),
    "transposed_view": lambda L, y, v: y.t().__setitem__(slice(0, 2), v[1:] * v[:2]),
    "view_of_a_view": lambda L, y, v: y[1:][:, 1:].__setitem__(0, v[0, :2] * 2),
    # no view: torch's op on the tensor itself (CopyBackwards, FillBackward3, IndexPutBackward0)
    "ellipsis": _set(Ellipsis, lambda L, v: v * v),
    "full_slice": _set(slice(None), lambda L, v: v * v),
    "float64_everything": _set(Ellipsis, lambda L, v: (v * v).double()),
    "fill_from_0d": _set(Ellipsis, lambda L, v: (v * v).sum()),
    "list": _set([0, 2], lambda L, v: v[:2] * v[1:]),
    "list_in_dim_1": _set((slice(None), [2, 0]), lambda L, v: v[:, :2] * 2),
    "repeated_list": _set([1, 1], lambda L, v: v[:2] * v[1:]),
    "bool_mask": _set([True, False, True], lambda L, v: v[:2] * v[1:]),
    "where_positive": lambda L, y, v: y.__setitem__(y > 0, 0.5),
    "through_flat_view": lambda L, y, v: y.view(9).__setitem__(slice(2, 5), v[0] * v[1]),
    "mul_through_view": _in_place("mul_", lambda L, v: v[:2] * v[:2]),
    "add_through_view": _in_place("add_", lambda L, v: v[1:] * 2),
    "mul_through_transposed": lambda L, y, v: y.t()[1:].mul_(v[:2] * v[1:]),
    "div_through_view": _in_place("div_", lambda L, v: v[1:] * v[1:] + 1),
}


def _derivatives(L, write):
    """Graphs of the first and second derivatives, and the second and third derivatives."""
    a = L.tensor([[0.7, -1.3, 2.0], [-2.1, 0.4, -0.6], [1.1, -0.2, 0.9]], requires_grad=True)
    v = L.tensor([[-1.5, 0.3, -0.8], [0.9, -2.2, 0.6], [-0.4, 1.7, 0.2]], requires_grad=True)
    y = a * a * a
    write(L, y, v)
    out = (y * y).sum()  # no other path from `a`: exact zeros where `y` was overwritten
    first = L.autograd.grad(out, (a, v), create_graph=True, allow_unused=True)
    energy = sum((g * g * g).sum() for g in first if g is not None)
    second = L.autograd.grad(energy, (a, v), create_graph=True, allow_unused=True)
    total = sum((g * g).sum() for g in second if g is not None and g.requires_grad)
    third = L.autograd.grad(total, (a, v), allow_unused=True)
    graphs = [nodes_in_creation_order([*first, *second])]
    graphs += [grad_fn_names(g) for g in (*first, *second) if g is not None]
    values = [None if g is None else g.detach().numpy() for g in (*first, *second, *third)]
    return graphs, values


def _bits(array):
    return None if array is None else (array.dtype, array.shape, array.tobytes())


@pytest.mark.parametrize("name", WRITES)
def test_setitem_graphs_and_values_under_create_graph_are_torchs(name):
    ours, our_values = _derivatives(engine, WRITES[name])
    theirs, their_values = _derivatives(torch, WRITES[name])
    assert ours == theirs
    assert [_bits(v) for v in our_values] == [_bits(v) for v in their_values]


@pytest.mark.parametrize("create_graph", [False, True])
def test_a_view_of_a_changed_base_passes_negative_zeros_on_as_torch_copies_them(create_graph):
    """AsStridedBackward0 (a view whose base changed in place) copies its gradient into zeros:
    -0. stays -0."""

    def gradient(L):
        a = L.tensor([[0.5, -1.0], [2.0, -3.0]], requires_grad=True)
        y = a * 1
        view = y[1:]
        y[0, 0] = 5.0
        weights = L.tensor([[-0.0, 0.0]], requires_grad=create_graph)
        (g,) = L.autograd.grad((view * weights).sum(), a, create_graph=create_graph)
        return g.detach().numpy(), [name for _, name in nodes_in_creation_order([g])]

    (ours, our_graph), (theirs, their_graph) = gradient(engine), gradient(torch)
    assert _bits(ours) == _bits(theirs)
    assert our_graph == their_graph
