"""The benchmark floor computes the chain's gradients exactly as the engine does."""

from __future__ import annotations

import numpy as np
import pytest

import engine
from tests.benchmarks import floor_engine
from tests.benchmarks.engine_bench import chain, inputs


@pytest.mark.parametrize("size", [4, 1_000])
def test_floor_engine_gradients_are_the_engines(size):
    values = inputs(size)
    grads = []
    for lib in (floor_engine, engine):
        leaves = [lib.tensor(v, requires_grad=True) for v in values]
        chain(*leaves, 400).backward()
        grads.append(
            [np.asarray(leaf.grad if lib is floor_engine else leaf.grad.numpy()) for leaf in leaves]
        )
    for ours, floors in zip(grads[1], grads[0], strict=True):
        np.testing.assert_array_equal(floors, ours)
