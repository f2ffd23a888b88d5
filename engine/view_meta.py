"""What a view remembers for autograd, as torch's DifferentiableViewMeta: whether the user set its
requires_grad, and how it was made (torch's CreationMeta: in no_grad mode, or as one of several
outputs of one op; either forbids giving it history by an in-place change).

A view requires grad when the user made it so, when it has a grad_fn, or when its root base
requires grad. The hot paths read each tensor's `_rg` flag, so a view's flag is kept up to date
here instead of computed on each read: every tensor that shares a version counter (views and
`detach()` aliases) is registered with the counter when it is made (`note_alias`), as an `Alias`
holding its flags, and when a tensor starts or stops requiring grad (`requires_grad_()`,
`detach_()`, an in-place op giving it history), the flags of the views sharing its counter are
recomputed (`follow_bases`). The hot paths never touch this registry.
"""

from __future__ import annotations

import weakref
from typing import Any

from engine.grad_mode import STATE
from engine.graph import named, output_number, root, short_op_name

_ALIASES = 2  # index in a version counter of its Aliases
NO_GRAD_MODE, MULTI_OUTPUT = "no_grad_mode", "multi_output"  # torch's CreationMeta, but DEFAULT
_FORBIDDEN = {
    NO_GRAD_MODE: (
        " Given that this use case is ambiguous and error-prone, it is forbidden. You can clarify "
        "your code by moving both the view and the inplace either both inside the no_grad block "
        "(if you don't want the inplace to be tracked) or both outside (if you want the inplace "
        "to be tracked)."
    ),
    MULTI_OUTPUT: (
        " This view is the output of a function that returns multiple views. Such functions do "
        "not allow the output views to be modified inplace. You should replace the inplace "
        "operation by an out-of-place one."
    ),
}


class Alias(weakref.ref):
    """A weak reference to a tensor sharing a version counter, with the tensor's flags as a
    view: made in no_grad mode, requires_grad set by the user."""

    __slots__ = ("uid", "no_grad_mode", "multi_output", "requires_grad")


class Aliases(dict):
    """uid -> Alias of each live tensor sharing one version counter (keyed by uid: a
    WeakKeyDictionary would compare tensors with their elementwise `==`)."""

    __slots__ = ()

    def drop(self, alias: Alias) -> None:
        """Forget a tensor that was freed (the Alias's callback)."""
        self.pop(alias.uid, None)


class _Unshared:
    """The flags of a tensor that shares no version counter: none set."""

    no_grad_mode = multi_output = requires_grad = False


_DEFAULT = _Unshared()


def note_alias(t: Any, vc: list) -> None:
    """Register `t`, a new tensor sharing the version counter `vc`, with the grad mode it was
    made in (read only if it is a view)."""
    if len(vc) == _ALIASES:
        vc.append(Aliases())
    aliases = vc[_ALIASES]
    alias = aliases[t.uid] = Alias(t, aliases.drop)
    alias.uid = t.uid
    alias.no_grad_mode = not STATE.enabled
    alias.multi_output = alias.requires_grad = False


def set_base(view: Any, base: Any) -> None:
    """Make `view`, just made from `base`, a view: its `_base` is `base`'s root base, as in torch
    (`b[0][1:]._base is b`), and unless it was made in no_grad mode it inherits how `base` was
    made (torch's propagate_creation_meta)."""
    if base._base is None:
        view._base = base
        return
    view._base = base._base
    alias, made = flags(view), flags(base)
    if not alias.no_grad_mode:
        alias.no_grad_mode, alias.multi_output = made.no_grad_mode, made.multi_output


def note_multi_output(view: Any) -> None:
    """Mark `view`, made with grad mode on, as one of several outputs of one op."""
    alias = view._vc[_ALIASES][view.uid]
    alias.multi_output, alias.no_grad_mode = True, False


def flags(t: Any) -> Alias | _Unshared:
    """The flags of `t` as a view (defaults for a tensor that shares no counter)."""
    vc = t._vc
    if vc is None or len(vc) == _ALIASES:
        return _DEFAULT
    return vc[_ALIASES].get(t.uid, _DEFAULT)


def set_requires_grad(view: Any, value: bool) -> None:
    """`view.requires_grad_(value)`: the view's own flag; it still follows its root base."""
    view._vc[_ALIASES][view.uid].requires_grad = value  # every view is registered
    view._rg = view_requires_grad(view)


def view_requires_grad(view: Any) -> bool:
    """torch's requires_grad of a view: its own flag, a grad_fn, or its root base's."""
    return flags(view).requires_grad or view._fn is not None or root(view)._rg


def follow_bases(t: Any) -> None:
    """After `t` started or stopped requiring grad: recompute the flags of the views sharing its
    version counter."""
    vc = t._vc
    if vc is None or len(vc) == _ALIASES:
        return
    for alias in list(vc[_ALIASES].values()):
        view = alias()
        if view is not None and view._base is not None:
            view._rg = view_requires_grad(view)


def creation_meta(t: Any) -> str | None:
    """How view `t` was made, if that forbids in-place changes: NO_GRAD_MODE, MULTI_OUTPUT, or
    None (a view of a view made so was made so too, see `set_base`)."""
    if t._base is None:
        return None
    alias = flags(t)
    if alias.no_grad_mode:
        return NO_GRAD_MODE
    return MULTI_OUTPUT if alias.multi_output else None


def check_rebase(view: Any, indirect: bool) -> None:
    """torch's handle_view_on_rebase: a view made in no_grad mode (or a view of one) may not get
    history from an in-place change of itself, or (`indirect`) of its base or another view."""
    meta = creation_meta(view)
    if meta is None:
        return
    fn = view._fn
    what = "its base or another view of its base has been" if indirect else "is being"
    output = (
        "" if fn is None else f"Output {output_number(fn)} of {short_op_name(named(fn).name())}"
    )
    if fn is None or meta == NO_GRAD_MODE:
        subject = "A view was" if fn is None else f"{output} is a view of a view which was"
        message = (
            f"{subject} created in no_grad mode and {what} modified inplace with grad mode enabled."
        )
    else:
        message = f"{output} is a view and {what} modified inplace."
    raise RuntimeError(message + _FORBIDDEN[meta])
