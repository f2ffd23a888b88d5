"""In-place ops: `add_`, `sub_`, `mul_`, `div_` (and `+=` ...), `zero_`, `__setitem__`.

The values change in the tensor's own array (views and `detach()` results see it), the shared
version counter goes up, and with grad mode on a tensor with history gets a new grad_fn whose
edge leads to the old one (torch's rebase). A leaf that requires grad, or a view of one, refuses.
Saved tensors are checked against their version when backward unpacks them (engine.graph).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from engine import dtypes, ops
from engine.dispatch import _promoted, _scalar, grad_node
from engine.grad_mode import STATE
from engine.graph import UIDS, Node, SavedOutput, note_mutation, version
from engine.observe import LISTENERS, InPlaceModified, emit
from engine.ops_views import rebase
from engine.tensor import Tensor

LEAF_INPLACE = "a leaf Variable that requires grad is being used in an in-place operation."
VIEW_LEAF_INPLACE = (
    "a view of a leaf Variable that requires grad is being used in an in-place operation."
)
_ROWS = {"add_": ops.ADD, "sub_": ops.SUB, "mul_": ops.MUL, "div_": ops.DIV}
_FORWARD = {"add_": np.add, "sub_": np.subtract, "mul_": np.multiply, "div_": np.true_divide}


def check_target(t: Tensor, through_view: bool = False) -> None:
    """Refuse in-place changes of a leaf that requires grad, or of a view of one (setitem
    writes through a view, so it gets the view message)."""
    if not STATE.enabled:
        return
    base = t._base
    if base is None:
        if t._rg and t._fn is None:
            raise RuntimeError(VIEW_LEAF_INPLACE if through_view else LEAF_INPLACE)
        return
    while base._base is not None:
        base = base._base
    if base._rg and base._fn is None:
        raise RuntimeError(VIEW_LEAF_INPLACE)


def binary_(name: str, t: Tensor, other: Any, alpha: Any = 1) -> Tensor:
    """`t.add_(other, alpha=...)`, `sub_`, `mul_`, `div_`: change `t` and rebase its grad_fn."""
    check_target(t)
    if alpha != 1:
        other = other * alpha
    if type(other) is not Tensor:
        other = _scalar(other)
    before = t.array.copy()
    other_values = other.array if type(other) is Tensor else other
    _check_cast(t, other, name)
    with np.errstate(all="ignore"):
        result = _FORWARD[name](before, other_values)
    _write(t, result)
    if STATE.enabled and (t._rg or (type(other) is Tensor and other._rg)):
        _record(_ROWS[name], t, other, before)
    return _changed(name, t, (t, other), before)


def _check_cast(t: Tensor, other: Any, name: str) -> None:
    """torch refuses to write a floating result into an integer tensor."""
    dt = _promoted(t, other)
    if name == "div_" and dt.category != dtypes.FLOATING:
        dt = dtypes.float32
    if dt.category == dtypes.FLOATING and t.dtype.category != dtypes.FLOATING:
        raise RuntimeError(
            f"result type {dtypes.SCALAR_NAMES[dt]} can't be cast to the desired output type "
            f"{dtypes.SCALAR_NAMES[t.dtype]}"
        )


def _write(t: Tensor, values: Any) -> None:
    t.array[...] = values
    note_mutation(t)


def _record(op: ops.Op, t: Tensor, other: Any, before: np.ndarray) -> None:
    """The in-place op's node: edges to `t`'s old history and to `other`; saves the old values."""
    node = object.__new__(Node)
    node.uid = next(UIDS)
    node.op = op
    node.attrs = None
    is_tensor = type(other) is Tensor
    node.next_nodes = (grad_node(t), grad_node(other) if is_tensor else None)
    meta_other = (other.array.shape, other.dtype) if is_tensor else None
    node.meta = ((t.array.shape, t.dtype), meta_other)
    if op.saves:
        node.saved = (SavedOutput(before, t.dtype, [0]), other)
        node.versions = (None, version(other) if is_tensor else None)
        node.arrays = (before, other.array if is_tensor else other)
    else:
        node.saved = node.versions = node.arrays = ()
    rebase(t, node)


def _changed(name: str, t: Tensor, args: tuple, before: np.ndarray) -> Tensor:
    if LISTENERS:
        emit(InPlaceModified(name, t, args, before))
    return t


def zero_(t: Tensor) -> Tensor:
    """Fill with zeros; a tensor with history gets ZeroBackward0."""
    check_target(t)
    before = t.array.copy() if LISTENERS else None
    _write(t, 0)
    if STATE.enabled and t._rg:
        node = object.__new__(Node)
        node.uid = next(UIDS)
        node.op = ops.ZERO_
        node.attrs = None
        node.next_nodes = (grad_node(t),)
        node.meta = None
        node.saved = node.versions = node.arrays = ()
        rebase(t, node)
    return _changed("zero_", t, (), before)


COPY_ = ops.Op("copy_", "CopyBackwards", None, lambda B, g, s, a: (None, g))


def setitem(t: Tensor, index: Any, value: Any) -> None:
    """`t[index] = value`: a tensor with history gets CopySlices (old history plus `value`)."""
    check_target(t, through_view=True)
    if isinstance(index, Tensor):
        index = index.array
    elif isinstance(index, tuple):
        index = tuple(p.array if isinstance(p, Tensor) else p for p in index)
    before = t.array.copy()
    is_tensor = type(value) is Tensor
    t.array[index] = value.array if is_tensor else value
    note_mutation(t)
    if STATE.enabled and (t._rg or (is_tensor and value._rg)):
        node = object.__new__(Node)
        node.uid = next(UIDS)
        node.op = COPY_
        node.attrs = None
        node.next_nodes = (None, grad_node(value) if is_tensor else None)
        node.meta = (None, (value.array.shape, value.dtype) if is_tensor else None)
        node.saved = node.versions = node.arrays = ()
        rebase(t, node, index)
    _changed("__setitem__", t, (t, index, value), before)
