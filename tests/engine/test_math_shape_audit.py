"""Differential tests against torch for the re-audit items on elementwise math, alpha, shape
ops, cat/stack and max/min arguments: values, reprs, error types and texts."""

import numpy as np
import pytest

import engine

torch = pytest.importorskip("torch")


def outcome(module, build):
    """What `build(module)` gives: the repr of its result, or the error's type name and text."""
    try:
        return repr(build(module))
    except Exception as exc:  # noqa: BLE001 - the error itself is what is compared
        return f"{type(exc).__name__}: {exc}"


def assert_same(build):
    """`build` gives the same repr or the same error with the engine as with torch."""
    assert outcome(engine, build) == outcome(torch, build)


BOOL_ALPHA_CASES = [
    lambda m: m.tensor([False, True]).add(m.tensor([True]), alpha=-1),
    lambda m: m.tensor([False, True, True]).add(m.tensor([False, True, True]), alpha=0),
    lambda m: m.tensor([False, True, False]).add(True, alpha=-2),
    lambda m: m.tensor([False, True]).clone().add_(m.tensor([True]), alpha=-1),
    lambda m: m.tensor([False, True]).add(m.tensor([True, False]), alpha=True),
    lambda m: m.tensor([False, True]).add(m.tensor([True, False]), alpha=False),
    lambda m: m.tensor([False, True]).add(1, alpha=-1),
    lambda m: m.ones(3).add(2, alpha=False),
    lambda m: m.ones(3).add_(2, alpha=True),
    lambda m: m.ones(3).sub_(2, alpha=True),
    lambda m: m.ones(3, dtype=m.int64).add_(2, alpha=True),
    lambda m: m.tensor([False, True]).add(m.tensor([True]), alpha=1.5),
    lambda m: m.ones(3).add(2, alpha=True),
    lambda m: m.ones(3).sub(2, alpha=True),
    lambda m: m.ones(3, dtype=m.int64).add(2, alpha=True),
    lambda m: m.add(m.ones(3), 2, alpha=True),
    lambda m: m.ones(3).add(m.ones(3), alpha=1.0),
    lambda m: m.ones(3, dtype=m.int64).add(2, alpha=1.0),
]


@pytest.mark.parametrize("build", BOOL_ALPHA_CASES)
def test_alpha_with_bool_values_and_results(build):
    assert_same(build)


BASES = [0, 1, -1, 2, -2, 3, True, False]


@pytest.mark.parametrize("base", BASES)
def test_number_to_integer_tensor_power_with_negative_exponents(base):
    assert_same(lambda m: base ** m.tensor([-3, -2, -1, 0, 1, 2, 3]))
    assert_same(lambda m: m.pow(base, m.tensor([-3, -2, -1, 0, 1, 2, 3])))


INTEGER_POW_CASES = [
    lambda m: m.arange(-3, 4).view(7, 1) ** m.arange(-3, 4),
    lambda m: m.tensor([2]) ** m.tensor([-1]),
    lambda m: m.tensor([2], dtype=m.int8) ** m.tensor([-1], dtype=m.int8),
    lambda m: m.tensor([-1, 0, 1, 2]) ** m.tensor(-1),
    lambda m: m.tensor(2) ** m.tensor([-1, 0]),
    lambda m: m.tensor([True]) ** m.tensor([-1]),
    lambda m: m.tensor([3]) ** m.tensor([100]),
    lambda m: m.arange(-3, 4) ** -1,
    lambda m: m.arange(-3, 4) ** 0,
]


@pytest.mark.parametrize("build", INTEGER_POW_CASES)
def test_integer_tensor_powers(build):
    assert_same(build)


def test_integer_power_values_bit_for_bit():
    base = np.arange(-4, 5).reshape(9, 1)
    exponent = np.arange(-5, 6)
    got = (engine.tensor(base) ** engine.tensor(exponent)).array
    np.testing.assert_array_equal(got, (torch.tensor(base) ** torch.tensor(exponent)).numpy())


BOOL_KERNEL_CASES = [
    lambda m: m.tensor([True, False]) // True,
    lambda m: m.tensor([True, False]) // m.tensor([True, False]),
    lambda m: True // m.tensor([True, False]),
    lambda m: m.tensor([True, False]) % True,
    lambda m: m.tensor([True, False]) % m.tensor([True, False]),
    lambda m: True % m.tensor([True, False]),
    lambda m: m.tensor([True, False]) ** m.tensor([True, False]),
    lambda m: True ** m.tensor([True, False]),
    lambda m: True ** m.tensor(False),
    lambda m: m.tensor([True, False]) ** m.tensor(True),
    lambda m: m.zeros(0, dtype=m.bool) // True,
    lambda m: m.floor_divide(m.tensor([True]), m.tensor([True])),
    lambda m: m.remainder(m.tensor([True]), m.tensor([True])),
    lambda m: m.pow(m.tensor([True]), m.tensor([True])),
    lambda m: m.ones(2, dtype=m.bool) // m.ones(3, dtype=m.bool),
    lambda m: m.tensor([True, False]) ** True,
    lambda m: m.tensor([True, False]) ** False,
    lambda m: m.tensor([True, False]) // 1,
    lambda m: m.tensor([True, False]) % 1,
]


@pytest.mark.parametrize("build", BOOL_KERNEL_CASES)
def test_bool_floor_divide_remainder_and_pow(build):
    assert_same(build)


