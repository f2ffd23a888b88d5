"""The recorded timeline and the replay cursor over it.

`Timeline` is the ordered, immutable list of events of one run. `Replay` is a cursor: `seek(i)`
applies or reverts only the events between the old and the new index, so a one-event move costs
the same on a 10,000-node graph as on a 100-node one. The state at index i does not depend on the
path taken to it: seeking to i from anywhere gives what a fresh replay seeking to i gives.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from explorer.model.arrays import is_nonfinite
from explorer.model.events import Delta, Edge, Event, GradRecord, ReplayState


class Timeline(Sequence[Event]):
    """The events of one run in order (index 0 is the first event)."""

    def __init__(self, events: Iterable[Event] = ()) -> None:
        self._events: tuple[Event, ...] = tuple(events)

    def __len__(self) -> int:
        return len(self._events)

    def __getitem__(self, index):  # noqa: ANN001 - Sequence's int | slice
        return self._events[index]

    def __iter__(self) -> Iterator[Event]:
        return iter(self._events)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Timeline) and _same_events(self._events, other._events)

    __hash__ = None  # type: ignore[assignment]

    def first_nonfinite(self) -> int | None:
        """Index (0-based, like `Replay.index`) of the first event where a NaN or inf value or
        gradient appeared, if any."""
        for index, event in enumerate(self._events):
            if getattr(event, "nonfinite", False):
                return index
        return None

    def heading(self, index: int) -> str:
        """``event 12 / 80 · GradAccumulated``: the event at `index` (0-based) numbered from 1,
        as the timeline bar shows it, and its kind."""
        return f"event {index + 1} / {len(self)} · {type(self[index]).__name__}"


def nonfinite_origin(event: Event) -> str | None:
    """The node where `event` made a NaN or inf first appear, None if it made none."""
    flagged = getattr(event, "nonfinite", False)
    if isinstance(flagged, tuple):  # OpRan names the outputs that turned non-finite
        return flagged[0] if flagged else None
    return event.active_node if flagged else None


Span = tuple[int, int]


class StatementTable:
    """Which program statement produced each event, kept beside the timeline, not in its events.

    `entries` are `(event index, first line, last line)`, event indices strictly increasing: the
    statement on those 1-based lines of the program text produced that event and the ones after
    it, up to the next entry. Events before the first entry have no statement."""

    def __init__(self, entries: Iterable[tuple[int, int, int]] = ()) -> None:
        self.entries: tuple[tuple[int, int, int], ...] = tuple(entries)
        self._starts = [entry[0] for entry in self.entries]

    def __len__(self) -> int:
        return len(self.entries)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, StatementTable) and self.entries == other.entries

    __hash__ = None  # type: ignore[assignment]

    def at(self, index: int) -> tuple[int, Span] | None:
        """`(start, (first, last))`: the statement running at event `index` and the event it
        started at, or None."""
        k = bisect_right(self._starts, index) - 1
        if k < 0 or index < 0:
            return None
        start, first, last = self.entries[k]
        return start, (first, last)


class StatementLog:
    """Builds a StatementTable while a program runs (the Recorder owns one)."""

    def __init__(self) -> None:
        self.entries: list[tuple[int, int, int]] = []

    def started(self, index: int, first: int, last: int) -> None:
        """A statement on lines first..last began when `index` events had been recorded."""
        entries = self.entries
        if entries and entries[-1][0] == index:
            entries.pop()  # the statement before produced no event
        if not entries or entries[-1][1:] != (first, last):
            entries.append((index, first, last))

    def table(self, event_count: int) -> StatementTable:
        """The table for a timeline of `event_count` events."""
        return StatementTable(e for e in self.entries if e[0] < event_count)


@dataclass(frozen=True)
class NodeState:
    """A node as displayed at the cursor.

    `value`/`grad` are read-only arrays or None; `active` is True for the node the current event is
    about; `accumulation_count` counts backward contributions into a leaf's `.grad` since its last
    `zero_()`; `nonfinite` marks where a NaN/inf value or gradient first appeared (not everything
    downstream of it); `grad_history` lists every contribution and zero_ of a leaf up to the cursor.
    """

    visible: bool
    value: np.ndarray | None
    grad: np.ndarray | None
    active: bool
    accumulation_count: int = 0
    nonfinite: bool = False
    grad_history: tuple[GradRecord, ...] = ()
    requires_grad: bool = False


@dataclass(frozen=True)
class EdgeState:
    """An edge as displayed at the cursor; `gradient` is the array it carries now, or None."""

    visible: bool
    gradient: np.ndarray | None


class Replay:
    """A cursor over a Timeline; index -1 is before the first event."""

    def __init__(self, timeline: Timeline) -> None:
        self.timeline = timeline
        self._state = ReplayState()
        self._index = -1

    @property
    def index(self) -> int:
        """The current event index (-1 before the first event)."""
        return self._index

    @property
    def current_event(self) -> Event | None:
        """The event the cursor sits on, None before the first."""
        return self.timeline[self._index] if self._index >= 0 else None

    @property
    def active_node(self) -> str | None:
        """The node the current event is about."""
        event = self.current_event
        return event.active_node if event is not None else None

    def seek(self, index: int) -> Delta:
        """Move the cursor to `index` (clamped to -1..len-1); returns what changed."""
        target = max(-1, min(int(index), len(self.timeline) - 1))
        delta = Delta()
        self._touch(delta)
        while self._index < target:
            self._index += 1
            self.timeline[self._index].apply(self._state, self._index, delta)
        while self._index > target:
            self.timeline[self._index].revert(self._state, self._index, delta)
            self._index -= 1
        self._touch(delta)
        return delta

    def step(self, count: int = 1) -> Delta:
        """Move the cursor by `count` events (negative moves back)."""
        return self.seek(self._index + count)

    def node_state(self, node_id: str) -> NodeState:
        """The displayed state of one node at the cursor."""
        state = self._state
        history = state.history.get(node_id)
        return NodeState(
            visible=node_id in state.nodes,
            value=state.values.get(node_id),
            grad=state.grads.get(node_id),
            active=node_id == self.active_node,
            accumulation_count=state.counts.get(node_id, 0),
            nonfinite=node_id in state.nonfinite,
            grad_history=tuple(history) if history else (),
            requires_grad=state.requires_grad.get(node_id, False),
        )

    def edge_state(self, edge: Edge) -> EdgeState:
        """The displayed state of one edge `(u, v, key)` at the cursor."""
        edge = tuple(edge)
        gradient = None
        event = self.current_event
        if event is not None:
            gradient = next((g for e, g in event.carried if e == edge), None)
        return EdgeState(visible=edge in self._state.edges, gradient=gradient)

    def nonfinite_now(self, node_id: str) -> bool:
        """True when the node's value or gradient currently holds a NaN or inf."""
        state = self._state
        return is_nonfinite(state.values.get(node_id)) or is_nonfinite(state.grads.get(node_id))

    def _touch(self, delta: Delta) -> None:
        event = self.current_event
        if event is None:
            return
        if event.active_node is not None:
            delta.nodes.add(event.active_node)
        delta.edges.update(edge for edge, _ in event.carried)


def _same_events(a: Sequence[Event], b: Sequence[Event]) -> bool:
    return len(a) == len(b) and all(events_equal(x, y) for x, y in zip(a, b, strict=True))


def events_equal(a: Event, b: Event) -> bool:
    """Field-by-field equality that compares arrays by dtype, shape and bits."""
    if type(a) is not type(b):
        return False
    return all(_equal(x, y) for x, y in zip(vars(a).values(), vars(b).values(), strict=True))


def _equal(x: object, y: object) -> bool:
    if isinstance(x, np.ndarray) or isinstance(y, np.ndarray):
        return (
            isinstance(x, np.ndarray)
            and isinstance(y, np.ndarray)
            and x.dtype == y.dtype
            and x.shape == y.shape
            and x.tobytes() == y.tobytes()
        )
    if isinstance(x, tuple) and isinstance(y, tuple):
        return len(x) == len(y) and all(_equal(p, q) for p, q in zip(x, y, strict=True))
    return x == y
