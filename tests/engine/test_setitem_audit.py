"""Differential tests against torch for setitem/getitem fixes of the re-audit (items A1-A4,
B4, B5, B12-B14 and the setitem texts of section C)."""

import re
import warnings

import numpy as np
import pytest

import engine

torch = pytest.importorskip("torch")

CASES = [
    "x = L.zeros(3); x[::-1] = L.tensor([1., 2., 3.])",
    "x = L.zeros(3, 4); x[[0, 1], ::-1] = 1.",
    "x = L.ones(3, dtype=L.int64); x[[0]] = L.tensor(7.)",
    "x = L.ones(3); x[[0]] = L.tensor(7., dtype=L.float64)",
    "x = L.ones(3, dtype=L.int64); x[L.tensor([True, False, True])] = L.tensor([7.])",
    "x = L.zeros(2, 3, requires_grad=True); x[0, [0, 1]] = L.ones(3)",
    "x = L.zeros(1, 4, requires_grad=True); x[False, [0, 1, 2]] = 0.",
    "x = L.zeros(1, 4, requires_grad=True); x[False, L.tensor([True, True])] = 0.",
    "x = L.zeros(1, 4, requires_grad=True); x[0, [7]] = 0.",
    "x = L.zeros(2, 3, requires_grad=True); x[:, [0, 1]] = L.ones(3)",
    "x = L.zeros(2, requires_grad=True); x[L.tensor([True, False, True])] = 0.",
    "x = L.zeros(2, 3); x[False] = L.tensor([1., 2.])",
    "x = L.zeros(2, dtype=L.int64); x[False] = 1e30",
    "x = L.zeros(2, 0); x[False] = 7.",
    "x = L.zeros(2, 0); x[L.tensor([-2])] = L.tensor(7.)",
    "x = L.zeros(2, 3)[False]; x[True] = 7.",
    "x = L.zeros(3)[False, [5]]",
    "x = L.zeros(0)[False, [0]]",
    "x = L.zeros(2, 0)[-2, [0], False]",
    "x = L.zeros(2, 0)[..., False, [-1]]",
    "x = L.zeros(0, 3)[:, [5]]",
    "x = L.zeros(3, 0)[[5]]",
    "x = L.zeros(1, 0).expand(3, -1).add_(1)",
    "x = L.ones(1)[..., 5]",
    "x = L.ones(2, 3)[True, 0, ..., 5]",
    "x = L.ones(2, 3)[None, 0, ..., 5]",
    "x = L.ones(2, 3); x[True, 0, ..., 5] = 1.",
    "x = L.zeros(2, 3); x[[0, 1], [0, 1, 2]] = 1.",
    "x = L.zeros(2, 3); x[L.tensor([True, False, True])] = 1.",
    "x = L.zeros(2, 3); x[L.tensor([0.])] = 1.",
    "x = L.zeros(2, 3); x[L.tensor([])] = 1.",
    "x = L.tensor(1.); x[L.tensor([0])] = 2.",
    "x = L.tensor(1.); x[:, 0] = 1",
    "x = L.tensor(1.)[-1]",
    "x = L.tensor(1.); x[-1] = 2.",
    "x = L.zeros(2, dtype=L.int64); x[0] = 1e30",
    "x = L.zeros(2, dtype=L.int64); x[0, 0] = 1e30",
    "x = L.zeros(2, dtype=L.uint8); x[0] = 300",
    "x = L.zeros(2, dtype=L.int32); x[0] = 2**40",
    "x = L.zeros(3, dtype=L.int64); x[[0]] = 2**70",
    "x = L.zeros(0)[L.tensor([3, 0])]",
    "x = L.zeros(0); x[L.tensor([3, 0])] = 1.",
    "x = L.zeros(2, 3)[False, [1, 5]]",
    "x = L.zeros(2, 3); x[False, [1, 5]] = 1.",
    "x = L.zeros(2, 3); x[1, [5]] = 1.",
    "x = L.zeros(2, 3)[L.tensor([0.]), 5]",
    "x = L.zeros(1).expand(3); x[[0]] = 1.",
    "x = L.zeros(1).expand(3); x[L.tensor([True, False, True])] = 1.",
    "x = L.zeros(3, 4); x[1:, L.tensor([0, 2])] = L.tensor([5., 6.])",
    "x = L.zeros(3, 4); x[True] = L.ones(4)",
    "x = L.zeros(3, 4); x[..., None, 1] = L.tensor([5., 6., 7.])",
]


def _run(lib, src):
    ns = {"L": lib}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            exec(src, ns)  # noqa: S102 (test-only: one snippet for both libraries)
            x = ns["x"]
            result = ("ok", x.detach().numpy().tolist(), tuple(x.shape))
        except Exception as exc:  # noqa: BLE001 (the exception is what is compared)
            result = ("exc", type(exc).__name__, str(exc))
    return result, [
        re.sub(r" \(Triggered internally at [^)]*\)$", "", str(w.message)) for w in caught
    ]


@pytest.mark.parametrize("src", CASES)
def test_like_torch(src):
    assert _run(engine, src) == _run(torch, src)


def _empty_view_history(lib, method):
    x = lib.zeros(1, 0, requires_grad=True)
    y = (x * 1).t()
    getattr(y, method)(*(() if method == "zero_" else (1,)))
    return y.grad_fn.name(), y._base.grad_fn.name()


@pytest.mark.parametrize("method", ["zero_", "add_", "mul_"])
def test_inplace_on_empty_view_gets_as_strided(method):
    assert _empty_view_history(engine, method) == _empty_view_history(torch, method)


def _setitem_grads(lib):
    x = lib.arange(12.0).reshape(3, 4).requires_grad_()
    v = lib.tensor([5.0, 6.0], requires_grad=True)
    y = x * 2
    z = y[1:]
    z[:, [0, 2]] = v * 3
    (y * lib.arange(12.0).reshape(3, 4)).sum().backward()
    return y.grad_fn.name(), z.grad_fn.name(), x.grad.numpy(), v.grad.numpy()


def test_advanced_setitem_through_view_gradients():
    mine, theirs = _setitem_grads(engine), _setitem_grads(torch)
    assert mine[:2] == theirs[:2]
    np.testing.assert_array_equal(mine[2], theirs[2])
    np.testing.assert_array_equal(mine[3], theirs[3])
