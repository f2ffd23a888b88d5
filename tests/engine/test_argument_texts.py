"""torch's argument errors for the engine's functions and methods (engine.arguments): a wrong type,
a missing or extra argument, an unknown keyword, and "received an invalid combination of
arguments", with torch's exception type and text, compared with torch itself."""

import numpy as np
import pytest

import engine
from engine import functions
from engine.ops_math import torch_where

torch = pytest.importorskip("torch")


def outcome(call, T):
    x = T.tensor([1.0, 2.0])
    m = T.tensor([[1.0, 5.0], [3.0, 2.0]])
    c = T.tensor([True, False])
    try:
        result = call(T, x, m, c)
    except Exception as exc:  # noqa: BLE001 (the comparison is the test)
        return type(exc).__name__, str(exc)
    return "ok", repr(result)


NUMBER_FIRST = ("pow", "remainder", "floor_divide")
CASES = {
    # a Python number first (engine.functions)
    "floor_divide(2, x)": lambda T, x, m, c: T.floor_divide(2, x),
    "floor_divide(x, None)": lambda T, x, m, c: T.floor_divide(x, None),
    "floor_divide(2, 'a')": lambda T, x, m, c: T.floor_divide(2, "a"),
    "floor_divide(2, 3)": lambda T, x, m, c: T.floor_divide(2, 3),
    "remainder(2, x)": lambda T, x, m, c: T.remainder(2, x),
    "remainder(x, None)": lambda T, x, m, c: T.remainder(x, None),
    "remainder(2, 3)": lambda T, x, m, c: T.remainder(2, 3),
    "remainder(2, 'a')": lambda T, x, m, c: T.remainder(2, "a"),
    "remainder(input=x, other=2)": lambda T, x, m, c: T.remainder(input=x, other=2),
    "pow(2, 3)": lambda T, x, m, c: T.pow(2, 3),
    "pow(2, x)": lambda T, x, m, c: T.pow(2, x),
    "pow(x, None)": lambda T, x, m, c: T.pow(x, None),
    "pow(3)": lambda T, x, m, c: T.pow(3),
    # a tensor where torch wants one
    "dot(x, 3)": lambda T, x, m, c: T.dot(x, 3),
    "dot(3, x)": lambda T, x, m, c: T.dot(3, x),
    "x.dot(3)": lambda T, x, m, c: x.dot(3),
    "x.dot([1, 2])": lambda T, x, m, c: x.dot([1, 2]),
    "x.dot(tensor=x)": lambda T, x, m, c: x.dot(tensor=x),
    "x.dot(other=x)": lambda T, x, m, c: x.dot(other=x),
    "dot(input=x, tensor=x)": lambda T, x, m, c: T.dot(input=x, tensor=x),
    "dot(x, x, input=x)": lambda T, x, m, c: T.dot(x, tensor=x, input=x),
    "mm(m, [1, 2])": lambda T, x, m, c: T.mm(m, [1, 2]),
    "mm([1], m)": lambda T, x, m, c: T.mm([1], m),
    "m.mm(2)": lambda T, x, m, c: m.mm(2),
    "mv(m, 3)": lambda T, x, m, c: T.mv(m, 3),
    "m.mv(None)": lambda T, x, m, c: m.mv(None),
    "matmul(m, 3)": lambda T, x, m, c: T.matmul(m, 3),
    "matmul(3, m)": lambda T, x, m, c: T.matmul(3, m),
    "m.matmul([1, 2])": lambda T, x, m, c: m.matmul([1, 2]),
    "outer(x, 3)": lambda T, x, m, c: T.outer(x, 3),
    "maximum(x, 2)": lambda T, x, m, c: T.maximum(x, 2),
    "x.maximum(2.0)": lambda T, x, m, c: x.maximum(2.0),
    "minimum(x, None)": lambda T, x, m, c: T.minimum(x, None),
    "maximum(2, x)": lambda T, x, m, c: T.maximum(2, x),
    "x.maximum(x, x)": lambda T, x, m, c: x.maximum(x, x),
    "softmax(3, 0)": lambda T, x, m, c: T.softmax(3, 0),
    "softmax(x, 'a')": lambda T, x, m, c: T.softmax(x, "a"),
    "x.softmax(None)": lambda T, x, m, c: x.softmax(None),
    "x.softmax(1.0)": lambda T, x, m, c: x.softmax(1.0),
    "x.softmax(0, 'a')": lambda T, x, m, c: x.softmax(0, "a"),
    "x.softmax(0, dtype=3)": lambda T, x, m, c: x.softmax(0, dtype=3),
    "x.softmax(torch.float64)": lambda T, x, m, c: x.softmax(T.float64),
    "softmax(x, 0, 1, 2)": lambda T, x, m, c: T.softmax(x, 0, 1, 2),
    "log_softmax([1.0], 0)": lambda T, x, m, c: T.log_softmax([1.0], 0),
    "F.relu(3)": lambda T, x, m, c: T.nn.functional.relu(3),
    "F.softmax(3, 0)": lambda T, x, m, c: T.nn.functional.softmax(3, 0),
    "F.softmax(3)": lambda T, x, m, c: T.nn.functional.softmax(3),
    "F.log_softmax(x, 'a')": lambda T, x, m, c: T.nn.functional.log_softmax(x, "a"),
    "F.softmax(x, 0, dtype=3)": lambda T, x, m, c: T.nn.functional.softmax(x, 0, dtype=3),
    "F.sigmoid(3)": lambda T, x, m, c: T.nn.functional.sigmoid(3),
    "F.mse_loss(x, 3)": lambda T, x, m, c: T.nn.functional.mse_loss(x, 3),
    "F.mse_loss(3, x)": lambda T, x, m, c: T.nn.functional.mse_loss(3, x),
    "sin(3)": lambda T, x, m, c: T.sin(3),
    "exp(3)": lambda T, x, m, c: T.exp(3),
    "log(None)": lambda T, x, m, c: T.log(None),
    "abs(-1)": lambda T, x, m, c: T.abs(-1),
    "relu(3)": lambda T, x, m, c: T.relu(3),
    "square(3)": lambda T, x, m, c: T.square(3),
    "neg([1])": lambda T, x, m, c: T.neg([1]),
    "isnan(3)": lambda T, x, m, c: T.isnan(3),
    "t(3)": lambda T, x, m, c: T.t(3),
    "clone(3)": lambda T, x, m, c: T.clone(3),
    "sum(3)": lambda T, x, m, c: T.sum(3),
    "mean([1.0])": lambda T, x, m, c: T.mean([1.0]),
    "argmax(3)": lambda T, x, m, c: T.argmax(3),
    "transpose(3, 0, 1)": lambda T, x, m, c: T.transpose(3, 0, 1),
    "reshape(3, (1,))": lambda T, x, m, c: T.reshape(3, (1,)),
    "equal(3, x)": lambda T, x, m, c: T.equal(3, x),
    "x.equal(3)": lambda T, x, m, c: x.equal(3),
    "x.allclose(3)": lambda T, x, m, c: x.allclose(3),
    "x.isclose(3)": lambda T, x, m, c: x.isclose(3),
    "x.type_as(3)": lambda T, x, m, c: x.type_as(3),
    "any(3)": lambda T, x, m, c: T.any(3),
    "clamp(3, 0)": lambda T, x, m, c: T.clamp(3, 0),
    "clip(3, 0)": lambda T, x, m, c: T.clip(3, 0),
    "clamp_min(3, 0)": lambda T, x, m, c: T.clamp_min(3, 0),
    # where's overloads
    "where(c, x, 'a')": lambda T, x, m, c: T.where(c, x, "a"),
    "where(c, 'a', x)": lambda T, x, m, c: T.where(c, "a", x),
    "where(c, [1, 2], x)": lambda T, x, m, c: T.where(c, [1, 2], x),
    "where(1, x, x)": lambda T, x, m, c: T.where(1, x, x),
    "where([True, False], x, x)": lambda T, x, m, c: T.where([True, False], x, x),
    "where(c, None, x)": lambda T, x, m, c: T.where(c, None, x),
    "where(c, 1, None)": lambda T, x, m, c: T.where(c, 1, None),
    "where(c, x)": lambda T, x, m, c: T.where(c, x),
    "where(3)": lambda T, x, m, c: T.where(3),
    "where(c, 1.0, 2)": lambda T, x, m, c: T.where(c, 1.0, 2),
    "where(c, input=x, other=m)": lambda T, x, m, c: T.where(c, input=x, other=m[0]),
    # numbers for tensors (add/sub/mul/div take them)
    "x.add('a')": lambda T, x, m, c: x.add("a"),
    "x.add(None)": lambda T, x, m, c: x.add(None),
    "x.mul([1, 2])": lambda T, x, m, c: x.mul([1, 2]),
    "x.sub('a')": lambda T, x, m, c: x.sub("a"),
    "x.div(None)": lambda T, x, m, c: x.div(None),
    "x.add(2, alpha=2)": lambda T, x, m, c: x.add(2, alpha=2),
    "x.add(x, alpha='a')": lambda T, x, m, c: x.add(x, alpha="a"),
    "x.pow('a')": lambda T, x, m, c: x.pow("a"),
    "x.remainder('a')": lambda T, x, m, c: x.remainder("a"),
    "x.floor_divide(None)": lambda T, x, m, c: x.floor_divide(None),
    # reductions and dims
    "x.sum('a')": lambda T, x, m, c: x.sum("a"),
    "x.sum(0, 'a')": lambda T, x, m, c: x.sum(0, "a"),
    "x.sum(1.0)": lambda T, x, m, c: x.sum(1.0),
    "x.sum(True)": lambda T, x, m, c: x.sum(True),
    "x.sum(0, 1)": lambda T, x, m, c: x.sum(0, 1),
    "x.sum((0, 'a'))": lambda T, x, m, c: x.sum((0, "a")),
    "x.sum(('a', 0))": lambda T, x, m, c: x.sum(("a", 0)),
    "x.sum(dim=(0, 'a'))": lambda T, x, m, c: x.sum(dim=(0, "a")),
    "x.sum(0, True, 1)": lambda T, x, m, c: x.sum(0, True, 1),
    "x.sum(0, foo=2)": lambda T, x, m, c: x.sum(0, keepdim=True, foo=2),
    "x.sum(keepdim=True)": lambda T, x, m, c: x.sum(keepdim=True),
    "x.mean(keepdim=False)": lambda T, x, m, c: x.mean(keepdim=False),
    "x.mean(0, 'a')": lambda T, x, m, c: x.mean(0, "a"),
    "x.sum((0, True))": lambda T, x, m, c: x.sum((0, True)),
    "x.sum(np.int64(0))": lambda T, x, m, c: x.sum(np.int64(0)),
    "x.amax('a')": lambda T, x, m, c: x.amax("a"),
    "x.amax(0, 'a')": lambda T, x, m, c: x.amax(0, "a"),
    "x.amax(1.0)": lambda T, x, m, c: x.amax(1.0),
    "x.amax(None)": lambda T, x, m, c: x.amax(None),
    "x.argmax('a')": lambda T, x, m, c: x.argmax("a"),
    "x.argmax(0, 'a')": lambda T, x, m, c: x.argmax(0, "a"),
    "x.argmax(1.0)": lambda T, x, m, c: x.argmax(1.0),
    "x.any('a')": lambda T, x, m, c: x.any("a"),
    "x.all(0, 'a')": lambda T, x, m, c: x.all(0, "a"),
    "x.clamp('a')": lambda T, x, m, c: x.clamp("a"),
    "x.clamp(0, 'a')": lambda T, x, m, c: x.clamp(0, "a"),
    "x.clamp_min('a')": lambda T, x, m, c: x.clamp_min("a"),
    "x.clamp_min(None)": lambda T, x, m, c: x.clamp_min(None),
    "x.clamp(min=x, max=1)": lambda T, x, m, c: x.clamp(min=x, max=1),
    "x.clamp()": lambda T, x, m, c: x.clamp(),
    "x.clamp_min()": lambda T, x, m, c: x.clamp_min(),
    # shape methods
    "m.transpose(0, 'a')": lambda T, x, m, c: m.transpose(0, "a"),
    "m.transpose(0, 1.0)": lambda T, x, m, c: m.transpose(0, 1.0),
    "m.transpose(0, dim1=1)": lambda T, x, m, c: m.transpose(0, dim1=1),
    "m.permute('a')": lambda T, x, m, c: m.permute("a"),
    "m.permute(0, 1.0)": lambda T, x, m, c: m.permute(0, 1.0),
    "m.permute(None)": lambda T, x, m, c: m.permute(None),
    "m.permute((0, 1.5))": lambda T, x, m, c: m.permute((0, 1.5)),
    "x.unsqueeze('a')": lambda T, x, m, c: x.unsqueeze("a"),
    "x.unsqueeze(None)": lambda T, x, m, c: x.unsqueeze(None),
    "x.unsqueeze(1.0)": lambda T, x, m, c: x.unsqueeze(1.0),
    "x.unsqueeze(True)": lambda T, x, m, c: x.unsqueeze(True),
    "x.unsqueeze(np.float64(0))": lambda T, x, m, c: x.unsqueeze(np.float64(0)),
    "x.squeeze('a')": lambda T, x, m, c: x.squeeze("a"),
    "x.squeeze(1.0)": lambda T, x, m, c: x.squeeze(1.0),
    "x.flatten('a')": lambda T, x, m, c: x.flatten("a"),
    "x.flatten(0, None)": lambda T, x, m, c: x.flatten(0, None),
    "m.reshape('a')": lambda T, x, m, c: m.reshape("a"),
    "m.reshape(4.0)": lambda T, x, m, c: m.reshape(4.0),
    "m.reshape(None)": lambda T, x, m, c: m.reshape(None),
    "m.reshape(2, 'a')": lambda T, x, m, c: m.reshape(2, "a"),
    "m.reshape('a', 2)": lambda T, x, m, c: m.reshape("a", 2),
    "m.reshape(('a', 2))": lambda T, x, m, c: m.reshape(("a", 2)),
    "m.reshape((2, 'a'))": lambda T, x, m, c: m.reshape((2, "a")),
    "m.view('a')": lambda T, x, m, c: m.view("a"),
    "m.view(4.0)": lambda T, x, m, c: m.view(4.0),
    "m.view(('a', 2))": lambda T, x, m, c: m.view(("a", 2)),
    "m.view(2, 'a')": lambda T, x, m, c: m.view(2, "a"),
    "x.expand('a')": lambda T, x, m, c: x.expand("a"),
    "x.expand(2.0, 2)": lambda T, x, m, c: x.expand(2.0, 2),
    "x.expand(None)": lambda T, x, m, c: x.expand(None),
    # methods without arguments, and the conversions
    "x.sin(1)": lambda T, x, m, c: x.sin(1),
    "x.sin(a=1)": lambda T, x, m, c: x.sin(a=1),
    "x.t(1)": lambda T, x, m, c: x.t(1),
    "x.neg(1)": lambda T, x, m, c: x.neg(1),
    "x.logical_not(1)": lambda T, x, m, c: x.logical_not(1),
    "x.isnan(1)": lambda T, x, m, c: x.isnan(1),
    "x.clone(1)": lambda T, x, m, c: x.clone(1),
    "x.float(1)": lambda T, x, m, c: x.float(1),
    "x.bool(1)": lambda T, x, m, c: x.bool(1),
    "x.dot(x, x)": lambda T, x, m, c: x.dot(x, x),
    "x.outer(x, x)": lambda T, x, m, c: x.outer(x, x),
    "x.isclose(x, x, x, x, x)": lambda T, x, m, c: x.isclose(x, x, x, x, x),
    "m.max(0, True, 1)": lambda T, x, m, c: m.max(0, True, 1),
    "max(m, 0, 1, 2)": lambda T, x, m, c: T.max(m, 0, 1, 2),
    "max(m, 1, True, foo=1)": lambda T, x, m, c: m.max(1, True, foo=1),
}

