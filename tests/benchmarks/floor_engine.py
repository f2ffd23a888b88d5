"""The least work a Python autograd engine shaped like ours does per op: a benchmark floor.

Each op makes a Tensor and a Node (plain slotted objects) and calls numpy once. Backward counts
each node's incoming edges, runs ready nodes newest first from a heap, and sums a node's
gradients in the order they arrived. There is nothing else: no dtypes, views, version counters,
hooks, observers or create_graph, and only the four operators and `sum` of engine_bench's chain.
engine_bench times it beside the engine. The gap between the two is what the engine's features
cost; the floor's own ratio to PyTorch is the best any engine built this way can hope for.
"""

from __future__ import annotations

import itertools
from collections import Counter
from heapq import heappop, heappush

import numpy as np

_next_uid = itertools.count().__next__
_new = object.__new__


class Node:
    """A recorded op: its backward rule, the nodes its inputs' gradients go to, saved arrays."""

    __slots__ = ("uid", "rule", "next_nodes", "saved", "leaf")

    def __init__(self, rule, next_nodes: tuple, saved: tuple, leaf: Tensor | None = None) -> None:
        self.uid = _next_uid()
        self.rule, self.next_nodes, self.saved, self.leaf = rule, next_nodes, saved, leaf


class Tensor:
    """An array, the node that made it, and for leaves the node that accumulates `grad`."""

    __slots__ = ("array", "node", "requires_grad", "grad")

    def __init__(self, array: np.ndarray, requires_grad: bool = False) -> None:
        self.array, self.requires_grad, self.grad = array, requires_grad, None
        self.node = Node(None, (), (), self) if requires_grad else None

    def sum(self) -> Tensor:
        shape = self.array.shape
        out = Tensor(self.array.sum())
        if self.requires_grad:
            out.node = Node(lambda g, s: (np.broadcast_to(g, shape),), (self.node,), ())
            out.requires_grad = True
        return out

    def backward(self) -> None:
        _run(self.node, np.ones((), self.array.dtype))


def _binary(forward, rule, saves: bool):
    def operator(a: Tensor, b: Tensor) -> Tensor:
        out = _new(Tensor)  # written out: this is the floor, every call counts
        out.array = forward(a.array, b.array)
        out.grad = None
        if a.requires_grad or b.requires_grad:
            node = out.node = _new(Node)
            node.uid = _next_uid()
            node.rule = rule
            node.next_nodes = (a.node, b.node)
            node.saved = (a.array, b.array) if saves else ()
            node.leaf = None
            out.requires_grad = True
        else:
            out.node = None
            out.requires_grad = False
        return out

    return operator


Tensor.__add__ = _binary(np.add, lambda g, s: (g, g), False)
Tensor.__sub__ = _binary(np.subtract, lambda g, s: (g, -g), False)
Tensor.__mul__ = _binary(np.multiply, lambda g, s: (g * s[1], g * s[0]), True)
Tensor.__truediv__ = _binary(
    np.true_divide, lambda g, s: (g / s[1], -g * ((s[0] / s[1]) / s[1])), True
)


def tensor(array: np.ndarray, requires_grad: bool = False) -> Tensor:
    """engine_bench's `lib.tensor`."""
    return Tensor(array, requires_grad)


def _run(root: Node, seed: np.ndarray) -> None:
    nodes, seen = [root], {None, root}
    for node in nodes:
        for child in node.next_nodes:
            if child not in seen:
                seen.add(child)
                nodes.append(child)
    waiting = Counter(itertools.chain.from_iterable(node.next_nodes for node in nodes))
    arrived: dict[Node, list] = {root: [seed]}
    ready = [(-root.uid, root)]
    while ready:
        node = heappop(ready)[1]
        parts = arrived.pop(node)
        g = parts[0]
        if len(parts) > 1:
            rows = np.concatenate(parts, axis=None).reshape(len(parts), -1)
            g = np.add.reduce(rows, axis=0).reshape(g.shape)
        if node.leaf is not None:
            node.leaf.grad = g if node.leaf.grad is None else node.leaf.grad + g
            continue
        # zip without keywords: with `strict=` a call costs several times more
        for child, child_grad in zip(node.next_nodes, node.rule(g, node.saved)):  # noqa: B905
            if child is None:
                continue
            arrived.setdefault(child, []).append(child_grad)
            waiting[child] -= 1
            if waiting[child] == 0:
                heappush(ready, (-child.uid, child))
        node.saved = None
