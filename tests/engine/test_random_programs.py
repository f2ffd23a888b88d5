"""Random small programs run on the engine and on torch: reprs, values, gradients, grad_fn graphs.

Each program starts from two leaves and applies a drawn list of steps (elementwise, broadcasting,
reductions over a dim, shape ops, matmul, indexing, in-place changes of non-leaves and their
views). A step that does not apply to the current shape leaves the tensor as it is. Reprs are
compared when the values are bit-identical (float32 sums may differ in the last bit, as softmax's
do, and a repr can then change form).
"""

from __future__ import annotations

import re
from functools import partial
from math import inf

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import engine
from tests.engine.grad_graph import grad_fn_names
from tests.engine.random_programs import compare_programs, outcome, programs

torch = pytest.importorskip("torch")
# x.T / x.mT deprecation warnings: their texts are tested elsewhere, not in random programs
pytestmark = pytest.mark.filterwarnings("ignore:.*deprecated:UserWarning")


def _nd(t, n: int) -> bool:
    return t.dim() >= n and all(s > 0 for s in t.shape)


STEPS = {
    "mul_w": lambda L, t, w: t * w,
    "add_w": lambda L, t, w: w + t,
    "sub_scalar": lambda L, t, w: 2 - t,
    "div": lambda L, t, w: t / (w.abs() + 1),
    "tanh": lambda L, t, w: t.tanh(),
    "sigmoid": lambda L, t, w: L.sigmoid(t),
    "sin": lambda L, t, w: t.sin(),
    "relu": lambda L, t, w: t.relu(),
    "abs": lambda L, t, w: t.abs(),
    "clamp": lambda L, t, w: t.clamp(-0.5, 0.5),
    "square": lambda L, t, w: t**2,
    "maximum": lambda L, t, w: L.maximum(t, w),
    "sum_dim": lambda L, t, w: t.sum(-1, keepdim=True) if _nd(t, 1) else t,
    "mean_dim": lambda L, t, w: t.mean(0) if _nd(t, 1) else t,
    "max_dim": lambda L, t, w: t.max(-1).values if _nd(t, 1) else t,
    "softmax": lambda L, t, w: t.softmax(-1) if _nd(t, 1) else t,
    "transpose": lambda L, t, w: t.transpose(0, -1) if _nd(t, 2) else t,
    "reshape": lambda L, t, w: t.reshape(-1),
    "unsqueeze": lambda L, t, w: t.unsqueeze(0) if t.dim() < 4 else t,
    "matmul": lambda L, t, w: t @ t.transpose(-1, -2) if _nd(t, 2) else t,
    "matmul_w": lambda L, t, w: w.transpose(-1, -2) @ t if _nd(t, 2) and t.dim() == w.dim() else t,
    "index": lambda L, t, w: t[0] if _nd(t, 1) else t,
    "slice": lambda L, t, w: t[..., 1:] if _nd(t, 1) else t,
    "iadd": lambda L, t, w: _inplace(t, lambda u: u.add_(1)),
    "imul_w": lambda L, t, w: _inplace(t, lambda u: u.mul_(w) if u.shape == w.shape else u),
    "setitem": lambda L, t, w: _inplace(t, lambda u: u.__setitem__(0, 3.0) if _nd(u, 1) else u),
    "view_add": lambda L, t, w: _inplace(t, lambda u: u[..., :1].add_(2) if _nd(u, 1) else u),
    "view_zero": lambda L, t, w: _inplace(t, lambda u: u[0].zero_() if _nd(u, 2) else u),
}


def _inplace(t, change):
    u = t * 1  # a non-leaf of our own
    change(u)
    return u


def run(L, shape, w_shape, seed, steps):
    rng = np.random.default_rng(seed)
    x = L.tensor(rng.uniform(-2, 2, shape).astype(np.float32), requires_grad=True)
    w = L.tensor(rng.uniform(-2, 2, w_shape).astype(np.float32), requires_grad=True)
    t = x
    try:
        for name in steps:
            t = STEPS[name](L, t, w)
    except RuntimeError as exc:
        return {"error": str(exc)}
    out = {"repr": re.sub(r"\d", "#", repr(t)), "value": t.detach().numpy().copy()}
    out["graph"] = grad_fn_names(t) if t.grad_fn is not None else []
    if t.requires_grad:
        (t * t).sum().backward()
    out["grads"] = [None if v.grad is None else v.grad.numpy().copy() for v in (x, w)]
    return out


