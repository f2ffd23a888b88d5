"""Checked decoding of a graph file's JSON object into a Document (format in explorer.fileformat).

Every field is checked before use; problems raise FileFormatError naming the JSON path.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Callable

import networkx as nx

from explorer.model.arrays import DTYPES, ArrayStore
from explorer.model.codec import decode_array, decode_event, expect, fail
from explorer.model.document import Document, ViewSettings
from explorer.model.graph import EDGE_KINDS
from explorer.model.layout import ALGORITHMS, DIRECTIONS, compute_layout
from explorer.model.program import ProgramError, parse_percent
from explorer.model.timeline import StatementTable, Timeline

NODE_REF_FIELDS = {"op_node", "outputs", "node", "source", "output", "leaf", "grad_node", "roots"}
EDGE_REF_FIELDS = {"edges", "edge"}
_OP_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_NONE = type(None)


def field(obj: dict, key: str, kind: type | tuple, path: str) -> object:
    """obj[key] checked against `kind`, or a FileFormatError for a missing or mistyped field."""
    where = f"{path}.{key}" if path else key
    if key not in obj:
        raise fail(where, "missing field")
    return expect(obj[key], kind, where)


def decode_document(obj: object, format_name: str, version: int) -> Document:
    """The Document a graph file's JSON object describes."""
    obj = expect(obj, dict, "$")
    if obj.get("format") != format_name:
        raise fail("format", f"not an {format_name} file (format is {obj.get('format')!r})")
    found = field(obj, "version", int, "")
    if found != version:
        raise fail("version", f"unknown version {found} (this app reads version {version})")
    store = ArrayStore()
    raw_arrays = field(obj, "arrays", list, "")
    arrays = [decode_array(a, f"arrays[{i}]", store) for i, a in enumerate(raw_arrays)]
    graph = decode_graph(field(obj, "graph", dict, ""), arrays)
    raw_events = field(obj, "timeline", list, "")
    timeline = Timeline(decode_event(e, f"timeline[{i}]", arrays) for i, e in enumerate(raw_events))
    check_event_refs(timeline, graph)
    program = parse_percent(field(field(obj, "program", dict, ""), "text", str, "program"))
    document = Document(program)
    document.view, cursor = _decode_view(field(obj, "view", dict, ""))
    positions, document.fixed = _decode_positions(obj, graph)
    if any(node not in positions for node in graph):
        positions = compute_layout(graph, document.view.layout, document.view.direction, positions)
    run = _decode_run(field(obj, "run", dict, ""))
    statements = _decode_statements(obj.get("statements", []), len(timeline))
    document.install(
        graph, timeline, run, cursor=cursor, positions=positions, statements=statements
    )
    return document


def decode_graph(raw: dict, arrays: list) -> nx.MultiDiGraph:
    """A recorded graph from its node_link_data form, fully checked."""
    for key in ("directed", "multigraph"):
        if field(raw, key, bool, "graph") is not True:
            raise fail(f"graph.{key}", "must be true")
    graph = nx.MultiDiGraph()
    for i, node in enumerate(field(raw, "nodes", list, "graph")):
        node_id, attrs = _decode_node(node, f"graph.nodes[{i}]", arrays)
        if node_id in graph:
            raise fail(f"graph.nodes[{i}].id", f"duplicate node id {node_id!r}")
        graph.add_node(node_id, **attrs)
    for i, edge in enumerate(field(raw, "edges", list, "graph")):
        _add_edge(graph, edge, f"graph.edges[{i}]")
    _check_args(graph)
    return graph


def _decode_node(raw: object, path: str, arrays: list) -> tuple[str, dict]:
    raw = expect(raw, dict, path)
    node_id = field(raw, "id", str, path)
    kind = field(raw, "kind", str, path)
    schema = NODE_SCHEMAS.get(kind)
    if schema is None:
        raise fail(f"{path}.kind", f"unknown node kind {kind!r}")
    extra = set(raw) - {"id", "kind"} - set(schema)
    if extra:
        raise fail(path, f"unknown field {sorted(extra)[0]!r} of a {kind} node")
    attrs = {"kind": kind}
    for key, check in schema.items():
        if key not in raw:
            if key in OPTIONAL_FIELDS:
                continue
            raise fail(f"{path}.{key}", "missing field")
        attrs[key] = check(raw[key], f"{path}.{key}", arrays)
    return node_id, attrs


