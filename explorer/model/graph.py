"""The recorded graph: a networkx.MultiDiGraph of tensor and op nodes, with design.md's schema.

Node ids are strings in creation order within a run (`t0, t1, ...` for tensors, `op0, op1, ...` for
ops), so re-running the same program gives the same ids.

Tensor node attributes: kind="tensor", label, shape (list), dtype ("float32"), requires_grad,
is_leaf, grad_fn (name or None), created_at (event index), cell, value (read-only array at
creation), grad (a leaf's final `.grad` or None).
Op node attributes: kind="op", op ("mul"), grad_fn (name or None), no_grad (bool), created_at, cell,
args (operands in the user's order: {"tensor": node_id} or {"const": repr}).
Edge attributes: kind in EDGE_KINDS, input_nr, created_at.
"""

from __future__ import annotations

import networkx as nx

EDGE_KINDS = ("data", "detach", "no_grad", "gradient")
INDEXING_OPS = ("getitem", "__setitem__")
REGENERATED_VIEW = "AsStridedBackward0"
COPIED_GRAD = "torch::autograd::CopyBackwards"


def new_graph() -> nx.MultiDiGraph:
    """An empty recorded graph."""
    return nx.MultiDiGraph()


def tensor_nodes(graph: nx.MultiDiGraph) -> list[str]:
    """Tensor node ids in creation order."""
    return [n for n, kind in graph.nodes(data="kind") if kind == "tensor"]


def op_nodes(graph: nx.MultiDiGraph) -> list[str]:
    """Op node ids in creation order."""
    return [n for n, kind in graph.nodes(data="kind") if kind == "op"]


def leaves(graph: nx.MultiDiGraph) -> list[str]:
    """Leaf tensors that require grad (the ones whose `.grad` backward fills)."""
    return [
        n
        for n, data in graph.nodes(data=True)
        if data.get("kind") == "tensor" and data.get("is_leaf") and data.get("requires_grad")
    ]


def edges_of_kind(graph: nx.MultiDiGraph, kind: str) -> list[tuple[str, str, int]]:
    """Edges `(u, v, key)` of one kind, in insertion order."""
    return [(u, v, k) for u, v, k, d in graph.edges(keys=True, data="kind") if d == kind]


def inputs_of(graph: nx.MultiDiGraph, op_node: str) -> list[str]:
    """An op's input tensors in operand order (a tensor used twice appears twice)."""
    edges = sorted(graph.in_edges(op_node, keys=True, data=True), key=lambda e: e[3]["input_nr"])
    return [u for u, _, _, _ in edges]


def outputs_of(graph: nx.MultiDiGraph, op_node: str) -> list[str]:
    """An op's output tensors in output order."""
    edges = sorted(graph.out_edges(op_node, keys=True, data=True), key=lambda e: e[3]["input_nr"])
    return [v for _, v, _, _ in edges]


def named(graph: nx.MultiDiGraph, label: str) -> list[str]:
    """Tensor nodes carrying `label` (a reassigned name gives several, oldest first)."""
    return [
        n
        for n, data in graph.nodes(data=True)
        if data.get("kind") == "tensor" and label in data.get("label", "").split(", ")
    ]


def op_title(attrs: dict) -> str:
    """What an op node is called on screen: its torch function name, with the index for
    indexing (`y[0, 1:]` is two nodes, `getitem [0]` then `getitem [1:]`, one per part torch
    applies), `as_strided` for a view torch regenerated after an in-place change (its grad_fn
    AsStridedBackward0), `copy_` for a leaf's `.grad` that backward(create_graph=True) copied
    from the gradient (CopyBackwards), marked when it ran under no_grad."""
    op = attrs.get("op", "op")
    grad_fn = attrs.get("grad_fn")
    if grad_fn == REGENERATED_VIEW and not op.endswith("_"):
        title = "as_strided"
    elif grad_fn == COPIED_GRAD:
        title = "copy_"
    elif op in INDEXING_OPS:
        title = f"{op} {_index_of(attrs.get('args') or ())}".rstrip()
    else:
        title = op
    return f"{title} (no_grad)" if attrs.get("no_grad") else title


def _index_of(args: list) -> str:
    """The index operand of an indexing op, as written in brackets (`[0, 1:]`), or ""."""
    const = args[1].get("const", "") if len(args) > 1 else ""
    return const if const.startswith("[") else ""
