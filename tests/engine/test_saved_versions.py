"""Differential tests against torch: which saved tensors backward checks for in-place changes
(torch saves `a` of `a * b` only when `b` needs a gradient; index tensors, masks, `where`
conditions and clamp bounds are saved with their versions), and Tensor attributes and
operators found in audit 4."""

import re
import warnings

import numpy as np
import pytest

import engine

torch = pytest.importorskip("torch")

X = "x = L.tensor([1., 2.], requires_grad=True); y = x * 1; "

# Each snippet ends by binding `out`; an exception instead is compared by type and text.
FALSE_VERSION_ERRORS = [
    X + "z = y * 3; y.add_(1); z.sum().backward(); out = x.grad",
    X + "z = 3 * y; y.add_(1); z.sum().backward(); out = x.grad",
    X + "z = y / 2; y.mul_(2); z.sum().backward(); out = x.grad",
    X + "z = 2 / y; y.mul_(2); z.sum().backward(); out = x.grad",
    X + "z = y * L.tensor([3., 4.]); y.mul_(2); z.sum().backward(); out = x.grad",
    X + "z = y * L.tensor(3.); y.mul_(2); z.sum().backward(); out = x.grad",
    X + "z = L.dot(y, L.ones(2)); y.mul_(2); z.backward(); out = x.grad",
    X + "z = y @ L.ones(2); y.mul_(2); z.backward(); out = x.grad",
    X + "z = L.ones(3, 2) @ y; y.mul_(2); z.sum().backward(); out = x.grad",
    X + "z = y.reshape(1, 2) @ L.ones(2, 2); y.mul_(2); z.sum().backward(); out = x.grad",
    X + "z = L.ones(2, 1) @ y.reshape(1, 2); y.mul_(2); z.sum().backward(); out = x.grad",
    X + "v = y[1]; z = v * 3; y[0] = 7.; z.sum().backward(); out = x.grad",
    X + "v = y[1]; z = v * 3; y.add_(1); z.sum().backward(); out = x.grad",
    X + "v = y[1:]; z = v * 3; y[0] = 7.; z.sum().backward(); out = x.grad",
    X + "y[0] = y[1] * 3; y.sum().backward(); out = x.grad",
    X + "y[0] = y[1] / 2; y.sum().backward(); out = x.grad",
    # torch does save these: the version error stays
    X + "z = y * y; y.add_(1); z.sum().backward(); out = x.grad",
    X + "z = y ** 2; y.mul_(2); z.sum().backward(); out = x.grad",
    X + "z = L.ones(2) / y; y.mul_(2); z.sum().backward(); out = x.grad",
    X + "v = y[1]; z = v * v; y[0] = 7.; z.sum().backward(); out = x.grad",
    "x = L.tensor([1., 2.], requires_grad=True); c = L.tensor([3., 4.]); y = x * c; "
    "c.mul_(2); y.sum().backward(); out = x.grad",
    "x = L.tensor([1., 2.], requires_grad=True); c = L.tensor([3., 4.]); y = c / x; "
    "c.mul_(2); y.sum().backward(); out = x.grad",
    "x = L.tensor([1., 2.], requires_grad=True); c = L.tensor([3., 4.]); y = x / c; "
    "c.mul_(2); y.sum().backward(); out = x.grad",
    "x = L.ones(2, 2, requires_grad=True); c = L.ones(2, 2); y = c @ x; c.mul_(2); "
    "y.sum().backward(); out = x.grad",
]


def _message(exc: BaseException) -> str:
    return re.sub(r" \(Triggered internally at [^)]*\)$", "", str(exc))


def run(lib, src):
    """What `src` leaves in `out` (values and type for tensors) or the exception it raises,
    with the warnings it gave."""
    ns = {"L": lib, "np": np}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            exec(src, ns)  # noqa: S102 (test-only: one snippet for both libraries)
            result = ("ok", _shown(ns["out"]))
        except Exception as exc:  # noqa: BLE001 (the exception is what is compared)
            result = ("exc", type(exc).__name__, _message(exc))
    return result, [_message(w.message) for w in caught]


def _shown(value):
    if isinstance(value, tuple):
        return tuple(_shown(v) for v in value)
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if hasattr(value, "grad_fn"):
        fn = value.grad_fn
        return (
            value.detach().numpy().tolist(),
            str(value.dtype),
            tuple(value.shape),
            value.requires_grad,
            None if fn is None else fn.name(),
        )
    return repr(value)


@pytest.mark.parametrize("src", FALSE_VERSION_ERRORS)
def test_version_checks_follow_what_torch_saves(src):
    assert run(engine, src) == run(torch, src)
