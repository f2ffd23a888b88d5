"""Differential tests of the op table against PyTorch: values, gradients, grad_fn, dtype, repr.

`compare(expr, *inputs)` runs `expr(lib, *tensors)` with lib = engine and with lib = torch on the
same inputs and checks everything torch shows: the value (bit for bit where torch_semantics.md
§4.4 says numpy float32 matches, else rtol 1e-5), dtype, repr, grad_fn name, next_functions
names, and the gradients of every input after backward of a weighted sum of the output.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import engine

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(7)


def _leaf(lib, value, grad):
    if isinstance(value, np.ndarray):
        t = lib.tensor(value.copy())
        return t.requires_grad_() if grad and t.is_floating_point() else t
    return value


def _names(node) -> list:
    return [None if n is None else n.name() for n, _ in node.next_functions]


def _run(lib, expr, inputs, grad):
    tensors = [_leaf(lib, v, grad) for v in inputs]
    out = expr(lib, *tensors)
    if isinstance(out, tuple):
        out = out[0]
    return tensors, out


def _close(a: np.ndarray, b: np.ndarray, exact: bool, what: str) -> None:
    assert a.dtype == b.dtype and a.shape == b.shape, what
    if exact:
        np.testing.assert_array_equal(a, b, err_msg=what)
    else:
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6, equal_nan=True, err_msg=what)


def compare(expr, *inputs, grad: bool = True, exact: bool = False, check_repr: bool = True):
    """Run `expr` on engine and torch; assert they agree on everything visible."""
    e_in, e_out = _run(engine, expr, inputs, grad)
    t_in, t_out = _run(torch, expr, inputs, grad)
    _close(
        e_out.numpy() if not e_out.requires_grad else e_out.detach().numpy(),
        t_out.detach().numpy(),
        exact,
        "value",
    )
    assert repr(e_out.dtype) == repr(t_out.dtype)
    if check_repr:
        assert repr(e_out) == repr(t_out)
    assert e_out.requires_grad == t_out.requires_grad
    if t_out.grad_fn is None:
        assert e_out.grad_fn is None
        return e_out
    assert e_out.grad_fn.name() == t_out.grad_fn.name()
    assert _names(e_out.grad_fn) == _names(t_out.grad_fn)
    weights = RNG.standard_normal(t_out.shape).astype(t_out.detach().numpy().dtype)
    (e_out * engine.tensor(weights)).sum().backward()
    (t_out * torch.tensor(weights)).sum().backward()
    for i, (e, t) in enumerate(zip(e_in, t_in, strict=True)):
        if isinstance(t, torch.Tensor) and t.requires_grad:
            assert (e.grad is None) == (t.grad is None), f"grad {i}"
            if t.grad is not None:
                _close(e.grad.numpy(), t.grad.numpy(), exact, f"grad {i}")
    return e_out


def f32(*shape, low=-2.0, high=2.0):
    """Random float32 values."""
    return RNG.uniform(low, high, shape).astype(np.float32)


X, W, A, B, M, S = f32(4), f32(4), f32(2, 3), f32(3, 2), f32(3, 4), f32()
POS = np.abs(f32(2, 3)) + np.float32(0.1)
EDGE = np.array([-1.0, 0.0, 1.0, 2.0, 3.0], np.float32)
TIES = np.array([1.0, 3.0, 3.0], np.float32)
ROWS = np.array([[1.0, 5.0, 5.0], [2.0, 2.0, 0.0]], np.float32)
INTS = np.array([-2, 0, 3, 5])

UNARY = {
    "sin": lambda L, x: x.sin(),
    "cos": lambda L, x: L.cos(x),
    "tanh": lambda L, x: x.tanh(),
    "sigmoid": lambda L, x: L.sigmoid(x),
    "relu": lambda L, x: x.relu(),
    "abs": lambda L, x: L.abs(x),
    "square": lambda L, x: x.square(),
    "neg": lambda L, x: -x,
    "exp": lambda L, x: x.exp(),
    "clamp": lambda L, x: x.clamp(0.0, 2.0),
    "clamp_min_kw": lambda L, x: L.clamp(x, min=0),
    "clamp_max_kw": lambda L, x: x.clamp(max=1),
    "clamp_min": lambda L, x: x.clamp_min(1.0),
    "max": lambda L, x: x.max(),
    "min": lambda L, x: L.min(x),
    "amax": lambda L, x: x.amax(),
    "amin": lambda L, x: x.amin(0),
    "max_dim": lambda L, x: x.max(0).values,
    "min_dim": lambda L, x: L.min(x, 0)[0],
    "softmax": lambda L, x: x.softmax(0),
    "log_softmax": lambda L, x: L.log_softmax(x, -1),
    "F.softmax": lambda L, x: L.nn.functional.softmax(x, dim=0),
    "F.relu": lambda L, x: L.nn.functional.relu(x),
    "clone": lambda L, x: x.clone(),
    "unsqueeze": lambda L, x: x.unsqueeze(1),
    "unsqueeze_neg": lambda L, x: L.unsqueeze(x, -1),
    "t": lambda L, x: x.t(),
    "cat_self": lambda L, x: L.cat([x, x * 2]),
    "stack_self": lambda L, x: L.stack([x, x], dim=1),
    "outer_self": lambda L, x: L.outer(x, x),
    "dot_matmul": lambda L, x: x @ x,
    "sum_then_max": lambda L, x: (x * x).max() + x.sum(),
}


@pytest.mark.parametrize("name", UNARY)
@pytest.mark.parametrize("values", [X, EDGE, TIES], ids=["random", "edges", "ties"])
def test_vector_ops(name, values):
    compare(UNARY[name], values)


@pytest.mark.parametrize(
    "name", ["sin", "tanh", "sigmoid", "exp", "relu", "abs", "clamp", "max", "softmax"]
)
def test_float64_ops(name):
    compare(UNARY[name], X.astype(np.float64))


MATRIX = {
    "sqrt": lambda L, x: x.sqrt(),
    "log": lambda L, x: x.log(),
    "max_dim1_keep": lambda L, x: x.max(1, keepdim=True).values,
    "min_dim_neg": lambda L, x: x.min(dim=-1).values,
    "amax_dim": lambda L, x: x.amax(1),
    "amax_keep": lambda L, x: L.amax(x, (0, 1), keepdim=True),
    "softmax0": lambda L, x: L.softmax(x, 0),
    "softmax1": lambda L, x: x.softmax(dim=1),
    "log_softmax0": lambda L, x: x.log_softmax(0),
    "F.log_softmax": lambda L, x: L.nn.functional.log_softmax(x, dim=1),
    "t": lambda L, x: x.t(),
    "T": lambda L, x: x.T,
    "transpose": lambda L, x: x.transpose(0, 1),
    "transpose_neg": lambda L, x: L.transpose(x, -1, 0),
    "permute": lambda L, x: x.permute(1, 0),
    "permute_tuple": lambda L, x: L.permute(x, (1, 0)),
    "unsqueeze0": lambda L, x: x.unsqueeze(0),
    "squeeze_all": lambda L, x: x.unsqueeze(0).unsqueeze(2).squeeze(),
    "squeeze_dim": lambda L, x: x.unsqueeze(1).squeeze(1),
    "squeeze_noop": lambda L, x: x.squeeze(0),
    "squeeze_dims": lambda L, x: x.unsqueeze(0).squeeze((0, 1)),
    "flatten": lambda L, x: x.flatten(),
    "flatten_keep": lambda L, x: x.unsqueeze(0).flatten(1),
    "cat0": lambda L, x: L.cat([x, x.sin()]),
    "cat1": lambda L, x: L.cat([x, x.exp(), x], dim=1),
    "stack2": lambda L, x: L.stack([x, x.cos()], 2),
    "sigmoid_tanh": lambda L, x: (x.sigmoid() * x.tanh()).relu(),
    "matmul_T": lambda L, x: x @ x.T,
    "mm_t": lambda L, x: L.mm(x.t(), x),
}


@pytest.mark.parametrize("name", MATRIX)
def test_matrix_ops(name):
    compare(MATRIX[name], POS)


def test_ties_split_and_dim_selection():
    """§3.12: full max splits ties; max(dim) gives all to the returned (first) index."""
    compare(lambda L, x: x.max(), ROWS)
    compare(lambda L, x: x.max(1).values, ROWS)
    compare(lambda L, x: x.min(1).values, ROWS)
    compare(lambda L, x: x.amax(1), ROWS)
    compare(lambda L, x: x.max(1).indices, ROWS)
    compare(lambda L, x: L.argmax(x), ROWS)
    compare(lambda L, x: x.argmax(1, keepdim=True), ROWS)
    compare(lambda L, x: x.argmin(dim=0), ROWS)
    compare(lambda L, x: L.tensor([3.0, 3.0, 3.0], requires_grad=True).max(), ROWS)


BINARY = {
    "maximum": lambda L, a, b: L.maximum(a, b),
    "minimum": lambda L, a, b: a.minimum(b),
    "max_tensor": lambda L, a, b: L.max(a, b),
    "add_alpha": lambda L, a, b: a.add(b, alpha=2),
    "sub_alpha": lambda L, a, b: L.sub(a, b, alpha=0.3),
    "where": lambda L, a, b: L.where(a > b, a, b),
    "remainder": lambda L, a, b: a % 1.5,
    "clamp_tensor": lambda L, a, b: a.clamp(min=b),
    "clamp_tensors": lambda L, a, b: L.clamp(a, b, b + 1),
}


@pytest.mark.parametrize("name", BINARY)
@pytest.mark.parametrize(
    "shapes", [((2, 3), (2, 3)), ((2, 3), (3,)), ((2, 1), (1, 3)), ((3,), ())], ids=str
)
def test_broadcasting_binary_ops(name, shapes):
    a, b = f32(*shapes[0]), f32(*shapes[1])
    b.flat[0] = a.flat[0]  # a tie
    compare(BINARY[name], a, b)


@pytest.mark.parametrize(
    ("sa", "sb", "grad_fn"),
    [
        ((4,), (4,), "DotBackward0"),
        ((2, 3), (3,), "MvBackward0"),
        ((3,), (3, 2), "SqueezeBackward4"),
        ((2, 3), (3, 4), "MmBackward0"),
    ],
)
def test_matmul_dispatch(sa, sb, grad_fn):
    out = compare(lambda L, a, b: a @ b, f32(*sa), f32(*sb), check_repr=False)
    assert out.grad_fn.name() == grad_fn
    compare(lambda L, a, b: L.matmul(a, b), f32(*sa), f32(*sb), check_repr=False)


def test_mm_mv_outer():
    compare(lambda L, a, b: L.mm(a, b), A, B, check_repr=False)
    compare(lambda L, a, v: a.mv(v), A, f32(3), check_repr=False)
    compare(lambda L, a, b: L.outer(a, b), X, f32(3))
    compare(lambda L, a, b: a @ b, A, B, grad=False, check_repr=False)


def test_constant_operands_have_no_edge():
    compare(lambda L, a, b: L.cat([a, b]), X, W, grad=False)
    compare(lambda L, a, c: L.cat([a, c.detach()]), X, W)
    compare(lambda L, a, c: L.stack([c.detach(), a]), X, W)
    compare(lambda L, a, c: L.maximum(a, c.detach()), X, W)


def test_next_functions_of_composites():
    compare(lambda L, x, w: x @ w, X, f32(4, 3), check_repr=False)
    out = compare(lambda L, x, w: L.outer(x, w), X, W)
    assert out.grad_fn.next_functions[0][0].name() == "ViewBackward0"


def test_mse_loss():
    compare(lambda L, a, b: L.nn.functional.mse_loss(a, b), A, f32(2, 3))
    compare(lambda L, a, b: L.nn.functional.mse_loss(a, b, reduction="sum"), X, W)
    compare(lambda L, a, b: L.nn.functional.mse_loss(a, b, reduction="none"), X, W)


INT_OPS = {
    "sin": lambda L, x: x.sin(),
    "sqrt": lambda L, x: x.abs().sqrt(),
    "sigmoid": lambda L, x: x.sigmoid(),
    "relu": lambda L, x: x.relu(),
    "abs": lambda L, x: x.abs(),
    "square": lambda L, x: x.square(),
    "clamp_int": lambda L, x: x.clamp(0, 3),
    "clamp_float": lambda L, x: x.clamp(0.5),
    "clamp_min": lambda L, x: x.clamp_min(1),
    "maximum_float": lambda L, x: L.maximum(x, L.ones(4)),
    "max": lambda L, x: x.max(),
    "max_dim": lambda L, x: x.max(0),
    "argmax": lambda L, x: x.argmax(),
    "cat_promote": lambda L, x: L.cat([x, L.ones(2)]),
    "stack_promote": lambda L, x: L.stack([x, L.ones(4, dtype=L.float64)]),
    "floordiv": lambda L, x: x // 2,
    "floordiv_float": lambda L, x: x // 2.5,
    "remainder": lambda L, x: x % 3,
    "mm_int": lambda L, x: L.mm(x.reshape(2, 2), x.reshape(2, 2)),
    "t": lambda L, x: x.reshape(2, 2).t(),
    "add_alpha_int": lambda L, x: x.add(x, alpha=3),
    "and": lambda L, x: (x > 0) & (x < 4),
    "or": lambda L, x: (x > 0) | (x < -1),
    "xor": lambda L, x: (x > 0) ^ (x < 4),
    "invert_bool": lambda L, x: ~(x > 0),
    "invert_int": lambda L, x: ~x,
    "and_int": lambda L, x: x & 6,
    "logical_not": lambda L, x: x.logical_not(),
}


@pytest.mark.parametrize("name", INT_OPS)
def test_integer_and_bool_dtypes(name):
    compare(INT_OPS[name], INTS)


def test_float_floor_divide_and_remainder_values():
    values = np.array([-3.5, -1.0, 0.0, 2.5, 7.0], np.float32)
    compare(lambda L, x: x // 2, values, grad=False, exact=True)
    compare(lambda L, x: x % -1.5, values, grad=False, exact=True)


@pytest.mark.parametrize(
    "expr",
    [
        lambda L, x: x.sqrt(),
        lambda L, x: x.log(),
        lambda L, x: 1 / x,
        lambda L, x: x / x,
        lambda L, x: x**-1,
        lambda L, x: x**0.5,
        lambda L, x: x.reciprocal(),
    ],
)
def test_nonfinite_results_are_silent(expr, recwarn):
    compare(expr, np.array([-1.0, 0.0, 4.0], np.float32))
    assert not [w for w in recwarn if issubclass(w.category, RuntimeWarning)]


EXTREMES = np.array([3e38, -3e38, 0.0, np.nan, np.inf], np.float32)
EXTREME_EXPRESSIONS = [
    "x * x",
    "x + x",
    "x - -x",
    "x * 10",
    "x + 3e38",
    "x.sin()",
    "x.cos()",
    "x.exp()",
    "L.dot(x, x)",
    "x.reshape(1, 5) @ x.reshape(5, 1)",
    "L.stack([x, x]).sum(0)",
    "L.stack([x, x]).mean(0)",
    "x[:0].mean()",
    "x.double().sum() * 1e300",
    "(x.double() * 1e10).float()",
]


@pytest.mark.parametrize("expression", EXTREME_EXPRESSIONS)
def test_overflow_and_invalid_values_match_torch(expression):
    compare(lambda L, x: eval(expression), EXTREMES, grad=False, exact=True)


def test_overflow_and_invalid_values_are_silent():
    """numpy warns about overflow and invalid values where torch is silent. Checked in a fresh
    interpreter: pytest imports the engine inside its own warning capture, which drops the
    filter the engine adds for numpy's warnings."""
    lines = [f"{expression}" for expression in EXTREME_EXPRESSIONS]
    script = "\n".join(
        ["import engine as L", "x = L.tensor([3e38, -3e38, 0.0, float('nan'), float('inf')])"]
        + lines
    )
    root = Path(__file__).resolve().parents[2]
    ran = subprocess.run([sys.executable, "-c", script], cwd=root, capture_output=True, text=True)
    assert ran.returncode == 0, ran.stderr
    assert ran.stderr == ""


def test_return_type_repr_and_fields():
    a = engine.arange(6.0).reshape(2, 3).requires_grad_()
    r = a.max(0)
    assert repr(r) == repr(torch.arange(6.0).reshape(2, 3).requires_grad_().max(0))
    values, indices = r
    assert values is r.values and indices is r.indices and type(r).__name__ == "max"
    assert indices.grad_fn is None and not indices.requires_grad


def test_views_share_version_and_identity_rules():
    x = engine.ones(3, requires_grad=True)
    assert x.flatten() is x
    y = engine.ones(2, 3)
    v = y.t()
    assert v._version == y._version and v._base is y
    y.zero_()
    assert v._version == 1 and v.tolist() == [[0.0, 0.0]] * 3
