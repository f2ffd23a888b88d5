"""Fast appends to the recorded networkx graph, for the Recorder's hot path.

networkx's `add_node`/`add_edge` check, copy keyword arguments and search for a free edge key on
every call; recording a 10,000-op program made some 50,000 such calls and spent as long in them as
the program took to run. The recorder only ever appends a new node, or an edge between existing
nodes whose key it knows, so `GraphWriter` writes the graph's documented dict-of-dicts structure
(`_node`, `_succ`, `_pred`, the same layout `add_edge` builds) directly, keeping the attribute dict
it is given so later changes need no view lookup.
"""

from __future__ import annotations

import networkx as nx


class GraphWriter:
    """Appends nodes and keyed edges to one `nx.MultiDiGraph`."""

    def __init__(self, graph: nx.MultiDiGraph) -> None:
        self.graph = graph
        self._node = graph._node
        self._succ = graph._succ
        self._pred = graph._pred
        self._cache = getattr(graph, "__networkx_cache__", None)

    def add_node(self, node: str, attrs: dict) -> dict:
        """Add a new node whose attribute dict is `attrs` (kept, not copied); returns it."""
        if node in self._node:
            raise ValueError(f"node {node!r} is already in the graph")
        self._node[node] = attrs
        self._succ[node] = {}
        self._pred[node] = {}
        self._clear_cache()
        return attrs

    def add_edge(self, u: str, v: str, attrs: dict) -> tuple[str, str, int]:
        """Add an edge between existing nodes under the next free key; returns `(u, v, key)`."""
        keys = self._succ[u].get(v)
        if keys is None:
            keys = self._succ[u][v] = self._pred[v][u] = {}
        key = len(keys)
        keys[key] = attrs  # an edge joins nodes just added, so add_node cleared the cache
        return (u, v, key)

    def attrs(self, node: str) -> dict:
        """The attribute dict of a node (the graph's own, so changes show in the graph)."""
        return self._node[node]

    def _clear_cache(self) -> None:
        if self._cache:
            self._cache.clear()
