"""engine.creation against torch_semantics.md §4.1/§4.3 and, where installed, against torch."""

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.creation import _fma, arange_dtype, arange_length, arange_values, linspace_values
from engine.printing import format_tensor, repr_suffixes

EXACT_DTYPES = ["float32", "float64", "int64", "int32", "int16", "int8", "uint8"]


def show(array):
    dtype = str(array.dtype)
    return format_tensor(array, dtype, repr_suffixes(array.shape, dtype, None, False))


def test_reference_arange_rows():
    assert show(arange_values(0, 4, 1, "int64")) == "tensor([0, 1, 2, 3])"
    assert show(arange_values(5, 0, -1, "int64")) == "tensor([5, 4, 3, 2, 1])"
    assert show(arange_values(-3, 3, 1, "int64")) == "tensor([-3, -2, -1,  0,  1,  2])"
    assert show(arange_values(0, 4.0, 1, "float32")) == "tensor([0., 1., 2., 3.])"
    assert show(arange_values(1, 4, 0.5, "float32")) == (
        "tensor([1.0000, 1.5000, 2.0000, 2.5000, 3.0000, 3.5000])"
    )
    assert show(arange_values(0, 0, 1, "int64")) == "tensor([], dtype=torch.int64)"
    assert arange_values(0, 1, 0.1, "float32").tolist() == [
        0.0, 0.10000000149011612, 0.20000000298023224, 0.30000001192092896, 0.4000000059604645,
        0.5, 0.6000000238418579, 0.699999988079071, 0.800000011920929, 0.8999999761581421,
    ]  # fmt: skip


def test_arange_fused_artefact_switches_to_scientific():
    assert show(arange_values(-1, 1, 0.2, "float32")) == (
        "tensor([-1.0000e+00, -8.0000e-01, -6.0000e-01, -4.0000e-01, -2.0000e-01,\n"
        "         5.5511e-17,  2.0000e-01,  4.0000e-01,  6.0000e-01,  8.0000e-01])"
    )


def test_reference_linspace_rows():
    assert show(linspace_values(0, 1, 5)) == "tensor([0.0000, 0.2500, 0.5000, 0.7500, 1.0000])"
    assert show(linspace_values(0, 10, 5)) == (
        "tensor([ 0.0000,  2.5000,  5.0000,  7.5000, 10.0000])"
    )
    assert show(linspace_values(-1, 1, 3)) == "tensor([-1.,  0.,  1.])"
    assert show(linspace_values(0, 1, 1)) == "tensor([0.])"
    assert show(linspace_values(0, 1, 0)) == "tensor([])"
    assert show(linspace_values(-1, 1, 7)) == (
        "tensor([-1.0000e+00, -6.6667e-01, -3.3333e-01, -2.9802e-08,  3.3333e-01,\n"
        "         6.6667e-01,  1.0000e+00])"
    )


def test_arange_dtype_inference():
    assert arange_dtype(0, 4, 1) == "int64"
    assert arange_dtype(0, 4.0, 1) == "float32"
    assert arange_dtype(1, 4, 0.5) == "float32"
    assert arange_dtype(np.float64(1), 4, 1) == "float32"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((0, 5, 0), "step must be nonzero"),
        ((0, -5, 1), "upper bound and lower bound inconsistent with step sign"),
        ((0, float("inf"), 1), "unsupported range: 0 -> inf"),
        ((0, float("nan"), 1), "unsupported range: 0 -> nan"),
    ],
)
def test_arange_errors(args, message):
    with pytest.raises(RuntimeError, match=message):
        arange_length(*args, "float32")


def test_linspace_negative_steps():
    with pytest.raises(RuntimeError, match="number of steps must be non-negative"):
        linspace_values(0, 1, -1)


magnitudes = st.floats(1e-15, 1e15)  # products stay inside float32 range
finite = st.one_of(st.just(0.0), magnitudes, magnitudes.map(lambda v: -v))


@settings(max_examples=300, deadline=None)
@given(finite, finite, finite, st.booleans())
def test_fma_is_exactly_rounded(a, b, c, cancel):
    if cancel:
        c = -float(Fraction(a) * Fraction(b))
    exact = Fraction(a) * Fraction(b) + Fraction(c)
    assert _fma(a, b, c)[()] == float(exact)
    assert np.float32(_fma(a, b, c, odd=True)[()]) == _nearest_float32(exact)


def _nearest_float32(exact):
    """Correct rounding of a Fraction to float32, ties to even."""
    guess = np.float32(float(exact))
    candidates = [np.nextafter(guess, np.float32(v)) for v in (-np.inf, np.inf)] + [guess]
    finite_candidates = [v for v in candidates if np.isfinite(v)]
    return min(
        finite_candidates,
        key=lambda v: (abs(Fraction(float(v)) - exact), int(v.view(np.uint32)) & 1),
    )


def test_fma_keeps_signed_zeros():
    assert np.signbit(_fma(-1.5, 0.0, -0.0)[()])
    assert not np.signbit(_fma(1.5, 0.0, -0.0)[()])


# ---- differential tests against torch ---------------------------------------------------------


def _torch_dtype(torch, name):
    return getattr(torch, name)


def _same_bits(ours, theirs):
    return (
        ours.dtype == theirs.dtype
        and ours.shape == theirs.shape
        and (ours.tobytes() == theirs.tobytes())
    )


@settings(max_examples=150, deadline=None)
@given(
    st.sampled_from(EXACT_DTYPES),
    st.floats(-50, 50).map(lambda v: round(v, 3)),
    st.floats(0.01, 3).map(lambda v: round(v, 4)),
    st.booleans(),
    st.integers(0, 300),
    st.floats(0, 0.95),
)
def test_arange_matches_torch(dtype, start, step, descending, count, slack):
    torch = pytest.importorskip("torch")
    if dtype in ("int8", "int16", "uint8"):
        start, count = abs(start) / 10, min(count, 100)
    if dtype not in ("float32", "float64"):
        step += 1  # torch rejects |step| < 1 for int64 (truncated to 0) with a ValueError
    step = -step if descending and dtype != "uint8" else step
    end = start + step * (count + slack)
    expected = torch.arange(start, end, step, dtype=_torch_dtype(torch, dtype)).numpy()
    assert _same_bits(arange_values(start, end, step, dtype), expected)


@settings(max_examples=150, deadline=None)
@given(
    st.sampled_from([*EXACT_DTYPES, "float16"]),
    st.floats(-100, 100).map(lambda v: round(v, 3)),
    st.floats(-100, 100),
    st.integers(0, 3000),
)
def test_linspace_matches_torch(dtype, start, end, steps):
    torch = pytest.importorskip("torch")
    if dtype == "uint8":
        start, end = abs(start), abs(end)
    expected = torch.linspace(start, end, steps, dtype=_torch_dtype(torch, dtype)).numpy()
    assert _same_bits(linspace_values(start, end, steps, dtype), expected)


@pytest.mark.parametrize("threads", [1, 2, 3])
@pytest.mark.parametrize("count", [32768, 32769, 65541, 100003])
def test_long_arange_matches_torch_per_thread_count(threads, count):
    torch = pytest.importorskip("torch")
    before = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        expected = torch.arange(0.3, 0.3 + 0.013 * (count - 0.5), 0.013).numpy()
        expected_lin = torch.linspace(-1.3, 7.7, count).numpy()
    finally:
        torch.set_num_threads(before)
    ours = arange_values(0.3, 0.3 + 0.013 * (count - 0.5), 0.013, "float32", threads=threads)
    assert _same_bits(ours, expected)
    assert _same_bits(linspace_values(-1.3, 7.7, count), expected_lin)
