"""Timeline events: what happened during a run, as plain data.

Each event is a frozen dataclass holding node ids (strings of the recorded graph), edges as
`(u, v, key)` tuples, texts, numbers and copied read-only numpy arrays, never live engine objects.
Each event knows how to `apply` itself to a `ReplayState` and how to `revert` itself from it, so
moving the replay cursor costs in proportion to the events crossed. Every event carries what its
revert needs (`before` arrays, the count before a `zero_()`), so reverting reads nothing else.
An event's `active_node` and `carried` gradients describe the moment the cursor sits on it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

Edge = tuple[str, str, int]


@dataclass(frozen=True)
class GradRecord:
    """One change of a leaf's `.grad`: a backward contribution or a `zero_()`."""

    event: int
    kind: str
    contribution: np.ndarray | None
    after: np.ndarray | None


@dataclass
class Delta:
    """Node ids and edges whose displayed state changed during one seek."""

    nodes: set[str] = field(default_factory=set)
    edges: set[Edge] = field(default_factory=set)


@dataclass
class ReplayState:
    """The mutable state the events apply themselves to; the Replay owns one."""

    nodes: set[str] = field(default_factory=set)
    edges: set[Edge] = field(default_factory=set)
    values: dict[str, np.ndarray] = field(default_factory=dict)
    grads: dict[str, np.ndarray] = field(default_factory=dict)
    requires_grad: dict[str, bool] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    history: dict[str, list[GradRecord]] = field(default_factory=dict)
    nonfinite: dict[str, int] = field(default_factory=dict)

    def reveal(self, delta: Delta, nodes: tuple[str, ...], edges: tuple[Edge, ...]) -> None:
        """Make nodes and edges visible."""
        self.nodes.update(nodes)
        self.edges.update(edges)
        delta.nodes.update(nodes)
        delta.edges.update(edges)

    def hide(self, delta: Delta, nodes: tuple[str, ...], edges: tuple[Edge, ...]) -> None:
        """Undo `reveal`, dropping the values the nodes were given."""
        self.nodes.difference_update(nodes)
        self.edges.difference_update(edges)
        for node in nodes:
            self.values.pop(node, None)
            self.requires_grad.pop(node, None)
        delta.nodes.update(nodes)
        delta.edges.update(edges)

    def set_value(self, node: str, value: np.ndarray | None) -> None:
        """Set or (with None) clear a node's value."""
        if value is None:
            self.values.pop(node, None)
        else:
            self.values[node] = value

    def set_grad(self, leaf: str, grad: np.ndarray | None) -> None:
        """Set or (with None) clear a leaf's `.grad`."""
        if grad is None:
            self.grads.pop(leaf, None)
        else:
            self.grads[leaf] = grad

    def flag_nonfinite(self, node: str, step: int) -> None:
        """Count (step 1) or uncount (step -1) a place where a NaN or inf first appeared."""
        count = self.nonfinite.get(node, 0) + step
        if count > 0:
            self.nonfinite[node] = count
        else:
            self.nonfinite.pop(node, None)


@dataclass(frozen=True)
class Event:
    """Base of all timeline events; by default an event changes no node state."""

    @property
    def active_node(self) -> str | None:
        """The node the event is about, highlighted while the cursor sits on it."""
        return None

    @property
    def carried(self) -> tuple[tuple[Edge, np.ndarray], ...]:
        """Edges carrying a gradient while the cursor sits on this event."""
        return ()

    def apply(self, state: ReplayState, index: int, delta: Delta) -> None:
        """Move the state from just before this event to just after it."""

    def revert(self, state: ReplayState, index: int, delta: Delta) -> None:
        """Exactly undo `apply`."""


@dataclass(frozen=True)
class CellStarted(Event):
    """A program cell began running."""

    cell: int


