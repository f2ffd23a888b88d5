"""Hooks (`Tensor.register_hook`, `grad_fn.register_prehook`, `grad_fn.register_hook`),
`retain_grad`, and the `.grad` made by `create_graph=True`.

A tensor hook on a non-leaf is a pre-hook of its grad_fn (inside the engine every node has one
output: an output of `unbind` or `split` has its own graph.OutputSlot); a hook on a leaf belongs
to the tensor (its AccumulateGrad runs it). Before a node runs: its tensor hooks in
registration order, each on the previous one's result, then retain_grad, then the node's own
pre-hooks; after it runs, its post-hooks, as in torch. Results are validated with torch's messages.
The tables are weak, so an idle engine pays one truthiness test per backward.
"""

from __future__ import annotations

import itertools
import weakref
from collections.abc import Callable
from typing import Any

import numpy as np

from engine.dtypes import from_numpy, type_string
from engine.grad_mode import set_grad_enabled
from engine.graph import AccumulateGrad, CopyBackwards, Node, Rule, current_fn
from engine.tensor import Tensor, wrap

NO_GRAD_HOOK = "cannot register a hook on a tensor that doesn't require gradient"
NO_GRAD_RETAIN = "can't retain_grad on Tensor that has requires_grad=False"

NODE_HOOKS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # node -> {id: fn}
LEAF_HOOKS: dict[int, tuple] = {}  # leaf uid -> (weakref to the leaf, {id: fn}); see _leaf_table
RETAINED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # node -> ref(tensor)
PRE_HOOKS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # node -> {id: fn}
POST_HOOKS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # node -> {id: fn}
_HEAP_TYPE = 1 << 9  # Py_TPFLAGS_HEAPTYPE: a class defined in Python
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

    def __repr__(self) -> str:
        return f"<torch.utils.hooks.RemovableHandle object at {id(self):#x}>"


def active() -> bool:
    """Whether any hook or retain_grad is registered (the backward loop then looks them up)."""
    return bool(NODE_HOOKS or LEAF_HOOKS or RETAINED or PRE_HOOKS or POST_HOOKS)


def register_hook(t: Tensor, fn: Callable[[Tensor], Tensor | None]) -> RemovableHandle:
    """Call `fn(grad)` with the gradient flowing into `t`; a returned tensor replaces it."""
    if not t._rg:
        raise RuntimeError(NO_GRAD_HOOK)
    node = current_fn(t)
    table = _leaf_table(t) if node is None else NODE_HOOKS.setdefault(node, {})
    return _added(table, fn)


def register_node_hook(node: Node, fn: Callable, post: bool) -> RemovableHandle:
    """`grad_fn.register_prehook(fn)` (`fn(grad_outputs)`) or, when `post`,
    `grad_fn.register_hook(fn)` (`fn(grad_inputs, grad_outputs)`); a returned tuple replaces
    the gradients."""
    return _added((POST_HOOKS if post else PRE_HOOKS).setdefault(node, {}), fn)


def _added(table: dict, fn: Callable) -> RemovableHandle:
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
        RETAINED[fn] = weakref.ref(t)


def move_retained(t: Tensor, old: Node | None) -> None:
    """After an in-place change gave `t` a new grad_fn, retain its gradient there instead."""
    ref = RETAINED.get(old) if old is not None else None
    if ref is None or ref() is not t:
        return
    del RETAINED[old]
    RETAINED[t._fn] = ref


def retains_grad(t: Tensor) -> bool:
    """True for a non-leaf after `retain_grad()`."""
    fn = current_fn(t)
    if fn is None:
        return False
    ref = RETAINED.get(fn)
    return ref is not None and ref() is t


def run_pre_hooks(node: Node, grad_in: list, create_graph: bool, runs: bool = True) -> list:
    """Apply the hooks `node` runs before it: the tensor hooks and retain_grad of its output,
    then, if the node `runs` (autograd.grad only captures the gradient of an input's node), its
    own pre-hooks (`grad_fn.register_prehook`), in torch's order."""
    with set_grad_enabled(create_graph):  # torch runs hooks in the backward's grad mode
        grad_in = _tensor_pre_hooks(node, grad_in, create_graph)
        table = PRE_HOOKS.get(node) if runs else None
        if table:
            grad_in = _node_hooks(table, grad_in, (), create_graph)
    return grad_in


