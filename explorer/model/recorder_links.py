"""The Recorder's backward side: backward steps, leaf `.grad` tensors and their accumulation.

A backward step of an op's grad_fn is mapped to the op node and to the data edges that carry the
gradient: output edges carry `grad_in`, input edges carry `grads_out` (matched to `next_functions`
by identity, so `dot(x, x)` lights both of its edges from `x`). An AccumulateGrad step becomes
GradAccumulated on the leaf (before, contribution, after). The tensor object that is a leaf's
`.grad` gets a node (labelled `x.grad`, joined by a gradient edge) when used as a value, and
`zero_()` on it is recorded as GradZeroed on the leaf. A non-leaf that `retain_grad()` keeps a
gradient for gets GradAccumulated on its own node, just before its grad_fn's step.
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING

import numpy as np

from engine import Tensor
from engine.graph import AccumulateGrad
from explorer.model import events as ev
from explorer.model.graph import COPIED_GRAD

if TYPE_CHECKING:
    from explorer.model.recorder import Recorder


def tensor_array(tensor: object) -> np.ndarray:
    """The numpy values of an engine Tensor (arrays pass through)."""
    if isinstance(tensor, np.ndarray):
        return tensor
    return tensor.array


def tensor_dtype(tensor: object) -> str:
    """The numpy-like dtype name ("float32") of an engine Tensor."""
    dtype = tensor_array(tensor).dtype
    name = _DTYPE_NAMES.get(dtype)
    if name is None:
        name = _DTYPE_NAMES[dtype] = dtype.name
    return name


_DTYPE_NAMES: dict[np.dtype, str] = {}


def tensors_in(args: object) -> list[Tensor]:
    """The tensors among op arguments, in order, looking one level into lists and tuples."""
    found = []
    for arg in args:
        if isinstance(arg, Tensor):
            found.append(arg)
        elif isinstance(arg, list | tuple):
            found.extend(a for a in arg if isinstance(a, Tensor))
    return found


class GradientLinks:
    """Tracks grad_fns, leaves and `.grad` tensors for a Recorder."""

    def __init__(self, recorder: Recorder) -> None:
        self.recorder = recorder
        self.api = "backward"
        self._fn_nodes: dict[int, str] = {}
        self._in_edges: dict[str, list[tuple[str, ev.Edge]]] = {}
        self._out_edges: dict[str, tuple[ev.Edge, ...]] = {}
        self._leaf_tensors: dict[str, object] = {}
        self._grad_of: dict[int, str] = {}
        self._counts: dict[str, int] = {}
        self._outputs: dict[str, tuple[tuple[str, weakref.ref], ...]] = {}
        self._plans: dict[str, tuple[ev.Edge | None, ...]] = {}

    def op_recorded(
        self,
        op_node: str,
        grad_fn: object,
        outputs: tuple,
        out_nodes: tuple[str, ...],
        in_edges: tuple[ev.Edge, ...],
        out_edges: tuple[ev.Edge, ...],
    ) -> None:
        """Remember an op's grad_fn, its data edges and (weakly) its outputs."""
        self._fn_nodes[grad_fn.uid] = op_node
        self._in_edges[op_node] = [(e[0], e) for e in in_edges]
        self._out_edges[op_node] = out_edges
        self._outputs[op_node] = tuple(zip(out_nodes, map(weakref.ref, outputs), strict=True))

    def rebased(self, tensor: object) -> bool:
        """True when `tensor` has a grad_fn no recorded op has (an in-place op gave it one, or
        torch regenerated a view's)."""
        try:
            grad_fn = tensor.grad_fn
        except RuntimeError:  # a view made in no_grad mode, changed in place: torch raises
            return False  # reading its grad_fn, and it has none to show
        return grad_fn is not None and grad_fn.uid not in self._fn_nodes

    def copied_gradient(self, tensor: object) -> str | None:
        """For a leaf's `.grad` that backward(create_graph=True) made (CopyBackwards, not yet
        recorded), the node of the gradient it copies; None for any other tensor."""
        grad_fn = tensor.grad_fn if tensor._base is None else None
        if grad_fn is None or grad_fn.uid in self._fn_nodes or grad_fn.name() != COPIED_GRAD:
            return None
        copied = [self._source_node(fn, nr) for fn, nr in grad_fn.next_functions if fn is not None]
        return copied[0] if len(copied) == 1 else None

    def appeared_edges(self, tensor: object, node: str) -> tuple[ev.Edge, ...]:
        """A gradient edge from the leaf when a newly seen tensor is that leaf's `.grad`."""
        leaf = self._leaf_of_grad(tensor)
        if leaf is None:
            return ()
        attrs = self.recorder.writer.attrs
        attrs(node)["label"] = f"{attrs(leaf)['label'] or leaf}.grad"
        index = len(self.recorder.events)
        return (self.recorder.add_edge(leaf, node, "gradient", 0, index),)

    def in_place_on_grad(self, event: object) -> bool:
        """Record an in-place op on a leaf's `.grad`; False when the tensor is no leaf's grad."""
        leaf = self._leaf_of_grad(event.tensor)
        if leaf is None:
            return False
        store = self.recorder.arrays
        before = store.freeze(event.before)
        after = store.freeze(tensor_array(event.tensor))
        self.recorder.writer.attrs(leaf)["grad"] = after
        if event.op == "zero_":
            grad_node = self.recorder.known_node(event.tensor)
            count = self._counts.get(leaf, 0)
            self._counts[leaf] = 0
            self.recorder.emit(ev.GradZeroed(leaf, grad_node, before, after, count))
        else:
            node = self.recorder.node_for(event.tensor, value=event.before)
            nonfinite = store.nonfinite(after) and not store.nonfinite(before)
            self.recorder.emit(ev.InPlaceModified(node, event.op, before, after, leaf, nonfinite))
        return True

    def backward_step(self, event: object) -> None:
        """One executed grad_fn (engine BackwardStep)."""
        if event.variable is not None:
            self._accumulate_step(event)
            return
        op_node = self._fn_nodes.get(event.node.uid)
        if op_node is not None:
            self._retained_grads(event, op_node)
            self._op_step(event, op_node)

    def _retained_grads(self, event: object, op_node: str) -> None:
        """GradAccumulated on an op's output that `retain_grad()` asked to keep its gradient."""
        for (node, ref), grad_in in zip(self._outputs[op_node], event.grad_in, strict=False):
            tensor = ref()
            if tensor is None or grad_in is None or tensor.grad_fn is not event.node:
                continue
            if self.api != "backward":
                continue
            if not tensor.retains_grad or tensor.grad is None:
                continue
            self._leaf_tensors[node] = tensor
            self._grad_of[tensor.grad.uid] = node
            before = self.recorder.writer.attrs(node)["grad"]
            self._grad_accumulated(node, None, before, grad_in, tensor.grad)

    def _accumulate_step(self, event: object) -> None:
        recorder = self.recorder
        leaf = recorder.node_for(event.variable)
        name = getattr(event.node, "display_name", "AccumulateGrad")
        if self.api != "backward" or event.grad_after is None:
            recorder.emit(ev.BackwardStepped(leaf, name, (), ()))
            return
        self._leaf_tensors[leaf] = event.variable
        grad = getattr(event.variable, "grad", None)
        grad_node = None
        if grad is not None:
            self._grad_of[grad.uid] = leaf
            grad_node = recorder.known_node(grad)
        before = recorder.arrays.freeze_optional(_array_or_none(event.grad_before))
        self._grad_accumulated(leaf, grad_node, before, event.grad_in[0], event.grad_after)

    def _grad_accumulated(self, node: str, grad_node: str | None, before, grad_in, after) -> None:  # noqa: ANN001
        """GradAccumulated on `node`: `before` plus `grad_in` gave `after`."""
        recorder, store = self.recorder, self.recorder.arrays
        contribution = store.freeze(tensor_array(grad_in))
        after = store.freeze(tensor_array(after))
        recorder.writer.attrs(node)["grad"] = after
        self._counts[node] = self._counts.get(node, 0) + 1
        flag = store.nonfinite
        nonfinite = flag(after) and not (flag(before) or flag(contribution))
        recorder.emit(ev.GradAccumulated(node, grad_node, before, contribution, after, nonfinite))

    def _op_step(self, event: object, op_node: str) -> None:
        freeze, flag = self.recorder.arrays.freeze, self.recorder.arrays.nonfinite
        edges, gradients = [], []
        for edge, grad in zip(self._out_edges[op_node], event.grad_in, strict=False):
            if grad is not None:
                edges.append(edge)
                gradients.append(freeze(grad.array))
        nonfinite_in = any(map(flag, gradients))
        nonfinite_out = False
        plan = self._plans.get(op_node)
        if plan is None:
            plan = self._plan(event.node, op_node)
        for edge, grad in zip(plan, event.grads_out, strict=False):
            if grad is not None:
                frozen = freeze(grad.array)
                nonfinite_out = nonfinite_out or flag(frozen)
                if edge is not None:
                    edges.append(edge)
                    gradients.append(frozen)
        self.recorder.emit(
            ev.BackwardStepped(
                op_node=op_node,
                grad_fn=event.node.name(),
                edges=tuple(edges),
                gradients=tuple(gradients),
                nonfinite=nonfinite_out and not nonfinite_in,
            )
        )

    def _plan(self, node: object, op_node: str) -> tuple[ev.Edge | None, ...]:
        """The input edge each of a grad_fn's `next_functions` sends its gradient along (None
        where it sends none): the first unused edge from the tensor it reaches, else the one at
        its position. Worked out at the node's first backward step and kept."""
        in_edges = self._in_edges[op_node]
        functions = node.next_functions
        sources = [None if fn is None else self._source_node(fn, nr) for fn, nr in functions]
        if len(sources) == len(in_edges) and all(
            source is None or source == tensor
            for source, (tensor, _) in zip(sources, in_edges, strict=True)
        ):  # the usual case: one function per input, in order
            plan = tuple(
                None if fn is None else e
                for (fn, _), (_, e) in zip(functions, in_edges, strict=True)
            )
        else:
            plan = self._matched_plan(sources, functions, in_edges)
        self._plans[op_node] = plan
        return plan

    @staticmethod
    def _matched_plan(sources: list, functions: tuple, in_edges: list) -> tuple:
        used: set[ev.Edge] = set()
        plan: list[ev.Edge | None] = []
        for position, (source, (fn, _)) in enumerate(zip(sources, functions, strict=True)):
            edge = None
            if fn is not None:
                edge = next((e for t, e in in_edges if t == source and e not in used), None)
                if edge is None and position < len(in_edges) and in_edges[position][1] not in used:
                    edge = in_edges[position][1]
                if edge is not None:
                    used.add(edge)
            plan.append(edge)
        return tuple(plan)

    def _source_node(self, fn: object, nr: int) -> str | None:
        if isinstance(fn, AccumulateGrad):
            return self.recorder.known_node(fn.variable)
        op_node = self._fn_nodes.get(fn.uid)
        if op_node is None:
            return None
        outputs = self._out_edges[op_node]
        return outputs[nr][1] if nr < len(outputs) else None

    def _leaf_of_grad(self, tensor: object) -> str | None:
        leaf = self._grad_of.get(tensor.uid)
        if leaf is None:
            return None
        owner = self._leaf_tensors[leaf]
        if owner.grad_fn is not None and not owner.retains_grad:
            return None  # reading .grad of such a non-leaf would warn
        return leaf if owner.grad is tensor else None


def _array_or_none(value: object | None) -> np.ndarray | None:
    return None if value is None else tensor_array(value)
