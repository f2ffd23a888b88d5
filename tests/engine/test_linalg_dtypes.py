"""Matrix products with mixed dtypes, bool and empty operands, against torch: which check comes
first (dimensions, dtypes, sizes) and when an empty operand makes torch skip the kernel."""

from __future__ import annotations

import pytest

import engine
from tests.engine.random_programs import outcome

torch = pytest.importorskip("torch")


def _z(*shape, dtype="float32"):
    return lambda L: L.zeros(*shape, dtype=getattr(L, dtype))


def _matmul(first, second):
    return lambda L: first(L) @ second(L)


CASES = {
    "dot, dtypes and sizes differ": _matmul(_z(2), _z(1, dtype="bool")),
    "dot, int64 and float32 sizes differ": _matmul(_z(2, dtype="int64"), _z(1)),
    "dot, bool sizes differ": _matmul(_z(1, dtype="bool"), _z(2, dtype="bool")),
    "dot, empty bool": _matmul(_z(0, dtype="bool"), _z(0, dtype="bool")),
    "dot, empty of two dtypes": _matmul(_z(0), _z(0, dtype="int64")),
    "torch.dot, 2-D and another dtype": lambda L: L.dot(L.zeros(2, 2), L.zeros(2, dtype=L.bool)),
    "torch.dot, dtypes and sizes differ": lambda L: L.dot(L.zeros(3), L.zeros(2, dtype=L.int64)),
    "mm, empty bool rows": _matmul(_z(0, 2, dtype="bool"), _z(2, 2, dtype="bool")),
    "mm, empty bool columns": _matmul(_z(2, 2, dtype="bool"), _z(2, 0, dtype="bool")),
    "mm, bool summed over nothing": _matmul(_z(2, 0, dtype="bool"), _z(0, 2, dtype="bool")),
    "mm, bool": _matmul(_z(1, 2, dtype="bool"), _z(2, 2, dtype="bool")),
    "mm, empty of two dtypes": _matmul(_z(0, 2), _z(2, 2, dtype="bool")),
    "mm, shapes and dtypes differ": _matmul(_z(2, 3), _z(2, 2, dtype="bool")),
    "mm, int64 summed over nothing": _matmul(_z(2, 0, dtype="int64"), _z(0, 2, dtype="int64")),
    "mv, empty bool": _matmul(_z(0, 2, dtype="bool"), _z(2, dtype="bool")),
    "mv, bool summed over nothing": _matmul(_z(2, 0, dtype="bool"), _z(0, dtype="bool")),
    "torch.mv, bool summed over nothing": lambda L: L.mv(
        L.zeros(2, 0, dtype=L.bool), L.zeros(0, dtype=L.bool)
    ),
    "mv, empty of two dtypes": _matmul(_z(0, 2), _z(2, dtype="bool")),
    "1-D @ 2-D, empty bool": _matmul(_z(2, dtype="bool"), _z(2, 0, dtype="bool")),
    "1-D @ 2-D, bool summed over nothing": _matmul(_z(0, dtype="bool"), _z(0, 2, dtype="bool")),
    "1-D @ 2-D, two dtypes": _matmul(_z(2), _z(2, 2, dtype="bool")),
    "3-D @ 2-D, empty bool": _matmul(_z(0, 2, 2, dtype="bool"), _z(2, 2, dtype="bool")),
    "3-D @ 2-D, bool": _matmul(_z(1, 2, 2, dtype="bool"), _z(2, 2, dtype="bool")),
    "3-D @ 1-D, bool": _matmul(_z(1, 2, 2, dtype="bool"), _z(2, dtype="bool")),
    "3-D @ 2-D, empty of two dtypes": _matmul(_z(0, 2, 2), _z(2, 2, dtype="int64")),
    "3-D @ 3-D, empty bool": _matmul(_z(0, 2, 2, dtype="bool"), _z(0, 2, 2, dtype="bool")),
    "3-D @ 3-D, two dtypes": _matmul(_z(1, 2, 2), _z(1, 2, 2, dtype="bool")),
}


@pytest.mark.parametrize("make", CASES.values(), ids=CASES.keys())
def test_matrix_product_matches_torch(make):
    assert outcome(engine, make) == outcome(torch, make)
