"""How the app watches the engine run: `observe(callback)` and the events it receives.

Events hold LIVE engine objects (tensors, nodes); a listener copies what it keeps. A listener
hears the ops of the thread that registered it only: the app records programs on worker threads,
and a superseded run may still be finishing beside the next one. When nobody listens, `LISTENERS`
is empty and the engine's only cost is one truthiness test per op.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from threading import get_ident
from typing import Any

import numpy as np

# (thread id, callback) in registration order. Engine code tests `if LISTENERS:` before building
# an event, so this list object must never be rebound.
LISTENERS: list[tuple[int, Callable[[Any], None]]] = []


@contextmanager
def observe(callback: Callable[[Any], None]) -> Iterator[None]:
    """Pass every engine event of this thread to `callback(event)` inside the block. Nests."""
    entry = (get_ident(), callback)
    LISTENERS.append(entry)
    try:
        yield
    finally:
        LISTENERS.remove(entry)


@contextmanager
def muted() -> Iterator[None]:
    """Inside the block no event of this thread reaches its listeners (for the engine's own
    computations that are not the user's ops, such as working out an error message)."""
    thread = get_ident()
    mine = [entry for entry in LISTENERS if entry[0] == thread]
    for entry in mine:
        LISTENERS.remove(entry)
    try:
        yield
    finally:
        LISTENERS.extend(mine)


def emit(event: Any) -> None:
    """Deliver `event` to this thread's listeners, in registration order."""
    thread = get_ident()
    for owner, callback in tuple(LISTENERS):
        if owner == thread:
            callback(event)


@dataclass(frozen=True, eq=False)
class OpRan:
    """A forward op (or factory) produced new tensor(s). `args` in the user's operand order."""

    op: str
    args: tuple
    output: Any
    grad_enabled: bool


@dataclass(frozen=True, eq=False)
class Detached:
    """`detach()`, `detach_()` (in_place) or `.data` made `output` from `source`."""

    source: Any
    output: Any
    in_place: bool


@dataclass(frozen=True, eq=False)
class RequiresGradSet:
    """`requires_grad_()`, `t.requires_grad = ...` or a factory's `requires_grad=True`."""

    tensor: Any
    requires_grad: bool


@dataclass(frozen=True, eq=False)
class InPlaceModified:
    """An in-place op changed `tensor`; `before` is a copy of its old values."""

    op: str
    tensor: Any
    args: tuple
    before: np.ndarray


@dataclass(frozen=True, eq=False)
class BackwardStarted:
    """`backward()` or `autograd.grad()` (see `api`) is about to run."""

    roots: tuple
    grad_tensors: tuple
    retain_graph: bool
    create_graph: bool
    api: str


@dataclass(frozen=True, eq=False)
class BackwardStep:
    """One executed grad_fn: gradients in (per forward output) and out (per next_functions entry).

    For AccumulateGrad, `variable` is the leaf and `grad_before`/`grad_after` are copies of its
    `.grad` around the accumulation (`grad_before` is None the first time).
    """

    node: Any
    grad_in: tuple
    grads_out: tuple
    variable: Any = None
    grad_before: Any = None
    grad_after: Any = None


@dataclass(frozen=True, eq=False)
class BackwardFinished:
    """The backward pass started for `roots` has finished."""

    roots: tuple
