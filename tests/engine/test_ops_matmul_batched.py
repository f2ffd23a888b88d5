"""`@` with operands of three or more dimensions: values, gradients, the grad_fn graph and the
errors, compared with torch for each path of ATen's _matmul_impl (fold into mm/mv, bmm with
broadcast batches, squeezed batch of one)."""

from __future__ import annotations

import numpy as np
import pytest

import engine
from tests.engine.grad_graph import grad_fn_names

torch = pytest.importorskip("torch")

SHAPES = [
    ((2, 3, 4), (4, 5)),
    ((3, 4), (2, 4, 5)),
    ((2, 3, 4), (2, 4, 5)),
    ((2, 3, 4), (4,)),
    ((4,), (2, 4, 5)),
    ((2, 1, 3, 4), (5, 4, 2)),
    ((1, 3, 4), (2, 4, 5)),
    ((2, 3, 4), (1, 4, 5)),
    ((6, 2, 3, 4), (4, 5)),
    ((2, 3, 4), (2, 4, 1)),
    ((2, 2, 3), (3,)),
    ((3,), (2, 1, 3, 2)),
    ((2, 0, 3), (3, 2)),
]


def run(L, sa, sb, grads):
    rng = np.random.default_rng(sum(sa) * 7 + sum(sb))
    a_np, b_np = rng.standard_normal(sa, np.float32), rng.standard_normal(sb, np.float32)
    a = L.tensor(a_np, requires_grad=grads[0])
    b = L.tensor(b_np, requires_grad=grads[1])
    c = a @ b
    names = grad_fn_names(c) if c.grad_fn else []
    out = {"shape": tuple(c.shape), "graph": names, "value": c.detach()}
    if c.requires_grad:
        (c * c).sum().backward()
        out["grads"] = [None if x.grad is None else x.grad.numpy().copy() for x in (a, b)]
    out["value"] = out["value"].numpy().copy()
    return out


@pytest.mark.parametrize("grads", [(True, True), (True, False), (False, True), (False, False)])
@pytest.mark.parametrize(("sa", "sb"), SHAPES, ids=str)
def test_matches_torch(sa, sb, grads):
    mine, theirs = run(engine, sa, sb, grads), run(torch, sa, sb, grads)
    assert mine["shape"] == theirs["shape"]
    assert mine["graph"] == theirs["graph"]
    np.testing.assert_allclose(mine["value"], theirs["value"], rtol=1e-5, atol=1e-5)
    for g, h in zip(mine.get("grads", ()), theirs.get("grads", ()), strict=True):
        assert (g is None) == (h is None)
        if g is not None:
            np.testing.assert_allclose(g, h, rtol=1e-5, atol=1e-4)


def test_repr_and_grad_fn():
    texts = []
    for L in (engine, torch):
        a = L.arange(24.0).reshape(2, 3, 4).requires_grad_()
        texts.append(repr(a @ L.arange(8.0).reshape(4, 2)))
    assert texts[0] == texts[1]


@pytest.mark.parametrize(
    ("sa", "sb"),
    [((2, 3, 4), (5, 6)), ((2, 3, 4), (3, 4, 5)), ((2, 3, 4), (2, 5, 6)), ((3, 4), (2, 5, 6))],
    ids=str,
)
def test_errors(sa, sb):
    texts = []
    for L in (engine, torch):
        with pytest.raises(RuntimeError) as info:
            L.ones(*sa) @ L.ones(*sb)
        texts.append(str(info.value))
    assert texts[0] == texts[1]
