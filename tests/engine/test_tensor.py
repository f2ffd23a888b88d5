"""Tensor front end: attributes, conversions, factories, promotion and torch's error texts."""

from __future__ import annotations

import numpy as np
import pytest

import engine as torch


def test_shape_and_type_members():
    a = torch.ones(2, 3)
    assert a.shape == (2, 3) and repr(a.shape) == "torch.Size([2, 3])"
    assert a.size() == (2, 3) and a.size(1) == 3 and a.size(-1) == 3
    assert a.dim() == a.ndim == 2 and a.numel() == 6
    assert repr(a.dtype) == "torch.float32" and torch.float is torch.float32
    assert repr(torch.tensor(1.0).shape) == "torch.Size([])"
    assert len(a) == 2 and [r.tolist() for r in a] == [[1.0] * 3] * 2


@pytest.mark.parametrize(
    ("make", "text"),
    [
        (lambda: torch.tensor(1), "tensor(1)"),
        (lambda: torch.tensor([1, 2.0]), "tensor([1., 2.])"),
        (lambda: torch.tensor([True, 1]), "tensor([1, 1])"),
        (lambda: torch.tensor([True, False]), "tensor([ True, False])"),
        (lambda: torch.tensor(np.array([1.0, 2.0])), "tensor([1., 2.], dtype=torch.float64)"),
        (lambda: torch.arange(4), "tensor([0, 1, 2, 3])"),
        (
            lambda: torch.arange(1, 4, 0.5),
            "tensor([1.0000, 1.5000, 2.0000, 2.5000, 3.0000, 3.5000])",
        ),
        (lambda: torch.zeros(3, dtype=torch.int64), "tensor([0, 0, 0])"),
        (lambda: torch.full((2,), True), "tensor([True, True])"),
        (lambda: torch.full((), 2.0), "tensor(2.)"),
        (lambda: torch.ones_like(torch.arange(4)), "tensor([1, 1, 1, 1])"),
        (lambda: torch.arange(4) * 2.5, "tensor([0.0000, 2.5000, 5.0000, 7.5000])"),
        (lambda: torch.arange(4) / 2, "tensor([0.0000, 0.5000, 1.0000, 1.5000])"),
        (lambda: torch.arange(4) ** 2, "tensor([0, 1, 4, 9])"),
        (lambda: 2 ** torch.arange(4), "tensor([1, 2, 4, 8])"),
        (lambda: torch.tensor([True, True]) + torch.tensor([True, False]), "tensor([True, True])"),
        (lambda: torch.ones(2) + torch.tensor(1.0, dtype=torch.float64), "tensor([2., 2.])"),
        (
            lambda: torch.ones(2, dtype=torch.float64) + torch.tensor(1.0),
            "tensor([2., 2.], dtype=torch.float64)",
        ),
        (lambda: torch.arange(2) + torch.tensor(0.5), "tensor([0.5000, 1.5000])"),
        (lambda: torch.arange(4.0) == torch.arange(4), "tensor([True, True, True, True])"),
        (lambda: torch.arange(4).exp()[:2], "tensor([1.0000, 2.7183])"),
        (lambda: torch.arange(3).sum(), "tensor(3)"),
        (lambda: torch.tensor([True, True]).sum(), "tensor(2)"),
        (lambda: torch.ones(2, 3).sum(0), "tensor([2., 2., 2.])"),
        (lambda: torch.ones(2, 3).mean(1, keepdim=True), "tensor([[1.],\n        [1.]])"),
    ],
)
def test_values_and_dtypes(make, text):
    assert repr(make()) == text


def test_conversions_and_format():
    assert f"{torch.tensor(6.0)}" == "6.0"
    assert f"{torch.tensor(0.1)}" == "0.10000000149011612"
    assert f"{torch.tensor(0.1):.3f}" == "0.100"
    assert f"{torch.arange(2)}" == "tensor([0, 1])"
    with pytest.raises(TypeError, match="unsupported format string passed to Tensor.__format__"):
        f"{torch.arange(2):.2f}"
    assert torch.tensor(3).item() == 3 and torch.tensor(0.1).tolist() == 0.10000000149011612
    assert torch.arange(4.0).numpy().dtype == np.float32
    with pytest.raises(TypeError, match="len\\(\\) of a 0-d tensor"):
        len(torch.tensor(1.0))
    with pytest.raises(TypeError, match="iteration over a 0-d tensor"):
        iter(torch.tensor(1.0))


