"""Graph files: round trips byte for byte, opens without running, refuses bad input clearly."""

import json
import os

import networkx as nx
import numpy as np
import pytest

from explorer import fileformat
from explorer.fileformat import FileFormatError, dumps, export_dot, load_document, save_document
from explorer.model import events as ev
from explorer.model.arrays import ArrayStore
from explorer.model.document import Document
from explorer.model.program import parse_percent
from explorer.model.timeline import Timeline
from tests.explorer.test_timeline import snapshot, synthetic_timeline

STORE = ArrayStore()


def graph_for(timeline: Timeline) -> nx.MultiDiGraph:
    """A schema-conforming graph holding every node and edge the events create."""
    graph = nx.MultiDiGraph()
    for index, event in enumerate(timeline):
        if isinstance(event, ev.OpRan):
            graph.add_node(event.op_node, **op_attrs(event.op, index))
            for node, value in zip(event.outputs, event.values, strict=True):
                graph.add_node(node, **tensor_attrs(value, index))
            for u, v, key in event.edges:
                graph.add_edge(u, v, key=key, kind="data", input_nr=key, created_at=index)
    return graph


def op_attrs(op: str, index: int) -> dict:
    return dict(kind="op", op=op, grad_fn=None, no_grad=False, created_at=index, cell=0, args=[])


def tensor_attrs(value: np.ndarray, index: int) -> dict:
    return dict(
        kind="tensor",
        label="",
        shape=list(value.shape),
        dtype=str(value.dtype),
        requires_grad=False,
        is_leaf=True,
        grad_fn=None,
        created_at=index,
        cell=0,
        value=value,
        grad=None,
    )


def synthetic_document() -> Document:
    timeline = synthetic_timeline()
    document = Document(parse_percent("# %%\nx = 1\n"))
    document.install(graph_for(timeline), timeline, None, cursor=8)
    document.move_node("op1", (3.25, -0.1))
    return document


def big_array_document() -> Document:
    big = STORE.freeze(np.linspace(-1, 1, 3000, dtype=np.float64).reshape(3, 1000))
    odd = STORE.freeze(np.array([np.nan, np.inf, -np.inf, -0.0, 1e-45], dtype=np.float32))
    timeline = Timeline(
        [
            ev.OpRan("op0", "ones", ("t0",), (big,), (False,), (("op0", "t0", 0),)),
            ev.OpRan("op1", "log", ("t1",), (odd,), (False,), (("op1", "t1", 0),), ("t1",)),
        ]
    )
    document = Document()
    document.install(graph_for(timeline), timeline, None)
    return document


@pytest.fixture
def saved(tmp_path):
    path = tmp_path / "doc.autograd.json"
    save_document(synthetic_document(), path)
    return path


def test_save_load_save_is_byte_identical(saved, tmp_path):
    again = tmp_path / "again.autograd.json"
    save_document(load_document(saved), again)
    assert saved.read_bytes() == again.read_bytes()


def test_loaded_replay_equals_the_original():
    original = synthetic_document()
    loaded = fileformat.document_from_text(dumps(original))
    assert loaded.timeline == original.timeline
    assert loaded.replay.index == 8
    assert snapshot(loaded.replay) == snapshot(original.replay)
    loaded.seek(-1)
    original.seek(-1)
    assert snapshot(loaded.replay) == snapshot(original.replay)
    assert loaded.positions == original.positions and loaded.fixed == {"op1": (3.25, -0.1)}


def test_arrays_round_trip_exactly_including_nonfinite_and_dtype():
    document = big_array_document()
    text = dumps(document)
    assert '"base64"' in text and '"nan"' in text and '"-inf"' in text
    loaded = fileformat.document_from_text(text)
    assert loaded.timeline == document.timeline
    value = loaded.graph.nodes["t1"]["value"]
    assert value.dtype == np.float32 and np.signbit(value[3]) and value[4] == np.float32(1e-45)
    assert dumps(loaded) == text


def test_file_is_versioned_json_with_sorted_keys(saved):
    obj = json.loads(saved.read_text())
    assert obj["format"] == "autograd-explorer" and obj["version"] == 1
    assert list(obj) == sorted(obj)


def test_save_is_atomic_and_leaves_no_temporary_files(saved, monkeypatch):
    before = saved.read_bytes()

    def crash(*args):
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", crash)
    with pytest.raises(OSError):
        save_document(big_array_document(), saved)
    assert saved.read_bytes() == before
    assert [p.name for p in saved.parent.iterdir()] == [saved.name]


def edit(saved, change) -> str:
    obj = json.loads(saved.read_text())
    change(obj)
    return json.dumps(obj)


def refused(text: str) -> str:
    with pytest.raises(FileFormatError) as info:
        fileformat.document_from_text(text, "f.json")
    return str(info.value)


