"""Losses' gradients recorded under create_graph=True, against torch. binary_cross_entropy: torch
records the input's gradient as one BinaryCrossEntropyBackwardBackward0 node and the target's
through LogitBackward0; the second and third derivatives follow its double-backward formulas."""

import numpy as np
import pytest

import engine
import engine.nn.functional as F
from tests.engine.grad_graph import nested_graph, nodes_in_creation_order

torch = pytest.importorskip("torch")
TF = torch.nn.functional

CASES = [
    ([0.2, 0.7, 0.9, 0.5], [0.0, 1.0, 0.3, 0.5]),
    ([[0.25, 0.5], [0.125, 0.999]], [[1.0, 0.0], [0.5, 0.25]]),
    ([0.0, 1.0, 0.5], [0.0, 1.0, 1.0]),
]


def _derivatives(lib, bce, case, dtype, reduction, target_grad, order):
    x = lib.tensor(case[0], dtype=dtype, requires_grad=True)
    t = lib.tensor(case[1], dtype=dtype, requires_grad=target_grad)
    inputs = (x, t) if target_grad else (x,)
    out, levels = bce(x, t, reduction=reduction), []
    for _ in range(order):
        grads = lib.autograd.grad(out.sum(), inputs, create_graph=True, allow_unused=True)
        levels.append(grads)
        out = sum(g.sum() for g in grads if g is not None and g.requires_grad)
    return levels


@pytest.mark.parametrize("target_grad", [False, True])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("case", CASES)
def test_bce_derivatives_and_graph(case, dtype, reduction, target_grad):
    args = (case, None, reduction, target_grad, 3)
    ours = _derivatives(engine, F.binary_cross_entropy, *_with(args, getattr(engine, dtype)))
    theirs = _derivatives(torch, TF.binary_cross_entropy, *_with(args, getattr(torch, dtype)))
    for level, (mine, reference) in enumerate(zip(ours, theirs, strict=True)):
        for a, b in zip(mine, reference, strict=True):
            if level < 2:
                np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())
                assert nested_graph(a.grad_fn, 30) == nested_graph(b.grad_fn, 30)
            else:  # a few ulps: the engine adds 3+ gradients into one tensor in another order
                np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-5)


def _with(args: tuple, dtype) -> tuple:
    return (args[0], dtype) + args[2:]


LOSS_EXPRESSIONS = {
    "bce_mean": lambda L, a, b: L.nn.functional.binary_cross_entropy(a.sigmoid(), b.sigmoid()),
    "bce_none": lambda L, a, b: (
        L.nn.functional.binary_cross_entropy((a * b).sigmoid(), b.sigmoid(), reduction="none") * a
    ),
    "bce_logits": lambda L, a, b: (
        L.nn.functional.binary_cross_entropy_with_logits(a * b, b.sigmoid(), reduction="none") * a
    ),
    "softplus": lambda L, a, b: L.nn.functional.softplus(a * b, beta=2.0, threshold=1.0) * a,
    "mse_none": lambda L, a, b: L.nn.functional.mse_loss(a * b, b, reduction="none") * a,
    "cross_entropy": lambda L, a, b: (
        L.nn.functional.cross_entropy(a * b, L.tensor([1, 0]), reduction="none") * a[:, 0]
    ),
}


def _three_levels(L, build) -> list:
    a = L.tensor([[0.7, 1.3], [-2.1, 0.4]], requires_grad=True)
    b = L.tensor([[1.5, -0.3], [0.9, 2.2]], requires_grad=True)
    grads, out = [], build(L, a, b).sum()
    for _ in range(3):
        level = L.autograd.grad(out, (a, b), create_graph=True)
        grads += level
        out = sum((g * g).sum() for g in level)
    return nodes_in_creation_order(grads)


@pytest.mark.parametrize("name", LOSS_EXPRESSIONS)
def test_third_order_graphs_are_created_in_torch_order(name):
    """Three create_graph backwards: each records its formulas' ops in torch's order, with the
    clones torch's in-place ops save (binary_cross_entropy's `mul_`/`div_`)."""
    build = LOSS_EXPRESSIONS[name]
    assert _three_levels(engine, build) == _three_levels(torch, build)
