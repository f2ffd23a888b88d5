"""Small torch behaviours compared with torch: pow with a number base, Generator repr, numpy scalar
dtypes in `tensor`, max/min(dim) of a 0-d tensor, floor division's NotImplemented node, the
remainder's gradients, a number divided by a tensor, integer division by zero."""

from __future__ import annotations

import re

import numpy as np
import pytest

import engine
from tests.engine.test_autograd_depth import outcome

torch = pytest.importorskip("torch")


def pow_module_function(L, out):
    x = L.tensor([1.0, 2.0], requires_grad=True)
    y = L.pow(2, x)
    out += [repr(y), repr(L.pow(x, x)), repr(L.pow(x, 3))]
    y.sum().backward()
    out.append(repr(x.grad))
    L.pow(2, 3)


def generator_repr(L, out):
    out.append(re.sub(r"0x[0-9a-f]+", "0x", repr(L.manual_seed(0))))


NESTED = [
    [np.float64(1.5), np.float64(2)],
    [1.0, np.float64(2)],
    [np.float32(1), np.float64(2)],
    [np.int32(1), np.int32(2)],
    [np.int32(1), 2.0],
    [np.int32(1), 2],
    [[np.float64(1)], [2.0]],
    [np.float32(1), 2],
    [np.uint8(1), np.int8(1)],
    [np.bool_(True), 2.5],
    [True, 2],
    [np.float16(1)],
]


def numpy_scalars_in_lists(L, out):
    out += [repr(L.tensor(data)) for data in NESTED]
    out.append(repr(L.tensor([L.tensor(1.0, dtype=L.float64), 2])))


def max_min_dim_of_0d(L, out):
    x = L.tensor(3.0, requires_grad=True)
    r = x.max(0)
    out.append(repr(r))
    r.values.backward()
    x.min(dim=-1, keepdim=True)[0].backward()
    out.append(repr(x.grad))


def floor_divide_node(L, out):
    x = L.tensor([5.0, -7.0], requires_grad=True)
    y = L.tensor([2.0, 3.0], requires_grad=True)
    a, b = x // 2, x.floor_divide(y)
    out += [repr(a), repr(b), a.grad_fn.name(), str(len(a.grad_fn.next_functions))]
    out += [str(len(b.grad_fn.next_functions)), repr(L.tensor([5, 7]) // L.tensor([2, 3]))]
    b.sum().backward()


def remainder_gradients(L, out):
    x = L.tensor([[5.0, -7.0], [1.0, 2.5]], requires_grad=True)
    y = L.tensor([2.0, -3.0], requires_grad=True)
    z = x % y
    out += [repr(z), repr(x % 1.5), repr(L.remainder(x, y))]
    (z * x).sum().backward()
    out += [repr(x.grad), repr(y.grad)]


def a_number_first(L, out):
    x = L.tensor([2.0, -3.0, 0.5], requires_grad=True)
    r = L.remainder(5, x)
    out += [repr(r), r.grad_fn.name(), repr(5 % x), repr(5 // x), repr(L.floor_divide(5, x))]
    out += [repr(L.remainder(5.5, L.tensor([2, -3]))), repr(7 // L.tensor([2, -3]))]
    out += [repr(L.remainder(-5, L.tensor([2.0, -3.0, 0.0]))), repr(L.remainder(5, L.tensor(2)))]
    r.sum().backward()


def floor_division_of_a_number_has_no_derivative(L, out):
    x = L.tensor([2.0, -3.0], requires_grad=True)
    (5 // x).sum().backward()


def integer_remainder_by_zero(L, out):
    L.tensor([5, 3]) % L.tensor([2, 0])


def integer_floor_division_by_zero(L, out):
    out.append(repr(L.tensor([5.0]) // 0))
    L.tensor([5]) // 0


def number_by_integer_zero(L, out):
    5 % L.tensor([1, 0])


SCENARIOS = [
    a_number_first,
    floor_division_of_a_number_has_no_derivative,
    integer_remainder_by_zero,
    integer_floor_division_by_zero,
    number_by_integer_zero,
    pow_module_function,
    generator_repr,
    numpy_scalars_in_lists,
    max_min_dim_of_0d,
    floor_divide_node,
    remainder_gradients,
]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda f: f.__name__)
def test_matches_torch(scenario):
    assert outcome(scenario, engine) == outcome(scenario, torch)