# max/min forms (the 28 of /tmp/t6.txt and more)
MAX_MIN = {
    "m.max(keepdim=True)": lambda T, x, m, c: m.max(keepdim=True),
    "m.min(None)": lambda T, x, m, c: m.min(None),
    "m.max(dim=None)": lambda T, x, m, c: m.max(dim=None),
    "max(m, keepdim=True)": lambda T, x, m, c: T.max(m, keepdim=True),
    "m.max(None, True)": lambda T, x, m, c: m.max(None, True),
    "min(m, None)": lambda T, x, m, c: T.min(m, None),
    "m.max((0, 1))": lambda T, x, m, c: m.max((0, 1)),
    "m.max((0,))": lambda T, x, m, c: m.max((0,)),
    "m.min([0])": lambda T, x, m, c: m.min([0]),
    "m.max(())": lambda T, x, m, c: m.max(()),
    "m.max(dim=(0,), keepdim=True)": lambda T, x, m, c: m.max(dim=(0,), keepdim=True),
    "m.max(dim=(0,))": lambda T, x, m, c: m.max(dim=(0,)),
    "max(m, (0,))": lambda T, x, m, c: T.max(m, (0,)),
    "max(m, dim=(0,), keepdim=True)": lambda T, x, m, c: T.max(m, dim=(0,), keepdim=True),
    "m.max(1.0)": lambda T, x, m, c: m.max(1.0),
    "m.max(dim=1.0)": lambda T, x, m, c: m.max(dim=1.0),
    "m.max(0, 1.0)": lambda T, x, m, c: m.max(0, 1.0),
    "m.max(0, keepdim=None)": lambda T, x, m, c: m.max(0, keepdim=None),
    "m.max(True)": lambda T, x, m, c: m.max(True),
    "m.max(0, 1)": lambda T, x, m, c: m.max(0, 1),
    "m.max(0, np.bool_(True))": lambda T, x, m, c: m.max(0, np.bool_(True)),
    "m.max('a')": lambda T, x, m, c: m.max("a"),
    "m.min(dim=[0], keepdim=True)": lambda T, x, m, c: m.min(dim=[0], keepdim=True),
    "min(m, dim=(0,))": lambda T, x, m, c: T.min(m, dim=(0,)),
    "m.max(m)": lambda T, x, m, c: m.max(m),
    "m.max(0)": lambda T, x, m, c: m.max(0),
    "m.max(0, keepdim=True)": lambda T, x, m, c: m.max(0, keepdim=True),
    "m.max(m, True)": lambda T, x, m, c: m.max(m, True),
    "max(m, m)": lambda T, x, m, c: T.max(m, m),
    "max(m, m, True)": lambda T, x, m, c: T.max(m, m, True),
    "max()": lambda T, x, m, c: T.max(),
    "m.max(1, True, foo=1)": lambda T, x, m, c: m.max(1, True, foo=1),
    "max(input=m, dim=0)": lambda T, x, m, c: T.max(input=m, dim=0),
}