@dataclass(frozen=True)
class OpRan(Event):
    """A forward op created an op node and its output tensor nodes, joined by data edges."""

    op_node: str
    op: str
    outputs: tuple[str, ...]
    values: tuple[np.ndarray, ...]
    requires_grad: tuple[bool, ...]
    edges: tuple[Edge, ...]
    nonfinite: tuple[str, ...] = ()

    @property
    def active_node(self) -> str | None:
        return self.op_node

    def apply(self, state: ReplayState, index: int, delta: Delta) -> None:
        state.reveal(delta, (self.op_node, *self.outputs), self.edges)
        for node, value, flag in zip(self.outputs, self.values, self.requires_grad, strict=True):
            state.values[node] = value
            state.requires_grad[node] = flag
        for node in self.nonfinite:
            state.flag_nonfinite(node, 1)

    def revert(self, state: ReplayState, index: int, delta: Delta) -> None:
        state.hide(delta, (self.op_node, *self.outputs), self.edges)
        for node in self.nonfinite:
            state.flag_nonfinite(node, -1)


@dataclass(frozen=True)
class TensorAppeared(Event):
    """A tensor first seen as an operand (for example a leaf's `.grad`), with its edges."""

    node: str
    value: np.ndarray
    requires_grad: bool
    edges: tuple[Edge, ...] = ()

    @property
    def active_node(self) -> str | None:
        return self.node

    def apply(self, state: ReplayState, index: int, delta: Delta) -> None:
        state.reveal(delta, (self.node,), self.edges)
        state.values[self.node] = self.value
        state.requires_grad[self.node] = self.requires_grad

    def revert(self, state: ReplayState, index: int, delta: Delta) -> None:
        state.hide(delta, (self.node,), self.edges)


@dataclass(frozen=True)
class Detached(Event):
    """`detach()`, `detach_()` or `.data` made `output` from `source` (a detach edge)."""

    source: str
    output: str
    in_place: bool
    value: np.ndarray
    edge: Edge

    @property
    def active_node(self) -> str | None:
        return self.output

    def apply(self, state: ReplayState, index: int, delta: Delta) -> None:
        state.reveal(delta, (self.output,), (self.edge,))
        state.values[self.output] = self.value
        state.requires_grad[self.output] = False

    def revert(self, state: ReplayState, index: int, delta: Delta) -> None:
        state.hide(delta, (self.output,), (self.edge,))


@dataclass(frozen=True)
class NameBound(Event):
    """A program name was bound to a value (`node` is None for a non-tensor value)."""

    name: str
    node: str | None

    @property
    def active_node(self) -> str | None:
        return self.node


@dataclass(frozen=True)
class RequiresGradSet(Event):
    """`requires_grad_()` or an attribute set changed a tensor's requires_grad."""

    node: str
    requires_grad: bool
    before: bool

    @property
    def active_node(self) -> str | None:
        return self.node

    def apply(self, state: ReplayState, index: int, delta: Delta) -> None:
        state.requires_grad[self.node] = self.requires_grad
        delta.nodes.add(self.node)

    def revert(self, state: ReplayState, index: int, delta: Delta) -> None:
        state.requires_grad[self.node] = self.before
        delta.nodes.add(self.node)


@dataclass(frozen=True)
class InPlaceModified(Event):
    """An in-place op changed a tensor's values; `leaf` is set when it is a leaf's `.grad`."""

    node: str
    op: str
    before: np.ndarray
    after: np.ndarray
    leaf: str | None = None
    nonfinite: bool = False

    @property
    def active_node(self) -> str | None:
        return self.node

    def apply(self, state: ReplayState, index: int, delta: Delta) -> None:
        self._set(state, self.after, delta)
        if self.nonfinite:
            state.flag_nonfinite(self.node, 1)

    def revert(self, state: ReplayState, index: int, delta: Delta) -> None:
        self._set(state, self.before, delta)
        if self.nonfinite:
            state.flag_nonfinite(self.node, -1)

    def _set(self, state: ReplayState, value: np.ndarray, delta: Delta) -> None:
        state.values[self.node] = value
        delta.nodes.add(self.node)
        if self.leaf is not None:
            state.grads[self.leaf] = value
            delta.nodes.add(self.leaf)


