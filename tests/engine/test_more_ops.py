"""Ops and keyword forms learners' programs use (audit4 item 11), compared with torch itself:
comparisons by name, Tensor.where, logsumexp, norm, prod, cumsum, flip, var/std, roundings,
in-place clamp_/relu_/fill_/copy_, half, mT, device, numpy's axis=/keepdims= names, size=,
the *_like factories, as_tensor and from_numpy.

Each call's result is compared by repr, grad_fn and next_functions, the first gradient of
`result.sum()` (taken with create_graph=True: repr, so its grad_fn too) and the second derivative
(values to 1e-5: its float rounding follows a longer chain); or by exception type and text."""

import re
import warnings

import numpy as np
import pytest

import engine
import engine.nn.functional as engine_f

torch = pytest.importorskip("torch")
torch_f = pytest.importorskip("torch.nn.functional")


def _name(node):
    return None if node is None else type(node).__name__


def _second(T, g, x):
    if not g.requires_grad:
        return None
    (g2,) = T.autograd.grad(g.sum(), x, allow_unused=True)
    try:
        return None if g2 is None else np.asarray(g2.tolist())
    except RuntimeError:  # torch's zero gradient without storage
        return np.zeros(tuple(x.shape))


def summary(call, T):
    """What a call gives under T (engine or torch): its result and gradients, or its error."""
    x = T.tensor([[1.0, -2.0, 3.0], [0.5, 4.0, -1.0]], requires_grad=True)
    try:
        result = call(T, x)
    except Exception as exc:  # noqa: BLE001 (the comparison is the test)
        return (type(exc).__name__, str(exc)), None
    if not isinstance(result, T.Tensor):
        return ("ok", repr(result)), None
    node = result.grad_fn
    nexts = node and [(_name(n), k) for n, k in node.next_functions]
    first = second = None
    if result.requires_grad:
        (g,) = T.autograd.grad(result.sum(), x, create_graph=True, allow_unused=True)
        first = None if g is None else repr(g)
        second = None if g is None else _second(T, g, x)
    return (repr(result), _name(node), nexts, first), second