def _add_edge(graph: nx.MultiDiGraph, raw: object, path: str) -> None:
    raw = expect(raw, dict, path)
    extra = set(raw) - set(EDGE_SCHEMA)
    if extra:
        raise fail(path, f"unknown field {sorted(extra)[0]!r} of an edge")
    values = {key: field(raw, key, kind, path) for key, kind in EDGE_SCHEMA.items()}
    for end in ("source", "target"):
        if values[end] not in graph:
            raise fail(f"{path}.{end}", f"dangling edge: no node {values[end]!r}")
    if values["kind"] not in EDGE_KINDS:
        raise fail(f"{path}.kind", f"unknown edge kind {values['kind']!r}")
    u, v, key = values.pop("source"), values.pop("target"), values.pop("key")
    if graph.has_edge(u, v, key):
        raise fail(f"{path}.key", f"duplicate edge ({u!r}, {v!r}, {key})")
    graph.add_edge(u, v, key=key, **values)


def _check_args(graph: nx.MultiDiGraph) -> None:
    for node, args in graph.nodes(data="args"):
        for arg in args or ():
            for ref in arg.get("tensors", [arg["tensor"]] if "tensor" in arg else []):
                if ref not in graph:
                    raise fail(f"graph node {node!r}.args", f"no tensor node {ref!r}")


def check_event_refs(timeline: Timeline, graph: nx.MultiDiGraph) -> None:
    """Every node id and edge an event names must be in the graph."""
    for i, event in enumerate(timeline):
        for f in dataclasses.fields(event):
            value = getattr(event, f.name)
            if f.name in NODE_REF_FIELDS:
                for node in value if isinstance(value, tuple) else (value,):
                    if node is not None and node not in graph:
                        raise fail(f"timeline[{i}].{f.name}", f"no node {node!r} in the graph")
            elif f.name in EDGE_REF_FIELDS:
                for edge in value if f.name == "edges" else (value,):
                    if not graph.has_edge(*edge):
                        raise fail(f"timeline[{i}].{f.name}", f"no edge {list(edge)} in the graph")


def _decode_view(raw: dict) -> tuple[ViewSettings, int]:
    layout = field(raw, "layout", str, "view")
    if layout not in ALGORITHMS:
        raise fail("view.layout", f"unknown layout {layout!r}")
    direction = field(raw, "direction", str, "view")
    if direction not in DIRECTIONS:
        raise fail("view.direction", f"unknown direction {direction!r}")
    return ViewSettings(layout, direction), field(raw, "cursor", int, "view")


def _decode_positions(obj: dict, graph: nx.MultiDiGraph) -> tuple[dict, dict]:
    raw = field(obj, "positions", dict, "")
    positions = {}
    for node, xy in raw.items():
        path = f"positions.{node}"
        if node not in graph:
            raise fail(path, "no such node in the graph")
        xy = expect(xy, list, path)
        if len(xy) != 2:
            raise fail(path, "a position is [x, y]")
        x, y = (float(expect(c, (int, float), f"{path}[{j}]")) for j, c in enumerate(xy))
        if not (math.isfinite(x) and math.isfinite(y)):
            raise fail(path, "a position must be finite")
        positions[node] = (x, y)
    fixed = {}
    for j, node in enumerate(field(obj, "fixed", list, "")):
        node = expect(node, str, f"fixed[{j}]")
        if node not in positions:
            raise fail(f"fixed[{j}]", f"no position for node {node!r}")
        fixed[node] = positions[node]
    return positions, fixed


def _decode_statements(raw: object, event_count: int) -> StatementTable:
    """The optional statement table: [event, first_line, last_line] entries, events increasing."""
    entries = []
    for i, entry in enumerate(expect(raw, list, "statements")):
        path = f"statements[{i}]"
        entry = expect(entry, list, path)
        if len(entry) != 3:
            raise fail(path, "an entry is [event, first_line, last_line]")
        index, first, last = (expect(n, int, f"{path}[{j}]") for j, n in enumerate(entry))
        previous = entries[-1][0] if entries else -1
        if not previous < index < event_count:
            raise fail(f"{path}[0]", f"event {index} is out of order or not in the timeline")
        if not 1 <= first <= last:
            raise fail(path, f"lines {first}..{last} are not a range of 1-based lines")
        entries.append((index, first, last))
    return StatementTable(entries)


