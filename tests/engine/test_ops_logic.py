"""isnan/isinf/isfinite, any/all, isclose/allclose/equal as functions and methods, against torch."""

from __future__ import annotations

import pytest

import engine

torch = pytest.importorskip("torch")

INF, NAN = float("inf"), float("nan")


def _calls(L):
    x = L.tensor([1.0, NAN, INF, -INF])
    i = L.tensor([1, 0, 3])
    u = L.tensor([1, 0, 3], dtype=L.uint8)
    f = L.tensor([1.0, 2.0])
    g = L.tensor([1.0, 2.0], requires_grad=True)
    return [
        lambda: (L.isnan(x), x.isinf(), L.isfinite(x), L.isnan(i), i.isinf(), i.isfinite()),
        lambda: (u.any(), u.all(), i.any(), x.any(), L.tensor([]).all(), L.tensor([]).any()),
        lambda: (i.reshape(3, 1).any(dim=0), L.all(i.reshape(3, 1), dim=(0, 1))),
        lambda: (L.any(L.tensor([[1.0, 0.0]]), 1, True), L.tensor(2).all(0, keepdim=True)),
        lambda: (g.isnan(), g.any(), g.all(0), L.tensor(0.0).any()),
        lambda: L.isclose(x, i[:1]),
        lambda: L.isclose(f, L.tensor([1, 2])),
        lambda: L.isclose(L.tensor([1, 2]), L.tensor([1, 3])),
        lambda: (L.isclose(x, x), x.isclose(x, equal_nan=True)),
        lambda: L.isclose(f, 2.0),
        lambda: L.isclose(f.double(), f),
        lambda: L.isclose(f, f, rtol=-1),
        lambda: L.isclose(f, f, atol=-0.5),
        lambda: L.isclose(L.tensor([True]), L.tensor([True])),
        lambda: L.isclose(L.tensor([1e10, 1e-8]), L.tensor([1.00001e10, 1e-9])),
        lambda: (L.allclose(f, L.tensor([1.0, 2.0001])), f.allclose(f + 1e-4, rtol=1e-3)),
        lambda: (L.allclose(f, L.tensor([1.0, 2.0001]), 1e-3, 0), L.allclose(f, f[None])),
        lambda: L.allclose(f, L.tensor([1.0, 2.0, 3.0])),
        lambda: (L.equal(f, L.tensor([1, 2])), L.equal(f, f[None]), g.equal(f), L.equal(x, x)),
    ]


def _outcome(L) -> list[str]:
    out = []
    for call in _calls(L):
        try:
            out.append(repr(call()))
        except (RuntimeError, TypeError) as exc:
            out.append(f"{type(exc).__name__}: {exc}")
    return out


def test_matches_torch():
    for mine, theirs in zip(_outcome(engine), _outcome(torch), strict=True):
        assert mine == theirs
