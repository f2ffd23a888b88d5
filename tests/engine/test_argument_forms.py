"""Argument forms torch accepts, compared with torch itself: a Python number first in the module
functions (torch.add(3, x)), keyword forms of the methods (x.view(size=...), x.sum(dtype=...),
x.div(y, rounding_mode=...)), several ints for squeeze, and Tensor.to's forms. Each call's
result is compared by value, dtype, grad_fn and its next_functions, and the gradients (values
and dtypes) that `result.sum().backward()` leaves; or by exception type and text."""

import numpy as np
import pytest

import engine

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.filterwarnings("ignore:Using a target size")


def _node_name(node):
    return None if node is None else type(node).__name__


def summary(call, T):
    """What a call gives under T (engine or torch): its result and gradients, or its error."""
    x = T.tensor([-7.0, -2.5, 0.0, 3.5, 7.0], requires_grad=True)
    y = T.tensor([2.0, -2.0, 2.0, -2.0, 3.0], requires_grad=True)
    s = T.ones(2, 1, 3, 1, requires_grad=True)
    i = T.tensor([[-7, -3], [3, 7]])
    try:
        result = call(T, x, y, s, i)
    except Exception as exc:  # noqa: BLE001 (the comparison is the test)
        return type(exc).__name__, str(exc)
    if not isinstance(result, T.Tensor):
        return "ok", repr(result)
    node = result.grad_fn
    nexts = node and [(_node_name(n), k) for n, k in node.next_functions]
    grads = None
    if result.requires_grad:
        result.sum().backward()
        grads = [(repr(t.grad), str(t.grad.dtype)) for t in (x, y, s) if t.grad is not None]
    return repr(result), _node_name(node), nexts, grads


NUMBER_FIRST = {
    "add(3, x)": lambda T, x, y, s, i: T.add(3, x),
    "add(3, x, alpha=2)": lambda T, x, y, s, i: T.add(3, x, alpha=2),
    "add(2.5, i)": lambda T, x, y, s, i: T.add(2.5, i),
    "add(3, i)": lambda T, x, y, s, i: T.add(3, i),
    "add(True, False)": lambda T, x, y, s, i: T.add(True, False),
    "add(2, 3, alpha=2)": lambda T, x, y, s, i: T.add(2, 3, alpha=2),
    "add(2, 'a')": lambda T, x, y, s, i: T.add(2, "a"),
    "add('a', x)": lambda T, x, y, s, i: T.add("a", x),
    "sub(3, x)": lambda T, x, y, s, i: T.sub(3, x),
    "sub(3, x, alpha=2)": lambda T, x, y, s, i: T.sub(3, x, alpha=2),
    "sub(True, x)": lambda T, x, y, s, i: T.sub(True, x),
    "sub(3, x > 0)": lambda T, x, y, s, i: T.sub(3, x > 0),
    "sub(2, 3)": lambda T, x, y, s, i: T.sub(2, 3),
    "sub(3, 2.5)": lambda T, x, y, s, i: T.sub(3, 2.5),
    "mul(2, x)": lambda T, x, y, s, i: T.mul(2, x),
    "mul(2, 3)": lambda T, x, y, s, i: T.mul(2, 3),
    "mul(3, True)": lambda T, x, y, s, i: T.mul(3, True),
    "mul(2, None)": lambda T, x, y, s, i: T.mul(2, None),
    "mul(x.double(), 0.1)": lambda T, x, y, s, i: T.mul(0.1, x.double()),
    "div(3, x)": lambda T, x, y, s, i: T.div(3, x),
    "div(3, i)": lambda T, x, y, s, i: T.div(3, i),
    "div(2, 3)": lambda T, x, y, s, i: T.div(2, 3),
    "div(3, x, rounding_mode='floor')": lambda T, x, y, s, i: T.div(3, x, rounding_mode="floor"),
    "div(7, 2, rounding_mode='floor')": lambda T, x, y, s, i: T.div(7, 2, rounding_mode="floor"),
    "div(-7, 2, rounding_mode='trunc')": lambda T, x, y, s, i: T.div(-7, 2, rounding_mode="trunc"),
    "add(x, 3)": lambda T, x, y, s, i: T.add(x, 3),
    "sub(x, y, alpha=2)": lambda T, x, y, s, i: T.sub(x, y, alpha=2),
    "div(input=x, other=y)": lambda T, x, y, s, i: T.div(input=x, other=y),
}

