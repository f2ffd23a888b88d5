"""The Recorder: watches a program run and turns what happens into timeline events and a graph.

It is the `observer` of `explorer.model.interpreter.run_program`: the interpreter calls
`cell_started`, `statement_started` (kept in a StatementTable beside the events, not in them),
`name_bound`, `printed`, `displayed`, `error_raised`, and passes every engine event
(`engine.observe`) to `on_engine_event`. Engine events hold live objects; the recorder keeps only
node ids and arrays copied once into its `ArrayStore` (equal arrays shared). The graph schema is in
`explorer.model.graph`. An in-place op that gives a tensor a new grad_fn (torch rebases its
history) is recorded like a forward op, from the tensor's previous node to a new node of the same
name; other in-place changes (under no_grad, on leaves) change the value of the same node. Through
a view, the op node joins the states of the view's base (torch's CopySlices), and the view gets a
node regenerated from the base's new state (AsStridedBackward0); so does an older view of that
base when it is next used. A leaf's `.grad` made under create_graph gets its CopyBackwards node.
"""

from __future__ import annotations

import networkx as nx
import numpy as np

from engine import Tensor
from engine import observe as engine_events
from engine.graph import root
from explorer.model import events as ev
from explorer.model.arrays import ArrayStore
from explorer.model.graph import INDEXING_OPS, REGENERATED_VIEW, new_graph
from explorer.model.graph_writer import GraphWriter
from explorer.model.index_text import index_text
from explorer.model.recorder_links import GradientLinks, tensor_array, tensor_dtype, tensors_in
from explorer.model.timeline import StatementLog, StatementTable, Timeline

CONST_REPR_LIMIT = 40