CASES = {
    "eq": lambda T, x: x.eq(2),
    "ne(x)": lambda T, x: x.ne(x),
    "lt(int tensor)": lambda T, x: x.lt(T.tensor(1)),
    "le": lambda T, x: x.le(0.5),
    "gt": lambda T, x: x.gt(-1),
    "ge": lambda T, x: x.ge(0.5),
    "torch.eq": lambda T, x: T.eq(x, 4.0),
    "torch.gt(x, x)": lambda T, x: T.gt(x, x * 0),
    "eq().all()": lambda T, x: x.eq(x).all(),
    "eq('a')": lambda T, x: x.eq("a"),
    "eq()": lambda T, x: x.eq(),
    "torch.eq(x)": lambda T, x: T.eq(x),
    "where(cond, tensor)": lambda T, x: x.where(x > 0, T.tensor(0.0)),
    "where(cond, number)": lambda T, x: x.where(x > 0, -1.0),
    "where(cond)": lambda T, x: x.where(x > 0),
    "logsumexp(1)": lambda T, x: x.logsumexp(1),
    "logsumexp(0)": lambda T, x: x.logsumexp(0),
    "logsumexp((0, 1), keepdim)": lambda T, x: T.logsumexp(x, (0, 1), keepdim=True),
    "logsumexp(-1) of inf": lambda T, x: (x * T.tensor([1.0, float("inf"), 1.0])).logsumexp(-1),
    "logsumexp(int)": lambda T, x: T.tensor([1, 2]).logsumexp(0),
    "logsumexp()": lambda T, x: x.logsumexp(),
    "logsumexp('a')": lambda T, x: x.logsumexp("a"),
    "norm()": lambda T, x: x.norm(),
    "norm(p=1)": lambda T, x: x.norm(p=1),
    "norm(dim=1)": lambda T, x: x.norm(dim=1),
    "norm(3, 0, keepdim)": lambda T, x: x.norm(3, dim=0, keepdim=True),
    "norm(inf)": lambda T, x: x.norm(float("inf")),
    "norm(-inf)": lambda T, x: x.norm(float("-inf"), 1),
    "norm(0.5)": lambda T, x: x.norm(0.5),
    "norm(1.5)": lambda T, x: x.norm(1.5),
    "norm(0)": lambda T, x: x.norm(0),
    "norm(keepdim)": lambda T, x: x.norm(keepdim=True),
    "torch.norm(x, 'fro')": lambda T, x: T.norm(x, "fro"),
    "norm of zeros": lambda T, x: (x * 0).norm(),
    "norm('a')": lambda T, x: x.norm("a"),
    "norm(int)": lambda T, x: T.tensor([3, 4]).norm(),
    "norm(1, 2, 3, 4, 5)": lambda T, x: x.norm(1, 2, 3, 4, 5),
    "prod()": lambda T, x: x.prod(),
    "prod(1)": lambda T, x: x.prod(1),
    "prod(0, True)": lambda T, x: T.prod(x, 0, True),
    "prod(int)": lambda T, x: T.tensor([[2, 3], [4, 5]]).prod(1),
    "prod(dtype)": lambda T, x: x.prod(dtype=T.float64),
    "prod(1.5)": lambda T, x: x.prod(1.5),
    "cumsum(0)": lambda T, x: x.cumsum(0),
    "cumsum(-1)": lambda T, x: T.cumsum(x, dim=-1),
    "cumsum(bool)": lambda T, x: (x > 0).cumsum(1),
    "cumsum()": lambda T, x: x.cumsum(),
    "cumsum(dtype=bad)": lambda T, x: x.cumsum(0, dtype=3),
    "flip(0)": lambda T, x: x.flip(0),
    "flip(0, 1)": lambda T, x: x.flip(0, 1),
    "torch.flip(x, (1,))": lambda T, x: T.flip(x, (1,)),
    "std()": lambda T, x: x.std(),
    "var(1)": lambda T, x: x.var(1),
    "std(dim=0, correction=0)": lambda T, x: x.std(dim=0, correction=0),
    "var(unbiased=False)": lambda T, x: x.var(unbiased=False),
    "var(False)": lambda T, x: x.var(False),
    "std(1, keepdim=True)": lambda T, x: T.std(x, 1, keepdim=True),
    "std(int)": lambda T, x: T.tensor([1, 2]).std(),
    "var('a')": lambda T, x: x.var("a"),
    "round()": lambda T, x: (x * 1.5).round(),
    "round(decimals=2)": lambda T, x: (x / 3).round(decimals=2),
    "round(decimals=-1)": lambda T, x: (x * 7).round(decimals=-1),
    "floor()": lambda T, x: (x * 1.5).floor(),
    "ceil()": lambda T, x: T.ceil(x * 1.5),
    "floor(int)": lambda T, x: T.tensor([1, -2]).floor(),
    "round(bool)": lambda T, x: (x > 0).round(),
    "round(int, decimals)": lambda T, x: T.tensor([1, 2]).round(decimals=1),
    "round('a')": lambda T, x: x.round("a"),
    "sum(axis=0)": lambda T, x: x.sum(axis=0),
    "mean(axis=1, keepdims)": lambda T, x: x.mean(axis=1, keepdims=True),
    "torch.sum(x, axis=(0, 1))": lambda T, x: T.sum(x, axis=(0, 1)),
    "sum(axis, dim)": lambda T, x: x.sum(axis=0, dim=0),
    "amax(axis=0)": lambda T, x: x.amax(axis=0),
    "exp(axis=0)": lambda T, x: x.exp(axis=0),
    "half()": lambda T, x: x.half(),
    "half(1)": lambda T, x: x.half(1),
    "mT": lambda T, x: x.mT,
    "mT of 1-D": lambda T, x: x[0].mT,
    "mT of 3-D": lambda T, x: x.reshape(1, 2, 3).mT,
}


