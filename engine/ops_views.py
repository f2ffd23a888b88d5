"""In-place changes through views (torch's CopySlices and AsStridedBackward0).

When an in-place op changes a view of a tensor with history (or writes `t[index] = value`), torch
gives the view's root base a `CopySlices` node: the base's old history outside the written
region, and the in-place op's own node (`fn`) for the region. The view itself gets
`AsStridedBackward0` leading to that CopySlices. The region is kept as flat positions into the
base (`positions`), found from the numpy arrays' memory layout.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from engine import dtypes, hooks
from engine.backends import NUMPY
from engine.dispatch import grad_node, record
from engine.graph import (
    CopyBackwards,
    CopySlices,
    FillBackward3,
    IndexPutBackward0,
    Node,
    Rule,
    root,
)
from engine.ops import Op
from engine.tensor import Tensor, wrap
from engine.view_meta import check_rebase, follow_bases


def _as_strided_backward(B: Any, g: Any, s: tuple, attrs: tuple) -> tuple:
    """torch's as_strided_backward: `g` into zeros of the base's shape, copied when the view's
    positions do not repeat (so -0. stays -0.), else added up."""
    pos, shape = attrs
    repeats = np.unique(pos).size < pos.size
    if B is NUMPY and not repeats:
        flat = np.zeros(_size(shape), g.dtype)
        flat[pos] = g
        return (flat.reshape(shape),)
    if B is NUMPY or repeats:
        return (B.reshape(B.index_add_zeros(g, pos, (_size(shape),)), shape),)
    for dim in reversed(range(pos.ndim)):  # torch first squeezes the view's size-1 dims
        if pos.shape[dim] == 1:
            g, pos = g.squeeze(dim), pos.squeeze(dim)
    storage = wrap(np.zeros(_size(shape), g.dtype.np), g.dtype)
    _copy_into(storage, pos, g)
    return (_strided(storage, np.arange(storage.array.size).reshape(shape)),)


def _strided(base: Tensor, pos: np.ndarray) -> Tensor:
    """torch's `base.as_strided(...)` of the flat positions `pos` of a contiguous `base`
    (AsStridedBackward0 when `base` requires grad); a copy, as nothing writes into it."""
    out = wrap(base.array.reshape(-1)[pos], base.dtype)
    if base._rg:
        record(AS_STRIDED, out, (base,), (pos, base.array.shape))
    return out


AS_STRIDED = Op("as_strided", "AsStridedBackward0", None, _as_strided_backward)


def _copy_slices_backward(B: Any, g: Any, s: tuple, attrs: tuple) -> tuple:
    """The base's gradient outside the region, `fn`'s gradients for what was written in it."""
    from engine.engine_loop import _apply

    pos, shape, fn = attrs
    if B is not NUMPY:
        return _copy_slices_recorded(g, pos, fn)
    flat = B.reshape(g, (_size(shape),))
    grads = _apply(fn, flat[pos], True, False)
    base = flat.copy()
    base[pos] = 0 if grads[0] is None else grads[0]
    return (B.reshape(base, shape), *grads[1:])


def _copy_slices_recorded(g: Tensor, pos: np.ndarray, fn: Node) -> tuple:
    """torch's CopySlices::apply under create_graph: `g` copied (CopyBackwards), the region of
    the copy (AsStridedBackward0) cloned (CloneBackward0) for `fn`, and `fn`'s gradient for its
    target copied into the region (CopySlices). Recorded where `g` or `fn`'s gradients are."""
    from engine.engine_loop import _apply

    result = hooks.copy_backwards(g) if g._rg else wrap(g.array.copy(), g.dtype)
    grads = _apply(fn, _strided(result, pos).clone(), True, True)
    written = grads[0]
    if written is None:  # the op's node gives no gradient to what it overwrote: zeros
        written = wrap(np.zeros(pos.shape, g.dtype.np), g.dtype)
    _copy_into(result, pos, written)
    return (result, *grads[1:])


def _copy_into(target: Tensor, pos: np.ndarray, values: Tensor) -> None:
    """torch's `target.as_strided(...).copy_(values)` for the flat positions `pos` (of
    `values`' shape) of a new contiguous `target`: target's history becomes CopySlices."""
    target.array.reshape(-1)[pos] = values.array
    if target._rg or values._rg:
        rebase(target, Node(WRITE_BACK, (None, grad_node(values))), pos)


def _size(shape: tuple) -> int:
    return int(np.prod(shape, dtype=np.int64))


# torch's CopyBackwards of `region.copy_(grad)` in CopySlices::apply (no gradient to `region`)
WRITE_BACK = Op("copy_", "CopyBackwards", None, lambda B, g, s, a: (None, g))


COPY_SLICES = Rule("copy_slices", _copy_slices_backward)