DIV_MODES = {
    f"{left}.div({right}, rounding_mode={mode!r})": (
        lambda T, x, y, s, i, left=left, right=right, mode=mode: {"x": x, "i": i}[left].div(
            {"2": 2, "-3": -3, "y": y, "2.5": 2.5, "0.0": 0.0}[right], rounding_mode=mode
        )
    )
    for left in ("x", "i")
    for right in ("2", "-3", "y", "2.5", "0.0")
    for mode in ("floor", "trunc", None)
}
DIV_MODES.update(
    {
        "i.div(0, rounding_mode='floor')": lambda T, x, y, s, i: i.div(0, rounding_mode="floor"),
        "i.div(0, rounding_mode='trunc')": lambda T, x, y, s, i: i.div(0, rounding_mode="trunc"),
        "x.div(2, rounding_mode='a')": lambda T, x, y, s, i: x.div(2, rounding_mode="a"),
        "x.div(2, rounding_mode=1)": lambda T, x, y, s, i: x.div(2, rounding_mode=1),
        "(x > 0).div(True, rounding_mode='floor')": (
            lambda T, x, y, s, i: (x > 0).div(True, rounding_mode="floor")
        ),
        "(x > 0).div(True, rounding_mode='trunc')": (
            lambda T, x, y, s, i: (x > 0).div(True, rounding_mode="trunc")
        ),
        "x.div(other=2)": lambda T, x, y, s, i: x.div(other=2),
        "x.div(y[:2], rounding_mode='floor')": (
            lambda T, x, y, s, i: x.div(y[:2], rounding_mode="floor")
        ),
    }
)

KEYWORDS = {
    "x.sum(dtype=float64)": lambda T, x, y, s, i: x.sum(dtype=T.float64),
    "x.sum(dtype=float16)": lambda T, x, y, s, i: x.sum(dtype=T.float16),
    "x.sum(dtype=None)": lambda T, x, y, s, i: x.sum(dtype=None),
    "x.mean(dtype=float64)": lambda T, x, y, s, i: x.mean(dtype=T.float64),
    "s.sum(0, dtype=float64)": lambda T, x, y, s, i: s.sum(0, dtype=T.float64),
    "s.sum(dim=(0, 2), dtype=float64)": lambda T, x, y, s, i: s.sum(dim=(0, 2), dtype=T.float64),
    "s.mean(2, True, dtype=float64)": lambda T, x, y, s, i: s.mean(2, True, dtype=T.float64),
    "sum(x, dtype=float64)": lambda T, x, y, s, i: T.sum(x, dtype=T.float64),
    "mean(s, 2, dtype=float64)": lambda T, x, y, s, i: T.mean(s, 2, dtype=T.float64),
    "i.sum(dtype=float32)": lambda T, x, y, s, i: i.sum(dtype=T.float32),
    "i.sum(dtype=int32)": lambda T, x, y, s, i: i.sum(dtype=T.int32),
    "i.mean(dtype=float32)": lambda T, x, y, s, i: i.mean(dtype=T.float32),
    "x.detach().sum(dtype=int64)": lambda T, x, y, s, i: x.detach().sum(dtype=T.int64),
    "x.sum(dtype=int64)": lambda T, x, y, s, i: x.sum(dtype=T.int64),
    "x.sum(0, dtype=int32)": lambda T, x, y, s, i: x.sum(0, dtype=T.int32),
    "x.mean(dtype=int64)": lambda T, x, y, s, i: x.mean(dtype=T.int64),
    "i.mean(dtype=int64)": lambda T, x, y, s, i: i.mean(dtype=T.int64),
    "x.sum(dtype=3)": lambda T, x, y, s, i: x.sum(dtype=3),
    "s.reshape(shape=(6,))": lambda T, x, y, s, i: s.reshape(shape=(6,)),
    "reshape(s, shape=(6,))": lambda T, x, y, s, i: T.reshape(s, shape=(6,)),
    "s.reshape(size=(6,))": lambda T, x, y, s, i: s.reshape(size=(6,)),
    "s.permute(dims=(3, 2, 1, 0))": lambda T, x, y, s, i: s.permute(dims=(3, 2, 1, 0)),
    "s.permute(dims=3)": lambda T, x, y, s, i: s.permute(dims=3),
    "s.view(size=(6,))": lambda T, x, y, s, i: s.view(size=(6,)),
    "s.view(size=(6, 'a'))": lambda T, x, y, s, i: s.view(size=(6, "a")),
    "x.expand(size=(2, 5))": lambda T, x, y, s, i: x.expand(size=(2, 5)),
    "x.expand(2, 5, implicit=True)": lambda T, x, y, s, i: x.expand(2, 5, implicit=True),
    "s.squeeze(1, 3)": lambda T, x, y, s, i: s.squeeze(1, 3),
    "s.squeeze(0, 1)": lambda T, x, y, s, i: s.squeeze(0, 1),
    "s.squeeze((1, 3))": lambda T, x, y, s, i: s.squeeze((1, 3)),
    "s.squeeze(dim=(1, 3))": lambda T, x, y, s, i: s.squeeze(dim=(1, 3)),
    "s.squeeze(dim=1)": lambda T, x, y, s, i: s.squeeze(dim=1),
    "s.squeeze()": lambda T, x, y, s, i: s.squeeze(),
    "s.squeeze(1, 3.0)": lambda T, x, y, s, i: s.squeeze(1, 3.0),
    "squeeze(s, 1, 3)": lambda T, x, y, s, i: T.squeeze(s, 1, 3),
    "s.flatten(end_dim=1)": lambda T, x, y, s, i: s.flatten(end_dim=1),
    "x.clamp(max=1.5)": lambda T, x, y, s, i: x.clamp(max=1.5),
    "x.softmax(dim=0)": lambda T, x, y, s, i: x.softmax(dim=0),
    "dot(input=x, tensor=y)": lambda T, x, y, s, i: T.dot(input=x, tensor=y),
    "F.mse_loss(x, y[:2], reduction='bad')": (
        lambda T, x, y, s, i: T.nn.functional.mse_loss(x, y[:2], reduction="bad")
    ),
    "F.mse_loss(x, y, reduction='bad')": (
        lambda T, x, y, s, i: T.nn.functional.mse_loss(x, y, reduction="bad")
    ),
}

