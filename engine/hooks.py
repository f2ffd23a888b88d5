"""Tensor hooks (`register_hook`), `retain_grad`, and the `.grad` made by `create_graph=True`.

A hook on a non-leaf is a pre-hook of its grad_fn for its output_nr; a hook on a leaf belongs to
the tensor (its AccumulateGrad runs it). Hooks run in registration order, each on the previous
one's result; retain_grad runs after them, as in torch. The tables are weak, so an idle engine
pays one truthiness test per backward.
"""

from __future__ import annotations

import itertools
import weakref
from collections.abc import Callable
from typing import Any

import numpy as np

from engine.dtypes import from_numpy
from engine.graph import AccumulateGrad, CopyBackwards, Node, Rule, current_fn
from engine.tensor import Tensor, wrap

NO_GRAD_HOOK = "cannot register a hook on a tensor that doesn't require gradient"
NO_GRAD_RETAIN = "can't retain_grad on Tensor that has requires_grad=False"

NODE_HOOKS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # node -> {nr: {id: fn}}
LEAF_HOOKS: dict[int, tuple] = {}  # leaf uid -> (weakref to the leaf, {id: fn}); see _leaf_table
RETAINED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # node -> {nr: ref(tensor)}
_ids = itertools.count()
PASS_ON = Rule("copy_", lambda B, g, s, a: (None, g))


class RemovableHandle:
    """What `register_hook` returns: `remove()` unregisters the hook (torch.utils.hooks)."""

    def __init__(self, table: dict) -> None:
        self.id = next(_ids)
        self._table = table

    def remove(self) -> None:
        """Unregister the hook (a second call does nothing)."""
        self._table.pop(self.id, None)

    def __enter__(self) -> RemovableHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.remove()


def active() -> bool:
    """Whether any hook or retain_grad is registered (the backward loop then looks them up)."""
    return bool(NODE_HOOKS or LEAF_HOOKS or RETAINED)


def register_hook(t: Tensor, fn: Callable[[Tensor], Tensor | None]) -> RemovableHandle:
    """Call `fn(grad)` with the gradient flowing into `t`; a returned tensor replaces it."""
    if not t._rg:
        raise RuntimeError(NO_GRAD_HOOK)
    node = current_fn(t)
    if node is None:
        table = _leaf_table(t)
    else:
        table = NODE_HOOKS.setdefault(node, {}).setdefault(t.output_nr, {})
    handle = RemovableHandle(table)
    table[handle.id] = fn
    return handle


def _leaf_table(t: Tensor) -> dict:
    """The leaf's hook table (Tensor's `==` is elementwise, so the key is its uid)."""
    entry = LEAF_HOOKS.get(t.uid)
    if entry is None:
        uid = t.uid
        entry = LEAF_HOOKS[uid] = (weakref.ref(t, lambda _: LEAF_HOOKS.pop(uid, None)), {})
    return entry[1]


def retain_grad(t: Tensor) -> None:
    """Make backward fill a non-leaf's `.grad` (a no-op on leaves)."""
    if not t._rg:
        raise RuntimeError(NO_GRAD_RETAIN)
    fn = current_fn(t)
    if fn is not None:
        RETAINED.setdefault(fn, {})[t.output_nr] = weakref.ref(t)


def move_retained(t: Tensor, old: Node | None) -> None:
    """After an in-place change gave `t` a new grad_fn, retain its gradient there instead."""
    table = RETAINED.get(old) if old is not None else None
    ref = None if table is None else table.get(t.output_nr)
    if ref is None or ref() is not t:
        return
    del table[t.output_nr]
    RETAINED.setdefault(t._fn, {})[t.output_nr] = ref


def retains_grad(t: Tensor) -> bool:
    """True for a non-leaf after `retain_grad()`."""
    fn = current_fn(t)
    if fn is None:
        return False
    ref = RETAINED.get(fn, {}).get(t.output_nr)
    return ref is not None and ref() is t


def run_pre_hooks(node: Node, grad_in: list, create_graph: bool) -> list:
    """Apply the hooks and retain_grad registered for `node`'s incoming gradients."""
    if node.__class__ is AccumulateGrad:
        entry = LEAF_HOOKS.get(node.variable.uid)
        table = None if entry is None else entry[1]
        if table:
            grad_in = [_apply(table, grad_in[0], create_graph)]
        return grad_in
    tables = NODE_HOOKS.get(node)
    if tables:
        grad_in = list(grad_in)
        for nr, table in tables.items():
            grad_in[nr] = _apply(table, grad_in[nr], create_graph)
    for nr, ref in RETAINED.get(node, {}).items():
        t = ref()
        if t is not None and t._fn is node and grad_in[nr] is not None:
            _retain(t, grad_in[nr])
    return grad_in


def _apply(table: dict, g: Any, create_graph: bool) -> Any:
    if g is None:
        return None
    for fn in tuple(table.values()):
        t = g if isinstance(g, Tensor) else wrap(g, from_numpy(g.dtype))
        result = fn(t)
        if result is not None:
            g = result if create_graph else result.array
    return g


def _retain(t: Tensor, g: Any) -> None:
    if isinstance(g, Tensor):
        t._grad = g if t._grad is None else t._grad + g
        return
    if t._grad is None:
        t._grad = wrap(np.array(g, copy=True), t.dtype)
    else:
        t._grad = wrap(t._grad.array + g, t.dtype)


def copy_backwards(g: Tensor) -> Tensor:
    """A leaf's first `.grad` under create_graph: a copy of `g` recorded as CopyBackwards."""
    from engine.dispatch import grad_node

    node = CopyBackwards(PASS_ON, (None, grad_node(g)))
    out = wrap(g.array.copy(), g.dtype)
    out._fn = node
    out._rg = True
    return out
