"""Graph nodes (grad_fn objects) with PyTorch's names, and the iterative walks over them.

A Node is created by the forward op that records it. It knows its op row (`op`), the nodes its
inputs' gradients go to (`next_nodes`, None where no gradient goes; torch's `next_functions` pairs
them with input_nr 0, as every node here has one output), each input's
shape and dtype (`meta`, to sum and cast gradients), non-tensor attributes (`attrs`) and the
values saved for backward (`saved`, freed after a backward unless `retain_graph`).
"""

from __future__ import annotations

import itertools
import weakref
from typing import Any

from engine.dtypes import type_string

UIDS = itertools.count()  # shared by tensors and nodes: uids increase in creation order
# The uid counter's value at the latest in-place change: nodes created after it need no version
# check in backward (nothing they saved can have changed since).
LAST_MUTATION = [-1]

# uid of a detach_()ed tensor -> (weakref to it, [(first uid of its history, uid at detach_)])
DETACHED: dict[int, tuple] = {}
DETACHED_MESSAGE = (
    "Trying to use a saved tensor that has been detached in-place, i.e. with .detach_().This is "
    "not supported, please use out-of-place `.detach()` instead"
)
FREED_MESSAGE = (
    "Trying to backward through the graph a second time (or directly access saved tensors after "
    "they have already been freed). Saved intermediate values of the graph are freed when you "
    "call .backward() or autograd.grad(). Specify retain_graph=True if you need to backward "
    "through the graph a second time or if you need to access saved tensors after calling "
    "backward."
)
VERSION_MESSAGE = (
    "one of the variables needed for gradient computation has been modified by an inplace "
    "operation: [{kind} [{shape}]]{which} is at version {now}; expected version {saved} "
    "instead. Hint: enable anomaly detection to find the operation that failed to compute its "
    "gradient, with torch.autograd.set_detect_anomaly(True, check_nan=False)."
)


class Node:
    """A grad_fn, made by the forward op that records it.

    The engine makes every node a plain `Node`: one class keeps the hot loops' attribute
    accesses on one type, which CPython specialises (about a tenth of the time per op). A node
    gets its torch class (`MulBackward0`, see `node_class`) when it is handed to user code, by
    `named`: through `Tensor.grad_fn`, `next_functions` and backward steps.
    """

    __slots__ = (
        "uid",
        "op",
        "next_nodes",
        "meta",
        "attrs",
        "saved",
        "arrays",
        "versions",
        "__weakref__",
    )

    def __init__(self, op: Any, next_nodes: tuple, attrs: Any = None, meta: Any = None) -> None:
        """A node that saves nothing (the forward ops make theirs field by field, faster)."""
        self.uid = next(UIDS)
        self.op = op
        self.attrs = attrs
        self.next_nodes = next_nodes
        self.meta = meta
        self.saved = self.arrays = self.versions = ()

    def name(self) -> str:
        """torch's name of this node, e.g. `MulBackward0`."""
        if self.__class__ is Node:
            return named(self).name()
        return self.op.grad_fn

    @property
    def display_name(self) -> str:
        """The short name to show (the class name, e.g. `NotImplemented` whose name() is
        `torch::autograd::NotImplemented`)."""
        return self.op.grad_fn

    @property
    def next_functions(self) -> tuple:
        """torch's tuple of `(node_or_None, input_nr)`, one per input."""
        return tuple([(named(node), output_number(node)) for node in self.next_nodes])

    @property
    def metadata(self) -> dict:
        """torch's (empty) metadata dict."""
        return {}

    def __repr__(self) -> str:
        return f"<{self.display_name} object at {id(self):#x}>"

    def register_prehook(self, fn: Any) -> Any:
        """Call `fn(grad_outputs)` before this node runs; a returned tuple replaces them."""
        from engine.hooks import register_node_hook  # hooks sit above this module

        return register_node_hook(self, fn, post=False)

    def register_hook(self, fn: Any) -> Any:
        """Call `fn(grad_inputs, grad_outputs)` after this node runs; a returned tuple replaces
        `grad_inputs` (the gradients sent to `next_functions`)."""
        from engine.hooks import register_node_hook

        return register_node_hook(self, fn, post=True)

    def check_versions(self) -> None:
        """Raise torch's error if a tensor torch saves was detached in place (`detach_`) after it
        was saved as a non-leaf, or modified in place since it was saved."""
        for value, saved in zip(self.saved, self.versions, strict=True):
            if saved is None or not _torch_saves(self, value):
                continue
            if DETACHED and detached_since(value, self.uid):
                raise RuntimeError(DETACHED_MESSAGE)
            if version(value) != saved:
                raise RuntimeError(_version_message(value, saved, self))


