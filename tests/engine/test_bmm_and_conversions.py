"""torch.bmm and Tensor.bmm (values, graph, gradients, argument errors), and Tensor.to /
Tensor.view with dtypes and devices, against torch."""

from __future__ import annotations

import pytest

import engine
from tests.engine.grad_graph import grad_fn_names
from tests.engine.random_programs import outcome

torch = pytest.importorskip("torch")


def _batches(L, dtype="float32", shapes=((2, 2, 3), (2, 3, 4))):
    """Two batches of quarters (float32 products and sums exact: BLAS's order does not show)."""
    sizes = [s[0] * s[1] * s[2] for s in shapes]
    values = (L.arange(1.0, 1.0 + sum(sizes)) / 4).split(sizes)
    return [t.reshape(s).to(getattr(L, dtype)) for t, s in zip(values, shapes, strict=True)]


def _bmm_history(L):
    a, b = (t.detach().requires_grad_() for t in _batches(L, "float64"))
    out = L.bmm(a, b)
    (out * out).sum().backward()
    return repr(out), grad_fn_names(out), repr(a.grad), repr(b.grad)


def test_bmm_history_matches_torch():
    assert _bmm_history(engine) == _bmm_history(torch)


BMM = {
    "torch.bmm": lambda L: L.bmm(*_batches(L)),
    "Tensor.bmm": lambda L: _batches(L)[0].bmm(_batches(L)[1]),
    "keywords": lambda L: L.bmm(input=_batches(L)[0], mat2=_batches(L)[1]),
    "int64": lambda L: L.bmm(*_batches(L, "int64")),
    "a str": lambda L: L.bmm(_batches(L)[0], "a"),
    "one argument": lambda L: L.bmm(_batches(L)[0]),
    "Tensor.bmm without argument": lambda L: _batches(L)[0].bmm(),
    "Tensor.bmm of a number": lambda L: _batches(L)[0].bmm(2),
    "2-D": lambda L: L.bmm(L.ones(2, 3), L.ones(2, 3)),
    "batch sizes": lambda L: L.bmm(L.ones(2, 2, 3), L.ones(3, 3, 1)),
    "two dtypes": lambda L: L.bmm(L.ones(2, 2, 3), L.ones(2, 3, 1, dtype=L.float64)),
    "bool": lambda L: L.bmm(L.ones(2, 2, 3, dtype=L.bool), L.ones(2, 3, 1, dtype=L.bool)),
}


@pytest.mark.parametrize("make", BMM.values(), ids=BMM.keys())
def test_bmm_matches_torch(make):
    assert outcome(engine, make) == outcome(torch, make)


def _x(L):
    return L.arange(1.0, 7.0).reshape(2, 3) / 4


CONVERSIONS = {
    "to(True)": lambda L: _x(L).to(True),
    "to(False)": lambda L: _x(L).to(False),
    "to(1.0)": lambda L: _x(L).to(1.0),
    "to(2.5, True, True)": lambda L: _x(L).to(2.5, True, True),
    "to(tensor=1)": lambda L: _x(L).to(tensor=1),
    "to(tensor='a')": lambda L: _x(L).to(tensor="a"),
    "to(dtype=1.0)": lambda L: _x(L).to(dtype=1.0),
    "to(1)": lambda L: _x(L).to(1),
    "to(-1)": lambda L: _x(L).to(-1),
    "to('cpu', 1.0)": lambda L: _x(L).to("cpu", 1.0),
    **{
        f"to({name!r})": lambda L, name=name: _x(L).to(name)
        for name in ("mps", "xpu", "cuda", "cuda:0", "cpu:1", "foo", "")
    },
    "to(device('cuda'))": lambda L: _x(L).to(L.device("cuda")),
    "to(device('cpu', 0), float64)": lambda L: _x(L).to(L.device("cpu", 0), L.float64),
    "to(device=device('cpu'))": lambda L: _x(L).to(device=L.device("cpu")),
    **{
        f"view({dtype})": lambda L, dtype=dtype: _x(L).view(getattr(L, dtype))
        for dtype in ("int32", "float32", "float16", "float64", "int64", "uint8", "bool", "int16")
    },
    "view(dtype=int32)": lambda L: _x(L).view(dtype=L.int32),
    "int32 view(float32)": lambda L: L.arange(6, dtype=L.int32).view(L.float32),
    "0-d view(int32)": lambda L: L.tensor(1.5).view(L.int32),
    "0-d view(float64)": lambda L: L.tensor(1.5).view(L.float64),
    "0-d view(float16)": lambda L: L.tensor(1.5).view(L.float16),
    "transposed view(float64)": lambda L: L.ones(2, 4).t().view(L.float64),
    "transposed view(int32)": lambda L: _x(L).t().view(L.int32),
    "every other column view(float16)": lambda L: L.ones(3, 4)[:, ::2].view(L.float16),
    "offset 1 view(float64)": lambda L: L.ones(5)[1:].view(L.float64),
    "offset 2 view(float64)": lambda L: L.arange(6.0)[2:].view(L.float64),
    "columns 1:5 view(float64)": lambda L: L.ones(2, 6)[:, 1:5].view(L.float64),
    "rows of stride 3 view(float64)": lambda L: L.ones(3, 2)[::3].view(L.float64),
    "odd row stride view(float64)": lambda L: L.ones(3, 6)[:, :2].view(L.float64),
    "expanded view(int32)": lambda L: L.ones(2).expand(3, 2).view(L.int32),
    "expanded view(float16)": lambda L: L.ones(2, 1).expand(2, 3).view(L.float16),
    "empty view(float64)": lambda L: L.ones(0, 4).view(L.float64),
    "view(float32, float32)": lambda L: L.ones(2).view(L.float32, L.float32),
    "view(size=2, dtype=float32)": lambda L: L.ones(2).view(dtype=L.float32, size=2),
}


@pytest.mark.parametrize("make", CONVERSIONS.values(), ids=CONVERSIONS.keys())
def test_conversion_matches_torch(make):
    assert outcome(engine, make) == outcome(torch, make)


def _view_dtype_autograd(L):
    x = L.ones(2, 3, requires_grad=True)
    y = x * 1.5
    views = [x.view(L.int32), y.view(L.float32), y.view(L.int32), x.view(L.float32)]
    facts = [(v.requires_grad, v.grad_fn, v.is_leaf, v._base) for v in views]
    before = views[2]._version
    with L.no_grad():
        y.add_(1)
    return facts, views[2]._version - before, repr(views[2]), views[1] is y


def test_view_dtype_is_not_differentiable_and_shares_the_version():
    assert _view_dtype_autograd(engine) == _view_dtype_autograd(torch)


def _write_through_dtype_view(L):
    x = L.zeros(2, 2)
    v = x.view(L.int32)
    v[0, 0] = 1065353216
    return repr(x), x._version


def test_write_through_a_dtype_view():
    assert _write_through_dtype_view(engine) == _write_through_dtype_view(torch)
