"""The iterative walks over a graph of nodes (no recursion: graphs may be 100,000 nodes deep)."""

from __future__ import annotations

import itertools
from collections import Counter

from engine.graph import Node


def dependencies(roots: list[Node]) -> dict[Node, int]:
    """For each node reachable from `roots`, how many edges lead into it (iterative walk).

    Roots reached by no edge are in the result with 0. The walk only collects the nodes; the
    edges are counted by `Counter` in C.
    """
    nodes = list(dict.fromkeys(roots))
    seen = {None, *nodes}
    for node in nodes:  # grows as the walk finds nodes
        for child in node.next_nodes:
            if child not in seen:
                seen.add(child)
                nodes.append(child)
    counts = dict.fromkeys(nodes, 0)
    counts.update(Counter(itertools.chain.from_iterable([node.next_nodes for node in nodes])))
    counts.pop(None, None)
    return counts


def topological_order(roots: list[Node]) -> list[Node]:
    """Nodes reachable from `roots`, each before all of its `next_nodes` (Kahn, iterative)."""
    counts = dependencies(roots)
    order = []
    ready = [root for root in dict.fromkeys(roots) if counts[root] == 0]
    while ready:
        node = ready.pop()
        order.append(node)
        for child in reversed(node.next_nodes):
            if child is None:
                continue
            counts[child] -= 1
            if counts[child] == 0:
                ready.append(child)
    return order


def reaching(roots: list[Node], targets: set) -> set[Node]:
    """Nodes reachable from `roots` with a path of one or more edges to a node in `targets`."""
    order = topological_order(roots)
    reach: set[Node] = set()
    for node in reversed(order):
        for child in node.next_nodes:
            if child is not None and (child in targets or child in reach):
                reach.add(node)
                break
    return reach