TO = {
    "x.to('a')": lambda T, x, y, s, i: x.to("a"),
    "x.to(3)": lambda T, x, y, s, i: x.to(3),
    "x.to(0)": lambda T, x, y, s, i: x.to(0),
    "x.to(-1)": lambda T, x, y, s, i: x.to(-1),
    "x.to('cpu')": lambda T, x, y, s, i: x.to("cpu"),
    "x.to(torch.float64)": lambda T, x, y, s, i: x.to(T.float64),
    "x.to(dtype=torch.float64)": lambda T, x, y, s, i: x.to(dtype=T.float64),
    "x.to(y.double())": lambda T, x, y, s, i: x.to(y.double()),
    "x.to('cpu', torch.float64)": lambda T, x, y, s, i: x.to("cpu", T.float64),
    "x.to('cpu', dtype=torch.float64)": lambda T, x, y, s, i: x.to("cpu", dtype=T.float64),
    "x.to(device='cpu')": lambda T, x, y, s, i: x.to(device="cpu"),
    "x.to('cuda')": lambda T, x, y, s, i: x.to("cuda"),
    "x.to('cuda:0')": lambda T, x, y, s, i: x.to("cuda:0"),
    "x.to('xpu')": lambda T, x, y, s, i: x.to("xpu"),
    "x.to('mps')": lambda T, x, y, s, i: x.to("mps"),
    "x.to('cpu:0')": lambda T, x, y, s, i: x.to("cpu:0"),
    "x.to('cpu:1')": lambda T, x, y, s, i: x.to("cpu:1"),
    "x.to()": lambda T, x, y, s, i: x.to(),
    "x.to(None)": lambda T, x, y, s, i: x.to(None),
    "x.to(torch.float64, copy=True)": lambda T, x, y, s, i: x.to(T.float64, copy=True),
    "x.to(torch.float32, copy=True)": lambda T, x, y, s, i: x.to(T.float32, copy=True),
    "x.to(torch.float64, True)": lambda T, x, y, s, i: x.to(T.float64, True),
    "x.to(torch.float64, False, True)": lambda T, x, y, s, i: x.to(T.float64, False, True),
    "x.to(foo=1)": lambda T, x, y, s, i: x.to(foo=1),
    "x.to('a', 'b')": lambda T, x, y, s, i: x.to("a", "b"),
    "x.to([1])": lambda T, x, y, s, i: x.to([1]),
    "x.to(y, non_blocking=True)": lambda T, x, y, s, i: x.to(y, non_blocking=True),
    "x.to(y, False, True)": lambda T, x, y, s, i: x.to(y, False, True),
    "x.to(y, copy=True)": lambda T, x, y, s, i: x.to(y, copy=True),
    "x.to(dtype=3)": lambda T, x, y, s, i: x.to(dtype=3),
    "x.to(torch.int64)": lambda T, x, y, s, i: x.to(T.int64),
    "x.to('CPU')": lambda T, x, y, s, i: x.to("CPU"),
    "x.to('')": lambda T, x, y, s, i: x.to(""),
    "x.to('cpu', None)": lambda T, x, y, s, i: x.to("cpu", None),
    "x.to('cpu:a')": lambda T, x, y, s, i: x.to("cpu:a"),
    "x.to('cpu:01')": lambda T, x, y, s, i: x.to("cpu:01"),
    "x.to('cpu:')": lambda T, x, y, s, i: x.to("cpu:"),
    "x.to('cpu:2147483648')": lambda T, x, y, s, i: x.to("cpu:2147483648"),
    "x.to(torch.float64, 'cpu')": lambda T, x, y, s, i: x.to(T.float64, "cpu"),
    "x.to(x, torch.float64)": lambda T, x, y, s, i: x.to(x, T.float64),
    "x.to('cpu', 3)": lambda T, x, y, s, i: x.to("cpu", 3),
    "x.to(copy=True)": lambda T, x, y, s, i: x.to(copy=True),
    "x.to(tensor=i)": lambda T, x, y, s, i: x.to(tensor=i),
    "x.to(device='a')": lambda T, x, y, s, i: x.to(device="a"),
    "x.to(torch.float64, non_blocking=1)": lambda T, x, y, s, i: x.to(T.float64, non_blocking=1),
    "x.to(memory_format=None)": lambda T, x, y, s, i: x.to(memory_format=None),
    "x.to('cpu') is x": lambda T, x, y, s, i: x.to("cpu") is x,
    "x.to(x) is x": lambda T, x, y, s, i: x.to(x) is x,
    "x.to(torch.float32) is x": lambda T, x, y, s, i: x.to(T.float32) is x,
    "x.to(non_blocking=True) is x": lambda T, x, y, s, i: x.to(non_blocking=True) is x,
    "x.to('cpu:0') is x": lambda T, x, y, s, i: x.to("cpu:0") is x,
    "i.to(torch.float32)": lambda T, x, y, s, i: i.to(T.float32),
    "x.to(torch.float16).to(torch.float64)": lambda T, x, y, s, i: x.to(T.float16).to(T.float64),
}

