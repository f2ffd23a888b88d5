"""F.l1_loss (engine.losses_l1) against torch.nn.functional.l1_loss: values, reprs, nodes (torch
composes it: broadcast, SubBackward0, AbsBackward0, MeanBackward0/SumBackward0), warnings,
errors, and first and second derivatives."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import engine
from engine.nn.functional import l1_loss

torch = pytest.importorskip("torch")

A = [[0.7, 1.3], [-2.1, 0.4]]
CASES = [
    (A, [[1.5, -0.3], [0.9, 2.2]], {}),
    (A, [1.5, 1.3], {}),
    (A, [1.5, 1.3], {"reduction": "none"}),
    ([0.5, 2.0], [0.5, 1.0], {"reduction": "sum"}),
    ([0.5], [0.5, 1.0, 2.0], {}),
    ([1.0, 2.0], [1.0, 2.0, 3.0], {}),
    ([1.0, 2.0], [1.0, 2.0], {"reduction": "x"}),
]


def _chain(fn) -> list[str]:
    names = []
    while fn is not None:
        names.append(fn.name())
        fn = fn.next_functions[0][0] if fn.next_functions else None
    return names


def _run(L, loss, a, b, options):
    x, t = L.tensor(a, requires_grad=True), L.tensor(b, requires_grad=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            out = loss(x, t, **options)
        except Exception as exc:  # noqa: BLE001 (the error is the result compared)
            return type(exc), str(exc)
    first = L.autograd.grad(out.sum(), (x, t), create_graph=True)
    second = L.autograd.grad(sum(g.sum() for g in first), (x, t))
    values = [g.detach().numpy(**({"force": True} if L is torch else {})) for g in first + second]
    text = repr(out).replace("torch.", "").replace("engine.", "")
    return text, _chain(out.grad_fn), [str(w.message) for w in caught], values


@pytest.mark.parametrize(("a", "b", "options"), CASES)
def test_l1_loss_matches_torch(a, b, options):
    ours = _run(engine, l1_loss, a, b, options)
    theirs = _run(torch, torch.nn.functional.l1_loss, a, b, options)
    if len(theirs) == 2:  # an error: its type and text
        assert ours == theirs
        return
    assert ours[:-1] == theirs[:-1]
    for mine, reference in zip(ours[-1], theirs[-1], strict=True):
        np.testing.assert_array_equal(mine, reference)


def test_l1_loss_of_integers_refuses_the_mean_as_torch_does():
    for L, loss in ((engine, l1_loss), (torch, torch.nn.functional.l1_loss)):
        x, t = L.tensor([[1, 2], [3, 4]]), L.tensor([[1, 2], [3, 5]])
        assert loss(x, t, reduction="sum").item() == 1
        with pytest.raises(RuntimeError, match=r"mean\(\): could not infer output dtype"):
            loss(x, t)
