"""Cases the random-program audit found, against torch: integer division by zero of empty
tensors, in-place unary methods, cumprod's method and the TypeErrors of bad arguments."""

from __future__ import annotations

import pytest

import engine
from tests.engine.random_programs import outcome

torch = pytest.importorskip("torch")


def _ints(*shape):
    return lambda L: L.zeros(*shape, dtype=L.int64)


DIVISION = {
    "empty // 0": lambda L: _ints(0)(L) // 0,
    "empty % 0": lambda L: _ints(0)(L) % 0,
    "empty % a 0-d zero": lambda L: _ints(0)(L) % L.tensor(0),
    "0-d 5 % empty": lambda L: L.tensor(5) % _ints(0)(L),
    "remainder(5, empty)": lambda L: L.remainder(5, _ints(0)(L)),
    "5 // empty": lambda L: 5 // _ints(0)(L),
    "div trunc of empty by 0": lambda L: L.div(_ints(0)(L), 0, rounding_mode="trunc"),
    "div floor, broadcast to empty": lambda L: L.div(
        _ints(2, 0)(L), _ints(2, 1)(L), rounding_mode="floor"
    ),
    "floor_divide of empty by 0": lambda L: L.floor_divide(_ints(0)(L), 0),
    "// 0 still refused": lambda L: L.tensor([1, 2]) // 0,
    "% a zero still refused": lambda L: L.tensor([1, 2]) % L.tensor([1, 0]),
    "// shapes that do not broadcast, a zero divisor": lambda L: (
        L.tensor([1, 2, 3]) // L.tensor([0, 1])
    ),
    "% shapes that do not broadcast, a zero divisor": lambda L: (
        L.tensor([1, 2, 3]) % L.tensor([0, 1])
    ),
    "empty // shapes that do not broadcast": lambda L: _ints(0)(L) // L.tensor([0, 1]),
}


@pytest.mark.parametrize("make", DIVISION.values(), ids=DIVISION.keys())
def test_integer_division_matches_torch(make):
    assert outcome(engine, make) == outcome(torch, make)