def _whole_write_backward(B: Any, g: Any, s: tuple, attrs: tuple) -> tuple:
    """torch's CopyBackwards or FillBackward3 of a write into all of a tensor that is no view:
    zeros (unrecorded) for the old values, `fn`'s gradients for the value."""
    from engine.engine_loop import _apply

    if B is NUMPY:
        return _copy_slices_backward(B, g, s, attrs)
    pos, shape, fn = attrs
    grads = _apply(fn, g, True, True)
    return (wrap(np.zeros(shape, g.dtype.np), g.dtype), *grads[1:])


def _index_put_backward(B: Any, g: Any, s: tuple, attrs: tuple) -> tuple:
    """torch's IndexPutBackward0: `g` with the written positions zeroed (an index_put) for the
    old values, then `fn`'s gradients for the value from `g` at those positions (IndexBackward0)."""
    from engine.engine_loop import _apply

    if B is NUMPY:
        return _copy_slices_backward(B, g, s, attrs)
    pos, shape, fn = attrs
    zeroed = _zeroed(B, g, pos)
    index = tuple(wrap(i.astype(np.int64), dtypes.int64) for i in np.unravel_index(pos, shape))
    return (zeroed, *_apply(fn, g[index], True, True)[1:])


def _zeroed(B: Any, g: Any, pos: np.ndarray) -> Any:
    """`g` with zeros at the flat positions `pos` (torch's out-of-place index_put of zeros)."""
    array = np.array(g.array if type(g) is Tensor else g, copy=True, order="C")
    array.reshape(-1)[pos] = 0
    if B is NUMPY:
        return array
    out = wrap(array, g.dtype)
    if g._rg:
        record(ZEROED, out, (g, None), (pos,))
    return out


ZEROED = Op("index_put", "IndexPutBackward0", None, lambda B, g, s, a: (_zeroed(B, g, a[0]), None))
RULES = {
    CopyBackwards: Rule("copy_", _whole_write_backward),
    FillBackward3: Rule("fill_", _whole_write_backward),
    IndexPutBackward0: Rule("index_put_", _index_put_backward),
}


def _byte_offsets(a: np.ndarray) -> np.ndarray:
    offsets = np.full(a.shape, a.__array_interface__["data"][0], np.int64)
    for k, (n, stride) in enumerate(zip(a.shape, a.strides, strict=True)):
        shape = [1] * a.ndim
        shape[k] = n
        offsets = offsets + np.arange(n, dtype=np.int64).reshape(shape) * stride
    return offsets


def positions(base: np.ndarray, view: np.ndarray) -> np.ndarray | None:
    """Flat positions in `base` of each element of `view` (None if `view` is not inside it)."""
    if view.size == 0:
        return np.zeros(view.shape, np.int64)
    if not np.may_share_memory(base, view):
        return None
    flat = _byte_offsets(base).ravel()
    order = np.argsort(flat, kind="stable")
    wanted = _byte_offsets(view)
    found = np.searchsorted(flat, wanted, sorter=order).clip(0, flat.size - 1)
    pos = order[found]
    if not np.array_equal(flat[pos], wanted):
        return None
    return pos


def rebase(
    t: Tensor, fn: Node, region: np.ndarray | None = None, node_class: type = CopySlices
) -> None:
    """Give `t` the history of the in-place op `fn` (on all of `t`, or on the elements of `t` at
    the flat positions `region` when given). A write of `region` into `t` itself, when `t` is
    no view, is a `node_class` node (setitem names it as torch's op on `t`)."""
    base = root(t)
    pos = None if base is t else positions(base.array, t.array)
    if pos is None and region is None:
        _set_history(t, fn)
        return
    if pos is None:
        base, pos = t, np.arange(t.array.size).reshape(t.array.shape)
    written = pos if region is None else pos.reshape(-1)[region]
    cls = node_class if base is t else CopySlices
    attrs = (written, base.array.shape, fn)
    node = cls(RULES.get(cls, COPY_SLICES), (grad_node(base), *fn.next_nodes[1:]), attrs)
    if cls.frees or fn.saved:  # freed by a backward: a second one raises, as in torch
        node.saved = node.arrays = (fn,)
        node.versions = (None,)
    _set_history(base, node)
    if base is not t:
        _as_strided_history(t, base, pos)


def refresh_view(t: Tensor) -> Node | None:
    """Give view `t` AsStridedBackward0 to its root base's history (see graph.current_fn)."""
    check_rebase(t, indirect=True)
    base = root(t)
    pos = positions(base.array, t.array)
    if pos is not None:
        _as_strided_history(t, base, pos)
    return t._fn


def _as_strided_history(t: Tensor, base: Tensor, pos: np.ndarray) -> None:
    """View `t`, at flat positions `pos` of `base`, gets AsStridedBackward0 to base's history."""
    old = t._fn
    record(AS_STRIDED, t, (base,), (pos, base.array.shape))
    hooks.move_retained(t, old)


def _set_history(t: Tensor, node: Node) -> None:
    old = t._fn
    t._fn = node
    if not t._rg:
        t._rg = True
        follow_bases(t)
    hooks.move_retained(t, old)
