"""Graph files (`*.autograd.json`): save, load and Graphviz export of a Document.

A graph file is UTF-8 JSON, one object, keys sorted, indented by one space, ending in a newline:

    {
     "format": "autograd-explorer",        always this string
     "version": 1,                          the format version (readers refuse versions they lack)
     "program": {"text": "..."},           the program as a Jupyter percent script
     "graph": {...},                        networkx node_link_data of the recorded MultiDiGraph
     "arrays": [...],                       every value and gradient, each distinct array once
     "timeline": [...],                     the recorded events, in order
     "positions": {"t0": [x, y], ...},      node positions as shown
     "fixed": ["t0", ...],                  nodes the user placed by hand (kept on re-layout)
     "view": {"layout": "layered", "direction": "TB", "cursor": 41},
     "run": {"outputs": [{"cell": 1, "text": "..."}], "error": null | {"kind", "message",
             "cell", "line", "col", "source_line"}},
     "statements": [[3, 8, 8], ...]        optional: which statement produced which events
    }

graph: {"directed": true, "multigraph": true, "graph": {}, "nodes": [...], "edges": [...]}.
A tensor node is {"id": "t0", "kind": "tensor", "label": "x", "shape": [4], "dtype": "float32",
"requires_grad": true, "is_leaf": true, "grad_fn": null, "created_at": 1, "cell": 1,
"value": ARRAY, "grad": ARRAY | null}; an op node is {"id": "op0", "kind": "op", "op": "mul",
"grad_fn": "MulBackward0", "no_grad": false, "created_at": 5, "cell": 3, "args": [{"tensor":
"t0"} | {"tensors": ["t0", ...]} | {"const": "2"}, ...], "next_functions": [["AccumulateGrad",
0], [null, 0]]} (the grad_fn's next_functions by class name; optional: files written before
2026-11-26 lack it). An edge is {"source", "target", "key", "kind": "data" | "detach" |
"no_grad" | "gradient", "input_nr", "created_at"}. Ids: tensors
t0, t1, ... and ops op0, op1, ... in creation order; created_at is the index of the timeline
event that created the node or edge.

ARRAY is {"array": k}, an index into "arrays". An array is {"dtype": "float32", "shape": [2, 2],
"data": [1.0, "nan", "inf", "-inf"]} (row-major, floats as exact decimals, non-finite values as
those three strings; NaN payloads are not kept) or, above 1024 elements, {"dtype", "shape",
"base64"} holding the little-endian bytes. dtype is one of float16, float32, float64, int8,
int16, int32, int64, uint8, bool.

timeline: a list of events {"type": NAME, ...fields}, one per thing that happened, with node ids,
edges as [source, target, key] and arrays as ARRAY: CellStarted(cell), OpRan(op_node, op,
outputs, values, requires_grad, edges, nonfinite), TensorAppeared(node, value, requires_grad,
edges), Detached(source, output, in_place, value, edge), NameBound(name, node),
RequiresGradSet(node, requires_grad, before), InPlaceModified(node, op, before, after, leaf,
nonfinite), GradZeroed(leaf, grad_node, before, after, count_before), BackwardStarted(roots,
api), BackwardStepped(op_node, grad_fn, edges, gradients, nonfinite), GradAccumulated(leaf,
grad_node, before, contribution, after, nonfinite), BackwardFinished(roots), OutputPrinted(cell,
text, displayed), ErrorRaised(cell, line, col, message). See explorer/model/events.py.

statements (optional; files written before it was added have none, and still load): a list of
[event, first_line, last_line], event indices strictly increasing: the statement on those 1-based
lines of program.text produced timeline[event] and the events after it, up to the next entry or
the next CellStarted. Written only when the run recorded any; it changes no event and no replay.

Opening a file runs nothing: the replay is rebuilt from the timeline. Loading refuses, with a
FileFormatError naming the problem and its JSON path, anything malformed: JSON syntax errors
(with line and column), an unknown format or version, missing or mistyped fields, unknown ops or
dtypes, dangling edges or node references, files over MAX_FILE_BYTES.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import networkx as nx

from explorer.filechecks import decode_document
from explorer.model.codec import ArrayTable, FileFormatError, encode_event
from explorer.model.document import Document
from explorer.model.graph import op_title
from explorer.model.program import Program, load_program

FORMAT = "autograd-explorer"
GRAPH_SUFFIX = ".autograd.json"  # what Save suggests; any .json file opens as a graph file
VERSION = 1
MAX_FILE_BYTES = 512 * 1024 * 1024

__all__ = [
    "FileFormatError",
    "document_from_json",
    "document_to_json",
    "dumps",
    "export_dot",
    "is_graph_file",
    "load_document",
    "open_document",
    "parse_document",
    "save_document",
]


def is_graph_file(path: str | os.PathLike) -> bool:
    """Whether `path` names a graph file (`*.json`, such as `export --format json` writes) rather
    than a program (`.py`, `.ipynb` or any other text)."""
    return str(path).lower().endswith(".json")


def open_document(path: str | os.PathLike) -> Document:
    """A graph file as saved, or a program file (``.py``, ``.ipynb``) run into a new Document.

    Raises FileFormatError or ProgramError naming what is wrong and where.
    """
    path = str(path)
    if is_graph_file(path):
        return load_document(path)
    document = _program_document(load_program(path), path)
    document.run_all()
    return document


def parse_document(path: str | os.PathLike) -> Document:
    """A program file read into a Document that is not yet run, for running elsewhere (the
    window runs it off its GUI thread, then `adopt`s the run). A file that cannot be read is a
    ProgramError here; a cell that is not valid Python is the run's error, marked at its line, so
    the user can open the program to fix it."""
    return _program_document(load_program(path), str(path))


def _program_document(program: Program, path: str) -> Document:
    document = Document.from_program(program)
    document.path = path
    return document


def document_to_json(document: Document) -> dict:
    """The document as the JSON-ready object a graph file holds."""
    table = ArrayTable()
    out = {
        "format": FORMAT,
        "version": VERSION,
        "program": {"text": document.program.to_percent()},
        "graph": _graph_to_json(document.graph, table),
        "timeline": [encode_event(event, table) for event in document.timeline],
        "arrays": table.encoded(),
        "positions": {n: [float(x), float(y)] for n, (x, y) in document.positions.items()},
        "fixed": sorted(document.fixed),
        "view": {
            "layout": document.view.layout,
            "direction": document.view.direction,
            "cursor": document.replay.index,
        },
        "run": _run_to_json(document.run_result),
    }
    if document.statements:
        out["statements"] = [list(entry) for entry in document.statements.entries]
    return out


def dumps(document: Document) -> str:
    """The graph file text: sorted keys, fixed float repr, so equal documents give equal bytes."""
    obj = document_to_json(document)
    return json.dumps(obj, sort_keys=True, indent=1, ensure_ascii=False, allow_nan=False) + "\n"


def save_document(document: Document, path: str | os.PathLike) -> None:
    """Write atomically: a temporary file in the same folder, fsynced, then renamed over `path`."""
    target = Path(path)
    data = dumps(document).encode("utf-8")
    fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        os.chmod(temp, _file_mode(target))
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    document.path = str(target)
    document.dirty = False


def _file_mode(target: Path) -> int:
    """The mode of the file being replaced, else what a plain open() would give."""
    try:
        return target.stat().st_mode & 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def load_document(path: str | os.PathLike, max_bytes: int = MAX_FILE_BYTES) -> Document:
    """Read a graph file into a new Document without running anything (FileFormatError if bad)."""
    source = Path(path)
    try:
        size = source.stat().st_size
        if size > max_bytes:
            raise FileFormatError(f"{source}: file too large ({size} bytes, limit {max_bytes})")
        raw = source.read_bytes()
    except OSError as error:
        raise FileFormatError(f"{source}: cannot read ({error.strerror or error})") from None
    document = document_from_text(raw, str(source))
    document.path = str(source)
    return document


def document_from_text(raw: bytes | str, where: str = "<text>") -> Document:
    """Parse graph-file text (bytes or str) into a Document."""
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
    except UnicodeDecodeError as error:
        raise FileFormatError(f"{where}: not UTF-8 text (byte {error.start})") from None
    try:
        obj = json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as error:
        message = f"JSON syntax error at line {error.lineno}, column {error.colno}: {error.msg}"
        raise FileFormatError(f"{where}: {message}") from None
    except RecursionError:
        raise FileFormatError(f"{where}: JSON nested too deeply") from None
    except FileFormatError as error:
        raise FileFormatError(f"{where}: {error}") from None
    try:
        return document_from_json(obj)
    except FileFormatError as error:
        raise FileFormatError(f"{where}: {error}") from None


def document_from_json(obj: object) -> Document:
    """A Document from the JSON object of a graph file (FileFormatError if malformed)."""
    return decode_document(obj, FORMAT, VERSION)


def _reject_constant(name: str) -> None:
    raise FileFormatError(f"{name} is not JSON (write non-finite numbers as strings)")


def _graph_to_json(graph: nx.MultiDiGraph, table: ArrayTable) -> dict:
    data = nx.node_link_data(graph, edges="edges")
    for node in data["nodes"]:
        for key in ("value", "grad"):
            if node.get(key) is not None:
                node[key] = table.ref(node[key])
    return data


def _run_to_json(run_result: object) -> dict:
    outputs = [{"cell": o.cell, "text": o.text} for o in getattr(run_result, "outputs", ())]
    error = getattr(run_result, "error", None)
    if error is not None:
        fields = ("kind", "message", "cell", "line", "col", "source_line")
        error = {name: getattr(error, name, None) for name in fields}
    return {"outputs": outputs, "error": error}


def export_dot(document: Document) -> str:
    """The recorded graph as Graphviz DOT: tensors as boxes, ops as ellipses, detach dashed."""
    direction = "LR" if document.view.direction == "LR" else "TB"
    lines = ["digraph autograd {", f"  rankdir={direction};", '  node [fontname="Helvetica"];']
    for node, data in document.graph.nodes(data=True):
        lines.append(f"  {_quote(node)} [{_node_style(node, data)}];")
    for u, v, data in document.graph.edges(data=True):
        lines.append(f"  {_quote(u)} -> {_quote(v)} [{EDGE_STYLES.get(data.get('kind'), '')}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


EDGE_STYLES = {
    "data": "",
    "detach": 'style=dashed, label="detach"',
    "no_grad": 'style=dotted, color=gray50, label="no_grad"',
    "gradient": 'color=red3, label="grad"',
}


def _node_style(node: str, data: dict) -> str:
    if data.get("kind") == "op":
        text = op_title(data)
        if data.get("grad_fn"):
            text += "\n" + data["grad_fn"]
        return f"shape=ellipse, label={_quote(text)}"
    shape = "x".join(str(n) for n in data.get("shape", [])) or "scalar"
    text = f"{data.get('label') or node}\n{data.get('dtype', '')}[{shape}]"
    style = ", style=filled, fillcolor=lightblue" if data.get("requires_grad") else ""
    return f"shape=box, label={_quote(text)}{style}"


def _quote(text: str) -> str:
    escaped = str(text).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'
