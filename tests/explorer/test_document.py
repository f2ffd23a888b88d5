"""The Document: running, signals, cursor, dragged positions; the golden v1 file loads forever."""

import gc
from pathlib import Path

import pytest

from explorer.fileformat import dumps, export_dot, load_document, save_document
from explorer.model import events as ev
from explorer.model.document import Document
from explorer.model.graph import named
from explorer.model.program import load_program, parse_percent
from explorer.model.timeline import Replay

GOLDEN = Path(__file__).parent / "golden" / "seed_v1.autograd.json"


@pytest.fixture
def seed(seed_dir) -> Document:
    document = Document.from_program(load_program(seed_dir / "autograd_basics.py"))
    document.run_all()
    return document


def states(replay: Replay, graph) -> list:
    out = []
    for node in graph:
        s = replay.node_state(node)
        out.append((node, s.visible, s.active, s.accumulation_count, s.requires_grad))
        out.append(tuple(None if a is None else a.tolist() for a in (s.value, s.grad)))
        out.append(tuple((r.event, r.kind, r.after.tolist()) for r in s.grad_history))
    for edge in graph.edges(keys=True):
        s = replay.edge_state(edge)
        out.append((edge, s.visible, None if s.gradient is None else s.gradient.tolist()))
    return out


def test_golden_v1_file_loads_without_running(monkeypatch):
    import explorer.model.interpreter as interpreter

    monkeypatch.setattr(interpreter, "run_program", None)
    document = load_document(GOLDEN)
    (x,) = named(document.graph, "x")
    assert document.replay.index == 31
    assert document.replay.node_state(x).grad.tolist() == [1, 5, 9, 13]
    assert document.fixed == {"t0": (-2.0, 0.5)}
    assert document.view.layout == "layered"
    assert "import torch" in document.source
    assert not document.dirty and document.name == "seed_v1.autograd.json"


def test_golden_file_gives_the_replay_a_fresh_run_gives(seed):
    golden = load_document(GOLDEN)
    assert golden.timeline == seed.timeline
    for index in (0, 17, 31, 63, len(seed.timeline) - 1, -1):
        golden.seek(index)
        seed.seek(index)
        assert states(golden.replay, golden.graph) == states(seed.replay, seed.graph)


def test_seed_save_load_save_is_byte_identical(seed, tmp_path):
    first = tmp_path / "a.autograd.json"
    second = tmp_path / "b.autograd.json"
    save_document(seed, first)
    save_document(load_document(first), second)
    assert first.read_bytes() == second.read_bytes()


def test_seek_back_and_forth_equals_a_fresh_replay(seed):
    end = len(seed.timeline) - 1
    for index in (end, 5, 60, 59, 61, 0, end // 2):
        seed.seek(index)
    fresh = Replay(seed.timeline)
    fresh.seek(end // 2)
    assert states(seed.replay, seed.graph) == states(fresh, seed.graph)


def test_signals_fire_for_run_seek_move_and_edit(seed):
    seen = []
    seed.events.ran.connect(lambda: seen.append("ran"))
    seed.events.cursor_moved.connect(lambda delta: seen.append(("cursor", bool(delta.nodes))))
    seed.events.positions_changed.connect(lambda nodes: seen.append(("moved", nodes)))
    seed.events.dirty_changed.connect(lambda dirty: seen.append(("dirty", dirty)))
    seed.events.program_changed.connect(lambda: seen.append("program"))
    seed.seek(3)
    seed.move_node("t0", (5, 6))
    seed.set_source(seed.source + "\n# %%\nx\n")
    seed.run_all()
    assert seen == [
        ("cursor", True),
        ("dirty", True),
        ("moved", {"t0"}),
        "program",
        "ran",
    ]
    assert seed.positions["t0"] == (5.0, 6.0)


def test_dragged_positions_survive_a_rerun_and_relayout(seed):
    seed.move_node("op1", (42.0, 1.0))
    seed.run_all()
    assert seed.positions["op1"] == (42.0, 1.0)
    seed.set_layout("spring", "LR")
    assert seed.positions["op1"] == (42.0, 1.0)
    seed.relayout(clear_fixed=True)
    assert seed.positions["op1"] != (42.0, 1.0)


def test_run_cell_reruns_cells_up_to_it_deterministically(seed):
    seed.run_cell(4)
    first = dumps(seed)
    assert max(seed.graph.nodes[n]["cell"] for n in seed.graph) == 4
    seed.run_cell(4)
    assert dumps(seed) == first


def test_bad_program_leaves_a_clear_error_and_what_ran():
    document = Document.from_program(
        parse_percent("# %%\nimport torch\na = torch.ones(2)\n# %%\nimport os\n")
    )
    document.run_all()
    assert document.error is not None and "import" in str(document.error).lower()
    assert named(document.graph, "a")
    document.seek(0)


def test_error_is_recorded_and_saved(tmp_path):
    document = Document.from_program(parse_percent("# %%\nimport torch\nx = torch.ones(2) + y\n"))
    document.run_all()
    assert isinstance(document.timeline[-1], ev.ErrorRaised)
    path = tmp_path / "e.autograd.json"
    save_document(document, path)
    assert str(load_document(path).error) == str(document.error)


def test_new_document_is_empty_and_saves(tmp_path):
    document = Document.new()
    assert document.name == "untitled" and len(document.timeline) == 0
    path = tmp_path / "n.autograd.json"
    save_document(document, path)
    assert len(load_document(path).timeline) == 0


def test_export_dot_of_the_seed(seed):
    dot = export_dot(seed)
    assert dot.count("style=dashed") == 1
    assert '"t0" -> "op1"' in dot and dot.count('"t0" -> "op1"') == 2


@pytest.mark.parametrize("enabled", [True, False])
def test_a_run_records_with_the_collector_off_and_leaves_it_as_it_was(enabled, monkeypatch):
    from explorer.model import document, interpreter

    during = []
    run_program = interpreter.run_program

    def watched(*args, **kwargs):
        during.append(gc.isenabled())
        return run_program(*args, **kwargs)

    monkeypatch.setattr(interpreter, "run_program", watched)
    (gc.enable if enabled else gc.disable)()
    try:
        recorded = document.record_run(parse_percent("import torch\nx = torch.ones(2) * 2\n"))
        assert gc.isenabled() is enabled
    finally:
        gc.enable()
    assert during == [False]
    assert recorded.result.error is None and recorded.graph.number_of_nodes() > 0
