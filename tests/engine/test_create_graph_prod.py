"""prod's and cumprod's gradients recorded under create_graph=True, against torch: values of
the first, second and third derivatives and the recorded graph (names and next_functions),
with no, one and several zeros."""

import numpy as np
import pytest

import engine
from engine.ops_cumprod import cumprod
from tests.engine.grad_graph import nested_graph

torch = pytest.importorskip("torch")

VALUES = [
    [2.0, 0.0, 3.0, 4.0],
    [2.0, 0.0, 3.0, 0.0],
    [1.5, -2.0, 3.0, 0.5],
    [[2.0, 0.0, 1.5], [3.0, 4.0, 0.0]],
    [[0.0, 0.0, 1.5], [3.0, 4.0, 0.5]],
    [[1.1, 0.7, 1.3], [0.3, 2.0, 1.9]],
    [[[0.0, 2.0], [3.0, 0.0]], [[1.0, 0.5], [0.0, 0.0]]],
    [[0.0, 2.0, 3.0]],
    [0.0],
]
DIMS = [None, 0, -1, (0, True), (-1, True)]


def _reduce(lib, x, dim):
    if dim is None:
        return x.prod()
    if isinstance(dim, tuple):
        return x.prod(dim[0], keepdim=dim[1])
    return x.prod(dim)


def _derivatives(lib, values, dtype, fn, order: int):
    x = lib.tensor(values, dtype=dtype, requires_grad=True)
    out, grads = fn(lib, x), []
    for _ in range(order):
        if not out.requires_grad:  # a constant derivative: no higher ones
            break
        (out,) = lib.autograd.grad(out.sum(), x, create_graph=True)
        grads.append(out)
    return grads


def _compare(values, dtype_name, fn, order, exact=None):
    """The first `order` derivatives equal torch's (the first `exact` bit for bit, later ones to
    a few ulps: the engine adds 3+ gradients flowing into one tensor in another order)."""
    ours = _derivatives(engine, values, getattr(engine, dtype_name), fn, order)
    theirs = _derivatives(torch, values, getattr(torch, dtype_name), fn, order)
    for i, (a, b) in enumerate(zip(ours, theirs, strict=True)):
        if exact is None or i < exact:
            np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())
        else:
            np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-5, atol=1e-5)
        assert a.dtype.__repr__() == repr(b.dtype)
    assert nested_graph(ours[0].grad_fn, 12) == nested_graph(theirs[0].grad_fn, 12)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("dim", DIMS)
@pytest.mark.parametrize("values", VALUES)
def test_prod_second_derivative_and_graph(values, dim, dtype):
    _compare(values, dtype, lambda lib, x: _reduce(lib, x, dim), 2)


@pytest.mark.parametrize("dim", [None, 0])
@pytest.mark.parametrize("values", VALUES[:2] + VALUES[3:5])
def test_prod_third_derivative(values, dim):
    _compare(values, "float64", lambda lib, x: _reduce(lib, x, dim), 3)


def _cumprod(lib, x, dim):
    return (cumprod if lib is engine else torch.cumprod)(x, dim)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("dim", [0, -1])
@pytest.mark.parametrize("values", VALUES)
def test_cumprod_derivatives(values, dim, dtype):
    _compare(values, dtype, lambda lib, x: _cumprod(lib, x, dim), 3, exact=2)


@pytest.mark.parametrize("dim", [0, 1])
def test_cumprod_values_and_first_gradient(dim):
    rng = np.random.default_rng(dim)
    values = rng.uniform(-1.7, 1.7, (40, 30)).astype(np.float32)
    values[rng.random(values.shape) < 0.05] = 0
    x = engine.tensor(values.tolist(), requires_grad=True)
    t = torch.tensor(values, requires_grad=True)
    y, ty = cumprod(x, dim), torch.cumprod(t, dim)
    np.testing.assert_array_equal(y.detach().numpy(), ty.detach().numpy())
    assert y.grad_fn.name() == ty.grad_fn.name()
    weights = rng.uniform(-1, 1, values.shape).astype(np.float32)
    y.backward(engine.tensor(weights.tolist()))
    ty.backward(torch.tensor(weights))
    np.testing.assert_array_equal(x.grad.numpy(), t.grad.numpy())


@pytest.mark.parametrize("dim", [None, 0, -1])
@pytest.mark.parametrize(
    "values", [[1.1, 0.0, 1.3, 1.7], [1.1, 0.7, 1.3, 1.7], [0.0, 2.0, 0.0, 3.0]]
)
def test_prod_with_dtype_second_derivative_and_graph(values, dim):
    """prod(dtype=float64) of float32: torch's backward casts self to the gradient's dtype."""

    def fn(lib, x):
        if dim is None:
            return x.prod(dtype=lib.float64)
        return x.prod(dim, dtype=lib.float64)

    _compare(values, "float32", fn, 2)
