"""The op table's error texts and warnings, against PyTorch's (torch_semantics.md §3.14)."""

from __future__ import annotations

import warnings

import pytest

import engine

torch = pytest.importorskip("torch")

CASES = {
    "mm shapes": lambda L: L.ones(2, 3) @ L.ones(2, 3),
    "mm fn": lambda L: L.mm(L.ones(2, 3), L.ones(2, 3)),
    "mm dtype": lambda L: L.mm(L.ones(2, 3), L.ones(3, 2, dtype=L.float64)),
    "mm vector": lambda L: L.mm(L.ones(3), L.ones(3, 2)),
    "mm mat2": lambda L: L.mm(L.ones(2, 3), L.ones(3)),
    "mv size": lambda L: L.mv(L.ones(2, 3), L.ones(2)),
    "mv dims": lambda L: L.mv(L.ones(2, 3), L.ones(3, 1)),
    "matmul 0-d": lambda L: L.matmul(L.tensor(1.0), L.ones(3)),
    "matmul 1-d 2-d": lambda L: L.ones(2) @ L.ones(3, 2),
    "dot size": lambda L: L.dot(L.ones(3), L.ones(4)),
    "cat sizes": lambda L: L.cat([L.ones(2, 3), L.ones(3, 2)]),
    "cat empty": lambda L: L.cat([]),
    "cat dims": lambda L: L.cat([L.ones(2, 3), L.ones(3)]),
    "stack sizes": lambda L: L.stack([L.ones(2), L.ones(3)]),
    "t 3-d": lambda L: L.ones(2, 3, 4).t(),
    "permute length": lambda L: L.ones(2, 3).permute(0),
    "permute duplicate": lambda L: L.ones(2, 3).permute(0, 0),
    "unsqueeze range": lambda L: L.ones(3).unsqueeze(3),
    "transpose range": lambda L: L.ones(3).transpose(0, 2),
    "squeeze range": lambda L: L.ones(3).squeeze(2),
    "max empty": lambda L: L.ones(0).max(),
    "max dim range": lambda L: L.ones(3).max(1),
    "clamp none": lambda L: L.ones(3).clamp(),
    "softmax long": lambda L: L.softmax(L.arange(3), 0),
    "bitwise float": lambda L: L.ones(2) & L.ones(2),
    "abs bool": lambda L: L.tensor([True]).abs(),
    "broadcast": lambda L: L.maximum(L.ones(2, 3), L.ones(2)),
    "alpha float on int": lambda L: L.arange(3).add(L.arange(3), alpha=0.5),
}


def _error(lib, make):
    with pytest.raises(Exception) as info:  # noqa: PT011 (compared below)
        make(lib)
    return info.type, str(info.value)


@pytest.mark.parametrize("name", CASES)
def test_error_matches_torch(name):
    e_type, e_text = _error(engine, CASES[name])
    t_type, t_text = _error(torch, CASES[name])
    assert e_text == t_text
    assert e_type.__name__ == t_type.__name__


def test_implicit_softmax_dim_warns_like_torch():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        engine.nn.functional.softmax(engine.ones(3))
        torch.nn.functional.softmax(torch.ones(3))
    assert len(caught) == 2 and str(caught[0].message) == str(caught[1].message)


def test_mse_loss_size_warning_like_torch():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        engine.nn.functional.mse_loss(engine.ones(2, 3), engine.ones(3))
        torch.nn.functional.mse_loss(torch.ones(2, 3), torch.ones(3))
    assert str(caught[0].message) == str(caught[1].message)
