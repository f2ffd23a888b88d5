"""`set_printoptions` (precision, threshold, edgeitems, linewidth, profile, sci_mode) vs torch."""

from __future__ import annotations

import pytest

import engine

torch = pytest.importorskip("torch")


@pytest.fixture(autouse=True)
def _default_options():
    yield
    for L in (engine, torch):
        L.set_printoptions(profile="default")


def _reprs(L) -> list[str]:
    out = []
    steps = [
        ({"precision": 2}, lambda: [L.tensor([1.12345, 2.5]), L.arange(2000.0)]),
        ({"threshold": 5}, lambda: [L.arange(10), L.tensor([1.12345])]),
        ({"profile": "default"}, lambda: [L.tensor([1.12345]), L.arange(10)]),
        ({"profile": "short"}, lambda: [L.arange(2000.0).reshape(40, 50) / 3]),
        ({"profile": "full"}, lambda: [L.arange(1200)]),
        (
            {"sci_mode": True},
            lambda: [L.tensor([1.0, 2.5, 1e3]), L.tensor([1.0, 2.0]), L.tensor(5.0)],
        ),
        ({"sci_mode": False}, lambda: [L.tensor([1e-8, 1e10, 2.0]), L.tensor([1e20, 1.0])]),
        ({"linewidth": 30, "profile": "default"}, lambda: [L.arange(20.0) / 7]),
        ({}, lambda: [L.tensor([[1.5, 2.0], [3.0, 4.0]], requires_grad=True) * 2]),
        (
            {"edgeitems": 1, "threshold": 3},
            lambda: [L.arange(10.0), L.arange(30.0).reshape(2, 3, 5)],
        ),
        (
            {"edgeitems": 0, "threshold": 1000},
            lambda: [
                L.ones(2, 3),
                L.tensor(1.5),
                L.arange(2000),
                L.ones(40, 40, dtype=L.float64),
                L.zeros(0, 3),
                L.ones(3, requires_grad=True),
            ],
        ),
        ({"precision": 0, "threshold": 1000, "edgeitems": 3}, lambda: [L.tensor([1.5, 2.25, 3.0])]),
        ({"precision": 10}, lambda: [L.tensor([1 / 3, 2 / 3], dtype=L.float64), L.tensor([1 / 3])]),
        ({"linewidth": 200}, lambda: [L.arange(50.0) + 0.5]),
        ({"profile": "default"}, lambda: [L.tensor([1.12345])]),
    ]
    for options, make in steps:
        L.set_printoptions(**options)
        out += [repr(t) for t in make()]
    return out


def test_matches_torch():
    for mine, theirs in zip(_reprs(engine), _reprs(torch), strict=True):
        assert mine == theirs