CASES = {**NUMBER_FIRST, **DIV_MODES, **KEYWORDS, **TO}


@pytest.mark.parametrize("name", CASES)
def test_argument_forms_are_torchs(name):
    assert summary(CASES[name], engine) == summary(CASES[name], torch)


def _operands(dtype):
    rng = np.random.default_rng(0)
    a = (rng.standard_normal(20000) * rng.choice([1, 10, 100, 1000], 20000)).astype(dtype)
    b = (rng.standard_normal(20000) * rng.choice([0.01, 1, 10], 20000)).astype(dtype)
    b[:10] = 0
    return a, b


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
@pytest.mark.parametrize("mode", ["floor", "trunc"])
def test_rounded_division_is_bit_exact(dtype, mode):
    """torch's float16 floor division rounds each step to float16 (numpy's works in float32)."""
    a, b = _operands(dtype)
    expected = torch.from_numpy(a).div(torch.from_numpy(b), rounding_mode=mode).numpy()
    got = engine.tensor(a).div(engine.tensor(b), rounding_mode=mode).numpy()
    np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
def test_floor_divide_operator_is_bit_exact(dtype):
    a, b = _operands(dtype)
    expected = (torch.from_numpy(a) // torch.from_numpy(b)).numpy()
    np.testing.assert_array_equal((engine.tensor(a) // engine.tensor(b)).numpy(), expected)


SIZE = {
    "x.size('a')": lambda T, x, y, s, i: x.size("a"),
    "x.size(1.0)": lambda T, x, y, s, i: x.size(1.0),
    "x.size(True)": lambda T, x, y, s, i: x.size(True),
    "x.size(0, 1)": lambda T, x, y, s, i: x.size(0, 1),
    "x.size(d=0)": lambda T, x, y, s, i: x.size(d=0),
}


@pytest.mark.parametrize("name", SIZE)
def test_size_arguments_are_torchs(name):
    assert summary(SIZE[name], engine) == summary(SIZE[name], torch)


@pytest.mark.parametrize("name", ["x.size(None)", "x.size(dim=0)", "x.size(-1)", "x.size(2)"])
def test_size_forms_taken_are_torchs(name):
    calls = {
        "x.size(None)": lambda T, x, y, s, i: x.size(None),
        "x.size(dim=0)": lambda T, x, y, s, i: x.size(dim=0),
        "x.size(-1)": lambda T, x, y, s, i: x.size(-1),
        "x.size(2)": lambda T, x, y, s, i: x.size(2),
    }
    assert summary(calls[name], engine) == summary(calls[name], torch)
