"""A node's input buffer when several gradients reach it: torch's InputBuffer, summing them in
the order they arrive (engine.engine_loop keeps one per node that is waiting for more)."""

from __future__ import annotations

from operator import attrgetter
from typing import Any

import numpy as np

_shape = attrgetter("shape")
_dtype = attrgetter("dtype")

PARTS_SIZE = 2048  # gradients up to this many elements are kept and summed in one go
MAX_PARTS = 64  # parts kept before they are folded into one (bounds the memory held)


class GradientSum:
    """Several gradients for one node, summed in the order they arrived.

    torch's input buffer computes `old + new` at each arrival; float addition is not associative,
    so the order is kept. Small arrays wait in `parts` and are summed in one numpy reduction when
    the node runs (at these sizes a numpy call costs more than its arithmetic); larger ones are
    added in place into `total`, an array this sum made and owns.

    A node with several outputs (engine.multi_output) gets its gradients as one sum whose `total`
    is a list, a gradient per output (None where none came): its OutputSlots send `for_output`
    sums, which `add` merges.
    """

    __slots__ = ("parts", "total")

    def __init__(self, first: Any, second: Any) -> None:
        if second.size <= PARTS_SIZE:
            self.parts, self.total = [first, second], None
        else:
            self.parts, self.total = None, first + second

    @classmethod
    def for_output(cls, g: Any, nr: int, count: int) -> GradientSum:
        """The gradient `g` of output `nr` of a node with `count` outputs."""
        grads = [None] * count
        grads[nr] = g
        total = cls.__new__(cls)
        total.parts, total.total = None, grads
        return total

    def add(self, g: Any) -> None:
        """Add the next gradient to arrive."""
        parts = self.parts
        if parts is not None:
            parts.append(g)
            if len(parts) == MAX_PARTS:
                self.parts = [_sequential_sum(parts)]
            return
        total = self.total
        if g.__class__ is GradientSum:  # another output's gradient, each output has one slot
            for nr, grad in enumerate(g.total):
                if grad is not None:
                    total[nr] = grad
            return
        if g.dtype == total.dtype and g.shape == total.shape:
            np.add(total, g, out=total)
        else:
            self.total = total + g

    def value(self) -> Any:
        """The sum of everything that arrived."""
        return self.total if self.parts is None else _sequential_sum(self.parts)


def _sequential_sum(parts: list) -> Any:
    """`((parts[0] + parts[1]) + parts[2]) + ...`, in one numpy call where the parts stack.

    Reducing a stack of rows over its first axis adds the rows strictly in order, element by
    element, when a row has two or more elements (numpy sums pairwise only along the innermost
    axis); single elements go through `np.add.accumulate`, which is sequential by definition.
    Stacking promotes to the widest dtype, which changes nothing when the first part has it (a
    widening conversion is exact); otherwise, and for parts of other shapes, they are added one
    by one.
    """
    first = parts[0]
    shape = first.shape
    if all(map(shape.__eq__, map(_shape, parts))):
        if first.size > 1:
            rows = _flat_rows(parts)
            if rows.dtype == first.dtype:
                # numpy's reduction starts from +0., which would turn -0. + -0. into +0.
                start = -0.0 if rows.dtype.kind == "f" else 0
                stacked = rows.reshape(len(parts), -1)
                return np.add.reduce(stacked, axis=0, initial=start).reshape(shape)
        else:
            stacked = np.array(parts)
            if stacked.dtype == first.dtype:
                return np.add.accumulate(stacked, axis=0)[-1]
    total = first
    for g in parts[1:]:
        total = total + g
    return total


def _flat_rows(parts: list) -> np.ndarray:
    """The parts' elements, each part flattened in C order, one part after the other.

    `bytes.join` copies C-contiguous arrays of one dtype about twice as fast as `concatenate`
    (which spends most of its time per part, not per element); other parts are concatenated.
    """
    if len(set(map(_dtype, parts))) == 1:
        try:
            return np.frombuffer(b"".join(parts), parts[0].dtype)
        except TypeError:  # a part that is not C-contiguous exports no plain buffer
            pass
    return np.concatenate(parts, axis=None)