# torch's grammar: "missing 1 required positional arguments", "missing 2 ... argument"
MISSING = {
    "x.softmax()": lambda T, x, m, c: x.softmax(),
    "softmax(x)": lambda T, x, m, c: T.softmax(x),
    "softmax()": lambda T, x, m, c: T.softmax(),
    "x.log_softmax()": lambda T, x, m, c: x.log_softmax(),
    "m.transpose(0)": lambda T, x, m, c: m.transpose(0),
    "m.transpose()": lambda T, x, m, c: m.transpose(),
    "m.transpose(dim0=0)": lambda T, x, m, c: m.transpose(dim0=0),
    "transpose(m, 0)": lambda T, x, m, c: T.transpose(m, 0),
    "m.permute()": lambda T, x, m, c: m.permute(),
    "permute(m)": lambda T, x, m, c: T.permute(m),
    "x.unsqueeze()": lambda T, x, m, c: x.unsqueeze(),
    "unsqueeze(x)": lambda T, x, m, c: T.unsqueeze(x),
    "x.expand()": lambda T, x, m, c: x.expand(),
    "m.view()": lambda T, x, m, c: m.view(),
    "m.reshape()": lambda T, x, m, c: m.reshape(),
    "reshape(m)": lambda T, x, m, c: T.reshape(m),
    "x.dot()": lambda T, x, m, c: x.dot(),
    "dot(x)": lambda T, x, m, c: T.dot(x),
    "m.mm()": lambda T, x, m, c: m.mm(),
    "x.maximum()": lambda T, x, m, c: x.maximum(),
    "x.clamp_min()": lambda T, x, m, c: x.clamp_min(),
    "where()": lambda T, x, m, c: T.where(),
    "x.add()": lambda T, x, m, c: x.add(),
    "x.div()": lambda T, x, m, c: x.div(),
    "x.add(1, 2, 3)": lambda T, x, m, c: x.add(1, 2, 3),
    "x.isclose()": lambda T, x, m, c: x.isclose(),
    "x.type_as()": lambda T, x, m, c: x.type_as(),
    "x.t(0)": lambda T, x, m, c: x.t(0),
    "sum()": lambda T, x, m, c: T.sum(),
}


