"""The Document: one program, its recorded run, the replay cursor and the view state.

Views subscribe to `document.events` (psygnal): program_changed(), ran(), cursor_moved(delta),
positions_changed(node_ids: set), dirty_changed(dirty: bool); they change state only through the
methods here. No Qt: the Qt layer keeps its undo stack and calls `move_node` itself.
"""

from __future__ import annotations

import gc
import math
from bisect import bisect_right
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import networkx as nx
from psygnal import Signal, SignalGroup

from explorer.model.events import CellStarted, Delta
from explorer.model.graph import new_graph
from explorer.model.layout import Position, compute_layout
from explorer.model.program import Program, ProgramError, parse_percent
from explorer.model.recorder import Recorder
from explorer.model.timeline import Replay, Span, StatementTable, Timeline


class DocumentEvents(SignalGroup):
    """The model's signals."""

    program_changed = Signal()
    ran = Signal()
    cursor_moved = Signal(object)
    positions_changed = Signal(object)
    dirty_changed = Signal(bool)


@dataclass
class ViewSettings:
    """Saved view choices: layout algorithm and direction (the cursor lives in the replay)."""

    layout: str = "layered"
    direction: str = "TB"


class Document:
    """A program and everything recorded from running it."""

    def __init__(self, program: Program | None = None) -> None:
        self.events = DocumentEvents()
        self.program = program if program is not None else Program()
        self.run_result = None
        self.graph: nx.MultiDiGraph = new_graph()
        self.timeline = Timeline()
        self.statements = StatementTable()
        self.replay = Replay(self.timeline)
        self.positions: dict[str, Position] = {}
        self.fixed: dict[str, Position] = {}
        self.view = ViewSettings()
        self.path: str | None = None
        self.layout_limit: int | None = None
        self.layout_pending = False
        self._cell_starts: tuple[list[int], list[int]] = ([], [])
        self._dirty = False

    @classmethod
    def new(cls) -> Document:
        """An empty, untitled document."""
        return cls()

    @classmethod
    def from_program(cls, program: Program) -> Document:
        """A document holding `program`, not yet run."""
        return cls(program)

    @property
    def name(self) -> str:
        """The file name, or "untitled"."""
        return Path(self.path).name if self.path else "untitled"

    @property
    def error(self) -> ProgramError | None:
        """The error that stopped the last run, if any."""
        return getattr(self.run_result, "error", None)

    @property
    def cursor(self) -> int:
        """The replay's current event index."""
        return self.replay.index

    @property
    def source(self) -> str:
        """The program as percent-format text."""
        return self.program.to_percent()

    @property
    def dirty(self) -> bool:
        """True when there are changes not saved to `path`."""
        return self._dirty

    @dirty.setter
    def dirty(self, value: bool) -> None:
        if value != self._dirty:
            self._dirty = value
            self.events.dirty_changed.emit(value)

    def event_cell(self, index: int) -> int | None:
        """The program cell (index into `program.cells`) that was running at event `index`."""
        starts, cells = self._cell_starts
        k = bisect_right(starts, index) - 1
        return cells[k] if k >= 0 else None

    def event_statement(self, index: int) -> Span | None:
        """The 1-based `(first, last)` lines of the statement that produced event `index`, or
        None (a CellStarted event, a file saved before statements were recorded)."""
        found = self.statements.at(index)
        if found is None:
            return None
        starts = self._cell_starts[0]
        cell_start = starts[bisect_right(starts, index) - 1] if starts else -1
        start, span = found
        return span if start > cell_start else None

    def event_line(self, index: int) -> int | None:
        """The first line of the statement that produced event `index`, or None."""
        span = self.event_statement(index)
        return span[0] if span is not None else None

    def cell_lines(self, cell: int) -> tuple[int, int]:
        """First and last 1-based lines of `cell`'s code in `source` (trailing blanks left out)."""
        first = self.program.cells[cell].first_line
        return first, first + self.program.cells[cell].source.rstrip().count("\n")

    def set_source(self, text: str) -> None:
        """Replace the program by parsing percent-format text (the recorded run stays)."""
        self.program = parse_percent(text)
        self.dirty = True
        self.events.program_changed.emit()

    def run_all(self) -> None:
        """Run every cell from a fresh state and record it."""
        self._run(None)

    def run_cell(self, index: int) -> None:
        """Re-run cells 0..index from a fresh state (deterministically) and record them."""
        self._run(index)

    def seek(self, index: int) -> Delta:
        """Move the replay cursor; emits cursor_moved(delta)."""
        delta = self.replay.seek(index)
        self.events.cursor_moved.emit(delta)
        return delta

    def move_node(self, node_id: str, xy: Position) -> None:
        """Place a node where the user dragged it; kept across re-layouts and re-runs."""
        position = (float(xy[0]), float(xy[1]))
        self.fixed[node_id] = position
        self.positions[node_id] = position
        self.dirty = True
        self.events.positions_changed.emit({node_id})

    def set_layout(self, algorithm: str | None = None, direction: str | None = None) -> None:
        """Choose the layout algorithm and/or direction and lay the graph out again."""
        algorithm = algorithm or self.view.layout
        direction = direction or self.view.direction
        positions = compute_layout(self.graph, algorithm, direction, self.fixed)
        self.set_positions(positions, algorithm, direction)

    def set_positions(self, positions: dict[str, Position], algorithm: str, direction: str) -> None:
        """Adopt a layout computed elsewhere (the window computes large ones off its thread).

        Completing a pending layout in the saved algorithm and direction is not an edit."""
        changed = (algorithm, direction) != (self.view.layout, self.view.direction)
        self.view.layout, self.view.direction = algorithm, direction
        self.positions = positions
        if changed or not self.layout_pending:
            self.dirty = True
        self.layout_pending = False
        self.events.positions_changed.emit(set(positions))

    def relayout(self, clear_fixed: bool = False) -> None:
        """Lay the graph out again (optionally forgetting dragged positions)."""
        if clear_fixed:
            self.fixed.clear()
        self.positions = compute_layout(
            self.graph, self.view.layout, self.view.direction, self.fixed
        )
        self.layout_pending = False
        self.events.positions_changed.emit(set(self.positions))

    def install(
        self,
        graph: nx.MultiDiGraph,
        timeline: Timeline,
        run_result: object,
        cursor: int | None = None,
        positions: dict[str, Position] | None = None,
        statements: StatementTable | None = None,
    ) -> None:
        """Adopt a recorded run (from running or from a file); the cursor goes to the end.

        Without `positions`, a graph of at most `layout_limit` nodes (any size when None) is laid
        out here; a larger one gets provisional positions and `layout_pending` is set, for the
        caller to lay it out elsewhere (off the GUI thread) and hand over with `set_positions`."""
        self.graph = graph
        self.timeline = timeline
        self.statements = statements if statements is not None else StatementTable()
        self.run_result = run_result
        self.replay = Replay(timeline)
        self.replay.seek(len(timeline) - 1 if cursor is None else cursor)
        starts = [(i, e.cell) for i, e in enumerate(timeline) if isinstance(e, CellStarted)]
        self._cell_starts = ([i for i, _ in starts], [c for _, c in starts])
        self.fixed = {n: xy for n, xy in self.fixed.items() if n in graph}
        self.positions = self._initial_positions(graph) if positions is None else positions
        if positions is not None:
            self.layout_pending = False
        self.events.ran.emit()

    def _initial_positions(self, graph: nx.MultiDiGraph) -> dict[str, Position]:
        limit = self.layout_limit
        self.layout_pending = limit is not None and graph.number_of_nodes() > limit
        if not self.layout_pending:
            return compute_layout(graph, self.view.layout, self.view.direction, self.fixed)
        return provisional_positions(graph, {**self.positions, **self.fixed})

    def adopt(self, run: RecordedRun) -> None:
        """Install a run recorded by `record_run` (for example on another thread)."""
        self.install(run.graph, run.timeline, run.result, statements=run.statements)

    def _run(self, upto_cell: int | None) -> None:
        self.adopt(record_run(self.program, upto_cell))