def _decode_run(raw: dict) -> object:
    from explorer.model.interpreter import CellOutput, RunResult

    outputs = []
    for i, item in enumerate(field(raw, "outputs", list, "run")):
        path = f"run.outputs[{i}]"
        item = expect(item, dict, path)
        outputs.append(CellOutput(field(item, "cell", int, path), field(item, "text", str, path)))
    error = field(raw, "error", (dict, _NONE), "run")
    return RunResult(outputs, None if error is None else _decode_error(error))


def _decode_error(raw: dict) -> ProgramError:
    path = "run.error"
    optional = (int, _NONE)
    return ProgramError(
        field(raw, "kind", str, path),
        field(raw, "message", str, path),
        field(raw, "cell", optional, path),
        field(raw, "line", optional, path),
        field(raw, "col", optional, path),
        field(raw, "source_line", str, path),
    )


def _typed(kind: type | tuple) -> Callable:
    return lambda raw, path, arrays: expect(raw, kind, path)


def _shape(raw: object, path: str, arrays: list) -> list:
    items = expect(raw, list, path)
    for j, n in enumerate(items):
        if expect(n, int, f"{path}[{j}]") < 0:
            raise fail(f"{path}[{j}]", "a dimension cannot be negative")
    return items


def _dtype(raw: object, path: str, arrays: list) -> str:
    if expect(raw, str, path) not in DTYPES:
        raise fail(path, f"unknown dtype {raw!r}")
    return raw


def _op(raw: object, path: str, arrays: list) -> str:
    if not (_OP_NAME.match(expect(raw, str, path)) and known_op(raw)):
        raise fail(path, f"unknown op {raw!r}")
    return raw


def known_op(name: str) -> bool:
    """True for op names the engine can have recorded (functions, methods, operators, and the
    rows of its op table, such as `mse_loss` or `_softmax_backward_data`)."""
    import engine
    from engine.ops import NAMES

    tensor = getattr(engine, "Tensor", None)
    return (
        name in NAMES
        or hasattr(engine, name)
        or hasattr(tensor, name)
        or hasattr(tensor, f"__{name}__")
    )


def _next_functions(raw: object, path: str, arrays: list) -> list:
    for j, entry in enumerate(expect(raw, list, path)):
        where = f"{path}[{j}]"
        if not (isinstance(entry, list) and len(entry) == 2):
            raise fail(where, "an entry is [name or null, input_nr]")
        expect(entry[0], (str, _NONE), f"{where}[0]")
        expect(entry[1], int, f"{where}[1]")
    return raw


def _array_ref(raw: object, path: str, arrays: list) -> object:
    from explorer.model.codec import FIELD_DECODERS

    return FIELD_DECODERS["np.ndarray"](raw, path, arrays)


def _optional_array(raw: object, path: str, arrays: list) -> object:
    return None if raw is None else _array_ref(raw, path, arrays)


def _args(raw: object, path: str, arrays: list) -> list:
    for j, arg in enumerate(expect(raw, list, path)):
        where = f"{path}[{j}]"
        arg = expect(arg, dict, where)
        if len(arg) != 1 or next(iter(arg)) not in ("tensor", "tensors", "const"):
            raise fail(where, 'an operand is {"tensor": id}, {"tensors": [ids]} or {"const": text}')
        key, value = next(iter(arg.items()))
        if key == "tensors":
            for k, ref in enumerate(expect(value, list, f"{where}.tensors")):
                expect(ref, str, f"{where}.tensors[{k}]")
        else:
            expect(value, str, f"{where}.{key}")
    return raw


NODE_SCHEMAS: dict[str, dict[str, Callable]] = {
    "tensor": {
        "label": _typed(str),
        "shape": _shape,
        "dtype": _dtype,
        "requires_grad": _typed(bool),
        "is_leaf": _typed(bool),
        "grad_fn": _typed((str, _NONE)),
        "created_at": _typed(int),
        "cell": _typed(int),
        "value": _array_ref,
        "grad": _optional_array,
    },
    "op": {
        "op": _op,
        "grad_fn": _typed((str, _NONE)),
        "no_grad": _typed(bool),
        "created_at": _typed(int),
        "cell": _typed(int),
        "args": _args,
        "next_functions": _next_functions,
    },
}
OPTIONAL_FIELDS = {"next_functions"}  # files written before the field was recorded lack it
EDGE_SCHEMA = {
    "source": str,
    "target": str,
    "key": int,
    "kind": str,
    "input_nr": int,
    "created_at": int,
}
