"""Random programs over dtypes, broadcasting, special values and errors, run on engine and torch.

A program is two leaves (float32/float64/int64/bool, 0-d to 3-d, the second one mostly
broadcastable with the first, values with zeros of both signs, inf and nan), 1-4 steps of
`tests.engine.program_ops` and how to run backward (`.sum().backward()` or a seeded `gradient=`).
`compare_programs` asserts that the engine gives what torch gives: the error (type and text), or
dtype, shape, values (bit for bit, sign of zero included, unless an inexact op ran), repr,
grad_fn graph, the backward error if any, and the leaves' gradients.
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

import engine
from tests.engine.grad_graph import grad_fn_names
from tests.engine.program_ops import INEXACT, STEPS

DTYPES = ["float32", "float32", "float64", "int64", "bool"]
SPECIAL = [0.0, -0.0, 1.0, -1.0, 2.0, -2.0, 0.5, 3.0, float("inf"), float("-inf"), float("nan")]
MAX_STEPS = 4
SIZES = [1, 2, 3, 1, 2, 3, 0, 17]  # 17: a vector loop of 16 and a scalar tail


@st.composite
def leaf(draw, shape):
    """(dtype name, numpy values, requires_grad) for one leaf of `shape`."""
    dtype = draw(st.sampled_from(DTYPES))
    count = int(np.prod(shape, dtype=np.int64))
    number = st.one_of(st.sampled_from(SPECIAL), st.floats(-4, 4, width=32))
    values = np.array(draw(st.lists(number, min_size=count, max_size=count)), np.float64)
    if dtype == "int64":
        values = np.nan_to_num(values, nan=0, posinf=5, neginf=-5).round().astype(np.int64)
    elif dtype == "bool":
        values = values != 0
    requires_grad = dtype.startswith("float") and draw(st.booleans())
    return dtype, values.reshape(shape), requires_grad


@st.composite
def broadcast_partner(draw, shape):
    """A shape that broadcasts with `shape` (mostly) or an arbitrary one."""
    mode = draw(st.sampled_from(["same", "suffix", "ones", "other"]))
    if mode == "same":
        return shape
    if mode == "suffix":
        return shape[draw(st.integers(0, len(shape))) :]
    if mode == "ones":
        return tuple(1 if draw(st.booleans()) else s for s in shape)
    return tuple(draw(st.lists(st.sampled_from(SIZES), max_size=3)))


@st.composite
def programs(draw):
    """Two leaves, 1-4 steps, and how to run backward ("sum" or a seed for `gradient=`)."""
    shape = tuple(draw(st.lists(st.sampled_from(SIZES), max_size=3)))
    leaves = (draw(leaf(shape)), draw(leaf(draw(broadcast_partner(shape)))))
    step = st.tuples(st.sampled_from(sorted(STEPS)), st.integers(0, 5))
    steps = draw(st.lists(step, min_size=1, max_size=MAX_STEPS))
    return leaves, steps, draw(st.one_of(st.just("sum"), st.integers(0, 99)))


def _error(exc: Exception) -> dict:
    return {"error": (type(exc).__name__, str(exc))}


def _backward(L, t, how) -> None:
    if how == "sum":
        t.sum().backward()
    else:
        values = np.random.default_rng(how).uniform(-2, 2, tuple(t.shape))
        t.backward(gradient=L.tensor(values, dtype=t.dtype))


def run_program(L, program) -> dict:
    """Run a drawn program on library `L`: the result's facts, or the error raised."""
    specs, steps, how = program
    leaves = [L.tensor(v, dtype=getattr(L, d), requires_grad=g) for d, v, g in specs]
    t, b = leaves
    try:
        for name, k in steps:
            t = STEPS[name](L, t, b, k)
    except Exception as exc:  # noqa: BLE001 (compared with torch's)
        return _error(exc)
    out = {"dtype": str(t.dtype), "shape": tuple(t.shape), "repr": repr(t)}
    out |= {"value": t.detach().numpy().copy(), "graph": grad_fn_names(t)}
    if t.requires_grad:
        try:
            _backward(L, t, how)
        except Exception as exc:  # noqa: BLE001
            out["backward"] = _error(exc)
    out["grads"] = [None if v.grad is None else v.grad.numpy().copy() for v in leaves]
    return out


def assert_same_values(mine: np.ndarray, theirs: np.ndarray, exact: bool, signs: bool = True):
    """Equal dtypes and values: bit for bit (and zeros' signs when `signs`; a nan's sign is not
    compared, torch's repr does not show it) when `exact`, else within a tight tolerance."""
    assert mine.dtype == theirs.dtype
    if exact or mine.dtype.kind != "f":
        np.testing.assert_array_equal(mine, theirs)
        if signs and mine.dtype.kind == "f":
            signed = ~np.isnan(theirs)
            np.testing.assert_array_equal(np.signbit(mine) & signed, np.signbit(theirs) & signed)
    else:
        # exp/log (MKL in torch), sigmoid/tanh (Sleef), pow (libm) and matmul (summation order)
        # may differ in the last bit; a following exp multiplies that relative error by its
        # argument
        np.testing.assert_allclose(mine, theirs, rtol=1e-4, atol=1e-6)


def compare_programs(program, grad_signs: bool = True) -> None:
    """Assert the engine runs `program` as torch does (`grad_signs`: compare the signs of zero
    gradients too)."""
    import torch

    mine, theirs = run_program(engine, program), run_program(torch, program)
    if "error" in theirs or "error" in mine:
        assert mine.get("error") == theirs.get("error"), (mine.get("error"), theirs.get("error"))
        return
    exact = not any(name in INEXACT for name, _ in program[1])
    for key in ("dtype", "shape", "graph", "backward"):
        assert mine.get(key) == theirs.get(key), (key, mine.get(key), theirs.get(key))
    assert_same_values(mine["value"], theirs["value"], exact)
    if exact:
        assert mine["repr"] == theirs["repr"]
    for g, h in zip(mine["grads"], theirs["grads"], strict=True):
        assert (g is None) == (h is None)
        if g is not None:
            assert_same_values(g, h, exact, grad_signs)


def raised_by(make):
    """A function of the library `L` giving the error `make(L)` raises (type name and text), or
    None when it raises none."""

    def run(L):
        try:
            make(L)
        except Exception as exc:  # noqa: BLE001 (compared with torch's)
            return type(exc).__name__, str(exc)
        return None

    return run


def outcome(L, make):
    """What `make(L)` gives, as comparable facts: the error, or repr, dtype and value bits."""
    try:
        t = make(L)
    except Exception as exc:  # noqa: BLE001 (compared with torch's)
        return type(exc).__name__, str(exc)
    values = t.detach().numpy()
    if values.dtype.kind != "f":
        return repr(t), str(t.dtype), values.tobytes()
    bits = np.where(np.isnan(values), np.nan, values).tobytes()  # every nan alike, -0. not 0.
    return repr(t), str(t.dtype), bits