class Recorder:
    """Builds `graph` and `events` from one run; `timeline()` gives the recorded Timeline."""

    def __init__(self) -> None:
        self.graph: nx.MultiDiGraph = new_graph()
        self.writer = GraphWriter(self.graph)
        self.events: list[ev.Event] = []
        self.arrays = ArrayStore()
        self.cell = -1
        self._statements = StatementLog()
        self._nodes: dict[int, str] = {}  # tensor uid -> its current node
        self._values: dict[str, np.ndarray] = {}  # tensor node -> its value when created
        self._links = GradientLinks(self)
        self._counts = {"t": 0, "op": 0}
        self._api = "backward"
        self._handlers = {
            engine_events.OpRan: self._op_ran,
            engine_events.Detached: self._detached,
            engine_events.RequiresGradSet: self._requires_grad_set,
            engine_events.InPlaceModified: self._in_place_modified,
            engine_events.BackwardStarted: self._backward_started,
            engine_events.BackwardStep: self._links.backward_step,
            engine_events.BackwardFinished: self._backward_finished,
        }

    def timeline(self) -> Timeline:
        """The events recorded so far."""
        return Timeline(self.events)

    def statements(self) -> StatementTable:
        """Which statement produced each recorded event."""
        return self._statements.table(len(self.events))

    # -- the interpreter's observer protocol --------------------------------------------------

    def cell_started(self, index: int) -> None:
        """A cell began running."""
        self.cell = index
        self.emit(ev.CellStarted(index))

    def statement_started(self, cell: int, first_line: int, last_line: int) -> None:
        """The statement on lines first_line..last_line of the program text began."""
        self._statements.started(len(self.events), first_line, last_line)

    def name_bound(self, name: str, value: object) -> None:
        """`name = value` ran; a tensor's node gets the name as (part of) its label."""
        node = self.node_for(value) if _is_tensor(value) else None
        if node is not None:
            attrs = self.writer.attrs(node)
            label = attrs["label"]
            if not label:
                attrs["label"] = name
            elif name not in label.split(", "):
                attrs["label"] = f"{label}, {name}"
        self.emit(ev.NameBound(name, node))

    def printed(self, text: str) -> None:
        """The cell printed text."""
        self.emit(ev.OutputPrinted(self.cell, text, False))

    def displayed(self, text: str) -> None:
        """The cell's Out value, as the notebook shows it."""
        self.emit(ev.OutputPrinted(self.cell, text, True))

    def error_raised(self, cell: int, line: int, col: int, message: str) -> None:
        """The program stopped with an error."""
        self.emit(ev.ErrorRaised(cell, line, col, message))

    def on_engine_event(self, event: object) -> None:
        """One engine event (see engine.observe)."""
        handler = self._handlers.get(type(event))
        if handler is not None:
            handler(event)

    # -- helpers shared with GradientLinks ------------------------------------------------------

    def emit(self, event: ev.Event) -> int:
        """Append an event; returns its index."""
        self.events.append(event)
        return len(self.events) - 1

    def node_for(self, tensor: object, value: np.ndarray | None = None) -> str:
        """The node of a live tensor, creating one (a TensorAppeared event) the first time."""
        node = self._nodes.get(tensor.uid)
        if node is None:
            copied = self._links.copied_gradient(tensor)
            node = self.add_tensor_node(tensor, len(self.events))
            frozen = self.arrays.freeze(tensor_array(tensor) if value is None else value)
            edges = self._links.appeared_edges(tensor, node)
            if copied is not None:
                self._copy_recorded(tensor, node, copied, edges)
            else:
                self.emit(ev.TensorAppeared(node, frozen, bool(tensor.requires_grad), edges))
        return node

    def _copy_recorded(self, tensor: Tensor, node: str, source: str, edges: tuple) -> None:
        """A leaf's `.grad` made by backward(create_graph=True) is torch's copy of the gradient
        (CopyBackwards): an op node from the gradient's node to the `.grad` tensor's."""
        index = len(self.events)
        grad_fn = tensor.grad_fn
        op_node = self._add_op_node("clone", grad_fn, (), True, index)
        self.writer.attrs(op_node)["args"] = [{"tensor": source}]
        in_edge = self.add_edge(source, op_node, "data", 0, index)
        out_edge = self.add_edge(op_node, node, "data", 0, index)
        self._links.op_recorded(op_node, grad_fn, (tensor,), (node,), (in_edge,), (out_edge,))
        value, requires_grad = self._values[node], bool(tensor.requires_grad)
        all_edges = (in_edge, out_edge, *edges)
        self.emit(ev.OpRan(op_node, "clone", (node,), (value,), (requires_grad,), all_edges))

    def add_tensor_node(self, tensor: object, created_at: int, label: str = "") -> str:
        """Add a tensor node (its value attr filled in by the caller's event) and map the tensor."""
        number = self._counts["t"]
        self._counts["t"] = number + 1
        node = f"t{number}"
        grad_fn = tensor.grad_fn
        array = tensor.array
        value = self._values[node] = self.arrays.freeze(array)
        attrs = {
            "kind": "tensor",
            "label": label,
            "shape": list(array.shape),
            "dtype": tensor_dtype(array),
            "requires_grad": bool(tensor.requires_grad),
            "is_leaf": grad_fn is None,
            "grad_fn": grad_fn.name() if grad_fn is not None else None,
            "created_at": created_at,
            "cell": self.cell,
            "value": value,
            "grad": None,
        }
        self.writer.add_node(node, attrs)
        self._nodes[tensor.uid] = node
        return node

    def add_edge(self, u: str, v: str, kind: str, input_nr: int, created_at: int) -> ev.Edge:
        """Add an edge of the schema; returns `(u, v, key)`."""
        attrs = {"kind": kind, "input_nr": input_nr, "created_at": created_at}
        return self.writer.add_edge(u, v, attrs)

    # -- engine events --------------------------------------------------------------------------

    def _op_ran(self, event: engine_events.OpRan) -> None:
        outputs = event.output if isinstance(event.output, tuple) else (event.output,)
        self._record_op(event.op, event.args, outputs, event.grad_enabled)

    def _record_op(
        self, op: str, args: tuple, outputs: tuple, grad_enabled: bool, in_place: bool = False
    ) -> None:
        """An op node joining the current nodes of `args`' tensors to new `outputs` nodes
        (for an in-place op, the nodes its operands had before it ran)."""
        inputs = tensors_in(args)
        known = self._nodes
        in_nodes = [known.get(t.uid) or self.node_for(t) for t in inputs]
        grad_fn = outputs[0].grad_fn if outputs else None
        if grad_fn is not None and not in_place:
            self._refresh_views(inputs, in_nodes)
        index = len(self.events)
        op_node = self._add_op_node(op, grad_fn, args, grad_enabled, index)
        in_edges = self._input_edges(inputs, in_nodes, grad_enabled, op_node, index)
        out_nodes = tuple(self.add_tensor_node(out, index) for out in outputs)
        add_edge = self.writer.add_edge
        out_edges = tuple(
            add_edge(op_node, node, {"kind": "data", "input_nr": nr, "created_at": index})
            for nr, node in enumerate(out_nodes)
        )
        if grad_fn is not None:
            self._links.op_recorded(op_node, grad_fn, outputs, out_nodes, in_edges, out_edges)
        values = tuple(self._values[n] for n in out_nodes)
        self.emit(
            ev.OpRan(
                op_node=op_node,
                op=op,
                outputs=out_nodes,
                values=values,
                requires_grad=tuple(bool(out.requires_grad) for out in outputs),
                edges=in_edges + out_edges,
                nonfinite=self._new_nonfinite(in_nodes, out_nodes, values),
            )
        )

    def _new_nonfinite(self, in_nodes: list, out_nodes: tuple, values: tuple) -> tuple[str, ...]:
        """The outputs holding a NaN or inf when no input did (where it first appeared)."""
        flag = self.arrays.nonfinite
        if not any(map(flag, values)) or any(flag(self._values[n]) for n in in_nodes):
            return ()
        return tuple(n for n, value in zip(out_nodes, values, strict=True) if flag(value))

    def _add_op_node(
        self, op: str, grad_fn: object, args: tuple, grad_enabled: bool, index: int
    ) -> str:
        number = self._counts["op"]
        self._counts["op"] = number + 1
        op_node = f"op{number}"
        attrs = {
            "kind": "op",
            "op": op,
            "grad_fn": grad_fn.name() if grad_fn is not None else None,
            "no_grad": not grad_enabled,
            "created_at": index,
            "cell": self.cell,
            "args": self._operands(op, args),
            "next_functions": next_function_names(grad_fn),
        }
        self.writer.add_node(op_node, attrs)
        return op_node

    def _input_edges(
        self, inputs: list, in_nodes: list, grad_enabled: bool, op_node: str, index: int
    ) -> tuple[ev.Edge, ...]:
        add = self.writer.add_edge
        if grad_enabled:
            return tuple(
                add(node, op_node, {"kind": "data", "input_nr": nr, "created_at": index})
                for nr, node in enumerate(in_nodes)
            )
        return tuple(
            add(node, op_node, {"kind": _input_kind(tensor), "input_nr": nr, "created_at": index})
            for nr, (tensor, node) in enumerate(zip(inputs, in_nodes, strict=True))
        )

    def _detached(self, event: engine_events.Detached) -> None:
        source = self.node_for(event.source)
        index = len(self.events)
        label = self.writer.attrs(source)["label"] if event.in_place else ""
        output = self.add_tensor_node(event.output, index, label)
        edge = self.add_edge(source, output, "detach", 0, index)
        value = self._values[output]
        self.emit(ev.Detached(source, output, bool(event.in_place), value, edge))

    def _requires_grad_set(self, event: engine_events.RequiresGradSet) -> None:
        node = self.node_for(event.tensor)
        attrs = self.writer.attrs(node)
        before = bool(attrs["requires_grad"])
        attrs["requires_grad"] = bool(event.requires_grad)
        self.emit(ev.RequiresGradSet(node, bool(event.requires_grad), before))

    def _in_place_modified(self, event: engine_events.InPlaceModified) -> None:
        if self._links.in_place_on_grad(event):
            return
        node = self.node_for(event.tensor, value=event.before)
        if self._links.rebased(event.tensor) or self._links.rebased(root(event.tensor)):
            self._in_place_recorded(event)
            return
        before = self.arrays.freeze(event.before)
        after = self.arrays.freeze(tensor_array(event.tensor))
        nonfinite = self.arrays.nonfinite(after) and not self.arrays.nonfinite(before)
        self.emit(ev.InPlaceModified(node, event.op, before, after, None, nonfinite))

    def _in_place_recorded(self, event: engine_events.InPlaceModified) -> None:
        """An in-place op that gave the tensor a new grad_fn (torch rebases its history): an op
        node from the tensor's previous node to a new node for its new state, same label.
        Through a view, torch gives the view's base the new history (CopySlices: the op node
        joins the base's states) and the view AsStridedBackward0 to it (a view op node)."""
        tensor, args = event.tensor, event.args
        others = args[1:] if args and args[0] is tensor else args
        base = root(tensor)
        if base is not tensor and self._links.rebased(base):
            self._new_state(base, event.op, (base, *others), in_place=True)
        if not self._links.rebased(tensor):
            return
        if base is not tensor and tensor.grad_fn.name() == REGENERATED_VIEW:
            self._regenerated_view(tensor)
        else:
            self._new_state(tensor, event.op, (tensor, *others), in_place=True)

    def _refresh_views(self, inputs: list, in_nodes: list) -> None:
        """Inputs that are views torch gave a new grad_fn since their node was made (after an
        in-place change of their base or of another view) get a node for their new state."""
        rebased = self._links.rebased
        for k, tensor in enumerate(inputs):
            if tensor._base is not None and rebased(tensor):
                in_nodes[k] = self._regenerated_view(tensor)

    def _regenerated_view(self, view: Tensor) -> str:
        """torch's AsStridedBackward0 for a view whose values changed in place: an op node (the
        view's own op) from its root base's current node to a new node of the view."""
        previous = self._nodes[view.uid]
        op = self._producer_op(previous) or "getitem"
        return self._new_state(view, op, (root(view),))

    def _new_state(self, tensor: Tensor, op: str, args: tuple, in_place: bool = False) -> str:
        """`op` gave `tensor` a grad_fn no recorded op has: an op node from the nodes of `args`'
        tensors to a new node of `tensor`, which keeps its label."""
        label = self.writer.attrs(self._nodes[tensor.uid])["label"]
        self._record_op(op, args, (tensor,), True, in_place)
        node = self._nodes[tensor.uid]
        self.writer.attrs(node)["label"] = label
        return node

    def _producer_op(self, node: str) -> str | None:
        """The op name of the op node that produced a tensor node, if any."""
        for source in self.graph.predecessors(node):
            attrs = self.writer.attrs(source)
            if attrs["kind"] == "op":
                return attrs["op"]
        return None

    def _backward_started(self, event: engine_events.BackwardStarted) -> None:
        self._api = event.api
        self._links.api = event.api
        roots = tuple(self._root_node(t) for t in event.roots)
        self.emit(ev.BackwardStarted(roots, event.api))

    def _root_node(self, tensor: Tensor) -> str:
        """A backward root's node, a new one if it is a view whose values changed in place."""
        node = self.node_for(tensor)
        if tensor._base is not None and self._links.rebased(tensor):
            return self._regenerated_view(tensor)
        return node

    def _backward_finished(self, event: engine_events.BackwardFinished) -> None:
        roots = tuple(self._nodes.get(t.uid, "") for t in event.roots)
        self.emit(ev.BackwardFinished(tuple(r for r in roots if r)))

    def _operands(self, op: str, args: tuple) -> list[dict]:
        """The op's operands for its node; an indexing op's index as written (`[0, 1:]`, its
        tensors by name: `[range(2), labels]`; the index tensors are the op's input edges)."""
        operands = [self._operand(arg) for arg in args]
        if op in INDEXING_OPS and len(args) > 1:
            operands[1] = {"const": index_text(args[1], self._tensor_name)}
        return operands

    def _tensor_name(self, tensor: Tensor) -> str:
        """The first name a recorded tensor is bound to, "" if none."""
        node = self._nodes.get(tensor.uid)
        return self.writer.attrs(node)["label"].split(", ")[0] if node else ""

    def _operand(self, arg: object) -> dict:
        if isinstance(arg, Tensor):
            return {"tensor": self._nodes[arg.uid]}
        if isinstance(arg, list | tuple) and any(_is_tensor(a) for a in arg):
            return {"tensors": [self._nodes[t.uid] for t in tensors_in(arg)]}
        return _const(arg)

    def known_node(self, tensor: object) -> str | None:
        """The node of a tensor already recorded, or None."""
        return self._nodes.get(tensor.uid)


def next_function_names(grad_fn: object) -> list:
    """`grad_fn.next_functions` as `[class name or None, input_nr]` pairs, as torch prints them
    (`x ** 2` has one entry, `2 * x` two, the constant's None last): the inspector shows them."""
    if grad_fn is None:
        return []
    return [[None if fn is None else fn.display_name, nr] for fn, nr in grad_fn.next_functions]


def _input_kind(tensor: Tensor) -> str:
    """An input that requires grad is cut ("no_grad") when the op runs under no_grad."""
    return "no_grad" if tensor.requires_grad else "data"


def _is_tensor(value: object) -> bool:
    return isinstance(value, Tensor)


def _const(arg: object) -> dict[str, str]:
    text = repr(arg)
    if len(text) > CONST_REPR_LIMIT:
        text = text[: CONST_REPR_LIMIT - 3] + "..."
    return {"const": text}
