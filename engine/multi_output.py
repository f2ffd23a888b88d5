"""Ops with several outputs: `unbind` (iterating over a tensor unbinds it), `split`, `chunk`.

The outputs are views of the input that share one grad_fn (`UnbindBackward0`, `SplitBackward0`,
`SplitWithSizesBackward0`). As in torch, that node runs once, with a gradient per output (zeros
where an output got none). Inside the engine each output's grad_fn is a graph.OutputSlot that
hands its gradient to the shared node (engine_loop.GradientSum.for_output). While they require
grad, the outputs may not be changed in place (torch's CreationMeta MULTI_OUTPUT_NODE, see
engine.view_meta).
"""

from __future__ import annotations

import operator
from typing import Any

import numpy as np

from engine import view_meta
from engine.backends import NUMPY
from engine.dispatch import grad_node
from engine.grad_mode import STATE
from engine.gradient_sum import GradientSum
from engine.graph import Node, OutputSlot, root, shared_counter
from engine.observe import LISTENERS, OpRan, emit
from engine.ops import Op
from engine.ops_shape import cat, stack
from engine.tensor import Tensor, _dim, wrap

_NO_DIMS = {
    "unbind": "Dimension specified as 0 but tensor has no dimensions",
    "split": "split expects at least a 1-dimensional tensor",
    "chunk": "chunk expects at least a 1-dimensional tensor",
}


def _filled(B: Any, grads: list, attrs: tuple) -> list:
    """The outputs' gradients, zeros (of each output's shape) where none came."""
    _, shapes, dtype = attrs
    filled = []
    for g, shape in zip(grads, shapes, strict=True):
        if g is None:
            g = np.zeros(shape, dtype.np)
            g = g if B is NUMPY else wrap(g, dtype)
        filled.append(g)
    return filled


def _unbind_backward(B: Any, grads: list, s: tuple, attrs: tuple) -> tuple:
    filled = _filled(B, grads, attrs)
    return (np.stack(filled, attrs[0]) if B is NUMPY else stack(filled, attrs[0]),)


def _split_backward(B: Any, grads: list, s: tuple, attrs: tuple) -> tuple:
    filled = _filled(B, grads, attrs)
    return (np.concatenate(filled, attrs[0]) if B is NUMPY else cat(filled, attrs[0]),)


UNBIND = Op("unbind", "UnbindBackward0", None, _unbind_backward)
SPLIT = Op("split", "SplitBackward0", None, _split_backward)
SPLIT_WITH_SIZES = Op("split_with_sizes", "SplitWithSizesBackward0", None, _split_backward)


def _to_shared_node(B: Any, g: Any, s: tuple, attrs: tuple) -> tuple:
    nr, count = attrs
    return (GradientSum.for_output(g, nr, count),)


OUTPUT = Op("output", None, None, _to_shared_node)  # the op of every OutputSlot


def unbind(a: Tensor, dim: int = 0, args: tuple | None = None) -> tuple[Tensor, ...]:
    """The slices of `a` along `dim`, that dimension removed (views)."""
    d = _checked_dim("unbind", a, dim)
    lead = (slice(None),) * d
    arrays = [a.array[(*lead, i, ...)] for i in range(a.array.shape[d])]  # `...`: 0-d views
    return _outputs(UNBIND, a, arrays, d, (a, dim) if args is None else args)


def split(a: Tensor, split_size_or_sections: Any, dim: int = 0) -> tuple[Tensor, ...]:
    """`a` cut along `dim` into pieces of `split_size_or_sections` (an int: equal pieces, the
    last one smaller; a list: those sizes)."""
    sizes = split_size_or_sections
    if isinstance(sizes, int) and not isinstance(sizes, bool):
        return _split(a, sizes, dim, (a, sizes, dim))
    if isinstance(sizes, Tensor) and sizes.array.ndim == 0:
        return _split(a, int(sizes.item()), dim, (a, sizes, dim))
    if not isinstance(sizes, list | tuple) or not all(
        isinstance(n, int) and not isinstance(n, bool) for n in sizes
    ):
        kind = type(sizes[0] if isinstance(sizes, list | tuple) and sizes else sizes).__name__
        raise TypeError(
            "split_with_sizes(): argument 'split_sizes' (position 2) must be tuple of ints, "
            f"not {kind}"
        )
    return _split_with_sizes(a, [operator.index(n) for n in sizes], dim, (a, sizes, dim))


