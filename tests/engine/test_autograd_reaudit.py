"""Items of the autograd re-audit compared with torch: what autograd.grad captures when hooks
are registered, sum_to under create_graph, detach_ of a saved tensor, views made in no_grad mode
whose base changed."""

from __future__ import annotations

import pytest

import engine
from tests.engine.test_autograd_depth import outcome

torch = pytest.importorskip("torch")


def names(node) -> list[str]:
    """The node's name followed by the names of its next_functions."""
    return [node.name()] + [n.name() for n, _ in node.next_functions if n is not None]


# ---- A3: autograd.grad of a non-leaf input whose node also runs ----


def tensor_hook_input_and_leaf(L, out):
    x = L.tensor([1.0, 2.0], requires_grad=True)
    y = x * 1
    y.register_hook(lambda g: g * 2)
    out.append(repr(L.autograd.grad((y * 3).sum(), [y, x])))


def tensor_and_node_pre_hooks(L, out):
    x = L.tensor([1.0, 2.0], requires_grad=True)
    y = x * 1
    log = []
    y.register_hook(lambda g: log.append("tensor") or g * 2)
    y.grad_fn.register_prehook(lambda g: log.append("node") or (g[0] * 5,))
    out += [repr(L.autograd.grad((y * 3).sum(), [y, x])), str(log)]


def node_pre_hook_input_only(L, out):
    x = L.tensor([1.0, 2.0], requires_grad=True)
    y = x * 1
    y.register_hook(lambda g: g * 2)
    y.grad_fn.register_prehook(lambda g: (g[0] * 5,))
    out.append(repr(L.autograd.grad((y * 3).sum(), [y])))


def retained_input(L, out):
    x = L.tensor([1.0, 2.0], requires_grad=True)
    y = x * 1
    y.retain_grad()
    y.register_hook(lambda g: g * 2)
    out += [repr(L.autograd.grad((y * 3).sum(), [y, x])), repr(y.grad)]


def view_of_leaf_input(L, out):
    x = L.tensor([1.0, 2.0], requires_grad=True)
    y = x.view(-1)
    y.register_hook(lambda g: g * 2)
    out.append(repr(L.autograd.grad((y * 3).sum(), [x, y])))


def hooked_input_create_graph(L, out):
    x = L.tensor([1.0, 2.0], requires_grad=True)
    y = x * x
    y.register_hook(lambda g: g * 2)
    gy, gx = L.autograd.grad((y * 3).sum(), [y, x], create_graph=True)
    out += [repr(gy), repr(gx), repr(L.autograd.grad(gx.sum(), x))]


@pytest.mark.parametrize(
    "scenario",
    [
        tensor_hook_input_and_leaf,
        tensor_and_node_pre_hooks,
        node_pre_hook_input_only,
        retained_input,
        view_of_leaf_input,
        hooked_input_create_graph,
    ],
)
def test_grad_captures_like_torch(scenario):
    assert outcome(scenario, engine) == outcome(scenario, torch)


# ---- C-1: sum_to under create_graph records torch's nodes ----


@pytest.mark.parametrize(
    ("x_shape", "w_shape"),
    [
        ((2, 1), (2, 3)),
        ((3,), (2, 3)),
        ((), (3,)),
        ((1,), (3,)),
        ((1, 1), (3,)),
        ((2, 1), (4, 2, 3)),
    ],
)
def test_create_graph_sum_to_like_torch(x_shape, w_shape):
    def scenario(L, out):
        x = L.ones(x_shape, requires_grad=True)
        w = L.arange(float(L.ones(w_shape).numel())).reshape(w_shape).requires_grad_()
        (g,) = L.autograd.grad((x * w).sum(), x, create_graph=True)
        out += [repr(g), str(names(g.grad_fn)), repr(L.autograd.grad(g.sum(), w))]

    assert outcome(scenario, engine) == outcome(scenario, torch)


def test_expand_backward_sum_to_like_torch():
    def scenario(L, out):
        x = L.tensor([[2.0]], requires_grad=True)
        (g,) = L.autograd.grad((x.expand(3, 2, 4) * x).sum(), x, create_graph=True)
        out += [repr(g), str([names(n) for n, _ in g.grad_fn.next_functions])]

    assert outcome(scenario, engine) == outcome(scenario, torch)


# ---- B1: detach_() of a tensor saved for backward ----


def detached_saved_input(L, out):
    x = L.tensor([1.0, 2.0], requires_grad=True)
    b = x * 1
    c = b * b
    b.detach_()
    out.append(str(b._version))
    c.sum().backward()


def detached_saved_input_create_graph(L, out):
    x = L.tensor([1.0, 2.0], requires_grad=True)
    b = x.exp()
    c = b * x
    b.detach_()
    L.autograd.grad(c.sum(), x, create_graph=True)


def detached_after_in_place(L, out):
    x = L.tensor([1.0, 2.0], requires_grad=True)
    b = x * 1
    c = b * b
    b.mul_(2)
    b.detach_()
    c.sum().backward()


def leaf_at_save_then_in_place_and_detached(L, out):
    x = L.tensor([1.0, 2.0], requires_grad=True)
    b = L.ones(2)
    c = b * x
    b.mul_(x)
    b.detach_()
    c.sum().backward()


def detached_before_save(L, out):
    x = L.tensor([1.0, 2.0], requires_grad=True)
    b = x * 1
    b.detach_()
    c = b * x
    c.sum().backward()
    out.append(repr(x.grad))


