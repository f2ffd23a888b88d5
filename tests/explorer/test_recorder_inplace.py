"""In-place ops and retained gradients in the recorded graph and timeline."""

import pytest

from explorer.fileformat import load_document, save_document
from explorer.model import events as ev
from explorer.model.document import Document
from explorer.model.graph import edges_of_kind, inputs_of, named, op_nodes, outputs_of
from explorer.model.interpreter import run_program
from explorer.model.program import parse_percent

STEP = """import torch
w = torch.tensor([1.0, 2.0], requires_grad=True)
(w * w).sum().backward()
with torch.no_grad():
    w -= 0.1 * w.grad
"""
REBASED = """import torch
a = torch.ones(2, requires_grad=True)
b = a * 2
c = b * 3
b.add_(1)
b[0] = a[1] * 5
b.sum().backward()
"""


def run(source: str) -> Document:
    document = Document.from_program(parse_percent(source))
    document.run_all()
    assert document.error is None, document.error
    return document


def of_type(document: Document, kind: type) -> list[tuple[int, ev.Event]]:
    return [(i, e) for i, e in enumerate(document.timeline) if isinstance(e, kind)]


def test_augmented_assignment_under_no_grad_updates_the_leaf_in_place():
    result = run_program(parse_percent(STEP + "v = w\nwith torch.no_grad():\n    w *= 2\n"))
    assert result.error is None, result.error
    w = result.namespace["w"]
    assert result.namespace["v"] is w
    assert w.is_leaf and w.requires_grad and w.grad.tolist() == pytest.approx([2.0, 4.0])
    assert w.tolist() == pytest.approx([1.6, 3.2])


def test_augmented_assignment_on_a_leaf_outside_no_grad_fails_as_in_torch():
    result = run_program(parse_percent(STEP + "w += 1\n"))
    assert result.error.kind == "RuntimeError" and "leaf Variable" in result.error.message
    assert result.error.line == 6


def test_the_update_is_a_value_change_of_the_same_node():
    document = run(STEP)
    (w,) = named(document.graph, "w")
    ((index, event),) = of_type(document, ev.InPlaceModified)
    assert event.node == w and event.op == "sub_"
    assert event.before.tolist() == [1.0, 2.0]
    assert event.after.tolist() == pytest.approx([0.8, 1.6])
    replay = document.replay
    replay.seek(index - 1)
    assert replay.node_state(w).value.tolist() == [1.0, 2.0]
    assert w in replay.seek(index).nodes
    assert replay.node_state(w).value.tolist() == pytest.approx([0.8, 1.6])
    assert replay.node_state(w).grad.tolist() == [2.0, 4.0]
    rebound = [e.node for _, e in of_type(document, ev.NameBound) if e.name == "w"]
    assert rebound == [w, w]


def test_an_in_place_op_on_a_non_leaf_is_an_op_node_from_its_previous_state():
    document = run(REBASED)
    graph = document.graph
    first, second, third = named(graph, "b")
    (add,) = [n for n in op_nodes(graph) if graph.nodes[n]["op"] == "add_"]
    (put,) = [n for n in op_nodes(graph) if graph.nodes[n]["op"] == "__setitem__"]
    assert inputs_of(graph, add) == [first] and outputs_of(graph, add) == [second]
    assert inputs_of(graph, put)[0] == second and outputs_of(graph, put) == [third]
    assert graph.nodes[add]["grad_fn"] == "AddBackward0"
    assert graph.nodes[third]["grad_fn"].endswith("CopySlices")
    (c,) = named(graph, "c")
    (times_three,) = graph.predecessors(c)
    assert inputs_of(graph, times_three) == [first]


def test_backward_steps_through_the_in_place_ops():
    document = run(REBASED)
    stepped = [e.grad_fn for _, e in of_type(document, ev.BackwardStepped)]
    assert stepped[:2] == ["SumBackward0", "torch::autograd::CopySlices"]
    assert "AddBackward0" in stepped
    (a,) = named(document.graph, "a")
    assert document.graph.nodes[a]["grad"].tolist() == [0.0, 7.0]


def test_a_retained_grad_is_shown_on_its_node():
    document = run(
        "import torch\nx = torch.tensor([1.0, 2.0], requires_grad=True)\nh = x * x\n"
        "h.retain_grad()\ny = (h * 3).sum()\ny.backward(retain_graph=True)\ny.backward()\n"
        "g = h.grad + 0\n"
    )
    (h,) = named(document.graph, "h")
    accumulated = [e for _, e in of_type(document, ev.GradAccumulated) if e.leaf == h]
    assert [e.after.tolist() for e in accumulated] == [[3.0, 3.0], [6.0, 6.0]]
    assert document.replay.node_state(h).grad.tolist() == [6.0, 6.0]
    assert document.replay.node_state(h).accumulation_count == 2
    ((source, target, _),) = edges_of_kind(document.graph, "gradient")
    assert source == h and document.graph.nodes[target]["label"] == "h.grad"


def test_in_place_documents_save_and_load(tmp_path):
    document = run(REBASED + STEP)
    save_document(document, tmp_path / "inplace.autograd.json")
    loaded = load_document(tmp_path / "inplace.autograd.json")
    assert list(loaded.graph.nodes) == list(document.graph.nodes)
    assert len(loaded.timeline) == len(document.timeline)
