"""Matrix products under create_graph=True, against torch: for an input laid out by columns
(a transposed matrix) torch computes mm's gradient transposed, so the recorded graph has its
TBackward0 nodes; values, graphs and second derivatives must equal torch's."""

import numpy as np
import pytest

import engine
from tests.engine.grad_graph import nested_graph

torch = pytest.importorskip("torch")

A = [[1.0, 2.0, 0.5], [3.0, -1.0, 2.0]]
B = [[0.5, 1.5], [2.0, -1.0], [1.0, 1.0]]
U = [1.0, -2.0, 0.5]
W = [0.25, 2.0]
COLUMN = [[1.5], [-0.5], [2.0]]

CASES = {
    "mm(a.T, b.T)": lambda lib, a, b, u, w, c: lib.mm(a.T, b.T),
    "mm(a, b)": lambda lib, a, b, u, w, c: lib.mm(a, b),
    "a.T @ b.T": lambda lib, a, b, u, w, c: a.T @ b.T,
    "a.t() @ a": lambda lib, a, b, u, w, c: a.t() @ a,
    "matmul(a, a.T)": lambda lib, a, b, u, w, c: lib.matmul(a, a.T),
    "transpose(b) @ b": lambda lib, a, b, u, w, c: b.transpose(0, 1) @ b,
    "matmul(a.T, w)": lambda lib, a, b, u, w, c: lib.matmul(a.T, w),
    "mv(a.T, w)": lambda lib, a, b, u, w, c: lib.mv(a.T, w),
    "u @ a.T": lambda lib, a, b, u, w, c: u @ a.T,
    "w @ b.T": lambda lib, a, b, u, w, c: w @ b.T,
    "c.T @ b": lambda lib, a, b, u, w, c: c.T @ b,
    "b.T @ c": lambda lib, a, b, u, w, c: b.T @ c,
    "c @ c.T": lambda lib, a, b, u, w, c: c @ c.T,
}


def _run(lib, fn, dtype):
    leaves = [lib.tensor(v, dtype=dtype, requires_grad=True) for v in (A, B, U, W, COLUMN)]
    y = fn(lib, *leaves)
    grads = lib.autograd.grad((y * y).sum(), leaves, create_graph=True, allow_unused=True)
    used = [g for g in grads if g is not None]
    second = lib.autograd.grad(sum(g.sum() for g in used), leaves, allow_unused=True)
    return grads, second


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", list(CASES))
def test_matrix_product_graphs_under_create_graph(name, dtype):
    ours = _run(engine, CASES[name], getattr(engine, dtype))
    theirs = _run(torch, CASES[name], getattr(torch, dtype))
    for mine, reference in zip(ours, theirs, strict=True):
        for a, b in zip(mine, reference, strict=True):
            assert (a is None) == (b is None)
            if a is not None:
                np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())
                assert nested_graph(a.grad_fn, 16) == nested_graph(b.grad_fn, 16)