def run_post_hooks(node: Node, grad_out: Any, grads: tuple, create_graph: bool, reach: Any) -> Any:
    """Apply `node`'s hooks (`grad_fn.register_hook`) to the gradients it computed, `grads`;
    `grad_out` is the gradient that came in. Inputs no gradient goes to show None."""
    table = POST_HOOKS.get(node)
    if not table:
        return grads
    grads = list(sent_gradients(node, grads, reach))
    outputs = grad_out if grad_out.__class__ is list else (grad_out,)  # a list: one per output
    with set_grad_enabled(create_graph):
        return tuple(_node_hooks(table, grads, (tuple(map(as_tensor, outputs)),), create_graph))


def sent_gradients(node: Node, grads: tuple, reach: Any) -> tuple:
    """The gradients `node` sends along its edges: None where an edge leads nowhere, or (in a
    backward limited to some inputs) to a node outside `reach`."""
    return tuple(
        None if child is None or (reach is not None and child not in reach) else g
        for child, g in zip(node.next_nodes, grads, strict=True)
    )


def _tensor_pre_hooks(node: Node, grad_in: list, create_graph: bool) -> list:
    if node.__class__ is AccumulateGrad:
        entry = LEAF_HOOKS.get(node.variable.uid)
        table = None if entry is None else entry[1]
        if table:
            grad_in = [_apply(table, grad_in[0], create_graph)]
        return grad_in
    table = NODE_HOOKS.get(node)
    if table:
        grad_in = [_apply(table, grad_in[0], create_graph), *grad_in[1:]]
    ref = RETAINED.get(node)
    t = None if ref is None else ref()
    if t is not None and t._fn is node and grad_in[0] is not None:
        _retain(t, grad_in[0])
    return grad_in


def _apply(table: dict, g: Any, create_graph: bool) -> Any:
    """Tensor hooks in order, each on the previous one's result (None: unchanged); torch calls
    them with None where no gradient arrived."""
    for fn in tuple(table.values()):
        t = as_tensor(g)
        result = fn(t)
        if result is not None:
            g = _checked(t, result, fn)
            g = g if create_graph else g.array
    return g


def _node_hooks(table: dict, grads: list, extra: tuple, create_graph: bool) -> list:
    """grad_fn hooks in order: each gets a tuple of gradients (and `extra`) and may return a
    tuple replacing it (None: unchanged)."""
    for fn in tuple(table.values()):
        tensors = tuple([as_tensor(g) for g in grads])
        result = fn(tensors, *extra)
        if result is None:
            continue
        if not isinstance(result, tuple):
            raise TypeError(f"expected tuple, but hook returned '{type_name(result)}'")
        if len(result) != len(tensors):
            raise RuntimeError(
                f"hook '{_hook_name(fn)}' has returned an incorrect number of values "
                f"(got {len(result)}, but expected {len(tensors)})"
            )
        checked = [_checked(t, r, fn) for t, r in zip(tensors, result, strict=True)]
        grads = [g if g is None or create_graph else g.array for g in checked]
    return grads


def _checked(original: Tensor | None, result: Any, fn: Any) -> Tensor | None:
    """A hook's replacement for `original`, validated as torch does (None stays None)."""
    if result is None:
        return None
    if original is None:
        raise RuntimeError("can't replace a None gradient with a non-None value")
    if not isinstance(result, Tensor):
        raise TypeError(f"expected Variable, but hook returned '{type_name(result)}'")
    if result.dtype is not original.dtype:
        raise RuntimeError(
            f"hook '{_hook_name(fn)}' has changed the type of value (was "
            f"{type_string(original.dtype)} got {type_string(result.dtype)})"
        )
    if result.array.shape != original.array.shape:
        raise RuntimeError(f"hook '{_hook_name(fn)}' has changed the size of value")
    return result


def _hook_name(fn: Any) -> str:
    name = getattr(fn, "__name__", None)
    return name if isinstance(name, str) else "<unknown>"


def type_name(value: Any) -> str:
    """A value's type as torch's messages name it (CPython's `tp_name`): builtin and
    Python-defined classes by name, others module-qualified (`numpy.ndarray`)."""
    cls = type(value)
    if cls.__module__ == "builtins" or cls.__flags__ & _HEAP_TYPE:
        return cls.__name__
    return f"{cls.__module__}.{cls.__name__}"


def as_tensor(g: Any) -> Tensor | None:
    """A gradient as a Tensor (an array or numpy scalar is wrapped, not copied)."""
    if g is None or isinstance(g, Tensor):
        return g
    array = np.asarray(g)
    return wrap(array, from_numpy(array.dtype))


def _retain(t: Tensor, g: Any) -> None:
    """torch's retains_grad hook: a clone the first time, then `grad + g` (out of place)."""
    if isinstance(g, Tensor):
        t._grad = g.clone() if t._grad is None else t._grad + g
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