def test_json_syntax_error_names_line_and_column():
    message = refused('{\n  "format": "autograd-explorer",\n  "version": 1,,\n}')
    assert "line 3, column" in message and "JSON syntax error" in message


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda o: o.update(version=99), "version: unknown version 99"),
        (lambda o: o.update(format="zip"), "format: not an autograd-explorer file"),
        (lambda o: o.pop("timeline"), "timeline: missing field"),
        (lambda o: o["graph"]["nodes"][0].update(created_at="x"), "created_at: expected an int"),
        (lambda o: o["graph"]["nodes"][0].update(op="rm_rf"), "unknown op 'rm_rf'"),
        (lambda o: o["graph"]["edges"][0].update(target="t99"), "dangling edge: no node 't99'"),
        (lambda o: o["timeline"][1].update(type="Boom"), "timeline[1].type: unknown event type"),
        (lambda o: o["timeline"][1].pop("values"), "timeline[1].values: missing field"),
        (lambda o: o["timeline"][2].update(node="t42"), "timeline[2].node: no node 't42'"),
        (lambda o: o["arrays"][0].update(dtype="complex64"), "arrays[0].dtype: unknown dtype"),
        (lambda o: o["arrays"][0].update(shape=[7]), "do not fill shape"),
        (lambda o: o["view"].update(layout="pretty"), "view.layout: unknown layout"),
        (
            lambda o: o["graph"]["nodes"][0].update(next_functions=[["MulBackward0"]]),
            "next_functions[0]: an entry is [name or null, input_nr]",
        ),
    ],
)
def test_bad_files_are_refused_with_what_and_where(saved, change, expected):
    assert expected in refused(edit(saved, change))


def test_file_too_large_is_refused_before_reading(saved):
    with pytest.raises(FileFormatError, match="file too large"):
        load_document(saved, max_bytes=10)


def test_missing_file_is_a_file_format_error(tmp_path):
    with pytest.raises(FileFormatError, match="cannot read"):
        load_document(tmp_path / "nope.autograd.json")


def test_nan_literals_are_not_json(saved):
    assert "NaN is not JSON" in refused('{"format": NaN}')


def test_export_dot_draws_detach_dashed():
    timeline = Timeline(
        [
            ev.OpRan("op0", "mul", ("t0",), (STORE.freeze(np.ones(2)),), (True,), ()),
            ev.Detached("t0", "t1", False, STORE.freeze(np.ones(2)), ("t0", "t1", 0)),
        ]
    )
    graph = nx.MultiDiGraph()
    graph.add_node("op0", **op_attrs("mul", 0))
    graph.add_node("t0", **tensor_attrs(np.ones(2), 0), **{})
    graph.nodes["t0"]["label"] = 'y "quoted"'
    graph.add_node("t1", **tensor_attrs(np.ones(2), 1))
    graph.add_edge("op0", "t0", kind="data", input_nr=0, created_at=0)
    graph.add_edge("t0", "t1", kind="detach", input_nr=0, created_at=1)
    document = Document()
    document.install(graph, timeline, None)
    dot = export_dot(document)
    assert dot.startswith("digraph autograd {")
    assert '"t0" -> "t1" [style=dashed, label="detach"];' in dot
    assert 'label="y \\"quoted\\"\\nfloat64[2]"' in dot


def test_export_dot_titles_an_index_part_by_part():
    document = Document.from_program(
        parse_percent("import torch\nm = torch.ones(2, 3, requires_grad=True)\ny = m[0, 1:]\n")
    )
    document.run_all()
    dot = export_dot(document)
    assert "getitem [0]\\nSelectBackward0" in dot and "getitem [1:]\\nSliceBackward0" in dot


def _mutations():
    from hypothesis import strategies as st

    leaf = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-3, 10**6),
        st.floats(allow_nan=False),
        st.text(max_size=5),
        st.sampled_from(["t0", "op1", "float32", "OpRan", "nan", "data"]),
    )
    value = st.recursive(leaf, lambda inner: st.lists(inner, max_size=3), max_leaves=4)
    return st.lists(st.tuples(st.integers(0, 10**6), value, st.booleans()), min_size=1, max_size=4)


def _mutate(obj, choice: int, value, delete: bool):
    """Replace (or delete) the choice-th container slot of the JSON tree."""
    slots = []

    def walk(node):
        items = node.items() if isinstance(node, dict) else enumerate(node)
        for key, child in items:
            slots.append((node, key))
            if isinstance(child, dict | list):
                walk(child)

    walk(obj)
    container, key = slots[choice % len(slots)]
    if delete:
        del container[key]
    else:
        container[key] = value


def test_mutated_files_raise_only_file_format_errors(saved):
    from hypothesis import HealthCheck, given, settings

    original = saved.read_text()

    @settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
    @given(_mutations())
    def check(mutations):
        obj = json.loads(original)
        for choice, value, delete in mutations:
            _mutate(obj, choice, value, delete)
        try:
            document = fileformat.document_from_json(obj)
        except FileFormatError:
            return
        for index in (-1, len(document.timeline) - 1, 0, document.replay.index):
            document.seek(index)
        dumps(document)

    check()


def test_truncated_or_garbled_text_raises_only_file_format_errors(saved):
    text = saved.read_text()
    for cut in range(0, len(text), max(1, len(text) // 97)):
        with pytest.raises(FileFormatError):
            fileformat.document_from_text(text[:cut])
    with pytest.raises(FileFormatError, match="not UTF-8"):
        fileformat.document_from_text(b"\xff\xfe{}")
