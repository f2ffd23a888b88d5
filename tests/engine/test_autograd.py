"""The backward engine: accumulation, freeing, root checks, broadcasting, order, depth."""

from __future__ import annotations

import gc

import numpy as np
import pytest

import engine as torch
from engine.autograd import backward_steps

FREED = (
    "Trying to backward through the graph a second time (or directly access saved tensors after "
    "they have already been freed). Saved intermediate values of the graph are freed when you "
    "call .backward() or autograd.grad(). Specify retain_graph=True if you need to backward "
    "through the graph a second time or if you need to access saved tensors after calling "
    "backward."
)


def test_accumulates_into_the_same_object():
    x = torch.ones(3, requires_grad=True)
    (x * 2).sum().backward()
    g = x.grad
    (x * 2).sum().backward()
    assert g is x.grad and g.tolist() == [4.0] * 3
    assert g.zero_() is g and x.grad.tolist() == [0.0] * 3
    x.grad = None
    (x * 2).sum().backward()
    assert x.grad is not g and g.tolist() == [0.0] * 3


def test_second_backward_only_fails_where_something_was_saved():
    x = torch.arange(4.0, requires_grad=True)
    y = x.sum()
    y.backward()
    y.backward()
    assert x.grad.tolist() == [2.0] * 4
    z = (x * x).sum()
    z.backward()
    with pytest.raises(RuntimeError) as info:
        z.backward()
    assert str(info.value) == FREED
    r = (x * x).sum()
    r.backward(retain_graph=True)
    x.grad = None
    r.backward()
    assert x.grad.tolist() == [0.0, 2.0, 4.0, 6.0]


def test_root_errors():
    x = torch.arange(4.0, requires_grad=True)
    with pytest.raises(
        RuntimeError, match="^grad can be implicitly created only for scalar outputs$"
    ):
        (x * 2).backward()
    with pytest.raises(RuntimeError) as info:
        (x * 2).backward(torch.ones(3))
    assert str(info.value) == (
        "Mismatch in shape: grad_output[0] has a shape of torch.Size([3]) and output[0] has a "
        "shape of torch.Size([4])."
    )
    with pytest.raises(RuntimeError) as info:
        x.sum().backward(torch.ones(4))
    assert "torch.Size([4]) and output[0] has a shape of torch.Size([])." in str(info.value)
    with pytest.raises(RuntimeError) as info:
        torch.ones(2).sum().backward()
    assert (
        str(info.value) == "element 0 of tensors does not require grad and does not have a grad_fn"
    )
    with pytest.raises(TypeError, match="^gradients can be either Tensors or None, but got float$"):
        (x * 2).backward([1.0, 0.0, 2.0, 0.5])


def test_vector_jacobian_product_and_dtype_conversion():
    x = torch.arange(4.0, requires_grad=True)
    (x * x).backward(torch.tensor([1.0, 0.0, 2.0, 0.5], dtype=torch.float64))
    assert x.grad.tolist() == [0.0, 0.0, 8.0, 3.0] and x.grad.dtype is torch.float32


def test_broadcast_gradients_sum_back():
    a = torch.ones(2, 3, requires_grad=True)
    b = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    c = torch.tensor(2.0, requires_grad=True)
    d = torch.ones(2, 1, requires_grad=True)
    (a * b * c * d).sum().backward()
    assert a.grad.tolist() == [[2.0, 4.0, 6.0]] * 2
    assert b.grad.tolist() == [4.0] * 3 and c.grad.tolist() == 12.0
    assert d.grad.tolist() == [[12.0], [12.0]]


def test_seed_cell_12_runs_an_unfreed_branch():
    x = torch.arange(4.0, requires_grad=True)
    y = x * x
    (y.detach() * x).sum().backward()
    x.grad.zero_()
    y.sum().backward()
    assert x.grad.tolist() == [0.0, 2.0, 4.0, 6.0]


def test_create_graph_gives_second_derivatives():
    x = torch.tensor(3.0, requires_grad=True)
    torch.once.forget()  # torch warns once per process; an earlier test may have used it up
    with pytest.warns(UserWarning, match="create a reference cycle"):
        (x**3).backward(create_graph=True)
    g = x.grad
    assert g.item() == 27.0 and g.grad_fn is not None
    x.grad = None
    g.backward()
    assert x.grad.item() == 18.0


def _order(lib, build):
    """The order leaves are accumulated in, via post-accumulate hooks (torch) or steps (engine)."""
    leaves = [lib.ones(2, requires_grad=True) for _ in range(4)]
    root = build(*leaves).sum()
    if lib is torch:
        ids = [id(leaf) for leaf in leaves]
        return [
            ids.index(id(st.variable)) for st in backward_steps(root) if st.variable is not None
        ]
    seen = []
    for i, leaf in enumerate(leaves):
        leaf.register_post_accumulate_grad_hook(lambda t, i=i: seen.append(i))
    root.backward()
    return seen


@pytest.mark.parametrize(
    "build",
    [
        lambda a, b, c, d: (a * b) * (c * d),
        lambda a, b, c, d: a * b * c * d,
        lambda a, b, c, d: a + b + c + d,
        lambda a, b, c, d: (a * 2) * (a * 3) + a * b + c.exp() * d,
    ],
)
def test_execution_order_matches_torch(build):
    real = pytest.importorskip("torch")
    assert _order(torch, build) == _order(real, build)


def test_values_match_torch():
    real = pytest.importorskip("torch")
    results = []
    for lib in (torch, real):
        x = lib.tensor([0.5, 1.0, 2.0], requires_grad=True)
        w = lib.tensor([[1.0], [-2.0]], requires_grad=True)
        y = ((x * w - 1 / x) ** 2 + (2**x) * x.log() - x.exp() / 3).mean(0)
        z = lib.dot(y, x) + (x - w).sum() + (1 - x).mean()
        z.backward()
        results.append([t.detach().numpy().copy() for t in (z, x.grad, w.grad)])
    for mine, theirs in zip(*results, strict=True):
        np.testing.assert_allclose(mine, theirs, rtol=1e-5)


def test_deep_chain_forward_backward_and_free():
    x = torch.ones(2, requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y * 1.0
    y.sum().backward()
    assert x.grad.tolist() == [1.0, 1.0]
    del y  # a 100,000-node chain must be deallocated without recursing into a crash
    z = x
    for _ in range(100_000):
        z = z + 1.0
    del z
    gc.collect()
