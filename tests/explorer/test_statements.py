"""Which statement produced each event: recorded beside the timeline, saved, and loaded."""

import json
from pathlib import Path

import pytest

from explorer.fileformat import (
    FileFormatError,
    document_from_json,
    document_to_json,
    dumps,
    load_document,
    save_document,
)
from explorer.model import events as ev
from explorer.model.document import Document
from explorer.model.program import load_program, parse_percent

GOLDEN = Path(__file__).parent / "golden" / "seed_v1.autograd.json"

LOOP = """# %%
import torch
w = torch.ones(2, requires_grad=True)
for i in range(2):
    loss = (w * i).sum()
    if i > 0:
        loss.backward()
with torch.no_grad():
    w -= 0.1 * w.grad
total = (w +
         w)
"""


@pytest.fixture
def seed(seed_dir) -> Document:
    document = Document.from_program(load_program(seed_dir / "autograd_basics.py"))
    document.run_all()
    return document


def run(source: str) -> Document:
    document = Document.from_program(parse_percent(source))
    document.run_all()
    return document


def statement_text(document: Document, index: int) -> str:
    first, last = document.event_statement(index)
    return "\n".join(document.source.splitlines()[first - 1 : last])


def events_of(document: Document, kind: type) -> list[int]:
    return [i for i, e in enumerate(document.timeline) if isinstance(e, kind)]


def test_the_ops_of_a_statement_map_to_its_line(seed):
    dot, mul = [i for i in events_of(seed, ev.OpRan) if seed.timeline[i].op in ("dot", "mul")][:2]
    for index in (dot, mul, dot + 2):  # dot, 2 * dot, then y bound
        assert statement_text(seed, index) == "y = 2 * torch.dot(x, x)"
    assert seed.event_line(dot) == seed.source.splitlines().index("y = 2 * torch.dot(x, x)") + 1


def test_the_backward_steps_of_y_backward_map_to_its_line(seed):
    started = events_of(seed, ev.BackwardStarted)[0]
    finished = events_of(seed, ev.BackwardFinished)[0]
    steps = range(started, finished + 1)
    assert any(isinstance(seed.timeline[i], ev.BackwardStepped) for i in steps)
    assert {statement_text(seed, i) for i in steps} == {"y.backward()"}
    cell = seed.event_cell(started)
    first, last = seed.cell_lines(cell)
    assert first <= seed.event_line(started) <= last


def test_a_cell_start_has_no_statement(seed):
    for index in events_of(seed, ev.CellStarted):
        assert seed.event_statement(index) is None and seed.event_line(index) is None
    assert seed.event_line(-1) is None


def test_loop_if_and_with_bodies_have_their_own_lines():
    document = run(LOOP)
    lines = document.source.splitlines()
    text = {i: statement_text(document, i) for i in range(1, len(document.timeline))}
    bound = [i for i in events_of(document, ev.NameBound) if document.timeline[i].name == "i"]
    assert [text[i] for i in bound] == ["for i in range(2):"] * 2  # each pass binds i there
    ops = events_of(document, ev.OpRan)
    assert {text[i] for i in ops[1:5]} == {"    loss = (w * i).sum()"}
    stepped = events_of(document, ev.BackwardStepped)
    assert stepped and {text[i] for i in stepped} == {"        loss.backward()"}
    (update,) = [i for i in events_of(document, ev.InPlaceModified)]
    assert text[update] == "    w -= 0.1 * w.grad"
    assert text[len(document.timeline) - 1] == "total = (w +\n         w)"
    assert document.event_statement(ops[-1]) == (lines.index("total = (w +") + 1, len(lines))


def test_an_error_event_sits_on_the_failing_statement():
    document = run("# %%\nimport torch\nx = torch.ones(2)\ny = x @ torch.ones(3)\n")
    (error,) = events_of(document, ev.ErrorRaised)
    assert statement_text(document, error) == "y = x @ torch.ones(3)"


def test_statements_are_saved_and_loaded(seed, tmp_path):
    path = tmp_path / "seed.autograd.json"
    save_document(seed, path)
    loaded = load_document(path)
    assert loaded.statements == seed.statements and len(seed.statements) > 0
    assert [loaded.event_statement(i) for i in range(len(seed.timeline))] == [
        seed.event_statement(i) for i in range(len(seed.timeline))
    ]
    assert dumps(loaded) == path.read_text(encoding="utf-8")


def test_the_golden_v1_file_has_no_statements_and_saves_unchanged():
    golden = load_document(GOLDEN)
    assert len(golden.statements) == 0
    assert all(golden.event_line(i) is None for i in range(len(golden.timeline)))
    assert "statements" not in json.loads(dumps(golden))
    assert dumps(golden) == GOLDEN.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("statements", "expected"),
    [
        ("x", "statements: expected a list"),
        ([[0, 1]], "statements[0]: an entry is [event, first_line, last_line]"),
        ([[0, 1, True]], "statements[0][2]: expected an integer"),
        ([[3, 1, 1], [3, 2, 2]], "statements[1][0]: event 3 is out of order"),
        ([[10**6, 1, 1]], "not in the timeline"),
        ([[1, 4, 2]], "statements[0]: lines 4..2 are not a range"),
        ([[1, 0, 0]], "statements[0]: lines 0..0"),
    ],
)
def test_bad_statement_tables_are_refused(seed, statements, expected):
    obj = document_to_json(seed)
    obj["statements"] = statements
    with pytest.raises(FileFormatError, match=expected.replace("[", r"\[").replace("]", r"\]")):
        document_from_json(obj)
