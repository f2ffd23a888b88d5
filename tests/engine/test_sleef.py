"""engine.sleef and engine.libm against torch and glibc: Sleef's float32 exp and log and glibc's
expf bit for bit, and the float32 ops whose CPU kernels use them (sigmoid: Sleef in the vector
loop, glibc in the scalar one), element for element in every layout.

torch.exp and torch.log themselves call MKL's vmsExp / vmsLn (closed source) on this build, so
the Sleef ports are checked through torch ops that use them: sigmoid's vector loop is
`1 / (1 + Sleef_expf8_u10(-x))`, log_sigmoid is `min(x, 0) - Sleef_log1pf8_u10(exp(-|x|))`,
log_softmax takes Sleef_logf8_u10 of its row sums.
"""

import ctypes
import ctypes.util

import numpy as np
import pytest

import engine
from engine import libm, sleef, softmax_kernels
from engine.backends import NUMPY

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(46)


def bits(a) -> np.ndarray:
    """The float32 bit patterns of `a`."""
    return np.asarray(a, np.float32).view(np.uint32)


def all_floats(n: int) -> np.ndarray:
    """n float32 values with uniformly random bit patterns (every exponent, nan, inf)."""
    return RNG.integers(0, 2**32, n, dtype=np.uint64).astype(np.uint32).view(np.float32)


SPECIALS = np.array(
    [0.0, -0.0, np.inf, -np.inf, np.nan, 1e-45, -1e-45, 1.17549435e-38, 3.4028235e38, -3.4028235e38]
    + [88.72, 88.73, 100.0, 100.01, -103.9, -104.0, -104.01, 1.0, -1.0, 0.5, 2.0, 1e-30, 1e30],
    np.float32,
)


def sleef_sigmoid(x: np.ndarray) -> np.ndarray:
    """sigmoid's vector loop with engine.sleef.expf."""
    one = np.float32(1)
    return one / (one + sleef.expf(-x))


@pytest.mark.parametrize("scale", [0.1, 1.0, 5.0, 30.0, 90.0])
def test_sleef_exp_through_sigmoid_vector_loop(scale):
    x = (RNG.standard_normal(1_000_000) * scale).astype(np.float32)  # a multiple of 16 long
    expected = torch.sigmoid(torch.from_numpy(x)).numpy()
    np.testing.assert_array_equal(bits(sleef_sigmoid(x)), bits(expected))


def test_sleef_exp_whole_range_and_specials():
    x = np.concatenate([all_floats(2_000_000), SPECIALS, -SPECIALS])
    x = x[: x.size - x.size % 16]
    expected = torch.sigmoid(torch.from_numpy(x)).numpy()
    np.testing.assert_array_equal(bits(sleef_sigmoid(x)), bits(expected))


LIBM = ctypes.CDLL(ctypes.util.find_library("m"))
LIBM.fmaf.restype = ctypes.c_float
LIBM.fmaf.argtypes = [ctypes.c_float] * 3
for _name in ("expf", "log1pf", "logf"):
    getattr(LIBM, _name).restype = ctypes.c_float
    getattr(LIBM, _name).argtypes = [ctypes.c_float]


@pytest.mark.parametrize(
    "make", [all_floats, lambda n: RNG.standard_normal(n).astype(np.float32) * 30]
)
@pytest.mark.parametrize("name", ["expf", "log1pf", "logf"])
def test_libm_is_glibc(make, name):
    x = np.concatenate([make(100_000), SPECIALS, -SPECIALS, np.float32([-1.5, -0.29, 0.414])])
    expected = np.array([getattr(LIBM, name)(v) for v in x.tolist()], np.float32)
    with np.errstate(all="ignore"):
        got = getattr(libm, name)(x)
    np.testing.assert_array_equal(bits(got), bits(expected))


