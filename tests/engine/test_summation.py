"""Floating-point sums in torch's order (engine.summation), bit for bit against torch on CPU."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import engine
from engine import losses, summation

torch = pytest.importorskip("torch")

SIZES = [0, *range(1, 41), *range(63, 71), 127, 128, 129, 130, 1000, 4097, 65536 + 3, 100000]
SHAPES = [(3, 5), (5, 3), (7, 9), (40, 33), (2, 3, 4), (9, 17, 5), (5, 70, 3), (300, 200)]
FLOATS = [np.float32, np.float64]


@pytest.fixture(autouse=True)
def torch_threads(monkeypatch):
    """The engine splits big sums as torch does with its thread count on this machine."""
    monkeypatch.setattr(summation, "THREADS", torch.get_num_threads())


def spread(shape, dtype, seed=0):
    """Values with magnitudes far apart, so that any change of order changes the rounding."""
    rng = np.random.default_rng(seed)
    top = 2 if dtype == np.float16 else 5
    return (rng.standard_normal(shape) * 10.0 ** rng.integers(-4, top, shape)).astype(dtype)


def as_torch(x: np.ndarray):
    """A torch tensor over the same memory with the same strides as the numpy view `x`."""
    base = x
    while isinstance(base.base, np.ndarray):
        base = base.base
    offset = x.__array_interface__["data"][0] - base.__array_interface__["data"][0]
    flat = torch.from_numpy(np.ascontiguousarray(base)).reshape(-1)
    strides = [s // x.itemsize for s in x.strides]
    return torch.as_strided(flat, x.shape, strides, offset // x.itemsize)


def assert_same(got, expected):
    """Equal values with equal signs of zero (assert_array_equal takes -0. for 0.)."""
    expected = expected.detach().numpy() if hasattr(expected, "detach") else expected
    got = np.asarray(got)
    assert got.shape == expected.shape and got.dtype == expected.dtype
    np.testing.assert_array_equal(got, expected)
    np.testing.assert_array_equal(np.signbit(got), np.signbit(expected))


def layouts(x: np.ndarray):
    """`x`, its transpose and step-sliced views (torch sees the same strides)."""
    yield x
    if x.ndim >= 2:
        yield x.swapaxes(0, 1)
        yield x[::2, ::3]
    yield x[::2]


def every_dims(ndim: int):
    for r in range(1, ndim + 1):
        yield from itertools.combinations(range(ndim), r)


@pytest.mark.parametrize("dtype", [*FLOATS, np.float16])
@pytest.mark.parametrize("n", SIZES)
def test_full_sum_of_a_vector(n, dtype):
    x = spread(n, dtype, seed=n)
    assert_same(summation.torch_sum(x), as_torch(x).sum())
    if n > 2:
        assert_same(summation.torch_sum(x[::3]), as_torch(x[::3]).sum())


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("shape", SHAPES)
def test_sum_and_mean_over_every_dim_choice(shape, dtype):
    base = spread(shape, dtype)
    for x in layouts(base):
        t = as_torch(x)
        assert_same(summation.torch_sum(x), t.sum())
        assert_same(summation.torch_mean(x), t.mean())
        for dims, keepdim in itertools.product(every_dims(x.ndim), (False, True)):
            assert_same(summation.torch_sum(x, dims, keepdim), t.sum(dims, keepdim=keepdim))
            assert_same(summation.torch_mean(x, dims, keepdim), t.mean(dims, keepdim=keepdim))


@pytest.mark.parametrize("shape", [(2000, 100), (100, 2000), (60, 30, 40), (5000, 9), (3, 40000)])
@pytest.mark.parametrize("dtype", [*FLOATS, np.float16])
def test_sums_past_the_grain_split_between_threads(shape, dtype):
    base = spread(shape, dtype, seed=1)
    for x in (base, base.swapaxes(0, 1), base[::2, ::3], base[:, ::2]):
        t = as_torch(x)
        assert_same(summation.torch_sum(x), t.sum())
        for dims in every_dims(x.ndim):
            assert_same(summation.torch_sum(x, dims), t.sum(dims))


@pytest.mark.parametrize("dtype", [*FLOATS, np.float16])
def test_float16_mean_and_sums_of_broadcast_views(dtype):
    v = spread(40000, dtype, seed=2)
    for x in (np.broadcast_to(v[:5], (3, 5)), np.broadcast_to(v[:40, None], (40, 7))):
        t = as_torch(x)
        assert_same(summation.torch_mean(x), t.mean())
        for dims in every_dims(2):
            assert_same(summation.torch_sum(x, dims, True), t.sum(dims, keepdim=True))
    assert_same(
        summation.torch_sum(np.broadcast_to(v[:1], (50000,))), as_torch(v[:1]).expand(50000).sum()
    )


def test_arange_sum_is_torchs():
    values = np.arange(100000, dtype=np.float32)
    assert_same(summation.torch_sum(values), torch.arange(100000.0).sum())


@pytest.mark.parametrize(
    ("x_shape", "w_shape"),
    [((5,), (3, 5)), ((70,), (40, 70)), ((33, 1), (33, 40)), ((1, 9), (300, 9)), ((), (129,))],
)
@pytest.mark.parametrize("dtype", FLOATS)
def test_backward_sums_a_broadcast_gradient_in_torchs_order(x_shape, w_shape, dtype):
    x_values, w_values = spread(x_shape, dtype, seed=3), spread(w_shape, dtype, seed=4)
    x = engine.tensor(x_values, requires_grad=True)
    (x * engine.tensor(w_values)).sum().backward()
    tx = torch.tensor(x_values, requires_grad=True)
    (tx * torch.tensor(w_values)).sum().backward()
    assert_same(x.grad.numpy(), tx.grad)


@pytest.mark.parametrize("reduction", ["mean", "sum"])
@pytest.mark.parametrize("n", [5, 64, 1000, 40000])
def test_mse_loss_reduces_in_torchs_order(n, reduction):
    a, b = spread(n, np.float32, seed=5), spread(n, np.float32, seed=6)
    got = losses.mse_loss(engine.tensor(a), engine.tensor(b), reduction=reduction)
    expected = torch.nn.functional.mse_loss(torch.tensor(a), torch.tensor(b), reduction=reduction)
    assert_same(got.numpy(), expected)


@pytest.mark.parametrize("n", [5, 70, 1000, 70000])
@pytest.mark.parametrize("dtype", FLOATS)
def test_var_and_std_of_everything(n, dtype):
    values = spread(n, dtype, seed=7) + dtype(3)
    x, t = engine.tensor(values, requires_grad=True), torch.tensor(values, requires_grad=True)
    assert_same(x.var().detach().numpy(), t.var())
    assert_same(x.std().detach().numpy(), t.std())
    x.var().backward()
    t.var().backward()
    assert_same(x.grad.numpy(), t.grad)


@pytest.mark.parametrize("n", [5, 64, 100000])
def test_tensor_sum_and_mean_print_torchs_bits(n):
    values = spread(n, np.float32, seed=n)
    x, t = engine.tensor(values), torch.tensor(values)
    assert x.sum().item() == t.sum().item()
    assert x.mean().item() == t.mean().item()
    assert repr(engine.arange(100000.0).sum()) == repr(torch.arange(100000.0).sum())


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_tensor_sums_over_dims_of_views(dtype):
    values = spread((40, 33), getattr(np, dtype), seed=8)
    x, t = engine.tensor(values), torch.tensor(values)
    for a, b in ((x, t), (x.t(), t.t()), (x[::2], t[::2])):
        for dims, keepdim in itertools.product(every_dims(2), (False, True)):
            assert_same(a.sum(dims, keepdim=keepdim).numpy(), b.sum(dims, keepdim=keepdim))
            assert_same(a.mean(dims, keepdim=keepdim).numpy(), b.mean(dims, keepdim=keepdim))
        assert_same(a.sum(dtype=engine.float64).numpy(), b.sum(dtype=torch.float64))