SQUEEZE_FLATTEN_CASES = [
    lambda m: m.ones(2, 3).squeeze((0, 0)),
    lambda m: m.ones(0).squeeze((-1, 0)),
    lambda m: m.ones(1, 3).squeeze((0, -2)),
    lambda m: m.ones(1, 1).squeeze((0, 1, 0)),
    lambda m: m.tensor(1.0).squeeze((0, -1)),
    lambda m: m.tensor(1.0).squeeze((0,)),
    lambda m: m.tensor(1.0).squeeze(()),
    lambda m: m.ones(1, 2).squeeze(()),
    lambda m: m.ones(1, 2).squeeze([0]),
    lambda m: m.ones(1, 2).squeeze((0, 5)),
    lambda m: m.tensor(False).flatten(start_dim=1),
    lambda m: m.tensor(False).flatten(1, 0),
    lambda m: m.tensor(False).flatten(0, -2),
    lambda m: m.tensor(False).flatten(-1, 0),
    lambda m: m.tensor(1.0).flatten(-1, -1),
    lambda m: m.ones(2, 3).flatten(1, 0),
    lambda m: m.ones(2, 3).flatten(0, -3),
]


@pytest.mark.parametrize("build", SQUEEZE_FLATTEN_CASES)
def test_squeeze_repeated_dims_and_flatten_of_0d(build):
    assert_same(build)


def _ones(m, *shape, dtype=None):
    return m.ones(*shape, dtype=dtype or m.float32)


CAT_STACK_CASES = [
    lambda m: m.cat([m.tensor(1.0), m.tensor(2.0)]),
    lambda m: m.cat([m.ones(2), m.tensor(2.0)]),
    lambda m: m.cat([m.ones(2, 3), m.ones(0)]),
    lambda m: m.cat([m.ones(0), m.ones(2, 3)], dim=1),
    lambda m: m.cat([m.ones(2, 3), m.ones(0)], dim=2),
    lambda m: m.cat([m.ones(0), m.ones(0, 3)]),
    lambda m: m.cat([m.ones(2, 3), m.ones(0), m.ones(2, 3)], 1),
    lambda m: m.cat([m.ones(2, 3, dtype=m.int64), m.ones(0)]),
    lambda m: m.cat([m.ones(0), m.tensor(1.0)]),
    lambda m: m.cat([m.ones(0)], dim=5),
    lambda m: m.cat([m.ones(0), m.ones(0)], dim=-2),
    lambda m: m.cat([m.ones(0), m.ones(2, 3), m.ones(1, 4)]),
    lambda m: m.cat([m.ones(2), 1]),
    lambda m: m.stack([m.ones(2), None]),
    lambda m: m.cat([1, m.ones(2)]),
    lambda m: m.cat(m.ones(2, 3)),
    lambda m: m.stack(m.ones(2, 3)),
    lambda m: m.cat(x for x in [m.ones(2)]),
    lambda m: m.cat(5),
    lambda m: m.cat([m.ones(2), m.ones(2)], dim=1.0),
    lambda m: m.stack([m.ones(2), m.ones(2)], dim=1.0),
    lambda m: m.cat([m.ones(2), m.ones(2)], 0.0),
    lambda m: m.stack([m.ones(2), m.ones(2)], 0.0),
    lambda m: m.cat([m.ones(2), m.ones(2)], dim=None),
    lambda m: m.cat([m.ones(2), m.ones(2)], dim=True),
    lambda m: m.cat([m.ones(2), m.ones(2)], 0, 1),
    lambda m: m.cat([m.ones(2), m.ones(2)], 0, dim=0),
    lambda m: m.cat([m.ones(2), m.ones(2)], np.int64(0)),
    lambda m: m.stack([m.ones(2), m.ones(3)], dim=5),
    lambda m: m.stack([m.ones(2), m.ones(2)], 1),
    lambda m: m.stack([m.tensor(1.0), m.tensor(2.0)]),
    lambda m: m.cat([]),
    lambda m: m.stack([]),
]


@pytest.mark.parametrize("build", CAT_STACK_CASES)
def test_cat_and_stack_arguments(build):
    assert_same(build)


@pytest.mark.parametrize("create_graph", [False, True])
def test_cat_gradient_with_skipped_legacy_empty_tensors(create_graph):
    def run(m):
        a = m.ones(2, 3, requires_grad=True)
        e = m.zeros(0, requires_grad=True)
        b = m.ones(2, 2, requires_grad=True)
        y = m.cat([a, e, b], 1)
        grads = m.autograd.grad((y * y).sum(), (a, e, b), create_graph=create_graph)
        names = [type(f).__name__ if f is not None else None for f, _ in y.grad_fn.next_functions]
        return [repr(g) for g in grads], repr(y), len(names)

    assert run(engine) == run(torch)


def test_cat_of_only_legacy_empty_tensors_records_cat():
    def run(m):
        e, f = m.zeros(0, requires_grad=True), m.zeros(0, dtype=m.float64, requires_grad=True)
        z = m.cat([e, f], 5)
        z.sum().backward()
        return repr(z), repr(e.grad), repr(f.grad)

    assert run(engine) == run(torch)


AMAX_EMPTY_CASES = [
    lambda m: m.zeros(1, 0).amax((-1, -1)),
    lambda m: m.zeros(1, 0).amax((1, 1)),
    lambda m: m.zeros(1, 0).amax((-1, 1)),
    lambda m: m.zeros(1, 0).amin((-1, -1)),
    lambda m: m.zeros(1, 0).amax((0, 0)),
    lambda m: m.zeros(0).amax((0, 0)),
    lambda m: m.zeros(1, 0).amax((0, -1)),
    lambda m: m.zeros(1, 0).amax((0, -2)),
]


@pytest.mark.parametrize("build", AMAX_EMPTY_CASES)
def test_amax_of_empty_tensors_checks_sizes_before_repeats(build):
    assert_same(build)