def near_ties(n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Products of 13-bit mantissas (often exactly halfway between float32s) plus a tiny c,
    where rounding a*b + c through float64 would round twice."""
    a, b = (np.float32(1) + RNG.integers(0, 4096, n).astype(np.float32) / 4096 for _ in "ab")
    c = (RNG.choice([-1, 1], n) * 2.0 ** RNG.integers(-70, -40, n)).astype(np.float32)
    return a, b, c


@pytest.mark.parametrize("make", [lambda n: tuple(all_floats(n) for _ in "abc"), near_ties])
def test_fma_rounds_once_like_fmaf(make):
    a, b, c = make(20_000)
    with np.errstate(all="ignore"):
        got = sleef.fma(a, b, c)
    expected = np.array(
        [LIBM.fmaf(*v) for v in zip(a.tolist(), b.tolist(), c.tolist(), strict=False)], np.float32
    )
    np.testing.assert_array_equal(bits(got), bits(expected))


def layouts() -> list[tuple[str, np.ndarray]]:
    """Arrays whose torch loop splits differently between the vector and the scalar code."""
    cases = [(f"len{n}", RNG.standard_normal(n).astype(np.float32) * 5) for n in range(1, 41)]
    cases += [
        (f"len{n}", RNG.standard_normal(n).astype(np.float32) * 5)
        for n in (32767, 32768, 65551, 100003)
    ]
    cases.append(("0-d", np.float32(RNG.standard_normal() * 5)))
    cases.append(("specials", np.concatenate([SPECIALS, -SPECIALS])))
    return cases


@pytest.mark.parametrize(("name", "x"), layouts(), ids=[c[0] for c in layouts()])
def test_sigmoid_matches_torch(name, x):
    expected = torch.sigmoid(torch.tensor(x)).numpy()
    got = engine.sigmoid(engine.tensor(x)).numpy()
    np.testing.assert_array_equal(bits(got), bits(expected))


VIEWS = {
    "t": lambda t: t.t(),
    "rows2": lambda t: t[::2],
    "cols2": lambda t: t[:, ::2],
    "cut": lambda t: t[:, :-3],
    "expand": lambda t: t[:, :1].expand(-1, t.shape[1]),
}


@pytest.mark.parametrize("shape", [(3, 17), (9, 40), (40, 9), (700, 37), (1500, 48)])
@pytest.mark.parametrize("view", list(VIEWS))
def test_sigmoid_of_views_matches_torch(shape, view):
    x = (RNG.standard_normal(shape) * 5).astype(np.float32)
    expected = torch.sigmoid(VIEWS[view](torch.tensor(x))).numpy()
    got = engine.sigmoid(VIEWS[view](engine.tensor(x))).numpy()
    np.testing.assert_array_equal(bits(got), bits(expected))


def finite_bits(a) -> np.ndarray:
    """Bits of `a` with every nan as one pattern (torch's vec::minimum picks nan payloads)."""
    a = np.array(a, np.float32)
    a[np.isnan(a)] = np.nan
    return bits(a)


@pytest.mark.parametrize(
    "make", [all_floats, lambda n: RNG.standard_normal(n).astype(np.float32) * 20]
)
def test_sleef_log1p_through_log_sigmoid(make):
    x = np.concatenate([make(1_000_000), SPECIALS, -SPECIALS])
    expected = torch.nn.functional.logsigmoid(torch.from_numpy(x)).numpy()
    with np.errstate(all="ignore"):
        got = np.minimum(x, np.float32(0)) - sleef.log1pf(sleef.expf(-np.abs(x)))
    np.testing.assert_array_equal(finite_bits(got), finite_bits(expected))


def forward_backward(module, fn, x: np.ndarray, *rest: np.ndarray):
    """fn's value and the gradient of its sum with respect to x, in `module` (torch or engine)."""
    t = module.tensor(x, requires_grad=True)
    out = fn(module)(t, *(module.tensor(r) for r in rest))
    (out.sum() if out.dim() else out).backward()
    return out.detach().numpy(), t.grad.numpy()


LOSSES = {
    "sigmoid": lambda m: m.sigmoid,
    "softplus": lambda m: m.nn.functional.softplus,
    "softplus_beta": lambda m: lambda t: m.nn.functional.softplus(t, 2.0, 5.0),
    "bce_logits": lambda m: m.nn.functional.binary_cross_entropy_with_logits,
    "bce": lambda m: lambda t, y: m.nn.functional.binary_cross_entropy(t.sigmoid(), y),
    "bce_none": lambda m: (
        lambda t, y: m.nn.functional.binary_cross_entropy(t.sigmoid(), y, reduction="none")
    ),
    "bce_logits_none": lambda m: (
        lambda t, y: m.nn.functional.binary_cross_entropy_with_logits(t, y, reduction="none")
    ),
}


@pytest.mark.parametrize("shape", [(1,), (7,), (16,), (37,), (9, 40), (2000, 10)])
@pytest.mark.parametrize("name", list(LOSSES))
def test_losses_and_gradients_match_torch(shape, name):
    x = (RNG.standard_normal(shape) * 5).astype(np.float32)
    rest = (RNG.random(shape).astype(np.float32),) if "bce" in name else ()
    expected = forward_backward(torch, LOSSES[name], x, *rest)
    got = forward_backward(engine, LOSSES[name], x, *rest)
    for g, e in zip(got, expected, strict=True):
        np.testing.assert_array_equal(bits(g), bits(e))


SOFTMAX_SHAPES = [
    (1,),
    (5, 3),
    (5, 7),
    (5, 8),
    (100, 9),
    (100, 17),
    (40, 100),
    (3, 4, 37),
    (2, 5000),
]


@pytest.mark.parametrize("shape", SOFTMAX_SHAPES)
@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax_lastdim_kernels_match_torch(shape, name):
    x = (RNG.standard_normal(shape) * 4).astype(np.float32)
    expected = getattr(torch, name)(torch.from_numpy(x), -1).numpy()
    got = getattr(softmax_kernels, f"{name}_lastdim")(x)
    np.testing.assert_array_equal(bits(got), bits(expected))


@pytest.mark.parametrize("shape", SOFTMAX_SHAPES)
def test_tensor_softmax_and_cross_entropy_match_torch(shape):
    """The engine's softmax and log_softmax over the last dim use those kernels, so
    cross_entropy (log_softmax, then nll_loss) prints torch's loss."""
    x = (RNG.standard_normal(shape) * 4).astype(np.float32)
    for name in ("softmax", "log_softmax"):
        got = getattr(engine.tensor(x), name)(-1).numpy()
        np.testing.assert_array_equal(bits(got), bits(getattr(torch, name)(torch.tensor(x), -1)))
    rows = x.reshape(-1, shape[-1])
    labels = RNG.integers(0, shape[-1], len(rows))
    ours = engine.nn.functional.cross_entropy(engine.tensor(rows), engine.tensor(labels))
    theirs = torch.nn.functional.cross_entropy(torch.tensor(rows), torch.tensor(labels))
    assert ours.item() == theirs.item()


@pytest.mark.parametrize("shape", SOFTMAX_SHAPES)
@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax_backward_kernels_match_torch(shape, name):
    x = (RNG.standard_normal(shape) * 4).astype(np.float32)
    g = RNG.standard_normal(shape).astype(np.float32)
    t = torch.from_numpy(x).requires_grad_()
    y = getattr(torch, name)(t, -1)
    y.backward(torch.from_numpy(g))
    got = getattr(NUMPY, f"{name}_backward_data")(g, y.detach().numpy(), -1)
    np.testing.assert_array_equal(bits(got), bits(t.grad.numpy()))


OTHER_DIMS = [((7, 5), 0), ((3, 9, 4), 1), ((6, 5, 5), 0), ((40, 3), 0)]


@pytest.mark.parametrize(("shape", "dim"), OTHER_DIMS)
def test_softmax_backward_over_other_dims_matches_torch(shape, dim):
    """Over a dim other than the last, torch's float32 kernel adds g * y with one FMA a step."""
    y = torch.softmax(torch.from_numpy(RNG.standard_normal(shape).astype(np.float32)), dim)
    g = torch.from_numpy(RNG.standard_normal(shape).astype(np.float32))
    expected = torch._softmax_backward_data(g, y, dim, torch.float32).numpy()
    got = NUMPY.softmax_backward_data(g.numpy(), y.numpy(), dim)
    np.testing.assert_array_equal(bits(got), bits(expected))


@pytest.mark.parametrize(("shape", "dim"), [((20, 1000), -1), ((2000, 10), 0), ((30, 40), (0, 1))])
def test_logsumexp_sums_in_torch_order(shape, dim):
    """logsumexp adds its exponentials as at::sum does. (Its exp and log are torch.exp and
    torch.log, MKL's, which the engine rounds correctly instead: about 1% of single values
    differ, and rarely a sum; these seeded cases have none.)"""
    x = (np.random.default_rng(20).standard_normal(shape) * 3).astype(np.float32)
    expected = torch.logsumexp(torch.from_numpy(x), dim).numpy()
    got = engine.logsumexp(engine.tensor(x), dim).numpy()
    np.testing.assert_array_equal(bits(got), bits(expected))
