"""Grad mode: `no_grad`, `enable_grad`, `set_grad_enabled`, `is_grad_enabled`.

The mode is a flag (`STATE.enabled`) that ops read with a single attribute access. As in torch it
belongs to the thread: the app runs programs on worker threads, and every thread starts with grad
mode on.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any


class _State(threading.local):
    enabled = True  # each thread's own once it sets it


STATE = _State()


def is_grad_enabled() -> bool:
    """True when ops record the graph (the default)."""
    return STATE.enabled


class _GradModeContext:
    """A context manager and decorator that sets grad mode and restores the previous one on exit."""

    _mode = True

    def __enter__(self) -> None:
        self._previous = STATE.enabled
        STATE.enabled = self._mode

    def __exit__(self, *exc: object) -> None:
        STATE.enabled = self._previous

    def __call__(self, func: Callable) -> Callable:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with type(self)():
                return func(*args, **kwargs)

        return wrapper


class no_grad(_GradModeContext):  # noqa: N801 (torch's name)
    """Ops inside record no graph; results do not require grad."""

    _mode = False

    def __repr__(self) -> str:
        return f"<torch.autograd.grad_mode.no_grad object at {id(self):#x}>"


class enable_grad(_GradModeContext):  # noqa: N801 (torch's name)
    """Turns recording back on, e.g. inside `no_grad`."""

    _mode = True

    def __repr__(self) -> str:
        return f"<torch.autograd.grad_mode.enable_grad object at {id(self):#x}>"


class set_grad_enabled(_GradModeContext):  # noqa: N801 (torch's name)
    """Sets grad mode at once (as a plain call); restores it when used as a context manager."""

    def __init__(self, mode: bool) -> None:
        self._mode = bool(mode)
        self._previous = STATE.enabled
        STATE.enabled = self._mode

    def __enter__(self) -> None:
        STATE.enabled = self._mode

    def __call__(self, func: Callable) -> Callable:
        STATE.enabled = self._previous
        mode = self._mode

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with set_grad_enabled(mode):
                return func(*args, **kwargs)

        return wrapper

    def __repr__(self) -> str:
        return f"torch.autograd.grad_mode.set_grad_enabled(mode={self._mode})"