def detached_saved_output(L, out):
    x = L.tensor([1.0, 2.0], requires_grad=True)
    b = x.exp()
    c = b * 2
    b.detach_()
    c.sum().backward()
    out.append(repr(x.grad))


def detached_not_saved(L, out):
    x = L.tensor([1.0, 2.0], requires_grad=True)
    b = x * 1
    c = b + 1
    b.detach_()
    c.sum().backward()
    out.append(repr(x.grad))


def detached_twice(L, out):
    x = L.tensor([1.0, 2.0], requires_grad=True)
    b = x * 1
    c = b * b
    b.detach_()
    b.mul_(x)
    d = b * b
    b.detach_()
    d.sum().backward()
    out.append(repr(x.grad))
    c.sum().backward()


OPERAND_EXPRESSIONS = {
    "w * b": lambda b, w: w * b,
    "b * w": lambda b, w: b * w,
    "b * 2": lambda b, w: b * 2,
    "b / w": lambda b, w: b / w,
    "w / b": lambda b, w: w / b,
    "b / 2": lambda b, w: b / 2,
    "b**2": lambda b, w: b**2,
    "b.dot(w)": lambda b, w: b.dot(w),
    "w.dot(b)": lambda b, w: w.dot(b),
    "b.sin()": lambda b, w: b.sin(),
}


@pytest.mark.parametrize("expression", OPERAND_EXPRESSIONS)
def test_detach_of_operand_torch_may_not_save(expression):
    def scenario(L, out):
        x = L.tensor([1.0, 2.0], requires_grad=True)
        b = x * 1
        result = OPERAND_EXPRESSIONS[expression](b, L.tensor([3.0, 4.0]))
        b.detach_()
        result.sum().backward()
        out.append(repr(x.grad))

    assert outcome(scenario, engine) == outcome(scenario, torch)


@pytest.mark.parametrize(
    "scenario",
    [
        detached_saved_input,
        detached_saved_input_create_graph,
        detached_after_in_place,
        leaf_at_save_then_in_place_and_detached,
        detached_before_save,
        detached_saved_output,
        detached_not_saved,
        detached_twice,
    ],
)
def test_detach_of_saved_tensor_like_torch(scenario):
    assert outcome(scenario, engine) == outcome(scenario, torch)


# ---- B2: a view made in no_grad mode whose base changed in place afterwards ----


def no_grad_view(L, change: str, use: str, leaf_base: bool = False):
    def scenario(_, out):
        x = L.ones(3, requires_grad=True)
        b = x if leaf_base else x * 1
        with L.no_grad():
            v = b[0:2]
        other = b[1:]
        if change == "base":
            b.mul_(2)
        elif change == "base_no_grad":
            with L.no_grad():
                b.mul_(2)
        elif change == "view_no_grad":
            with L.no_grad():
                v.mul_(2)
        elif change == "other_view":
            other.add_(1)
        out.append(str(v.requires_grad))
        if use == "grad_fn":
            out.append(str(v.grad_fn))
        elif use == "is_leaf":
            out.append(str(v.is_leaf))
        elif use == "op":
            out.append(str((v * 2).requires_grad))
        elif use == "op_no_grad":
            with L.no_grad():
                out.append(repr(v * 2))
        elif use == "hook":
            v.register_hook(lambda g: g)

    return scenario


@pytest.mark.parametrize("use", ["grad_fn", "is_leaf", "op", "op_no_grad", "hook"])
@pytest.mark.parametrize(
    "change", ["none", "base", "base_no_grad", "view_no_grad", "other_view", "leaf_no_grad"]
)
def test_no_grad_view_after_base_changed_like_torch(change, use):
    leaf = change == "leaf_no_grad"
    change = "base_no_grad" if leaf else change
    assert outcome(no_grad_view(engine, change, use, leaf), engine) == outcome(
        no_grad_view(torch, change, use, leaf), torch
    )


# ---- A1: second derivatives through mul_/div_ (needs the inplace._node change in the report) ----

IN_PLACE_PROGRAMS = {
    "mul_": lambda L, x: (x * 1).mul_(x * x),
    "div_": lambda L, x: (x * 1).div_(x.abs() + 1),
    "mul_twice": lambda L, x: (x * 1).mul_(x + 1).mul_(x + 2),
    "plain_self_mul_": lambda L, x: L.ones(()).mul_(x * x),
    "plain_self_div_": lambda L, x: (L.ones(()) * 3).div_(x * x),
}


@pytest.mark.parametrize("program", IN_PLACE_PROGRAMS)
def test_second_derivative_through_in_place_like_torch(program):
    def scenario(L, out):
        x = L.tensor(0.5, requires_grad=True)
        (g,) = L.autograd.grad(IN_PLACE_PROGRAMS[program](L, x).sum(), x, create_graph=True)
        out += [repr(g), repr(L.autograd.grad(g, x))]

    assert outcome(scenario, engine) == outcome(scenario, torch)


def detach_base_then_change_a_view(L, out):
    b = L.ones(3, requires_grad=True) * 1
    v = b[0:2]
    b.detach_()
    v.add_(1)


def test_in_place_change_of_a_view_whose_root_is_a_leaf():
    """torch refuses it when the view requires grad (it has history, or its root base requires
    grad) and its root base has no grad_fn."""
    assert outcome(detach_base_then_change_a_view, engine) == outcome(
        detach_base_then_change_a_view, torch
    )
