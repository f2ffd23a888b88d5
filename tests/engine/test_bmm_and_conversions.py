"""torch.bmm and Tensor.bmm (values, graph, gradients, argument errors), and Tensor.to /
Tensor.view with dtypes and devices, against torch."""

from __future__ import annotations

import pytest

import engine
from tests.engine.grad_graph import grad_fn_names
from tests.engine.random_programs import outcome

torch = pytest.importorskip("torch")


def _batches(L, dtype="float32", shapes=((2, 2, 3), (2, 3, 4))):
    """Two batches of quarters (float32 products and sums exact: BLAS's order does not show)."""
    sizes = [s[0] * s[1] * s[2] for s in shapes]
    values = (L.arange(1.0, 1.0 + sum(sizes)) / 4).split(sizes)
    return [t.reshape(s).to(getattr(L, dtype)) for t, s in zip(values, shapes, strict=True)]


def _bmm_history(L):
    a, b = (t.detach().requires_grad_() for t in _batches(L, "float64"))
    out = L.bmm(a, b)
    (out * out).sum().backward()
    return repr(out), grad_fn_names(out), repr(a.grad), repr(b.grad)


def test_bmm_history_matches_torch():
    assert _bmm_history(engine) == _bmm_history(torch)


BMM = {
    "torch.bmm": lambda L: L.bmm(*_batches(L)),
    "Tensor.bmm": lambda L: _batches(L)[0].bmm(_batches(L)[1]),
    "keywords": lambda L: L.bmm(input=_batches(L)[0], mat2=_batches(L)[1]),
    "int64": lambda L: L.bmm(*_batches(L, "int64")),
    "a str": lambda L: L.bmm(_batches(L)[0], "a"),
    "one argument": lambda L: L.bmm(_batches(L)[0]),
    "Tensor.bmm without argument": lambda L: _batches(L)[0].bmm(),
    "Tensor.bmm of a number": lambda L: _batches(L)[0].bmm(2),
    "2-D": lambda L: L.bmm(L.ones(2, 3), L.ones(2, 3)),
    "batch sizes": lambda L: L.bmm(L.ones(2, 2, 3), L.ones(3, 3, 1)),
    "two dtypes": lambda L: L.bmm(L.ones(2, 2, 3), L.ones(2, 3, 1, dtype=L.float64)),
    "bool": lambda L: L.bmm(L.ones(2, 2, 3, dtype=L.bool), L.ones(2, 3, 1, dtype=L.bool)),
}


@pytest.mark.parametrize("make", BMM.values(), ids=BMM.keys())
def test_bmm_matches_torch(make):
    assert outcome(engine, make) == outcome(torch, make)
