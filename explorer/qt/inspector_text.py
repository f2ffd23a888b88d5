"""What the inspector says about a node, as plain strings (pure functions of graph and state)."""

from __future__ import annotations

from typing import Any

import networkx as nx
import numpy as np

from engine.printing import format_tensor, repr_suffixes
from explorer.model.graph import inputs_of
from explorer.qt.node_text import compact, op_title, shape_text


def torch_repr(
    attrs: dict[str, Any], array: np.ndarray | None, grad_fn: str | None, requires_grad: bool
) -> str:
    """``array`` printed as PyTorch prints the tensor (``None`` when there is none)."""
    if array is None:
        return "None"
    dtype = attrs.get("dtype", "float32")
    requires = requires_grad and grad_fn is None
    suffixes = repr_suffixes(np.shape(array), dtype, grad_fn, requires)
    return format_tensor(np.asarray(array), dtype, suffixes)


def producer(graph: nx.MultiDiGraph, node_id: str) -> str | None:
    """The op node that produced tensor ``node_id`` (None for factories and leaves)."""
    for u, _, kind in graph.in_edges(node_id, data="kind"):
        if kind == "data" and graph.nodes[u].get("kind") == "op":
            return u
    return None


def next_functions(graph: nx.MultiDiGraph, op_node: str) -> str:
    """The op's ``grad_fn.next_functions`` as PyTorch prints it (object addresses left out):
    as recorded, or for a file written before they were, guessed from the op's operands."""
    recorded = graph.nodes[op_node].get("next_functions")
    if recorded is not None:
        entries = [f"(<{name} object>, {nr})" if name else f"(None, {nr})" for name, nr in recorded]
    else:
        entries = [_next_entry(graph.nodes[t]) for t in inputs_of(graph, op_node)]
        consts = sum(1 for a in graph.nodes[op_node].get("args") or () if "const" in a)
        entries += ["(None, 0)"] * consts
    return "(" + ", ".join(entries) + ("," if len(entries) == 1 else "") + ")"


def _next_entry(attrs: dict[str, Any]) -> str:
    if attrs.get("grad_fn"):
        return f"(<{attrs['grad_fn']} object>, 0)"
    if attrs.get("requires_grad"):
        return "(<AccumulateGrad object>, 0)"
    return "(None, 0)"


def fields(graph: nx.MultiDiGraph, node_id: str, state: Any) -> list[tuple[str, str]]:
    """(label, text) rows for the inspector's form."""
    attrs = graph.nodes[node_id]
    if attrs.get("kind") == "op":
        return _op_fields(graph, node_id, attrs)
    op = producer(graph, node_id)
    requires = getattr(state, "requires_grad", attrs.get("requires_grad"))
    return [
        ("name", attrs.get("label") or "(unnamed)"),
        ("shape", f"torch.Size({shape_text(attrs.get('shape'))})"),
        ("dtype", f"torch.{attrs.get('dtype', 'float32')}"),
        ("requires_grad", str(bool(requires))),
        ("is_leaf", str(bool(attrs.get("is_leaf")))),
        ("grad_fn", f"<{attrs['grad_fn']}>" if attrs.get("grad_fn") else "None"),
        ("next_functions", next_functions(graph, op) if op and attrs.get("grad_fn") else "—"),
    ]


def _op_fields(graph: nx.MultiDiGraph, node_id: str, attrs: dict) -> list[tuple[str, str]]:
    grad_fn = attrs.get("grad_fn")
    return [
        ("op", op_title(attrs)),
        ("grad_fn", f"<{grad_fn}>" if grad_fn else "None (not recorded)"),
        ("next_functions", next_functions(graph, node_id) if grad_fn else "—"),
        ("inputs", ", ".join(inputs_of(graph, node_id)) or "—"),
    ]


def history_lines(attrs: dict[str, Any], state: Any) -> list[str]:
    """One line per change of a leaf's .grad: each backward() contribution and each zero_()."""
    dtype = attrs.get("dtype", "float32")
    lines = []
    for record in getattr(state, "grad_history", ()) or ():
        after = compact(record.after, dtype, 30)
        if record.kind == "backward":
            added = compact(record.contribution, dtype, 30)
            lines.append(f"event {record.event + 1}: backward  +{added}  → {after}")
        else:
            lines.append(f"event {record.event + 1}: zero_()  → {after}")
    return lines