@pytest.mark.parametrize("name", list(CASES) + list(MAX_MIN) + list(MISSING))
def test_argument_errors_are_torchs(name):
    call = CASES.get(name) or MAX_MIN.get(name) or MISSING[name]
    assert outcome(call, engine) == outcome(call, torch)


# engine's module functions are engine.functions' checked forms, where is torch_where.
NAMESPACE_FUNCTIONS = ("dot", "sum", "mean", "exp", "log", "clip", "add", "where", *NUMBER_FIRST)


@pytest.mark.parametrize("name", NAMESPACE_FUNCTIONS)
def test_namespace_functions_are_the_checked_ones(name):
    checked = torch_where if name == "where" else getattr(functions, name)
    assert getattr(engine, name) is checked


def _abs_gradients(T, create_third: bool):
    from tests.engine.grad_graph import grad_fn_names

    x = T.tensor([-1.0, 2.0, 0.0], requires_grad=True)
    (g,) = T.autograd.grad(x.abs().sum(), x, create_graph=True)
    (g2,) = T.autograd.grad((g * x).sum(), x, create_graph=create_third)
    return grad_fn_names(g), g.tolist(), g2.tolist(), create_third and grad_fn_names(g2)


@pytest.mark.parametrize("create_third", [False, True])
def test_abs_second_derivative_graph_uses_sgn(create_third):
    """torch's abs backward is grad * sgn(x): SgnBackward0 in a recorded first derivative."""
    assert _abs_gradients(engine, create_third) == _abs_gradients(torch, create_third)