# Nodes whose input i torch saves only when the other input needs a gradient (the engine saves both)
_SAVED_FOR_OTHER = {
    "MulBackward0": (0, 1),
    "DivBackward0": (0,),
    "DotBackward0": (0, 1),
    "MmBackward0": (0, 1),
    "MvBackward0": (0, 1),
    "BmmBackward0": (0, 1),
}


def _torch_saves(node: Node, value: Any) -> bool:
    """Whether torch keeps `value` (an input `node` saved) for the node's backward."""
    only_for_other = _SAVED_FOR_OTHER.get(getattr(node.op, "grad_fn", None), ())
    saves = getattr(node.op, "saves", ())
    for slot, saved in enumerate(node.saved):
        if saved is value and slot < len(saves) and saves[slot] in only_for_other:
            return node.next_nodes[1 - saves[slot]] is not None
    return True


def note_detached(t: Any) -> None:
    """Remember that `detach_()` now cuts `t` (a non-leaf) from its history: the span of uids
    since `t` got its first grad_fn of that history, for `detached_since`. The mark counts as an
    in-place change, so backward checks the nodes made before it."""
    fn = t._fn
    start = fn.uid
    while fn is not None and fn.uid > t.uid:  # t's own history: in-place nodes, then its maker
        start = fn.uid
        fn = fn.next_nodes[0] if fn.next_nodes else None
    entry = DETACHED.get(t.uid)
    if entry is None:
        uid = t.uid
        entry = DETACHED[uid] = (weakref.ref(t, lambda _: DETACHED.pop(uid, None)), [])
    entry[1].append((start, next(UIDS)))
    LAST_MUTATION[0] = entry[1][-1][1]


def detached_since(value: Any, uid: int) -> bool:
    """Whether saved tensor `value` has no grad_fn now because `detach_()` cut the grad_fn it
    had when node `uid` saved it (torch's check when a saved non-leaf input is unpacked)."""
    if type(value) is SavedOutput or value._fn is not None:
        return False
    entry = DETACHED.get(value.uid)
    return entry is not None and any(start < uid < end for start, end in entry[1])


class OutputSlot(Node):
    """Output `attrs[0]` of a node with several outputs (`unbind`, `split`): the grad_fn of that
    output tensor inside the engine.

    torch's node with several outputs receives a gradient per output; the engine's nodes receive
    one. So each output tensor gets a slot, whose only edge leads to the shared node, and which
    passes its gradient on as that output's (engine.multi_output). User code never meets a slot:
    `named` gives the shared node, `next_functions` the pair (shared node, output number), and
    backward steps leave slots out.
    """

    __slots__ = ()

    def name(self) -> str:
        """The shared node's name, e.g. `UnbindBackward0`."""
        return named(self).name()

    @property
    def display_name(self) -> str:
        """The shared node's short name."""
        return named(self).display_name


def output_number(node: Node | None) -> int:
    """The input_nr of an edge to `node`: which output of its named node it is."""
    return node.attrs[0] if node.__class__ is OutputSlot else 0


def named(node: Node | None) -> Node | None:
    """`node` as torch shows it to user code: an instance of its torch class (see Node)."""
    cls = node.__class__
    if cls is Node:
        node.__class__ = node.op.node_class
    elif cls is OutputSlot:
        return named(node.next_nodes[0])
    return node


def version(t: Any) -> int:
    """The version of a Tensor or SavedOutput: in-place changes to it or any tensor sharing its
    counter (a tensor shares none until it has a view or a detached alias, `_vc` None)."""
    vc = t._vc
    return 0 if vc is None else vc[0]


def shared_counter(t: Any) -> list:
    """`t`'s version counter `[version, uid at the latest change]`, created on first need (a view
    or detached alias shares it)."""
    vc = t._vc
    if vc is None:
        vc = t._vc = [0, -1]
    return vc


def note_mutation(t: Any) -> None:
    """Count an in-place change of `t` and the tensors sharing its version counter."""
    vc = shared_counter(t)
    vc[0] += 1
    vc[1] = LAST_MUTATION[0] = next(UIDS)


def root(t: Any) -> Any:
    """The tensor `t` is a view of (its `_base`, always a root base, see
    engine.view_meta.set_base), or `t` itself if it is no view."""
    base = t._base
    return t if base is None else base


