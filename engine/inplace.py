"""In-place ops: `add_`, `sub_`, `mul_`, `div_` (and `+=` ...), `zero_`; `t[i] = v` is in setitem.

The values change in the tensor's own array (views and `detach()` results see it), the shared
version counter goes up, and with grad mode on a tensor with history gets a new grad_fn whose
edge leads to the old one (torch's rebase). A leaf that requires grad, or a view of one, refuses.
As in torch, the op's node, its edges and the versions of what it saves are made before the
values change: an operand that is (a view of) the target itself is then caught by the version
check when backward unpacks it (engine.graph). Written-to memory is checked as torch's
TensorIterator checks it: no two elements of the target at one address, no operand partly
overlapping it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from engine import dtypes, ops
from engine.dispatch import _cast, _promoted, _scalar, grad_node
from engine.grad_mode import STATE
from engine.graph import UIDS, Node, note_mutation, root, version
from engine.observe import LISTENERS, InPlaceModified, emit
from engine.ops_math import ADD_ALPHA, SUB_ALPHA, check_alpha
from engine.ops_shape import CLONE
from engine.ops_views import rebase
from engine.tensor import Tensor, wrap
from engine.view_meta import check_rebase

LEAF_INPLACE = "a leaf Variable that requires grad is being used in an in-place operation."
VIEW_LEAF_INPLACE = (
    "a view of a leaf Variable that requires grad is being used in an in-place operation."
)
_ROWS = {"add_": ops.ADD, "sub_": ops.SUB, "mul_": ops.MUL, "div_": ops.DIV}
_ALPHA_ROWS = {"add_": ADD_ALPHA, "sub_": SUB_ALPHA}
INTERNAL_OVERLAP = (
    "unsupported operation: more than one element of the written-to tensor refers to a single "
    "memory location. Please clone() the tensor before performing the operation."
)
PARTIAL_OVERLAP = (
    "unsupported operation: some elements of the input tensor and the written-to tensor refer to "
    "a single memory location. Please clone() the tensor before performing the operation."
)


def writable_target(a: np.ndarray, check_overlap: bool = True) -> np.ndarray:
    """`a`, writable: an expanded tensor's array is a read-only numpy broadcast, so its values
    are written through a view of the memory it reads. torch refuses most writes to a target
    whose elements share memory (expanded), which `check_overlap` asks for."""
    if a.flags.writeable:
        return a
    if check_overlap and has_internal_overlap(a):
        raise RuntimeError(INTERNAL_OVERLAP)
    owner = a
    while isinstance(owner.base, np.ndarray):
        owner = owner.base
    offset = a.__array_interface__["data"][0] - owner.__array_interface__["data"][0]
    return np.ndarray(a.shape, a.dtype, owner, offset, a.strides)


def _overlapping_backward(B: Any, g: Any, s: tuple, attrs: Any) -> tuple:
    raise RuntimeError(INTERNAL_OVERLAP)


OVERLAPPING_WRITE = ops.Op("copy_", "CopyBackwards", None, _overlapping_backward)


def written_rule(op: ops.Op, t: Tensor, written: np.ndarray) -> ops.Op:
    """`op`, or for a write into elements that share memory (an expanded view) of a root base
    with history, a rule whose backward raises torch's overlap error: torch's CopySlices copies
    the base's gradient into that view."""
    if root(t)._rg and has_internal_overlap(written):
        return OVERLAPPING_WRITE
    return op


def has_internal_overlap(a: np.ndarray) -> bool:
    """torch's has_internal_overlap == Yes: a dimension of more than one element, stride 0
    (never for an empty tensor)."""
    if a.size == 0:
        return False
    return any(n > 1 and s == 0 for n, s in zip(a.shape, a.strides, strict=True))


def _dense(a: np.ndarray) -> bool:
    """torch's is_non_overlapping_and_dense: some order of the dims is contiguous."""
    expected = a.itemsize
    for stride, n in sorted((s, n) for n, s in zip(a.shape, a.strides, strict=True) if n != 1):
        if stride != expected:
            return False
        expected *= n
    return True