def chunk(a: Tensor, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
    """`a` cut along `dim` into `chunks` pieces of equal size (the last may be smaller, and there
    may be fewer)."""
    if a.array.ndim == 0:
        raise RuntimeError(_NO_DIMS["chunk"])
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    size = a.array.shape[_dim(dim, a.array.ndim)]
    split_size = (size + chunks - 1) // chunks
    if split_size == 0 and size == 0:  # as torch: keep the number of (empty) chunks
        return _split_with_sizes(a, [0] * chunks, dim, (a, chunks, dim))
    return _split(a, split_size, dim, (a, chunks, dim))


def _split(a: Tensor, split_size: int, dim: int, args: tuple) -> tuple[Tensor, ...]:
    if a.array.ndim == 0:
        raise RuntimeError(_NO_DIMS["split"])
    if split_size < 0:
        raise RuntimeError(
            f"split expects split_size be non-negative, but got split_size={split_size}"
        )
    d = _dim(dim, a.array.ndim)
    size = a.array.shape[d]
    if split_size == 0 and size != 0:
        raise RuntimeError(
            f"split_size can only be 0 if dimension size is 0, but got dimension size of {size}"
        )
    count = max(-(-size // split_size), 1) if split_size else 1
    starts = [i * split_size for i in range(count)]
    return _pieces(SPLIT, a, d, starts, [min(s + split_size, size) for s in starts], args)


def _split_with_sizes(a: Tensor, sizes: list[int], dim: int, args: tuple) -> tuple[Tensor, ...]:
    if a.array.ndim == 0:
        raise RuntimeError(_NO_DIMS["split"])
    d = _dim(dim, a.array.ndim)
    if any(n < 0 for n in sizes):
        raise RuntimeError(
            "split_with_sizes expects split_sizes have only non-negative entries, but got "
            f"split_sizes={sizes}"
        )
    size = a.array.shape[d]
    if sum(sizes) != size:
        raise RuntimeError(
            f"split_with_sizes expects split_sizes to sum exactly to {size} (input tensor's size "
            f"at dimension {dim}), but got split_sizes={sizes}"
        )
    ends = list(np.cumsum(sizes, dtype=np.int64).tolist())
    starts = [0, *ends[:-1]]
    return _pieces(SPLIT_WITH_SIZES, a, d, starts, ends, args)


def _pieces(op: Op, a: Tensor, d: int, starts: list, ends: list, args: tuple) -> tuple:
    lead = (slice(None),) * d
    arrays = [a.array[(*lead, slice(s, e))] for s, e in zip(starts, ends, strict=True)]
    return _outputs(op, a, arrays, d, args)


def _checked_dim(name: str, a: Tensor, dim: int) -> int:
    if a.array.ndim == 0:
        raise IndexError(_NO_DIMS[name])
    return _dim(dim, a.array.ndim)


def _outputs(op: Op, a: Tensor, arrays: list, d: int, args: tuple) -> tuple[Tensor, ...]:
    """The views `arrays` of `a` as tensors sharing one grad_fn (when `a` requires grad)."""
    vc = shared_counter(a)
    outs = []
    for array in arrays:
        out = wrap(array, a.dtype, vc)
        view_meta.set_base(out, a)
        outs.append(out)
    if STATE.enabled:
        if a._rg:
            _record(op, outs, a, (d, [array.shape for array in arrays], a.dtype))
        for out in outs:
            view_meta.note_multi_output(out)
    elif root(a)._rg:
        for out in outs:
            out._rg = True  # views made in no_grad mode follow their base: see view_meta
    result = tuple(outs)
    if LISTENERS:
        emit(OpRan(op.name, args, result, STATE.enabled))
    return result


def _record(op: Op, outs: list, a: Tensor, attrs: tuple) -> None:
    """One node for all of `outs`, each output reaching it through its own OutputSlot."""
    shared = Node(op, (grad_node(a),), attrs)
    count = len(outs)
    for nr, out in enumerate(outs):
        out._fn = OutputSlot(OUTPUT, (shared,), (nr, count))
        out._rg = True
