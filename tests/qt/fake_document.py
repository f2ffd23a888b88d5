"""A small stand-in for explorer.model.document.Document, shaped like design.md's API.

Used only by tests that must not depend on the interpreter (a chain of N nodes for scale tests).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import networkx as nx
import numpy as np
from psygnal import Signal, SignalGroup


class FakeEvents(SignalGroup):
    program_changed = Signal()
    ran = Signal()
    cursor_moved = Signal(object)
    positions_changed = Signal(object)
    dirty_changed = Signal(bool)


@dataclass(frozen=True)
class FakeEvent:
    node: str


@dataclass
class FakeDelta:
    nodes: set = field(default_factory=set)
    edges: set = field(default_factory=set)


@dataclass
class FakeNodeState:
    visible: bool
    value: np.ndarray | None
    grad: np.ndarray | None
    active: bool
    accumulation_count: int = 0
    nonfinite: bool = False
    grad_history: tuple = ()


@dataclass
class FakeEdgeState:
    visible: bool
    gradient: np.ndarray | None


class FakeReplay:
    """Event i makes node i visible and active."""

    def __init__(self, graph: nx.MultiDiGraph) -> None:
        self.graph = graph
        self.order = list(graph.nodes)
        self.timeline = [FakeEvent(n) for n in self.order]
        self.index = -1

    @property
    def active_node(self):
        return self.order[self.index] if self.index >= 0 else None

    @property
    def current_event(self):
        return self.timeline[self.index] if self.index >= 0 else None

    def seek(self, i: int) -> FakeDelta:
        lo, hi = sorted((self.index, i))
        nodes = set(self.order[max(lo, 0) : hi + 1])
        self.index = i
        edges = {e for e in self.graph.in_edges(nodes, keys=True)}
        return FakeDelta(nodes, edges)

    def node_state(self, node_id: str) -> FakeNodeState:
        pos = self.order.index(node_id) if len(self.order) < 5000 else int(node_id[1:])
        return FakeNodeState(pos <= self.index, np.arange(3.0), None, pos == self.index)

    def edge_state(self, edge) -> FakeEdgeState:
        v = edge[1]
        return FakeEdgeState(self.order.index(v) <= self.index, None)


class FakeDocument:
    def __init__(self, n: int = 5) -> None:
        self.events = FakeEvents()
        self.graph = nx.MultiDiGraph()
        for i in range(n):
            kind = "tensor" if i % 2 == 0 else "op"
            self.graph.add_node(
                f"n{i}",
                kind=kind,
                label=f"v{i}" if kind == "tensor" else "",
                op="mul",
                shape=[3],
                dtype="float32",
                requires_grad=True,
                is_leaf=i == 0,
                grad_fn=None if i == 0 else "MulBackward0",
                no_grad=False,
                created_at=i,
                cell=0,
            )
            if i:
                self.graph.add_edge(f"n{i - 1}", f"n{i}", kind="data", input_nr=0, created_at=i)
        self.replay = FakeReplay(self.graph)
        self.timeline = self.replay.timeline
        self.positions = {f"n{i}": (0.0, -float(i)) for i in range(n)}
        self.name = "fake"
        self.path = None
        self.dirty = False
        self.error = None

    def seek(self, i: int) -> None:
        delta = self.replay.seek(i)
        self.events.cursor_moved.emit(delta)

    def move_node(self, node_id: str, xy) -> None:
        self.positions[node_id] = tuple(xy)
        self.events.positions_changed.emit({node_id})