SHAPES = st.sampled_from([((3,), (3,)), ((2, 3), (3,)), ((2, 3), (2, 3)), ((2, 2, 3), (1, 3))])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(SHAPES, st.integers(0, 2**16), st.lists(st.sampled_from(sorted(STEPS)), max_size=5))
def test_random_program_matches_torch(shapes, seed, steps):
    mine, theirs = run(engine, *shapes, seed, steps), run(torch, *shapes, seed, steps)
    assert mine.get("error") == theirs.get("error")
    if "error" in mine:
        return
    if np.array_equal(mine["value"], theirs["value"]):  # a last-bit difference may change it
        assert mine["repr"] == theirs["repr"]
    assert mine["graph"] == theirs["graph"]
    # matmul adds in numpy's order, torch in its own: a last-bit difference of a value near 30
    # is 2e-6, which a following sin keeps as an absolute error near one of its zeros
    np.testing.assert_allclose(mine["value"], theirs["value"], rtol=1e-5, atol=1e-5)
    for g, h in zip(mine["grads"], theirs["grads"], strict=True):
        assert (g is None) == (h is None)
        if g is not None:
            # two matmuls then sin(sin(.)) (seed 587) take sin near 300, whose last-bit
            # difference comes back through cos as 1e-4 of the gradient's largest element
            scale = float(np.abs(h).max()) if h.size else 0.0
            np.testing.assert_allclose(g, h, rtol=1e-4, atol=1e-5 + 2e-4 * scale)


# ---- random programs over dtypes, broadcasting, special values and errors ----


@settings(max_examples=250, deadline=None, derandomize=True, database=None)
@given(programs())
def test_random_typed_program_matches_torch(program):
    compare_programs(program)


def _grad(make):
    """A case giving the gradient of the leaf `make` builds its output from."""

    def run(L):
        x = L.tensor([[0.0, -0.0, 2.0], [1.0, -0.0, 0.0]], requires_grad=True)
        make(L, x)
        return x.grad

    return run


def _zeros(n, first, second):
    return lambda L: (L.full((n,), first), L.full((n,), second))


def _clamp_grads(L, bounds):
    """The gradients of clamp's input and tensor bounds: bounds crossed, equal, inf."""
    values = (
        [0.0, 1, 2, 3, 5, 0.5, inf, 2],
        [1.0, 1, 1, 4, 4, inf, inf, 2],
        [2.0, 0.5, 2, 3, 3, inf, inf, 2],
    )
    x, low, high = (L.tensor(v, requires_grad=True) for v in values)
    given = [low if "min" in bounds else None, high if "max" in bounds else None]
    L.clamp(x, *given).backward(L.arange(1.0, 9.0))
    return L.stack([t.grad for t in (x, *given) if t is not None])


def _int_times_float_grad(L):
    """The float leaf's gradient when an int64 tensor multiplies it: torch sums in float32."""
    w = L.tensor([[-1.44471896]], requires_grad=True)
    g = L.tensor([[0.1, 0.7, -1.3]] * 17)
    (L.arange(51).reshape(17, 3) % 11 - 5).mul(w).backward(g * L.arange(1.0, 52.0).reshape(17, 3))
    return w.grad