@dataclass(frozen=True)
class RecordedRun:
    """Everything one recorded run gives a Document."""

    graph: nx.MultiDiGraph
    timeline: Timeline
    statements: StatementTable
    result: object


def record_run(
    program: Program, upto_cell: int | None = None, pause: Callable[[], None] | None = None
) -> RecordedRun:
    """Run `program` (cells 0..upto_cell, all when None) and record it. Touches no Document, so
    a window can call it off its GUI thread and `adopt` the result on it (`pause`: see
    `run_program`)."""
    from explorer.model.interpreter import run_program

    recorder = Recorder()
    with collector_paused():
        result = run_program(program, observer=recorder, upto_cell=upto_cell, pause=pause)
        return RecordedRun(recorder.graph, recorder.timeline(), recorder.statements(), result)


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off while a run records, as it found it afterwards.

    A recording is tens of thousands of objects that live as long as the run, and every full
    collection walked them all again: a third of the time on the 10,000-node example, in pauses
    of 0.1-0.2 s that also held the GIL against the GUI thread. Cyclic garbage a program makes is
    collected after the run. A superseded run finishing beside the next one finds the collector
    already off and leaves it to the run that turned it off.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def provisional_positions(
    graph: nx.MultiDiGraph, known: dict[str, Position]
) -> dict[str, Position]:
    """Cheap stand-in positions until a real layout arrives: known ones kept, the other nodes on
    a square grid in creation order (row by row, top to bottom), below the known ones."""
    positions = {n: known[n] for n in graph if n in known}
    unplaced = [n for n in graph if n not in positions]
    columns = max(1, math.ceil(math.sqrt(len(unplaced))))
    top = min((y for _, y in positions.values()), default=0.0) - 1.0
    for i, node in enumerate(unplaced):
        positions[node] = (float(i % columns), top - i // columns)
    return positions
