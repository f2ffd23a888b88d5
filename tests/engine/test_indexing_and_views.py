"""Indexing, views, reshape, reduction dims and the Tensor front end, compared with torch."""

import re
import subprocess
import sys
import warnings

import numpy as np
import pytest

import engine

torch = pytest.importorskip("torch")


def chain(fn) -> list:
    """Node names breadth first from `fn` through next_functions."""
    names, todo, seen = [], [fn], set()
    while todo:
        node = todo.pop(0)
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        names.append(node.name())
        todo.extend(n for n, _ in node.next_functions)
    return names


def outcome(lib, code: str, expr: str):
    """What `expr` gives after `code` ran with `torch` bound to `lib`: values, names or error."""
    ns = {"torch": lib, "np": np}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            exec(code, ns)  # the snippets are the test's own literals
            result = eval(expr, ns)
        except Exception as exc:  # noqa: BLE001 (the error itself is compared)
            result = (type(exc).__name__, str(exc))
    texts = [str(w.message).split(" (Triggered internally")[0] for w in caught]
    if isinstance(result, (torch.Tensor, engine.Tensor)):
        fn = result.grad_fn
        result = (repr(result), None if fn is None else chain(fn), result._base is not None)
    return result, texts


def same_as_torch(code: str, expr: str) -> None:
    assert outcome(engine, code, expr) == outcome(torch, code, expr)


GRAPH = "x = torch.tensor([[1., 2.], [3., 4.]], requires_grad=True); y = x * 1"
INDEXES = [
    "None",
    ":, None",
    "..., None",
    "0, None",
    "None, ...",
    "...",
    ":, :",
    ":",
    "0, ...",
    "torch.tensor(0)",
    "True",
    "False",
    "0, 1:",
    "0, 1",
    "1:, 0",
    "1:2, 0:1",
    "[0, 1], 1:",
    "0, [0, 1]",
    "()",
    "..., ...",
    ":, None, 1:",
    "..., :1",
    "None, 0",
    "1:, None",
    "torch.tensor([0, 1])",
    "torch.tensor([True, False])",
    "y > 1",
    "[0]",
    "0, None, 1",
    ":, 0",
    "-1",
    "::2",
    "0:5",
    ":, 0:5",
    ":, -2:",
    ":, 0:2",
    "None, None",
    "True, 0",
    "0, True",
    "0:1, ..., 0",
    "[[0, 1], [1, 0]], [[0], [1]]",
    "[[0, 1]]",
    "[0, slice(None)]",
    "range(2)",
    "range(2), [1, 0]",
    "(0, 1), range(1, -1, -1)",
    "range(0)",
]


@pytest.mark.parametrize("index", INDEXES)
def test_getitem_builds_torch_chain_of_nodes(index):
    same_as_torch(GRAPH, f"y[{index}]")


ERRORS = "y = torch.ones(2, 3); x = torch.ones(2, 3, 4); z = torch.tensor(1.)"
BAD_INDEXES = [
    "y[0, 0, 0]",
    "y[1.5]",
    "y[{0}]",
    "y[torch.tensor([0.])]",
    "y[torch.tensor([True, False, True])]",
    "y[5]",
    "y[-3]",
    "y[0, 3]",
    "y[None, 0, 5]",
    "y[..., 5]",
    "y[[0], 5]",
    "y[::-1]",
    "y[range(3)]",
    "y[:, ::0]",
    "z[:]",
    "z[0]",
    "z[torch.tensor(0)]",
    "z[(0,)]",
    "z[None, 0]",
    "y[[0, 5]]",
    "y[:, [3]]",
    "y[[0], [5]]",
    "x[[0], :, [9]]",
    "x[torch.ones(2, 2, dtype=torch.bool)]",
    "x[[0, 1], [0, 1, 2]]",
    "y['a']",
    "y[1.0:2]",
    "y[torch.tensor(1.)]",
    "torch.ones(3)[torch.tensor([0], dtype=torch.int8)]",
    "y[torch.tensor([1, 0], dtype=torch.uint8)]",
    "z[None]",
    "z[...]",
    "z[()]",
    "z[True]",
    "z[False]",
    "x[:, 0, [0, 1]]",
    "torch.ones(2, 3, 4, 5)[:, 0, :, [0, 1]]",
    "y[np.int64(1)]",
    "y[[True, False]]",
]


@pytest.mark.parametrize("expr", BAD_INDEXES)
def test_getitem_checks_and_messages(expr):
    same_as_torch(ERRORS, expr)


