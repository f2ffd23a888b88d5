"""Gradients for one node are summed in arrival order, bit for bit as torch's input buffer does."""

from __future__ import annotations

import functools
import operator

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import engine as torch
from engine.gradient_sum import MAX_PARTS, PARTS_SIZE, GradientSum

SHAPES = st.sampled_from([(), (1,), (2,), (3,), (1, 1), (2, 3), (17,), (64, 2), (PARTS_SIZE + 1,)])
DTYPES = st.sampled_from([np.float16, np.float32, np.float64])


@st.composite
def gradients(draw):
    """A few gradients of one shape (sometimes numpy scalars, another dtype or another memory
    layout) with magnitudes far apart, so that any change of order changes the rounding."""
    shape, dtype = draw(SHAPES), draw(DTYPES)
    count = draw(st.integers(2, 2 * MAX_PARTS + 3))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    parts = []
    for _ in range(count):
        value = rng.standard_normal(shape) * 10.0 ** rng.integers(-4, 5, size=shape)
        part_dtype = draw(DTYPES) if draw(st.integers(0, 9)) == 0 else dtype
        part = np.asarray(value, part_dtype)
        if part.ndim == 2 and draw(st.integers(0, 3)) == 0:
            part = np.asfortranarray(part)  # same values, not C-contiguous
        parts.append(part[()] if shape == () and draw(st.booleans()) else part)
    return parts


@settings(max_examples=200, deadline=None)
@given(gradients())
def test_sum_is_the_left_fold(parts):
    with np.errstate(all="ignore"):  # as in the backward loop: float16 sums overflow
        total = GradientSum(parts[0], parts[1])
        for g in parts[2:]:
            total.add(g)
        expected = functools.reduce(operator.add, parts)
        got = total.value()
    assert np.shape(got) == np.shape(expected)
    assert np.asarray(got).dtype == np.asarray(expected).dtype
    np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize("size", [1, 4, 1_000, PARTS_SIZE + 1])
def test_leaf_used_many_times_matches_torch_bitwise(size):
    real = pytest.importorskip("torch")
    rng = np.random.default_rng(size)
    x0 = rng.standard_normal(size).astype(np.float32)
    weights = (rng.standard_normal((300, size)) * 10.0 ** rng.integers(-3, 4, (300, size))).astype(
        np.float32
    )
    grads = []
    for lib in (torch, real):
        x = lib.tensor(x0, requires_grad=True)
        y = sum((x * lib.tensor(w)).sum() for w in weights)
        y.backward()
        grads.append(x.grad.numpy().copy())
    np.testing.assert_array_equal(grads[0], grads[1])