@dataclass(frozen=True)
class GradZeroed(Event):
    """`leaf.grad.zero_()`: the leaf's gradient and accumulation count go back to zero."""

    leaf: str
    grad_node: str | None
    before: np.ndarray | None
    after: np.ndarray | None
    count_before: int

    @property
    def active_node(self) -> str | None:
        return self.leaf

    def apply(self, state: ReplayState, index: int, delta: Delta) -> None:
        self._set(state, self.after, 0, delta)
        record = GradRecord(index, "zero", None, self.after)
        state.history.setdefault(self.leaf, []).append(record)

    def revert(self, state: ReplayState, index: int, delta: Delta) -> None:
        self._set(state, self.before, self.count_before, delta)
        state.history[self.leaf].pop()

    def _set(self, state: ReplayState, grad: np.ndarray | None, count: int, delta: Delta) -> None:
        state.set_grad(self.leaf, grad)
        state.counts[self.leaf] = count
        delta.nodes.add(self.leaf)
        if self.grad_node is not None:
            state.set_value(self.grad_node, grad)
            delta.nodes.add(self.grad_node)


@dataclass(frozen=True)
class BackwardStarted(Event):
    """`backward()` (api "backward") or `autograd.grad` (api "grad") began from these roots."""

    roots: tuple[str, ...]
    api: str

    @property
    def active_node(self) -> str | None:
        return self.roots[0] if self.roots else None


@dataclass(frozen=True)
class BackwardStepped(Event):
    """The grad_fn of `op_node` ran: `edges` carried `gradients` (into it, then out to inputs)."""

    op_node: str
    grad_fn: str
    edges: tuple[Edge, ...]
    gradients: tuple[np.ndarray, ...]
    nonfinite: bool = False

    @property
    def active_node(self) -> str | None:
        return self.op_node

    @property
    def carried(self) -> tuple[tuple[Edge, np.ndarray], ...]:
        return tuple(zip(self.edges, self.gradients, strict=True))

    def apply(self, state: ReplayState, index: int, delta: Delta) -> None:
        if self.nonfinite:
            state.flag_nonfinite(self.op_node, 1)
            delta.nodes.add(self.op_node)

    def revert(self, state: ReplayState, index: int, delta: Delta) -> None:
        if self.nonfinite:
            state.flag_nonfinite(self.op_node, -1)
            delta.nodes.add(self.op_node)


@dataclass(frozen=True)
class GradAccumulated(Event):
    """A backward pass added `contribution` into the leaf's `.grad` (before -> after)."""

    leaf: str
    grad_node: str | None
    before: np.ndarray | None
    contribution: np.ndarray
    after: np.ndarray
    nonfinite: bool = False

    @property
    def active_node(self) -> str | None:
        return self.leaf

    def apply(self, state: ReplayState, index: int, delta: Delta) -> None:
        self._set(state, self.after, delta)
        state.counts[self.leaf] = state.counts.get(self.leaf, 0) + 1
        record = GradRecord(index, "backward", self.contribution, self.after)
        state.history.setdefault(self.leaf, []).append(record)
        if self.nonfinite:
            state.flag_nonfinite(self.leaf, 1)

    def revert(self, state: ReplayState, index: int, delta: Delta) -> None:
        self._set(state, self.before, delta)
        state.counts[self.leaf] -= 1
        state.history[self.leaf].pop()
        if self.nonfinite:
            state.flag_nonfinite(self.leaf, -1)

    def _set(self, state: ReplayState, grad: np.ndarray | None, delta: Delta) -> None:
        state.set_grad(self.leaf, grad)
        delta.nodes.add(self.leaf)
        if self.grad_node is not None:
            state.set_value(self.grad_node, grad)
            delta.nodes.add(self.grad_node)


@dataclass(frozen=True)
class BackwardFinished(Event):
    """The backward pass from these roots ended."""

    roots: tuple[str, ...]


@dataclass(frozen=True)
class OutputPrinted(Event):
    """A cell printed `text` (`displayed` True: the cell's Out value, as a notebook shows it)."""

    cell: int
    text: str
    displayed: bool = False


@dataclass(frozen=True)
class ErrorRaised(Event):
    """The program stopped with an error at cell/line/col; what ran before it stays recorded."""

    cell: int
    line: int
    col: int
    message: str


EVENT_TYPES: dict[str, type[Event]] = {
    cls.__name__: cls
    for cls in (
        CellStarted,
        OpRan,
        TensorAppeared,
        Detached,
        NameBound,
        RequiresGradSet,
        InPlaceModified,
        GradZeroed,
        BackwardStarted,
        BackwardStepped,
        GradAccumulated,
        BackwardFinished,
        OutputPrinted,
        ErrorRaised,
    )
}
