"""Node positions for the recorded graph, built on networkx and deterministic.

The default "layered" layout puts each node in its topological generation (inputs above the ops
that use them, outputs below), moves nodes with consumers down to just above the nearest one, and
orders each layer by barycenter sweeps to reduce edge crossings.
Units: neighbouring nodes in a layer are 1 apart, and so are neighbouring layers. "TB" runs layers
top to bottom (y decreasing), "LR" left to right (x increasing).

Stability: the layout depends only on the graph, so laying out the graph of the whole run once gives
positions that never move as the replay cursor reveals nodes; positions in `fixed` (nodes the user
dragged) are returned unchanged, and nodes not in the graph are ignored.

Progress: `compute_layout(..., progress=report)` calls `report(fraction)` now and then (0.0 to 1.0);
`report` may raise `LayoutCancelled` to stop the work, which then propagates to the caller. The
positions do not depend on whether or how progress is reported.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import networkx as nx

Position = tuple[float, float]
Progress = Callable[[float], None]
SWEEPS = 4
ALGORITHMS = ("layered", "spring", "kamada_kawai", "spectral", "circular", "shell", "multipartite")
DIRECTIONS = ("TB", "LR")
REPORT_EVERY = 256  # layers (or generations) between two progress reports


class LayoutCancelled(Exception):
    """Raised by a progress callback to stop a layout part-way."""


def _no_progress(_fraction: float) -> None:
    return None


def compute_layout(
    graph: nx.MultiDiGraph,
    algorithm: str = "layered",
    direction: str = "TB",
    fixed: Mapping[str, Position] | None = None,
    *,
    progress: Progress | None = None,
) -> dict[str, Position]:
    """Positions `{node_id: (x, y)}` for every node of `graph`, `fixed` ones kept as given.

    `progress(fraction)` is called from time to time and may raise `LayoutCancelled`."""
    report = progress or _no_progress
    if algorithm not in ALGORITHMS:
        raise ValueError(f"unknown layout algorithm {algorithm!r}; choose one of {ALGORITHMS}")
    if direction not in DIRECTIONS:
        raise ValueError(f"unknown layout direction {direction!r}; choose TB or LR")
    fixed = {n: _pair(xy) for n, xy in (fixed or {}).items() if n in graph}
    report(0.0)
    if graph.number_of_nodes() == 0:
        return {}
    if algorithm == "layered":
        positions = _oriented(layered_positions(graph, report), direction)
    else:
        positions = _networkx_layout(graph, algorithm, direction, fixed)
    positions.update(fixed)
    report(1.0)
    return positions


def layers(graph: nx.MultiDiGraph, progress: Progress = _no_progress) -> list[list[str]]:
    """Topological generations, each in creation order; edges pointing back in creation order
    (possible only in hand-edited files) are ignored so that any graph can be layered.
    `progress` hears fractions from 0 to 0.5 of the whole layered layout."""
    rank = {node: i for i, node in enumerate(graph)}
    forward = nx.DiGraph()
    forward.add_nodes_from(graph)
    forward.add_edges_from((u, v) for u, v in graph.edges() if rank[u] < rank[v])
    depth, placed, total = {}, 0, max(len(rank), 1)
    for number, generation in enumerate(nx.topological_generations(forward), 1):
        depth.update(dict.fromkeys(generation, number - 1))
        placed += len(generation)
        if number % REPORT_EVERY == 0:
            progress(0.5 * placed / total)
    _sink_towards_consumers(forward, depth)
    result = [[] for _ in range(max(depth.values(), default=-1) + 1)]
    for node in graph:
        result[depth[node]].append(node)
    return result


def _sink_towards_consumers(forward: nx.DiGraph, depth: dict[str, int]) -> None:
    """Move every node that has consumers down to just above the nearest one, so an input made
    early but used late (`xs[t]` in an unrolled loop) sits beside its use, not in the top row."""
    for node in reversed(list(nx.topological_sort(forward))):
        consumers = forward.successors(node)
        nearest = min((depth[c] for c in consumers), default=None)
        if nearest is not None:
            depth[node] = max(depth[node], nearest - 1)


def layered_positions(
    graph: nx.MultiDiGraph, progress: Progress = _no_progress
) -> dict[str, Position]:
    """Top-down layered positions (x: place in the layer, y: minus the layer number)."""
    ordered = reduce_crossings(graph, layers(graph, progress), progress)
    positions: dict[str, Position] = {}
    for depth, layer in enumerate(ordered):
        offset = (len(layer) - 1) / 2.0
        for place, node in enumerate(layer):
            positions[node] = (place - offset, -float(depth))
    return positions


def reduce_crossings(
    graph: nx.MultiDiGraph, ordered: list[list[str]], progress: Progress = _no_progress
) -> list[list[str]]:
    """Barycenter heuristic: sweep down (by predecessors) and up (by successors) SWEEPS times.
    `progress` hears fractions from 0.5 to 1 of the whole layered layout."""
    ordered = [list(layer) for layer in ordered]
    place = {node: i for layer in ordered for i, node in enumerate(layer)}
    preds = {n: list(dict.fromkeys(graph.predecessors(n))) for n in graph}
    succs = {n: list(dict.fromkeys(graph.successors(n))) for n in graph}
    for sweep in range(SWEEPS):
        down = sweep % 2 == 0
        neighbours = preds if down else succs
        indices = range(1, len(ordered)) if down else range(len(ordered) - 2, -1, -1)
        for step, i in enumerate(indices):
            ordered[i] = _sorted_by_barycenter(ordered[i], neighbours, place)
            place.update((node, j) for j, node in enumerate(ordered[i]))
            if step % REPORT_EVERY == 0:
                progress(0.5 + 0.5 * (sweep + step / len(ordered)) / SWEEPS)
    return ordered


def _sorted_by_barycenter(layer: list[str], neighbours: dict, place: dict) -> list[str]:
    def key(item: tuple[int, str]) -> tuple[float, int]:
        index, node = item
        near = neighbours[node]
        if not near:
            return (float(index), index)
        return (sum(place[m] for m in near) / len(near), index)

    return [node for _, node in sorted(enumerate(layer), key=key)]


def _oriented(positions: dict[str, Position], direction: str) -> dict[str, Position]:
    if direction == "TB":
        return positions
    return {node: (-y, -x) for node, (x, y) in positions.items()}


def _networkx_layout(
    graph: nx.MultiDiGraph, algorithm: str, direction: str, fixed: dict[str, Position]
) -> dict[str, Position]:
    simple = nx.Graph(graph)
    scale = max(1.0, simple.number_of_nodes() ** 0.5)
    compute = _NETWORKX[algorithm]
    raw = compute(simple, graph, scale, fixed, direction)
    return {node: (float(x), float(y)) for node, (x, y) in raw.items()}


def _spring(simple, graph, scale, fixed, direction):  # noqa: ANN001, ANN202
    if fixed:
        return nx.spring_layout(simple, pos=fixed, fixed=list(fixed), seed=0, scale=scale)
    return nx.spring_layout(simple, seed=0, scale=scale)


def _multipartite(simple, graph, scale, fixed, direction):  # noqa: ANN001, ANN202
    layered = nx.Graph()
    for depth, layer in enumerate(layers(graph)):
        layered.add_nodes_from(layer, subset=depth)
    align = "horizontal" if direction == "TB" else "vertical"
    return nx.multipartite_layout(layered, align=align, scale=scale)


_NETWORKX: dict[str, Callable] = {
    "spring": _spring,
    "kamada_kawai": lambda s, g, scale, f, d: nx.kamada_kawai_layout(s, scale=scale),
    "spectral": lambda s, g, scale, f, d: nx.spectral_layout(s, scale=scale),
    "circular": lambda s, g, scale, f, d: nx.circular_layout(s, scale=scale),
    "shell": lambda s, g, scale, f, d: nx.shell_layout(s, scale=scale),
    "multipartite": _multipartite,
}


def _pair(xy: object) -> Position:
    x, y = xy  # type: ignore[misc]
    return (float(x), float(y))
