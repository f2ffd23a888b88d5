"""Cases the random-program audit found, against torch: integer division by zero of empty
tensors, in-place unary methods, cumprod's method and the TypeErrors of bad arguments."""

from __future__ import annotations

import pytest

import engine
from tests.engine.random_programs import outcome, raised_by

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


def _inplace_history(method):
    """The tensor changed in place by `method`, its grad_fn and version, and the leaf's
    gradient through it."""

    def run(L):
        x = L.tensor([[-2.0, -0.0, 0.0], [3.0, -1.5, 1.0]], requires_grad=True)
        y = x * 1.5
        version = y._version
        same = getattr(y, method)() is y
        fn = y.grad_fn
        (y * L.arange(1.0, 7.0).reshape(2, 3)).sum().backward()
        nodes = (fn.name(), type(fn.next_functions[0][0]).__name__, fn.next_functions[0][1])
        return repr(y), same, y._version - version, nodes, repr(x.grad)

    return run


INPLACE = {
    **{f"{m}_ history": _inplace_history(f"{m}_") for m in ("abs", "relu", "neg", "exp", "sqrt")},
    **{
        f"{m}_ of {dtype}": raised_by(
            lambda L, m=m, dtype=dtype: getattr(
                L.tensor([1, 0], dtype=getattr(L, dtype)), f"{m}_"
            )()
        )
        for m in ("neg", "exp", "sqrt")
        for dtype in ("int64", "int32", "uint8", "bool")
    },
    **{
        f"{m}_ of float16 and float64": lambda L, m=m: [
            repr(getattr(L.tensor([0.3, 2.0, -1.0, -0.0], dtype=dt), f"{m}_")())
            for dt in (L.float16, L.float64)
        ]
        for m in ("neg", "exp", "sqrt")
    },
    "neg_ of int64": lambda L: repr(L.tensor([-1, 2]).neg_()),
    "exp_ of a leaf requiring grad": raised_by(lambda L: L.ones(1, requires_grad=True).exp_()),
    "abs_ of a leaf requiring grad": raised_by(
        lambda L: L.tensor([-1.0], requires_grad=True).abs_()
    ),
    "abs_ of a view of a leaf": raised_by(lambda L: L.ones(2, requires_grad=True)[:1].abs_()),
    "abs_ of bool": raised_by(lambda L: L.tensor([True]).abs_()),
    "relu_ of bool": raised_by(lambda L: L.tensor([True]).relu_()),
    "torch.relu_ of bool": raised_by(lambda L: L.relu_(L.tensor([True]))),
    "abs_ with an argument": raised_by(lambda L: L.tensor([-1.0]).abs_(2)),
    "abs_ of int64": lambda L: repr(L.tensor([-1, 2, -3]).abs_()),
    "abs_ of a view changes the base": lambda L: repr(
        (lambda b: (b[1:].abs_(), b)[1])(L.tensor([-1.0, -2.0, -0.0]))
    ),
    "abs_ of an expanded tensor": raised_by(lambda L: L.tensor([-1.0]).expand(3).abs_()),
}


@pytest.mark.parametrize("run", INPLACE.values(), ids=INPLACE.keys())
def test_inplace_unary_matches_torch(run):
    assert run(engine) == run(torch)


def _cumprod_history(L):
    x = L.tensor([[1.0, -2.0, 3.0], [0.5, 0.0, 2.0]], requires_grad=True)
    y = x.cumprod(1)
    y.backward(L.ones(2, 3))
    return repr(y), repr(x.grad)


METHODS = {
    "cumprod method and gradient": _cumprod_history,
    "cumprod method, int64 in float64": lambda L: repr(
        L.tensor([1, 2, 3]).cumprod(0, dtype=L.float64)
    ),
    "cumprod method of bool": lambda L: repr(L.tensor([True, False]).cumprod(-1)),
    "cumprod, dim as keyword": lambda L: repr(L.tensor([1.0, 2.0]).cumprod(dim=0)),
    "cumprod without dim": raised_by(lambda L: L.tensor([1.0]).cumprod()),
    "cumprod, a str dim": raised_by(lambda L: L.tensor([1.0]).cumprod("a")),
    "cumprod, dtype by position": raised_by(lambda L: L.tensor([1.0]).cumprod(0, L.float64)),
    "cumprod, a bad keyword": raised_by(lambda L: L.tensor([1.0]).cumprod(0, dtyp=None)),
    "cumprod, dim out of range": raised_by(lambda L: L.tensor([1.0]).cumprod(1)),
    **{
        f"{name}, a number": raised_by(lambda L, name=name: getattr(L.tensor([1.0]), name)(3))
        for name in ("expand_as", "reshape_as")
    },
    **{
        f"{name}, a keyword number": raised_by(
            lambda L, name=name: getattr(L.tensor([1.0]), name)(other=3)
        )
        for name in ("expand_as", "reshape_as")
    },
    **{
        f"{name}, no argument": raised_by(lambda L, name=name: getattr(L.tensor([1.0]), name)())
        for name in ("expand_as", "reshape_as")
    },
    # bool bounds of a bool tensor: no kernel in torch; number bounds promote
    **{
        f"clamp of bool by {bounds}": lambda L, bounds=bounds: (
            raised_by(lambda L: L.tensor([True, False]).clamp(*bounds))(L)
            or repr(L.tensor([True, False]).clamp(*bounds))
        )
        for bounds in ((True,), (None, True), (False, True), (0,), (0.5, 2))
    },
}


@pytest.mark.parametrize("run", METHODS.values(), ids=METHODS.keys())
def test_method_matches_torch(run):
    assert run(engine) == run(torch)


# torch.cumprod, abs_, neg_, exp_ and sqrt_, checked as torch's
FUNCTIONS = {
    "cumprod, a str dim": lambda L, F: F.cumprod(L.tensor([1.0, 2.0]), "a"),
    "cumprod without dim": lambda L, F: F.cumprod(L.tensor([1.0, 2.0])),
    "cumprod, dtype by position": lambda L, F: F.cumprod(L.tensor([1.0]), 0, L.float64),
    "cumprod, input and dim as keywords": lambda L, F: F.cumprod(input=L.tensor([2.0]), dim=0),
    "cumprod, dtype": lambda L, F: F.cumprod(L.tensor([2, 3]), 0, dtype=L.float16),
    "abs_": lambda L, F: F.abs_(L.tensor([-1.0, 0.0])),
    "abs_ with a second argument": lambda L, F: F.abs_(L.tensor([-1.0]), 2),
    **{
        f"{m}_": lambda L, F, m=m: getattr(F, f"{m}_")(L.tensor([0.5, 4.0]))
        for m in ("neg", "exp", "sqrt")
    },
    "exp_ with a second argument": lambda L, F: F.exp_(L.tensor([-1.0]), 2),
}


@pytest.mark.parametrize("make", FUNCTIONS.values(), ids=FUNCTIONS.keys())
def test_function_matches_torch(make):
    mine = outcome(engine, lambda L: make(L, engine))
    assert mine == outcome(torch, lambda L: make(L, torch))