# Calls of the same argument types one after the other: an accepted call is remembered by its
# argument types (engine.arguments.call_key), so the refused ones after it must still be refused.
REMEMBERED = [
    lambda T, x, m, c: m.sum((0, 1)),
    lambda T, x, m, c: m.sum((0, 1.5)),
    lambda T, x, m, c: m.sum((0, "a")),
    lambda T, x, m, c: m.sum((True, 1)),
    lambda T, x, m, c: m.sum([0, 1]),
    lambda T, x, m, c: m.sum([0, None]),
    lambda T, x, m, c: m.sum(m.shape),
    lambda T, x, m, c: m.sum((np.int64(0),)),
    lambda T, x, m, c: m.sum((T.tensor(0),)),
    lambda T, x, m, c: m.sum((T.tensor(0.0),)),
    lambda T, x, m, c: m.sum((T.tensor([0]),)),
    lambda T, x, m, c: m.sum(()),
    lambda T, x, m, c: m.sum((0, 1), True),
    lambda T, x, m, c: m.sum((0, 1.0), True),
    lambda T, x, m, c: m.sum(0, True),
    lambda T, x, m, c: m.sum(0, 1),
    lambda T, x, m, c: m.sum(T.tensor(0)),
    lambda T, x, m, c: m.sum(T.tensor(0.0)),
    lambda T, x, m, c: m.reshape(4),
    lambda T, x, m, c: m.reshape(4, 1),
    lambda T, x, m, c: m.reshape(4, 1.0),
    lambda T, x, m, c: m.reshape(4, 1, 1),
    lambda T, x, m, c: m.reshape(4, 1, 1.0),
    lambda T, x, m, c: m.reshape((4, 1)),
    lambda T, x, m, c: m.reshape([4, 1.0]),
    lambda T, x, m, c: m.reshape(T.tensor(4), 1),
    lambda T, x, m, c: x.clamp(0, 1),
    lambda T, x, m, c: x.clamp(0, x),
    lambda T, x, m, c: x.clamp(x, 1),
    lambda T, x, m, c: x.add(T.tensor(1.0)),
    lambda T, x, m, c: x.add(T.tensor(1.0, requires_grad=True)),
    lambda T, x, m, c: T.dot(x, x),
    lambda T, x, m, c: T.dot(x, 1),
    lambda T, x, m, c: T.sum(m, (0, 1)),
    lambda T, x, m, c: T.sum(m, (0, "a")),
    lambda T, x, m, c: T.max(m, 0, True),
    lambda T, x, m, c: T.max(m, 0, 1.0),
]


def test_remembered_calls_do_not_let_others_through():
    assert [outcome(call, engine) for call in REMEMBERED] == [
        outcome(call, torch) for call in REMEMBERED
    ]