@pytest.mark.parametrize("name", CASES)
def test_like_torch(name):
    call = CASES[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours, our_second = summary(call, engine)
        theirs, their_second = summary(call, torch)
    assert ours == theirs
    if their_second is None:
        assert our_second is None or not our_second.any()
    else:
        np.testing.assert_allclose(our_second, their_second, rtol=1e-5, atol=1e-5)


def _in_place(T, x, method, *args):
    """`method` applied in place to a non-leaf copy of `x`, with its version change."""
    y = x * 1
    before = y._version
    result = getattr(y, method)(*args)
    return result, result is y, y._version - before


IN_PLACE = {
    "clamp_(0)": lambda T, x: _in_place(T, x, "clamp_", 0),
    "clamp_(-1, 1)": lambda T, x: _in_place(T, x, "clamp_", -1, 1),
    "clamp_(tensor)": lambda T, x: _in_place(T, x, "clamp_", T.tensor(0.0)),
    "clamp_()": lambda T, x: _in_place(T, x, "clamp_"),
    "clamp_ of a leaf": lambda T, x: x.clamp_(0),
    "clamp_ int by float": lambda T, x: T.tensor([1, 2]).clamp_(0.5),
    "relu_()": lambda T, x: _in_place(T, x, "relu_"),
    "relu_ of a leaf": lambda T, x: x.relu_(),
    "fill_(3)": lambda T, x: _in_place(T, x, "fill_", 3),
    "fill_(0-d tensor)": lambda T, x: _in_place(T, x, "fill_", x[0, 0] * 2),
    "fill_(1-d tensor)": lambda T, x: _in_place(T, x, "fill_", T.ones(2)),
    "fill_('a')": lambda T, x: _in_place(T, x, "fill_", "a"),
    "fill_ of a leaf": lambda T, x: x.fill_(1),
    "copy_(x * 2)": lambda T, x: _in_place(T, x, "copy_", x * 2),
    "copy_(row)": lambda T, x: _in_place(T, x, "copy_", x[0] * 2),
    "copy_(plain)": lambda T, x: _in_place(T, x, "copy_", T.tensor([5.0, 6.0, 7.0])),
    "copy_(int)": lambda T, x: _in_place(T, x, "copy_", T.tensor([1, 2, 3])),
    "copy_ into plain": lambda T, x: (T.zeros(2, 3).copy_(x),),
    "copy_ too big": lambda T, x: _in_place(T, x, "copy_", T.ones(2, 2, 3)),
    "copy_ mismatch": lambda T, x: _in_place(T, x, "copy_", T.ones(2)),
    "copy_(3)": lambda T, x: _in_place(T, x, "copy_", 3),
    "copy_ of a leaf": lambda T, x: x.copy_(x * 2),
}


def in_place_summary(call, T):
    """The in-place op's result, identity, version change, node and gradients; or its error."""
    x = T.tensor([[1.0, -2.0, 3.0], [0.5, 4.0, -1.0]], requires_grad=True)
    try:
        result, *rest = call(T, x)
    except Exception as exc:  # noqa: BLE001
        return type(exc).__name__, str(exc)
    node = result.grad_fn
    nexts = node and [(_name(n), k) for n, k in node.next_functions]
    grad = None
    if result.requires_grad:
        (g,) = T.autograd.grad(result.sum(), x, allow_unused=True)
        grad = repr(g)
    return repr(result), rest, _name(node), nexts, grad


@pytest.mark.parametrize("name", IN_PLACE)
def test_in_place_like_torch(name):
    call = IN_PLACE[name]
    assert in_place_summary(call, engine) == in_place_summary(call, torch)


def test_in_place_changes_views_and_saved_values_are_checked():
    for T in (engine, torch):
        x = T.tensor([1.0, -2.0, 3.0], requires_grad=True)
        y = x * 1
        z = y.exp()  # saves its result y.exp(), not y
        w = y.sin()  # saves y
        y.relu_()
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            w.sum().backward()
        assert z.grad_fn is not None


EXACT = {
    "cumsum(1)": lambda t: t.cumsum(1),
    "cumsum(0)": lambda t: t.cumsum(0),
    "std(1)": lambda t: t.std(1),
    "var(0, correction=0)": lambda t: t.var(0, correction=0),
    "round(decimals=1)": lambda t: t.round(decimals=1),
    "round(decimals=-1)": lambda t: t.round(decimals=-1),
    "floor()": lambda t: t.floor(),
    "ceil()": lambda t: t.ceil(),
    "prod(0)": lambda t: t.prod(0),
    "amax-free norm(inf)": lambda t: t.norm(float("inf"), 1),
}
# Sums in torch's cascade order, which numpy's pairwise sums do not follow (a few ulp apart).
CLOSE = {
    "var()": lambda t: t.var(),
    "logsumexp(1)": lambda t: t.logsumexp(1),
    "norm()": lambda t: t.norm(),
    "norm(1)": lambda t: t.norm(1),
    "norm(3, 0)": lambda t: t.norm(3, 0),
    "norm(0.5)": lambda t: t.norm(0.5),
}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("seed", range(8))
def test_values_of_random_data(seed, dtype):
    """Bit for bit where torch's kernel is plain arithmetic in a fixed order; else to an ulp
    or two."""
    data = np.random.default_rng(seed).normal(size=(3, 5)).astype(dtype) * 3
    ours, theirs = engine.tensor(data), torch.tensor(data)
    for call in EXACT.values():
        np.testing.assert_array_equal(call(ours).numpy(), call(theirs).numpy())
    for call in CLOSE.values():
        rtol = 1e-6 if dtype == "float32" else 1e-14
        np.testing.assert_allclose(call(ours).numpy(), call(theirs).numpy(), rtol=rtol)


def test_random_like_follows_torch_stream():
    for T in (engine, torch):
        T.manual_seed(3)
    x = engine.ones(2, 3)
    assert repr(engine.rand_like(x)) == repr(torch.rand_like(torch.ones(2, 3)))
    assert repr(engine.randn_like(x)) == repr(torch.randn_like(torch.ones(2, 3)))
    assert repr(engine.randn(size=(2,), requires_grad=True)) == repr(
        torch.randn(size=(2,), requires_grad=True)
    )


FACTORIES = {
    "zeros(size=(2, 3))": lambda T: T.zeros(size=(2, 3)),
    "ones(size=())": lambda T: T.ones(size=()),
    "rand(size=[2]).shape": lambda T: T.rand(size=[2]).shape,
    "zeros(2, size=(3,))": lambda T: T.zeros(2, size=(3,)),
    "full_like": lambda T: T.full_like(T.tensor([1, 2]), 2.7),
    "full_like(dtype)": lambda T: T.full_like(T.tensor([1, 2]), 2.7, dtype=T.float64),
    "full_like(requires_grad)": lambda T: T.full_like(T.ones(2), 3, requires_grad=True),
    "full_like('a')": lambda T: T.full_like(T.ones(2), "a"),
    "rand_like(int)": lambda T: T.rand_like(T.tensor([1, 2])),
    "randn_like(int)": lambda T: T.randn_like(T.tensor([1, 2])),
    "as_tensor(list)": lambda T: T.as_tensor([1, 2]),
    "as_tensor(list, float32)": lambda T: T.as_tensor([1, 2], dtype=T.float32),
    "as_tensor(float)": lambda T: T.as_tensor(3.0),
    "as_tensor(tensor, float64)": lambda T: T.as_tensor(T.ones(2, requires_grad=True), T.float64),
    "from_numpy(list)": lambda T: T.from_numpy([1, 2]),
    "from_numpy(0-d)": lambda T: T.from_numpy(np.array(2.5)),
    "device": lambda T: T.ones(1).device,
    "device('cpu')": lambda T: T.device("cpu"),
    "device('cuda:1')": lambda T: T.device("cuda:1"),
    "device('foo')": lambda T: T.device("foo"),
    "str(device('cpu', 0))": lambda T: str(T.device("cpu", 0)),
    "device == device": lambda T: T.ones(1).device == T.device("cpu"),
    "is_cuda": lambda T: T.ones(1).is_cuda,
}


def factory_summary(call, T):
    try:
        return "ok", repr(call(T))
    except Exception as exc:  # noqa: BLE001
        return type(exc).__name__, str(exc)


@pytest.mark.parametrize("name", FACTORIES)
def test_factories_like_torch(name):
    assert factory_summary(FACTORIES[name], engine) == factory_summary(FACTORIES[name], torch)


def test_from_numpy_and_as_tensor_share_memory():
    for T in (engine, torch):
        a = np.arange(3.0)
        t, u = T.from_numpy(a), T.as_tensor(a)
        a[0] = 5
        assert t.tolist() == u.tolist() == [5.0, 1.0, 2.0]
        y = T.ones(2, requires_grad=True)
        assert T.as_tensor(y) is y


def test_var_with_no_degrees_of_freedom_warns_like_torch():
    texts = []
    for T in (engine, torch):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            result = T.tensor([3.0]).std()
        assert repr(result) == "tensor(nan)"
        texts.append(str(caught[0].message).split(" (Triggered internally")[0])
    assert texts[0] == texts[1]


# ---- torch.nn.functional losses and activations (engine.losses) ----

LOSS_TARGETS = [0, 2, 1, 2]
LOSSES = {
    "cross_entropy": lambda T, F, x: F.cross_entropy(x, T.tensor(LOSS_TARGETS)),
    "cross_entropy sum": lambda T, F, x: F.cross_entropy(
        x, T.tensor(LOSS_TARGETS), reduction="sum"
    ),
    "cross_entropy none": lambda T, F, x: F.cross_entropy(
        x, T.tensor(LOSS_TARGETS), reduction="none"
    ),
    "cross_entropy weight": lambda T, F, x: F.cross_entropy(
        x, T.tensor(LOSS_TARGETS), weight=T.tensor([1.0, 2.0, 0.5])
    ),
    "cross_entropy ignored": lambda T, F, x: F.cross_entropy(x, T.tensor([0, -100, 1, 2])),
    "cross_entropy 1-D": lambda T, F, x: F.cross_entropy(x[0], T.tensor(1)),
    "nll_loss": lambda T, F, x: F.nll_loss(x.log_softmax(1), T.tensor(LOSS_TARGETS)),
    "nll_loss ignore_index none": lambda T, F, x: F.nll_loss(
        x, T.tensor(LOSS_TARGETS), ignore_index=2, reduction="none"
    ),
    "nll_loss float target": lambda T, F, x: F.nll_loss(x, T.tensor([0.0, 1.0, 1.0, 0.0])),
    "nll_loss batch mismatch": lambda T, F, x: F.nll_loss(x, T.tensor([0, 1])),
    "nll_loss out of bounds": lambda T, F, x: F.nll_loss(x, T.tensor([0, 5, 1, 0])),
    "nll_loss negative target": lambda T, F, x: F.cross_entropy(x, T.tensor([0, -1, 1, 0])),
    "nll_loss bad reduction": lambda T, F, x: F.nll_loss(x, T.tensor(LOSS_TARGETS), reduction="x"),
    "nll_loss int input": lambda T, F, x: F.nll_loss(x.int(), T.tensor(LOSS_TARGETS)),
    "binary_cross_entropy": lambda T, F, x: F.binary_cross_entropy(x.sigmoid(), T.ones(4, 3) * 0.3),
    "binary_cross_entropy sum": lambda T, F, x: F.binary_cross_entropy(
        x.sigmoid(), (x > 0).float(), reduction="sum"
    ),
    "binary_cross_entropy target grad": lambda T, F, x: F.binary_cross_entropy(
        T.ones(4, 3) * 0.3, x.sigmoid()
    ),
    "binary_cross_entropy out of range": lambda T, F, x: F.binary_cross_entropy(x, x),
    "binary_cross_entropy size": lambda T, F, x: F.binary_cross_entropy(x.sigmoid(), T.ones(4)),
    "binary_cross_entropy long target": lambda T, F, x: F.binary_cross_entropy(
        x.sigmoid(), T.ones(4, 3, dtype=T.long)
    ),
    "bce_with_logits": lambda T, F, x: F.binary_cross_entropy_with_logits(x, (x > 0).float()),
    "bce_with_logits none": lambda T, F, x: F.binary_cross_entropy_with_logits(
        x * 10, T.ones(4, 3) * 0.2, reduction="none"
    ),
    "bce_with_logits size": lambda T, F, x: F.binary_cross_entropy_with_logits(x, T.ones(3)),
    "leaky_relu": lambda T, F, x: F.leaky_relu(x),
    "leaky_relu 0.2": lambda T, F, x: F.leaky_relu(x, 0.2),
    "softplus": lambda T, F, x: F.softplus(x),
    "softplus beta threshold": lambda T, F, x: F.softplus(x * 30, beta=2, threshold=5),
}


def loss_summary(call, T, F):
    """A loss's repr, node, next_functions and the gradient it sends to `x`; or its error."""
    T.manual_seed(0)
    x = T.randn(4, 3, requires_grad=True)
    try:
        result = call(T, F, x)
    except Exception as exc:  # noqa: BLE001
        return type(exc).__name__, str(exc)
    nexts = [(_name(n), k) for n, k in result.grad_fn.next_functions]
    result.sum().backward()
    return repr(result), _name(result.grad_fn), nexts, repr(x.grad)


@pytest.mark.parametrize("name", LOSSES)
def test_losses_like_torch(name):
    call = LOSSES[name]
    assert loss_summary(call, engine, engine_f) == loss_summary(call, torch, torch_f)


@pytest.mark.parametrize("seed", range(6))
def test_nll_loss_sums_in_torch_cascade(seed):
    """nll_loss's value and gradient bit for bit for batches past its 16-term cascade level."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 70))
    data = (rng.normal(size=(n, 5)) * 3).astype(np.float32)
    target, weight = rng.integers(0, 5, size=n), rng.random(5).astype(np.float32)
    results = []
    for T, F in ((engine, engine_f), (torch, torch_f)):
        x = T.tensor(data, requires_grad=True)
        loss = F.nll_loss(x, T.tensor(target), weight=T.tensor(weight))
        loss.backward()
        results.append((loss.item(), x.grad.numpy().copy()))
    assert results[0][0] == results[1][0]
    np.testing.assert_array_equal(results[0][1], results[1][1])


def _expanded_zeros(T):
    return T.zeros(1).expand(3)


def _history(T):
    x = T.ones(3, requires_grad=True)
    return x, x * 1


MEMORY_SHARING = {
    "copy_ of itself, expanded": lambda T: _expanded_zeros(T).copy_(_expanded_zeros(T)),
    "copy_ of itself": lambda T: (lambda e: (e.copy_(e), e._version))(_expanded_zeros(T)),
    "fill_ of an expanded view": lambda T: (lambda b: (b.expand(3).fill_(2), b))(T.zeros(1)),
    "copy_ of an overlapping slice": lambda T: (lambda b: b[1:].copy_(b[:3]))(T.arange(4.0)),
    "copy_ of the same slice": lambda T: (lambda b: b[:2].copy_(b[2:]))(T.arange(4.0)),
    "copy_ of itself with history": lambda T: (
        lambda x, b: (b.copy_(b), b.sum().backward(), x.grad, type(b.grad_fn).__name__)
    )(*_history(T)),
    "fill_ of an expanded view with history, backward": lambda T: (
        lambda x, b: (b[:1].expand(2).fill_(2), b.sum().backward())
    )(*_history(T)),
}


@pytest.mark.parametrize("name", MEMORY_SHARING)
def test_copy_and_fill_on_shared_memory_like_torch(name):
    """copy_ of the same elements does nothing (but records, as torch's autograd does), of
    partly overlapping ones raises; fill_ writes into an expanded view."""

    def outcome(T):
        try:
            return re.sub(r"0x[0-9a-f]+", "0x", repr(MEMORY_SHARING[name](T)))
        except RuntimeError as exc:
            return str(exc)

    assert outcome(engine) == outcome(torch)