FIXED = {
    **{
        f"clamp backward, tensor {b}": partial(_clamp_grads, bounds=b)
        for b in ("min", "max", "min max")
    },
    "expand_as": lambda L: L.tensor([1.0, 2.0], requires_grad=True).expand_as(L.zeros(3, 2)),
    "expand_as 0-d": lambda L: L.tensor(0.0).expand_as(L.tensor(1.0)),
    "expand error names the last bad dim": lambda L: L.zeros(3, 2, 0).expand(2, 3, 0),
    "expand -1 leading, later dim bad": lambda L: L.tensor([[1.0, 2.0]]).expand(-1, 3, 1),
    "reshape_as": lambda L: L.arange(6.0, requires_grad=True).reshape_as(L.zeros(2, 3)),
    "mT of a 0-d tensor is the tensor": lambda L: L.tensor(-1.0, requires_grad=True).mT,
    "argmax of bool": lambda L: L.tensor([True]).argmax(),
    "argmin of bool, before the dim check": lambda L: L.zeros(0, dtype=L.bool).argmin(5),
    "relu of bool": lambda L: L.relu(L.tensor([True])),
    "sign of bool": lambda L: L.tensor([True, False]).sign(),
    "softmax of empty int64": lambda L: L.tensor([[]], dtype=L.int64).softmax(0),
    "log_softmax of empty bool": lambda L: L.tensor([], dtype=L.bool).log_softmax(0),
    "softmax of int64 still refused": lambda L: L.tensor([1, 2]).softmax(0),
    **{
        f"{fn} of {first} and {second}, {n} elements": (
            lambda L, fn=fn, n=n, a=first, b=second: getattr(L, fn)(
                L.full((n,), a), L.full((n,), b)
            )
        )
        for fn in ("maximum", "minimum")
        for n in (1, 8, 16, 17, 40)
        for first, second in ((-0.0, 0.0), (0.0, -0.0))
    },
    "maximum, a broadcast 0-d": lambda L: L.maximum(L.full((20,), -0.0), L.tensor(0.0)),
    "minimum, broadcast rows": lambda L: L.minimum(L.zeros(3, 20), L.full((20,), -0.0)),
    **{
        f"clamp of {n} zeros, tensor bounds {bounds}": (
            lambda L, n=n, bounds=bounds: L.clamp(
                L.full((n,), -0.0), *[L.full((n,), b) if b is not None else None for b in bounds]
            )
        )
        for n in (1, 17)
        for bounds in ((0.0, None), (None, -0.0), (0.0, 0.0), (-0.0, -0.0))
    },
    "clamp, a broadcast bound": lambda L: L.clamp(
        L.zeros(3, 17), L.full((17,), -0.0), L.tensor(0.0)
    ),
    "clamp dtype: 0-d float64 input, float32 bounds": lambda L: L.clamp(
        L.tensor(2.0, dtype=L.float64), min=L.zeros(2), max=L.ones(2)
    ),
    "clamp dtype: 0-d float64 min only": lambda L: L.clamp(
        L.tensor(2.0, dtype=L.float64), L.zeros(2)
    ),
    "clamp dtype: int input, 0-d float64 min": lambda L: L.clamp(
        L.tensor([2, 3]), min=L.tensor(1.5, dtype=L.float64), max=L.tensor([2])
    ),
    "minimum, float64 and bool": lambda L: L.minimum(
        L.full((9,), -0.0, dtype=L.float64), L.zeros(9, dtype=L.bool)
    ),
    "an empty int tensor // 0": lambda L: L.zeros(0, dtype=L.int64) // 0,
    "MUL backward: an int64 operand, computed in float32": _int_times_float_grad,
    "-0. + -0. is -0. in a summed gradient": _grad(lambda L, x: (x * x).sum().backward()),
    "a slice's gradient keeps -0.": _grad(lambda L, x: (1 / x[1:])[0, :0].sum().backward()),
    "pow's bool exponent fails in backward": lambda L: (
        L.tensor(2.0, requires_grad=True) ** L.tensor(True)
    ).backward(),
    "dot checks dtypes before sizes": lambda L: L.tensor([1.0, 2.0]) @ L.tensor([True]),
    "empty batched matmul of two dtypes": lambda L: (
        L.zeros(0, 2, 2) @ L.zeros(0, 2, 2, dtype=L.bool)
    ),
}


@pytest.mark.parametrize("make", FIXED.values(), ids=FIXED.keys())
def test_fixed_discrepancy_matches_torch(make):
    assert outcome(engine, make) == outcome(torch, make)