@pytest.mark.parametrize(
    "code",
    [
        "b[0].mul_(3)",
        "b[0, 1].mul_(3)",
        "b[0, 1:].mul_(3)",
        "b[None, 0][0].mul_(3)",
        "b[..., 1].add_(2)",
    ],
)
def test_integer_index_result_is_a_view_with_torch_gradients(code):
    setup = (
        "x = torch.tensor([[1., 2.], [3., 4.]], requires_grad=True); b = x * 1; "
        f"{code}; (b * b).sum().backward()"
    )
    for expr in ("b", "x.grad"):
        same_as_torch(setup, expr)


def test_zero_dim_index_shares_memory():
    for lib in (torch, engine):
        b = lib.tensor([1.0, 2.0, 3.0])
        v = b[1]
        b.mul_(2)
        assert v.item() == 4.0


@pytest.mark.parametrize(
    "code",
    [
        "y = x[0, 1:] * x[None, :, 0]",
        "y = x[[0, 1, 1], 1:] ** 2",
        "y = x[x > 1.5] ** 2",
        "y = x[True, 1] * x[..., None][:, 0]",
        "y = x[range(2), [1, 0]] * x[range(1, -1, -1)][:, 0]",
    ],
)
def test_getitem_gradients(code):
    setup = (
        f"x = torch.tensor([[1., 2.], [3., 4.]], requires_grad=True); {code}; y.sum().backward()"
    )
    same_as_torch(setup, "x.grad")


def test_getitem_second_derivative():
    setup = (
        "x = torch.tensor([[1., 2.], [3., 4.]], requires_grad=True); "
        "g, = torch.autograd.grad((x[0, 1:] * x[None, :, 0] * x[1, 1]).sum(), x, create_graph=True)"
    )
    same_as_torch(setup, "torch.autograd.grad(g.sum(), x)[0]")


REDUCE = (
    "x = torch.tensor([[1., 2., 3.], [4., 5., 6.]], requires_grad=True); "
    "s = torch.tensor(2., requires_grad=True); i = torch.ones(2, 3, dtype=torch.int64)"
)
REDUCTIONS = [
    "x.sum(())",
    "x.sum([])",
    "x.mean(())",
    "x.mean([])",
    "x.sum((), keepdim=True)",
    "x.mean([], keepdim=True)",
    "s.sum(0)",
    "s.mean(0)",
    "s.sum((0,))",
    "s.sum(0, keepdim=True)",
    "s.sum(-1)",
    "s.sum(1)",
    "s.sum((0, 0))",
    "s.sum(())",
    "x.sum((0, -2))",
    "x.mean((1, 1))",
    "x.sum((0, 1, 0))",
    "x.sum(2)",
    "x.sum((1, 0))",
    "x.mean(-1, keepdim=True)",
    "i.sum(())",
    "i.sum((0, 0))",
    "torch.ones(0, 3).sum(())",
    "x.sum(dim=None, keepdim=True)",
    "x.mean(None, keepdim=True)",
    "x.sum(torch.tensor(0))",
]


@pytest.mark.parametrize("expr", REDUCTIONS)
def test_reduction_dims(expr):
    same_as_torch(REDUCE, expr)


@pytest.mark.parametrize("expr", ["x.sum(())", "s.mean(0)", "x.mean([], keepdim=True)"])
def test_reduction_dims_gradients(expr):
    same_as_torch(f"{REDUCE}; ({expr} * 3).backward()", "x.grad if x.grad is not None else s.grad")


VIEWS = "x = torch.ones(4, 4, requires_grad=True) * 1; t = torch.ones(2, 3)"
VIEW_EXPRS = [
    "t.t().view(6)",
    "x[:, :2].view(8)",
    "x[::2].view(8)",
    "torch.ones(2, 3, 4).transpose(0, 1).view(24)",
    "x[:, :2].view(2, 2, 2)",
    "x.t().flatten()",
    "x[:, :2].flatten()",
    "x[:, :2].reshape(8)",
    "x[:, :2].reshape(2, 2, 2)",
    "x[:, :2].flatten(1)",
    "x[::2].flatten()",
    "x.t().reshape(16)",
    "x.t().flatten(0, 0)",
    "x.t()[None].flatten(0, 1)",
    "x.t()[None].view(4, 4)",
    "x.t().view(4, 4)",
    "x.t().reshape(4, 4)",
    "x[:, 0].flatten()",
    "x[:, 0].view(2, 2)",
    "x[:, 0].reshape(2, 2)",
    "x[:, 0].view(-1, 1)",
    "torch.tensor(1., requires_grad=True).flatten()",
    "t.view(-1, -1)",
    "t.reshape(-1, -1)",
    "t.view(-2, 3)",
    "t.reshape(-2, -3)",
    "t.view(-1, -2)",
    "torch.ones(0, 3).reshape(0, -1)",
    "torch.ones(0, 3).view(-1)",
    "torch.ones(0, 3).t().flatten()",
    "t.view(4)",
    "t.view(-1, 4)",
    "t.t().reshape(4)",
    "t.view((3, 2))",
    "t.view([3, -1])",
    "t.expand(2, 2, 3).view(12)",
    "t.expand(2, 2, 3).reshape(12)",
    "torch.ones(3)[:, None].expand(3, 4).view(3, 2, 2)",
    "torch.tensor(1.).view(1, 1)",
    "torch.ones(1).view(())",
    "t.t()[0:1].view(3)",
    "t.t()[:, 0:1].view(3)",
]