def same_data(a: np.ndarray, b: np.ndarray) -> bool:
    """Whether `a` and `b` are the same elements of one memory (torch's copy_ then does nothing)."""
    return (
        a.__array_interface__["data"][0] == b.__array_interface__["data"][0]
        and a.strides == b.strides
        and a.shape == b.shape
        and a.dtype == b.dtype
    )


def check_no_partial_overlap(out: np.ndarray, src: np.ndarray) -> None:
    """torch's assert_no_partial_overlap: dense operands whose memory ranges meet must be the
    same elements in the same layout (operands torch cannot judge pass)."""
    if out.size == 0 or src.size == 0 or not np.may_share_memory(out, src):
        return
    if not (_dense(out) and _dense(src)):
        return
    a0, b0 = out.__array_interface__["data"][0], src.__array_interface__["data"][0]
    a1, b1 = a0 + out.nbytes, b0 + src.nbytes
    same = a0 == b0 and a1 == b1 and out.strides == src.strides
    if not same and a0 < b1 and b0 < a1:
        raise RuntimeError(PARTIAL_OVERLAP)


def check_target(t: Tensor, requires_grad: bool, through_view: bool = False) -> None:
    """torch's check_inplace, with grad mode on and an input that requires grad
    (`requires_grad`): no in-place change of a view made in no_grad mode, of a view of a leaf
    while the view requires grad, or of a leaf that requires grad (setitem writes through a
    view, so it gets the view message)."""
    if not (requires_grad and STATE.enabled):
        return
    if t._base is not None:
        check_rebase(t, indirect=False)
        if t._rg and root(t)._fn is None:
            raise RuntimeError(VIEW_LEAF_INPLACE)
    elif t._rg and t._fn is None:
        raise RuntimeError(VIEW_LEAF_INPLACE if through_view else LEAF_INPLACE)


def binary_(name: str, t: Tensor, other: Any, alpha: Any = 1) -> Tensor:
    """`t.add_(other, alpha=...)`, `sub_`, `mul_`, `div_`: change `t` and rebase its grad_fn.

    Checks in torch's order: leaf, bool subtraction, written-to memory, shapes, result type,
    alpha. With an alpha, add_/sub_ use the fused rows of `add`/`sub` (one node, one rounding).
    """
    other = _operand(name, other)
    is_tensor = type(other) is Tensor
    check_target(t, t._rg or (is_tensor and other._rg))
    if name == "sub_":
        ops.sub_check(t.dtype is dtypes.bool_, ops.is_bool(other))
    target = writable_target(t.array)
    if is_tensor:
        check_no_partial_overlap(t.array, other.array)
        if other.array.shape != t.array.shape:
            _check_shapes(t.array.shape, other.array.shape)
    dt = _result_dtype(name, t, other)
    op, attrs = _row(name, alpha, dt)
    before = t.array.copy()
    node = None
    if STATE.enabled and (t._rg or (is_tensor and other._rg)):
        node = _node(op, attrs, t, other, before)
    values = _forward(op, attrs, _cast(before, dt), other, dt)
    target[...] = values
    note_mutation(t)
    if node is not None:
        rebase(t, node)
    return changed(name, t, (t, other), before)


def _operand(name: str, other: Any) -> Any:
    if type(other) is Tensor:
        return other
    try:
        return _scalar(other)
    except TypeError:
        raise TypeError(
            f"{name}(): argument 'other' (position 1) must be Tensor, not {type(other).__name__}"
        ) from None


def _check_shapes(shape: tuple, other: tuple) -> None:
    """The operand must broadcast to the target's shape (torch's two messages)."""
    result = ops.broadcast_shapes(shape, other)
    if result != shape:
        raise RuntimeError(
            f"output with shape {list(shape)} doesn't match the broadcast shape {list(result)}"
        )


