"""Warnings torch gives once per process (its TORCH_WARN_ONCE): `x.T` on tensors that are not
2-D, `float()` of a tensor that requires grad, `backward(create_graph=True)`.

`warn` gives a message the first time only; `forget` makes every message new again, so that a
program the app runs again reads as it would in a fresh kernel.
"""

from __future__ import annotations

import warnings

_GIVEN: set[str] = set()


def warn(message: str, stacklevel: int) -> None:
    """`warnings.warn(message, UserWarning)` the first time `message` is given in this process
    (`stacklevel` counted from the caller of `warn`, as for `warnings.warn`)."""
    if message not in _GIVEN:
        _GIVEN.add(message)
        warnings.warn(message, UserWarning, stacklevel=stacklevel + 1)


def forget() -> None:
    """Give every message again, as a new process would."""
    _GIVEN.clear()