@pytest.mark.parametrize("expr", VIEW_EXPRS)
def test_view_reshape_flatten(expr):
    same_as_torch(VIEWS, expr)


def test_view_of_non_contiguous_shares_memory_and_gradients():
    setup = (
        "x = torch.arange(16.).reshape(4, 4).requires_grad_(); y = x * 1; "
        "v = y[:, :2].view(2, 2, 2); v.mul_(3); (y * y).sum().backward()"
    )
    for expr in ("y", "v", "x.grad"):
        same_as_torch(setup, expr)


FRONT = (
    "t = torch.ones(2, 3); x = torch.ones(2, requires_grad=True); "
    "i = torch.ones(2, dtype=torch.int64); s = t.shape"
)
FRONT_EXPRS = [
    't + "a"',
    "t + None",
    "t + [1, 2]",
    "t - object()",
    't / "a"',
    "t * None",
    "t == None",
    "t != None",
    't == "a"',
    't < "a"',
    '"a" + t',
    "t ** None",
    "None / t",
    "t // None",
    't % "x"',
    "t & None",
    "None | t",
    "t >= None",
    '"a" - t',
    "t in [None]",
    "t + np.float64(2)",
    "t.expand(3, 3)",
    "t.expand(3)",
    "t.expand(-1, -1, 3)",
    "torch.ones(2, 3, dtype=torch.bool).expand(3)",
    "i.expand(1)",
    "t.expand(-2, 3)",
    "t.expand(2, -1)",
    "torch.tensor(1.).expand(())",
    "t.expand([4, 2, 3])",
    "torch.ones(1, 3).expand(4, -1, 3)",
    "torch.ones(1, 3).expand(4, 5, 3)",
    "torch.tensor(1., requires_grad=True).transpose(0, -1)",
    "torch.tensor(1.).transpose(0, 1)",
    "s[1:]",
    "s + (1,)",
    "(1,) + s",
    "s + [1]",
    "s * 2",
    "2 * s",
    "torch.Size([1.5])",
    "torch.Size((2, torch.tensor(3)))",
    "torch.Size(['a'])",
    "torch.Size([2**70])",
    "torch.Size([True])",
    "type(s[::-1]).__name__",
    "t.size()",
    "repr(s[:0])",
    'exec("x.dtype = torch.int64")',
    "exec(\"x.requires_grad = 'yes'\")",
    'exec("x.requires_grad = 1")',
    "x.requires_grad_('yes')",
    'exec("x.shape = (2,)")',
    'exec("x.is_leaf = True")',
    'exec("x.grad_fn = None")',
    'exec("x.ndim = 1")',
    'exec("i.requires_grad = True")',
    "bool(torch.ones(0))",
    "bool(t)",
]


@pytest.mark.parametrize("expr", FRONT_EXPRS)
def test_tensor_front_end(expr):
    same_as_torch(FRONT, expr)


@pytest.mark.parametrize("code", ["float(x)", "x.T"])
def test_warnings_once_per_process(code):
    script = (
        "import warnings, engine as torch\nwarnings.simplefilter('always')\n"
        "x = torch.tensor(2., requires_grad=True)\n"
        f"with warnings.catch_warnings(record=True) as w:\n    {code}; {code}\n"
        "print(len(w), w[0].message)\n"
    )
    ours = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    theirs = subprocess.run(
        [sys.executable, "-c", script.replace("engine as torch", "torch")],
        capture_output=True,
        text=True,
    )
    assert ours.stdout == re.sub(r" \(Triggered internally at [^)]*\)", "", theirs.stdout)