def _result_dtype(name: str, t: Tensor, other: Any) -> dtypes.DType:
    """The dtype the op computes in; torch refuses results the target cannot hold."""
    dt = _promoted(t, other)
    if name == "div_" and dt.category != dtypes.FLOATING:
        dt = dtypes.float32
    to = t.dtype
    if (dt.category == dtypes.FLOATING and to.category != dtypes.FLOATING) or (
        to is dtypes.bool_ and dt is not dtypes.bool_
    ):
        names = dtypes.SCALAR_NAMES
        raise RuntimeError(
            f"result type {names[dt]} can't be cast to the desired output type {names[to]}"
        )
    return dt


def _row(name: str, alpha: Any, dt: dtypes.DType) -> tuple[ops.Op, Any]:
    """The op row and its attrs: the fused alpha rows unless alpha is the integer 1."""
    if type(alpha) is int and alpha == 1:
        return _ROWS[name], None
    alpha = _scalar(alpha)
    check_alpha(dt, alpha)
    return _ALPHA_ROWS[name], alpha


def _forward(op: ops.Op, attrs: Any, x: np.ndarray, other: Any, dt: dtypes.DType) -> Any:
    if type(other) is Tensor:
        y = _cast(other.array, dt)
    elif dt.category == dtypes.INTEGER and type(other) is int:
        y = np.asarray(other).astype(dt.np)  # torch wraps an out-of-range Python int
    else:
        y = other
    with np.errstate(all="ignore"):
        return op.forward(x, y) if attrs is None else op.forward(x, y, attrs)


def _node(op: ops.Op, attrs: Any, t: Tensor, other: Any, before: np.ndarray) -> Node:
    """The in-place op's node, made before the change: edges to `t`'s old history and to
    `other`, the old values of `t`, and `other` at its version now (checked in backward)."""
    node = object.__new__(Node)
    node.uid = next(UIDS)
    node.op = op
    node.attrs = attrs
    is_tensor = type(other) is Tensor
    node.next_nodes = (grad_node(t), grad_node(other) if is_tensor else None)
    meta_other = (other.array.shape, other.dtype) if is_tensor else None
    node.meta = ((t.array.shape, t.dtype), meta_other)
    if op.saves:
        node.saved = (_original_self(t, before, node.next_nodes[0]), other)
        node.versions = (None, version(other) if is_tensor and t._rg else None)
        node.arrays = (before, other.array if is_tensor else other)
    else:
        node.saved = node.versions = node.arrays = ()
    return node


def _original_self(t: Tensor, before: np.ndarray, history: Node | None) -> Tensor:
    """The old values of `t` as its in-place node saves them: torch's `self.clone()`, so that a
    backward recorded under create_graph differentiates through t's history before the change
    (CloneBackward0), not through the in-place node itself."""
    original = wrap(before, t.dtype)
    if t._rg:
        clone = object.__new__(Node)
        clone.uid = next(UIDS)
        clone.op = CLONE
        clone.attrs = None
        clone.next_nodes = (history,)
        clone.meta = ((t.array.shape, t.dtype),)
        clone.saved = clone.versions = clone.arrays = ()
        original._fn = clone
        original._rg = True
    return original


def changed(name: str, t: Tensor, args: tuple, before: np.ndarray) -> Tensor:
    if LISTENERS:
        emit(InPlaceModified(name, t, args, before))
    return t


def zero_(t: Tensor) -> Tensor:
    """Fill with zeros (torch's fill_ allows an expanded target); a tensor with history gets
    ZeroBackward0."""
    check_target(t, t._rg)
    before = t.array.copy() if LISTENERS else None
    node = None
    if STATE.enabled and t._rg:
        node = object.__new__(Node)
        node.uid = next(UIDS)
        node.op = written_rule(ops.ZERO_, t, t.array)
        node.attrs = None
        node.next_nodes = (grad_node(t),)
        node.meta = None
        node.saved = node.versions = node.arrays = ()
    writable_target(t.array, check_overlap=False)[...] = 0
    note_mutation(t)
    if node is not None:
        rebase(t, node)
    return changed("zero_", t, (), before)