ERRORS = [
    (lambda: torch.arange(6.0).item(), "a Tensor with 6 elements cannot be converted to Scalar"),
    (
        lambda: torch.arange(4.0, requires_grad=True).numpy(),
        "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead.",
    ),
    (
        lambda: torch.tensor([1, 2], requires_grad=True),
        "Only Tensors of floating point and complex dtype can require gradients",
    ),
    (
        lambda: torch.arange(4, requires_grad=True),
        "Only Tensors of floating point and complex dtype can require gradients",
    ),
    (
        lambda: torch.arange(4).requires_grad_(),
        "only Tensors of floating point dtype can require gradients",
    ),
    (
        lambda: setattr(torch.arange(4), "requires_grad", True),
        "only Tensors of floating point and complex dtype can require gradients",
    ),
    (
        lambda: torch.ones(2, requires_grad=True).zero_(),
        "a leaf Variable that requires grad is being used in an in-place operation.",
    ),
    (
        lambda: setattr(torch.ones(2, requires_grad=True) * 2, "requires_grad", False),
        "you can only change requires_grad flags of leaf variables. If you want to use a computed "
        "variable in a subgraph that doesn't require differentiation use var_no_grad = "
        "var.detach().",
    ),
    (
        lambda: torch.ones(3) + torch.ones(2),
        "The size of tensor a (3) must match the size of tensor b (2) at non-singleton dimension 0",
    ),
    (
        lambda: torch.dot(torch.ones(3), torch.ones(4)),
        "inconsistent tensor size, expected tensor [3] and src [4] to have the same number of "
        "elements, but got 3 and 4 elements respectively",
    ),
    (
        lambda: torch.dot(torch.ones(2, 2), torch.ones(2, 2)),
        "1D tensors expected, but got 2D and 2D tensors",
    ),
    (
        lambda: torch.dot(torch.ones(2), torch.arange(2)),
        "dot : expected both vectors to have same dtype, but found Float and Long",
    ),
    (lambda: torch.arange(4) ** -1, "Integers to negative integer powers are not allowed."),
    (
        lambda: torch.arange(4).mean(),
        "mean(): could not infer output dtype. Input dtype must be either a floating point or "
        "complex dtype. Got: Long",
    ),
    (lambda: torch.arange(6.0).reshape(4, 2), "shape '[4, 2]' is invalid for input of size 6"),
    (lambda: torch.tensor([[1.0, 2.0], [3.0]]), "expected sequence of length 2 at dim 1 (got 1)"),
    (lambda: torch.tensor("a"), "new(): invalid data type 'str'"),
    (
        lambda: torch.arange(4.0).sum(1),
        "Dimension out of range (expected to be in range of [-1, 0], but got 1)",
    ),
    (lambda: torch.arange(4.0)[4], "index 4 is out of bounds for dimension 0 with size 4"),
]


@pytest.mark.parametrize(("call", "message"), ERRORS)
def test_error_messages(call, message):
    with pytest.raises(Exception) as info:  # noqa: PT011 (the class is checked against torch)
        call()
    assert str(info.value) == message


def test_leaf_rules():
    a = torch.ones(2)
    b = torch.ones(2, requires_grad=True)
    c = b * 2
    d = a * 2
    e = c.detach()
    f = b.detach().requires_grad_()
    assert [t.is_leaf for t in (a, b, c, d, e, f)] == [True, True, False, True, True, True]
    with torch.no_grad():
        g = b * 2
    assert g.is_leaf and not g.requires_grad and g.grad_fn is None
    with torch.no_grad(), torch.enable_grad():
        assert (b * 2).grad_fn.name() == "MulBackward0"
    assert torch.ones_like(b).requires_grad is False


@pytest.mark.parametrize("grad", [True, False])
def test_operator_outputs_are_made_as_wrap_makes_them(grad):
    from engine.tensor import Tensor, wrap

    x = torch.ones(3, requires_grad=grad)
    w = torch.full((3,), 2.0, requires_grad=True)
    for out in (x + w, x - w, x * w, x / w):
        made = wrap(out.array, out.dtype)
        for name in Tensor.__slots__:
            if name not in ("__weakref__", "uid", "_fn", "_rg"):
                assert getattr(out, name) is getattr(made, name), name
        assert out.uid > w.uid
        x_node = _accumulator(x) if grad else None
        assert out.grad_fn.next_functions == ((x_node, 0), (_accumulator(w), 0))


def _accumulator(leaf):
    return (leaf * 1).grad_fn.next_functions[0][0]


def test_grad_mode_nesting_and_plain_call():
    assert torch.is_grad_enabled()
    with torch.set_grad_enabled(False):
        assert not torch.is_grad_enabled()
    assert torch.is_grad_enabled()
    mode = torch.set_grad_enabled(False)
    assert not torch.is_grad_enabled()
    assert repr(mode) == "torch.autograd.grad_mode.set_grad_enabled(mode=False)"
    torch.set_grad_enabled(True)

    @torch.no_grad()
    def double(t):
        return t * 2

    assert double(torch.ones(1, requires_grad=True)).grad_fn is None


def test_detach_shares_values_and_version():
    x = torch.arange(4.0, requires_grad=True)
    y = x * 2
    d = y.detach()
    assert d.detached_from is y and d.array is y.array
    d.zero_()
    assert y._version == 1 and y.tolist() == [0.0] * 4
    assert y.detach_() is y and y.grad_fn is None and not y.requires_grad


def test_non_leaf_grad_warns():
    y = torch.ones(2, requires_grad=True) * 2
    with pytest.warns(UserWarning, match="is not a leaf Tensor is being accessed"):
        assert y.grad is None


@pytest.mark.parametrize(
    "expr",
    [
        "x+w",
        "x+1",
        "1+x",
        "x-1",
        "1-x",
        "x*2",
        "2*x",
        "x/2",
        "2/x",
        "x**2",
        "2**x",
        "-x",
        "x.sum()",
        "x.mean()",
        "x.exp()",
        "x.log()",
        "torch.dot(x,w)",
        "x.sum(0)",
        "x*x*x",
    ],
)
def test_grad_fn_names_match_torch(expr):
    real = pytest.importorskip("torch")
    names = []
    for lib in (torch, real):
        x = lib.arange(1.0, 5.0, requires_grad=True)
        w = lib.ones(4, requires_grad=True)
        y = eval(expr, {"torch": lib, "x": x, "w": w})  # test-only: the same text for both
        fn = y.grad_fn
        names.append(
            (fn.name(), [(type(n).__name__ if n else None, i) for n, i in fn.next_functions])
        )
    assert names[0] == names[1]
