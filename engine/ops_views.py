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

from engine import hooks
from engine.backends import NUMPY
from engine.dispatch import grad_node, record
from engine.graph import CopySlices, Node, Rule, root
from engine.ops import Op
from engine.tensor import Tensor, wrap
from engine.view_meta import check_rebase, follow_bases


def _as_strided_backward(B: Any, g: Any, s: tuple, attrs: tuple) -> tuple:
    pos, shape = attrs
    flat = B.index_add_zeros(g, pos, (int(np.prod(shape, dtype=np.int64)),))
    return (B.reshape(flat, shape),)


AS_STRIDED = Op("as_strided", "AsStridedBackward0", None, _as_strided_backward)


def _copy_slices_backward(B: Any, g: Any, s: tuple, attrs: tuple) -> tuple:
    """The base's gradient outside the region, `fn`'s gradients for what was written in it."""
    from engine.engine_loop import _apply

    pos, shape, fn = attrs
    size = int(np.prod(shape, dtype=np.int64))
    flat = B.reshape(g, (size,))
    grads = _apply(fn, flat[pos], True, B is not NUMPY)
    if B is NUMPY:
        base = flat.copy()
        base[pos] = 0 if grads[0] is None else grads[0]
    else:
        keep = np.ones(size, g.dtype.np)
        keep[pos] = 0
        base = flat * _constant(keep, g)
        if grads[0] is not None:
            base = base + B.index_add_zeros(grads[0], pos, (size,))
    return (B.reshape(base, shape), *grads[1:])


def _constant(values: np.ndarray, like: Tensor) -> Tensor:
    return wrap(values, like.dtype)


COPY_SLICES = Rule("copy_slices", _copy_slices_backward)


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
    node = cls(COPY_SLICES, (grad_node(base), *fn.next_nodes[1:]), attrs)
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
