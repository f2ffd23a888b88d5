"""The recorder on the seed notebook and on small programs: graph schema, gradients, history."""

import numpy as np
import pytest

from explorer.model import events as ev
from explorer.model.document import Document
from explorer.model.graph import edges_of_kind, inputs_of, leaves, named, op_nodes, tensor_nodes
from explorer.model.program import load_program, parse_percent
from explorer.model.timeline import Replay


def run(source: str) -> Document:
    document = Document.from_program(parse_percent(source))
    document.run_all()
    assert document.error is None, document.error
    return document


@pytest.fixture
def seed(seed_dir) -> Document:
    document = Document.from_program(load_program(seed_dir / "autograd_basics.py"))
    document.run_all()
    return document


def grad_changes(document: Document, leaf: str) -> list[tuple[str, list, list]]:
    history = document.replay.node_state(leaf).grad_history
    return [
        (r.kind, None if r.contribution is None else r.contribution.tolist(), r.after.tolist())
        for r in history
    ]


def test_seed_runs_and_records_the_transcript(seed, seed_dir):
    expected = (seed_dir / "autograd_basics.expected.txt").read_text()
    assert seed.error is None
    assert seed.run_result.transcript() == expected
    printed = [e.text for e in seed.timeline if isinstance(e, ev.OutputPrinted)]
    assert "".join(printed).replace("\n", "") == expected.replace("\n", "")


def test_seed_reassigned_y_gives_a_node_per_value(seed):
    ys = named(seed.graph, "y")
    assert len(ys) == 5
    assert [seed.graph.nodes[n]["label"] for n in ys] == ["y"] * 5
    assert len(set(ys)) == 5


def test_seed_detach_edge_runs_from_y_to_u(seed):
    (u,) = named(seed.graph, "u")
    (edge,) = edges_of_kind(seed.graph, "detach")
    assert edge[1] == u and "y" in seed.graph.nodes[edge[0]]["label"]
    assert not seed.graph.nodes[u]["requires_grad"] and seed.graph.nodes[u]["is_leaf"]


def test_seed_dot_x_x_has_two_edges_from_x(seed):
    (x,) = named(seed.graph, "x")
    (dot,) = [n for n in op_nodes(seed.graph) if seed.graph.nodes[n]["op"] == "dot"]
    assert inputs_of(seed.graph, dot) == [x, x]
    assert seed.graph.number_of_edges(x, dot) == 2
    assert seed.graph.nodes[dot]["grad_fn"] == "DotBackward0"


def test_seed_x_grad_accumulates_then_is_zeroed(seed):
    (x,) = named(seed.graph, "x")
    changes = grad_changes(seed, x)
    assert changes[0] == ("backward", [0, 4, 8, 12], [0, 4, 8, 12])
    assert changes[1] == ("backward", [1, 1, 1, 1], [1, 5, 9, 13])
    assert changes[2] == ("zero", None, [0, 0, 0, 0])
    assert seed.graph.nodes[x]["grad"].tolist() == [0, 3, 12, 27]
    assert leaves(seed.graph) == [x]


def test_seed_accumulation_count_by_cursor(seed):
    (x,) = named(seed.graph, "x")
    index = {r.kind + str(i): r.event for i, r in enumerate(seed.replay.node_state(x).grad_history)}
    replay = Replay(seed.timeline)
    replay.seek(index["backward1"])
    assert replay.node_state(x).accumulation_count == 2
    assert replay.node_state(x).grad.tolist() == [1, 5, 9, 13]
    replay.seek(index["backward1"] - 1)
    assert replay.node_state(x).accumulation_count == 1
    assert replay.node_state(x).grad.tolist() == [0, 4, 8, 12]
    replay.seek(index["zero2"])
    assert replay.node_state(x).accumulation_count == 0


def test_seed_x_grad_used_as_a_value_gets_a_gradient_edge(seed):
    (x,) = named(seed.graph, "x")
    ((leaf, grad_node, _),) = edges_of_kind(seed.graph, "gradient")
    assert leaf == x and seed.graph.nodes[grad_node]["label"] == "x.grad"
    zeroed = [e for e in seed.timeline if isinstance(e, ev.GradZeroed)]
    assert len(zeroed) == 5 and all(e.leaf == x for e in zeroed)


def test_backward_steps_light_the_edges_that_carry_gradient(seed):
    (x,) = named(seed.graph, "x")
    (dot,) = [n for n in op_nodes(seed.graph) if seed.graph.nodes[n]["op"] == "dot"]
    step = next(e for e in seed.timeline if isinstance(e, ev.BackwardStepped) and e.op_node == dot)
    carried = {edge: g.tolist() for edge, g in step.carried}
    assert carried[(x, dot, 0)] == [0, 2, 4, 6] and carried[(x, dot, 1)] == [0, 2, 4, 6]
    index = list(seed.timeline).index(step)
    seed.seek(index)
    assert seed.replay.active_node == dot
    assert seed.replay.edge_state((x, dot, 1)).gradient.tolist() == [0, 2, 4, 6]


def test_node_ids_are_stable_across_runs(seed):
    again = Document.from_program(seed.program)
    again.run_all()
    assert list(again.graph.nodes) == list(seed.graph.nodes)
    assert again.timeline == seed.timeline


def test_every_node_has_the_schema_attributes(seed):
    tensor_keys = {"kind", "label", "shape", "dtype", "requires_grad", "is_leaf", "grad_fn"}
    tensor_keys |= {"created_at", "cell", "value", "grad"}
    for node in tensor_nodes(seed.graph):
        assert set(seed.graph.nodes[node]) == tensor_keys
    op_keys = {"kind", "op", "grad_fn", "no_grad", "created_at", "cell", "args", "next_functions"}
    for node in op_nodes(seed.graph):
        assert set(seed.graph.nodes[node]) == op_keys
    for _, _, data in seed.graph.edges(data=True):
        assert set(data) == {"kind", "input_nr", "created_at"}


def test_no_grad_edges_and_op_flag():
    document = run(
        "# %%\nimport torch\nw = torch.ones(3, requires_grad=True)\n"
        "with torch.no_grad():\n    v = w * 2\n"
    )
    (edge,) = edges_of_kind(document.graph, "no_grad")
    assert document.graph.nodes[edge[1]]["no_grad"] is True
    assert document.graph.nodes[edge[0]]["requires_grad"] is True


def test_nan_is_flagged_where_it_first_appears():
    document = run("# %%\nimport torch\na = torch.tensor([-1.0, 1.0])\nb = a.log()\nc = b * 2\n")
    (b,) = named(document.graph, "b")
    (c,) = named(document.graph, "c")
    assert document.replay.node_state(b).nonfinite
    assert not document.replay.node_state(c).nonfinite
    assert document.replay.nonfinite_now(c)


def test_equal_arrays_are_stored_once(seed):
    arrays = [a for e in seed.timeline for a in vars(e).values() if isinstance(a, np.ndarray)]
    assert not any(a.flags.writeable for a in arrays)
    distinct = {id(a) for a in arrays}
    assert len(distinct) < len(arrays) / 2


def test_failed_program_keeps_what_ran():
    document = Document.from_program(
        parse_percent("# %%\nimport torch\nx = torch.ones(2)\ny = x.nope()\n")
    )
    document.run_all()
    assert document.error is not None
    assert named(document.graph, "x")
    assert isinstance(document.timeline[-1], ev.ErrorRaised)