def current_fn(t: Any) -> Node | None:
    """`t`'s grad_fn now. A view whose values were changed in place (through its base or another
    view) after its grad_fn was made, or after it was made without one while its root base
    requires grad now, gets torch's AsStridedBackward0 to its root base's history, made on its
    first use after the change, as torch does (a view made in no_grad mode raises torch's error
    instead, engine.view_meta.check_rebase)."""
    fn = t._fn
    if t._base is None:
        return fn
    changed = t._vc[1]
    if fn is None:
        if changed < t.uid or not root(t)._rg:
            return None
    elif fn.uid > changed:
        return fn
    from engine.ops_views import refresh_view  # the view machinery sits above this module

    return refresh_view(t)


class SavedOutput:
    """An op's own output as its node saves it: data and version counter, no grad_fn (no cycle)."""

    __slots__ = ("array", "dtype", "_vc", "output_nr")

    def __init__(self, array: Any, dtype: Any, vc: list, output_nr: int = 0) -> None:
        self.array = array
        self.dtype = dtype
        self._vc = vc
        self.output_nr = output_nr


def _version_message(value: Any, saved: int, node: Node) -> str:
    """A saved output is named by the node that made it, a saved input by its grad_fn now."""
    producer = node if isinstance(value, SavedOutput) else current_fn(value)
    which = ""
    if producer is not None:
        which = f", which is output {value.output_nr} of {short_op_name(producer.name())},"
    return VERSION_MESSAGE.format(
        kind=type_string(value.dtype),
        shape=", ".join(str(n) for n in value.array.shape),
        which=which,
        now=version(value),
        saved=saved,
    )


def short_op_name(name: str) -> str:
    """`MulBackward0` -> `Mul`, `ClampBackward1` -> `Clamp1` (torch's wording in messages)."""
    stem, _, number = name.partition("Backward")
    return stem if number in ("", "0") else stem + number


class AccumulateGrad(Node):
    """The node that adds a gradient into a leaf's `.grad`. One per leaf while it is alive."""

    __slots__ = ("variable",)

    def __init__(self, variable: Any) -> None:
        self.uid = next(UIDS)
        self.variable = variable
        self.next_nodes = ()
        self.saved = ()
        self.arrays = ()
        self.versions = ()
        self.meta = None

    def name(self) -> str:
        """torch's C++ name."""
        return "torch::autograd::AccumulateGrad"

    @property
    def display_name(self) -> str:
        """The name without its namespace."""
        return "AccumulateGrad"


class Rule:
    """The op-table part a hand-written node needs: a name and a backward rule."""

    __slots__ = ("name", "backward")

    def __init__(self, name: str, backward: Any) -> None:
        self.name = name
        self.backward = backward


class HandWritten(Node):
    """A node torch writes by hand (its C++ name in `name()`, the short one shown in reprs)."""

    __slots__ = ()
    frees = False  # whether a backward frees what it holds (then a second one raises)

    def name(self) -> str:
        """torch's C++ name, e.g. `torch::autograd::CopySlices`."""
        return "torch::autograd::" + type(self).__name__

    @property
    def display_name(self) -> str:
        """The name without its namespace."""
        return type(self).__name__


class CopyBackwards(HandWritten):
    """A leaf's `.grad` made under create_graph (the gradient passes on to its source), or
    `t[...] = value` copying into all of `t` (computed as CopySlices over all of `t`)."""

    __slots__ = ()


class CopySlices(HandWritten):
    """`base[index] = value` on a tensor with a graph: the base's history plus the value."""

    __slots__ = ()
    frees = True  # torch's CopySlices releases its op's node


class FillBackward3(HandWritten):
    """`t[...] = number`: torch's `fill_` of `t` (computed as CopySlices), a generated node."""

    __slots__ = ()

    def name(self) -> str:
        """torch's name."""
        return type(self).__name__


class IndexPutBackward0(FillBackward3):
    """`t[mask] = value` on a tensor `t` with a graph: torch's `index_put_` on `t` itself (the
    engine computes it as CopySlices over the written elements)."""

    __slots__ = ()
    frees = True  # the indices it saves


_NODE_CLASSES: dict[str, type] = {}


def node_class(name: str) -> type:
    """The Node subclass called `name` (created once, so `type(a) is type(b)` for equal names)."""
    cls = _NODE_CLASSES.get(name)
    if cls is None:
        cls = _NODE_CLASSES[name] = type(name, (Node,), {"__slots__": ()})
    return cls
