"""engine.printing against torch_semantics.md §1 and, where installed, against torch itself."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from engine.printing import format_array_compact, format_tensor, repr_suffixes

NAN, INF = math.nan, math.inf


def show(values, dtype="float32", grad_fn=None, requires_grad=False):
    array = np.asarray(values, dtype=dtype)
    return format_tensor(array, dtype, repr_suffixes(array.shape, dtype, grad_fn, requires_grad))


# (values, dtype, expected repr): every row of the reference's float table and examples.
REFERENCE_ROWS = [
    (0.1, "float32", "tensor(0.1000)"),
    ([0.1, 0.2, 0.3], "float32", "tensor([0.1000, 0.2000, 0.3000])"),
    ([1 / 3, 2 / 3], "float32", "tensor([0.3333, 0.6667])"),
    ([3.14159265], "float32", "tensor([3.1416])"),
    ([1.0000001, 1.0], "float32", "tensor([1.0000, 1.0000])"),
    ([1e-5], "float32", "tensor([1.0000e-05])"),
    ([1e-5, 1.0], "float32", "tensor([1.0000e-05, 1.0000e+00])"),
    ([-1e-5, 1.0], "float32", "tensor([-1.0000e-05,  1.0000e+00])"),
    ([1e10], "float32", "tensor([1.0000e+10])"),
    (1e10, "float32", "tensor(1.0000e+10)"),
    (100000000.0, "float32", "tensor(100000000.)"),
    ([1.0001e8], "float32", "tensor([1.0001e+08])"),
    ([123456789.0], "float32", "tensor([1.2346e+08])"),
    (12345678.0, "float32", "tensor(12345678.)"),
    ([1.0, 1e7], "float32", "tensor([1.0000e+00, 1.0000e+07])"),
    ([0.5, 1000.0], "float32", "tensor([5.0000e-01, 1.0000e+03])"),
    ([100.0, 0.5], "float32", "tensor([100.0000,   0.5000])"),
    ([0.001, 1.0], "float32", "tensor([0.0010, 1.0000])"),
    ([0.0001, 1.0], "float32", "tensor([1.0000e-04, 1.0000e+00])"),
    ([0.00011, 0.001], "float32", "tensor([0.0001, 0.0010])"),
    ([0.005, 100.0], "float32", "tensor([5.0000e-03, 1.0000e+02])"),
    ([1e-8, 0.0], "float32", "tensor([1.0000e-08, 0.0000e+00])"),
    ([NAN, 1.0], "float32", "tensor([nan, 1.])"),
    ([NAN, 1.5], "float32", "tensor([   nan, 1.5000])"),
    ([NAN, 1e-5], "float32", "tensor([       nan, 1.0000e-05])"),
    ([INF, -INF, 1.0], "float32", "tensor([inf, -inf, 1.])"),
    (NAN, "float32", "tensor(nan)"),
    (-0.0, "float32", "tensor(-0.)"),
    ([-1.0, 2.0, 3.0], "float32", "tensor([-1.,  2.,  3.])"),
    ([-1.0, 2.0, -3.5], "float32", "tensor([-1.0000,  2.0000, -3.5000])"),
    ([-0.5, 0.0], "float32", "tensor([-0.5000,  0.0000])"),
    ([10.5, 200.25], "float32", "tensor([ 10.5000, 200.2500])"),
    ([2**24 + 1.0], "float32", "tensor([16777216.])"),
    ([1e-45], "float32", "tensor([1.4013e-45])"),
    ([3e38, -3e38], "float32", "tensor([ 3.0000e+38, -3.0000e+38])"),
    ([1e100], "float64", "tensor([1.0000e+100], dtype=torch.float64)"),
    (
        [[1.0, -2.0], [30.0, 4.5]],
        "float32",
        "tensor([[ 1.0000, -2.0000],\n        [30.0000,  4.5000]])",
    ),
    ([[NAN, 1.0], [2.0, INF]], "float32", "tensor([[nan, 1.],\n        [2., inf]])"),
    (
        [[-1e-5, 2.0], [3.0, 4.0]],
        "float32",
        "tensor([[-1.0000e-05,  2.0000e+00],\n        [ 3.0000e+00,  4.0000e+00]])",
    ),
    ([0.0, 0.0], "float32", "tensor([0., 0.])"),
    ([NAN], "float32", "tensor([nan])"),
    ([-0.0, 0.0], "float32", "tensor([-0., 0.])"),
    (28.0, "float32", "tensor(28.)"),
    (3, "int64", "tensor(3)"),
    (True, "bool", "tensor(True)"),
    (1 / 3, "float32", "tensor(0.3333)"),
    (1e-5, "float32", "tensor(1.0000e-05)"),
    ([1, -2, 300], "int64", "tensor([  1,  -2, 300])"),
    ([[1, 2], [3, 40]], "int64", "tensor([[ 1,  2],\n        [ 3, 40]])"),
    ([True, False], "bool", "tensor([ True, False])"),
    ([False, False, True, True], "bool", "tensor([False, False,  True,  True])"),
    ([-(2**63), 1], "int64", "tensor([-9223372036854775808,                    1])"),
    ([1, 2], "int32", "tensor([1, 2], dtype=torch.int32)"),
    ([1, 2], "int16", "tensor([1, 2], dtype=torch.int16)"),
    ([1, 2], "int8", "tensor([1, 2], dtype=torch.int8)"),
    ([1, 2], "uint8", "tensor([1, 2], dtype=torch.uint8)"),
    ([1.0, 2.0], "float64", "tensor([1., 2.], dtype=torch.float64)"),
    (1.0, "float64", "tensor(1., dtype=torch.float64)"),
    ([1.0, 2.0], "float16", "tensor([1., 2.], dtype=torch.float16)"),
    ([], "float32", "tensor([])"),
    (np.zeros((0, 3)), "float32", "tensor([], size=(0, 3))"),
    (np.zeros((2, 0)), "float32", "tensor([], size=(2, 0))"),
    (np.zeros(0), "int64", "tensor([], dtype=torch.int64)"),
]

ARANGE_ROWS = [
    (np.arange(30.0),
     "tensor([ 0.,  1.,  2.,  3.,  4.,  5.,  6.,  7.,  8.,  9., 10., 11., 12., 13.,\n"
     "        14., 15., 16., 17., 18., 19., 20., 21., 22., 23., 24., 25., 26., 27.,\n"
     "        28., 29.])"),
    (np.arange(6.0).reshape(2, 3), "tensor([[0., 1., 2.],\n        [3., 4., 5.]])"),
    (np.ones((2, 1, 2)), "tensor([[[1., 1.]],\n\n        [[1., 1.]]])"),
    (np.array([[1.0], [2.0]]), "tensor([[1.],\n        [2.]])"),
    (np.arange(1001.0), "tensor([   0.,    1.,    2.,  ...,  998.,  999., 1000.])"),
    (np.arange(1001), "tensor([   0,    1,    2,  ...,  998,  999, 1000])"),
    (np.ones((1001, 2)), "tensor([[1., 1.],\n        [1., 1.],\n        [1., 1.],\n        ...,\n"
     "        [1., 1.],\n        [1., 1.],\n        [1., 1.]])"),
]  # fmt: skip


@pytest.mark.parametrize(("values", "dtype", "expected"), REFERENCE_ROWS)
def test_reference_rows(values, dtype, expected):
    assert show(values, dtype) == expected


@pytest.mark.parametrize(("array", "expected"), ARANGE_ROWS)
def test_layout_rows(array, expected):
    dtype = "int64" if array.dtype.kind == "i" else "float32"
    assert show(array, dtype) == expected


def test_three_d_blocks_are_separated_by_blank_lines():
    expected = (
        "tensor([[[ 0.,  1.,  2.,  3.],\n         [ 4.,  5.,  6.,  7.],\n"
        "         [ 8.,  9., 10., 11.]],\n\n        [[12., 13., 14., 15.],\n"
        "         [16., 17., 18., 19.],\n         [20., 21., 22., 23.]]])"
    )
    assert show(np.arange(24.0).reshape(2, 3, 4)) == expected


@pytest.mark.parametrize(
    ("values", "dtype", "grad_fn", "requires_grad", "expected"),
    [
        (
            np.arange(12.0) * 2, "float32", "MulBackward0", True,
            "tensor([ 0.,  2.,  4.,  6.,  8., 10., 12., 14., 16., 18., 20., 22.],\n"
            "       grad_fn=<MulBackward0>)",
        ),
        (
            np.arange(20.0) * 2, "float32", "MulBackward0", True,
            "tensor([ 0.,  2.,  4.,  6.,  8., 10., 12., 14., 16., 18., 20., 22., 24., 26.,\n"
            "        28., 30., 32., 34., 36., 38.], grad_fn=<MulBackward0>)",
        ),
        (
            np.arange(14.0) * 2, "float64", "MulBackward0", True,
            "tensor([ 0.,  2.,  4.,  6.,  8., 10., 12., 14., 16., 18., 20., 22., 24., 26.],\n"
            "       dtype=torch.float64, grad_fn=<MulBackward0>)",
        ),
        (
            np.arange(14.0) * 1.5, "float32", None, True,
            "tensor([ 0.0000,  1.5000,  3.0000,  4.5000,  6.0000,  7.5000,  9.0000, 10.5000,\n"
            "        12.0000, 13.5000, 15.0000, 16.5000, 18.0000, 19.5000],\n"
            "       requires_grad=True)",
        ),
        ([1.0, 2.0], "float64", None, True,
         "tensor([1., 2.], dtype=torch.float64, requires_grad=True)"),
        (3.0, "float64", "MulBackward0", True,
         "tensor(3., dtype=torch.float64, grad_fn=<MulBackward0>)"),
    ],
)  # fmt: skip
def test_suffix_rows(values, dtype, grad_fn, requires_grad, expected):
    assert show(values, dtype, grad_fn, requires_grad) == expected


def test_repr_suffixes_rules():
    assert repr_suffixes((2,), "float32", None, False) == []
    assert repr_suffixes((0, 3), "float32", None, False) == ["size=(0, 3)"]
    assert repr_suffixes((0,), "int64", None, False) == ["dtype=torch.int64"]
    assert repr_suffixes((2,), "bool", None, False) == []
    assert repr_suffixes((), "int32", "SumBackward0", True) == [
        "dtype=torch.int32",
        "grad_fn=<SumBackward0>",
    ]


@pytest.mark.parametrize(
    ("values", "dtype", "max_chars", "expected"),
    [
        (28.0, "float32", 40, "28."),
        ([0.0, 4.0, 8.0, 12.0], "float32", 40, "[0., 4., 8., 12.]"),
        ([[1, 2], [3, 4]], "int64", 40, "[[1, 2], [3, 4]]"),
        ([0.5, 0.25], "float32", 40, "[0.5000, 0.2500]"),
        (np.arange(1000.0), "float32", 40, "[0., 1., 2., …, 997., 998., 999.]"),
        (np.arange(1000.0), "float32", 20, "[0., …, 999.]"),
        (np.full(2000, 0.5), "float32", 40, "[0.5000, 0.5000, …, 0.5000, 0.5000]"),
        (np.full((40, 50), 0.5), "float32", 40, "[…2000 values, mean 0.5]"),
        ([], "float32", 40, "[]"),
    ],
)
def test_format_array_compact(values, dtype, max_chars, expected):
    assert format_array_compact(np.asarray(values, dtype=dtype), dtype, max_chars) == expected


# ---- differential tests against torch ---------------------------------------------------------

SPECIAL = [0.0, -0.0, NAN, INF, -INF, 1e-45, 1e-30, 1e-5, 1e-4, 0.5, 1.0, 3.0, -7.0, 1e8, 1.5e8]
SPECIAL += [1e20, 1e38, -2.5, 123.456, 99999.99, 0.00015, 1e-300, 1e300]


def _rounded(value, dtype):
    with np.errstate(over="ignore"):
        return float(np.asarray(value, dtype=dtype))


def _values(dtype):
    if dtype == "bool":
        return st.booleans()
    if dtype == "int64":
        return st.one_of(st.integers(-(2**63), 2**63 - 1), st.integers(-1000, 1000))
    width = 32 if dtype == "float32" else 64
    floats = st.floats(width=width, allow_nan=True, allow_infinity=True, allow_subnormal=True)
    small_ints = st.integers(-2000, 2000).map(float)
    special = st.sampled_from(SPECIAL).map(lambda v: _rounded(v, dtype))
    return st.one_of(floats, small_ints, special)


def _shapes():
    small = hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=5)
    around_threshold = st.sampled_from([(1000,), (1001,), (1500,), (40, 40), (2, 501), (7, 150)])
    big_nd = hnp.array_shapes(min_dims=2, max_dims=4, min_side=1, max_side=12)
    return st.one_of(small, around_threshold, big_nd)


@st.composite
def arrays(draw):
    dtype = draw(st.sampled_from(["float32", "float64", "int64", "bool"]))
    shape = draw(_shapes())
    fill = None if draw(st.booleans()) else st.just(draw(_values(dtype)))
    return draw(hnp.arrays(np.dtype(dtype), shape, elements=_values(dtype), fill=fill)), dtype


@settings(max_examples=150, deadline=None)
@given(arrays(), st.sampled_from(["leaf", "requires_grad", "grad_fn"]))
def test_matches_torch_repr(case, kind):
    torch = pytest.importorskip("torch")
    array, dtype = case
    tensor = torch.tensor(array)
    if dtype.startswith("float") and kind != "leaf":
        tensor.requires_grad_()
        if kind == "grad_fn":
            tensor = tensor * 1
    name = type(tensor.grad_fn).__name__ if tensor.grad_fn is not None else None
    suffixes = repr_suffixes(array.shape, dtype, name, tensor.requires_grad)
    assert format_tensor(array, dtype, suffixes) == repr(tensor)


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet="ab\n", max_size=200), st.lists(st.text("xyz", max_size=90), max_size=4))
def test_suffix_wrapping_matches_torch(text, suffixes):
    torch = pytest.importorskip("torch")
    from engine.printing import add_suffixes

    expected = torch._tensor_str._add_suffixes(text, suffixes, 7, force_newline=False)
    assert add_suffixes(text, suffixes, indent=7) == expected
