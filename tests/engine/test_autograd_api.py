"""Autograd machinery compared with torch: .grad accumulation after create_graph, grad_fn hooks,
hook results, argument checks of backward/grad, gradcheck, and the once-per-process warning."""

from __future__ import annotations

import subprocess
import sys
import warnings

import pytest

import engine
from tests.engine.test_autograd_depth import outcome

torch = pytest.importorskip("torch")


def matches_torch(scenario) -> None:
    """Assert the scenario reports the same lines with the engine and with torch."""
    assert outcome(scenario, engine) == outcome(scenario, torch)


# ---- G5: accumulating into a .grad made under create_graph ----


def plain_after_create_graph(L, out):
    x = L.tensor([1.0, 2.0], requires_grad=True)
    (x**3).sum().backward(create_graph=True)
    first = x.grad
    (x**3).sum().backward()
    out += [repr(x.grad), str(x.grad is first), x.grad.grad_fn.name()]


def two_create_graph_then_grad_of_grad(L, out):
    x = L.tensor([1.0, 2.0], requires_grad=True)
    (x**3).sum().backward(create_graph=True)
    (x**3).sum().backward(create_graph=True)
    names = [n.name() for n, _ in x.grad.grad_fn.next_functions]
    out += [repr(x.grad), str(names)]
    first = x.grad
    x.grad.sum().backward()
    out += [repr(x.grad), str(x.grad is first)]


def create_graph_after_plain(L, out):
    x = L.tensor([1.0, 2.0], requires_grad=True)
    (x**3).sum().backward()
    first = x.grad
    (x**3).sum().backward(create_graph=True)
    out += [repr(x.grad), str(x.grad is first)]


@pytest.mark.parametrize(
    "scenario",
    [plain_after_create_graph, two_create_graph_then_grad_of_grad, create_graph_after_plain],
    ids=lambda f: f.__name__,
)
def test_accumulation_after_create_graph(scenario):
    matches_torch(scenario)


# ---- item 18: the create_graph warning is given once per process ----

WARN_TWICE = """
import warnings
import {lib} as torch
warnings.simplefilter("always")
x = torch.tensor(3.0, requires_grad=True)
for _ in range(3):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        (x ** 3).backward(create_graph=True)
    print(len(caught), caught[0].message.args[0][:40] if caught else "")
"""


TO_SCALAR_ONCE = """
import warnings
import {lib} as torch
for make in (
    lambda: torch.tensor([torch.ones(1, requires_grad=True), torch.ones(1, requires_grad=True)]),
    lambda: float(torch.tensor(3.0, requires_grad=True)),
):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        make()
    print(len(caught), caught[0].message.args[0][:40] if caught else "")
"""


def warnings_in_fresh_process(lib: str, script: str = WARN_TWICE) -> str:
    code = script.format(lib=lib)
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout


def test_create_graph_warning_once_per_process():
    assert warnings_in_fresh_process("engine") == warnings_in_fresh_process("torch")


def test_tensor_of_tensors_that_require_grad_warns_once_per_process():
    engine_says = warnings_in_fresh_process("engine", TO_SCALAR_ONCE)
    assert engine_says == warnings_in_fresh_process("torch", TO_SCALAR_ONCE)
    assert engine_says.startswith("1 Converting a tensor")


def retain_grad_after_create_graph(L, out):
    x = L.tensor([1.0, 2.0], requires_grad=True)
    y = x * x
    y.retain_grad()
    (y * y).sum().backward(create_graph=True)
    out.append(repr(y.grad))
    (y * y).sum().backward(create_graph=True)
    out.append(repr(y.grad))
    (y * y).sum().backward()
    out += [repr(y.grad), repr(x.grad)]


def create_graph_then_plain_then_grad_of_grad(L, out):
    x = L.tensor([1.0, 2.0], requires_grad=True)
    (x**3).sum().backward(create_graph=True)
    g = x.grad
    out.append(repr(L.autograd.grad(g.sum(), x, retain_graph=True)))
    (x**2).sum().backward(create_graph=True)
    out += [repr(x.grad), x.grad.grad_fn.name(), str(x.grad is g)]
    x.grad.sum().backward()
    out.append(repr(x.grad))


@pytest.mark.parametrize(
    "scenario",
    [retain_grad_after_create_graph, create_graph_then_plain_then_grad_of_grad],
    ids=lambda f: f.__name__,
)
def test_retained_and_accumulated_grads_under_create_graph(scenario):
    matches_torch(scenario)


# ---- G14, G16: grad_fn pre-hooks and hooks, and their order with tensor hooks ----


def hooked_chain(L, log):
    """x -> y = x*2 -> z = y*3, with every kind of hook logging what it sees."""
    x = L.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    z = y * 3
    y.grad_fn.register_prehook(lambda g: log.append(f"y pre {g}"))
    y.grad_fn.register_hook(lambda gi, go: log.append(f"y post {gi} {go}"))
    y.register_hook(lambda g: log.append(f"y tensor {g}"))
    z.grad_fn.register_prehook(lambda g: log.append(f"z pre {g}"))
    z.grad_fn.register_hook(lambda gi, go: log.append(f"z post {gi} {go}"))
    x.register_hook(lambda g: log.append(f"x tensor {g}"))
    return x, y, z


def run_hooked(call):
    """A scenario running `call(L, x, y, z)` on the hooked chain, then a second backward of y."""

    def scenario(L, out):
        x, y, z = hooked_chain(L, out)
        result = call(L, x, y, (z * z).sum())
        out += [repr(result), repr(x.grad), repr(y.grad), str(y.retains_grad)]
        y.sum().backward()  # y's saved values are freed once y's node ran

    return scenario


HOOKED_CALLS = {
    "backward": lambda L, x, y, loss: loss.backward(),
    "grad_y": lambda L, x, y, loss: L.autograd.grad(loss, [y]),
    "grad_y_x": lambda L, x, y, loss: L.autograd.grad(loss, [y, x]),
    "inputs_y": lambda L, x, y, loss: loss.backward(inputs=[y]),
    "inputs_y_x": lambda L, x, y, loss: loss.backward(inputs=[y, x]),
    "inputs_x": lambda L, x, y, loss: loss.backward(inputs=[x]),
}


@pytest.mark.parametrize("call", HOOKED_CALLS.values(), ids=HOOKED_CALLS.keys())
def test_hook_order_and_inputs(call):
    matches_torch(run_hooked(call))


def accumulate_grad_node_hooks(L, out):
    x = L.tensor([1.0, 2.0], requires_grad=True)
    y = x * x
    acc = y.grad_fn.next_functions[0][0]
    x.register_hook(lambda g: out.append(f"x {g}") or g * 2)
    handle = acc.register_prehook(lambda g: out.append(f"pre {g}") or (g[0] + 1,))
    acc.register_hook(lambda gi, go: out.append(f"post {gi} {go} {x.grad}"))
    y.sum().backward(retain_graph=True)
    handle.remove()
    handle.remove()
    y.sum().backward()
    out.append(repr(x.grad))


def chained_node_hooks(L, out):
    x = L.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    y.grad_fn.register_prehook(lambda g: (g[0] * 2,))
    y.grad_fn.register_prehook(lambda g: out.append(f"pre2 {g}") or (g[0] + 1,))
    y.grad_fn.register_hook(lambda gi, go: out.append(f"post1 {gi} {go}") or (gi[0] * 10, gi[1]))
    handle = y.grad_fn.register_hook(lambda gi, go: out.append(f"post2 {gi} {go}"))
    (y * y).sum().backward()
    out.append(repr(x.grad))
    with handle:
        pass
    x.grad = None
    (x * x).sum().backward()
    out.append(repr(x.grad))


def pre_hook_drops_gradient(L, out):
    x = L.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    y.grad_fn.register_prehook(lambda g: (None,))
    (y * y).sum().backward()
    out.append(repr(x.grad))


def hooks_see_grad_mode(L, out):
    x = L.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    y.grad_fn.register_hook(lambda gi, go: out.append(str(L.is_grad_enabled())))
    y.register_hook(lambda g: out.append(str(L.is_grad_enabled())))
    (y * y).sum().backward(retain_graph=True)
    (y * y).sum().backward(create_graph=True)


def pre_hook_under_create_graph(L, out):
    x = L.tensor([1.0, 2.0], requires_grad=True)
    y = x * x
    y.grad_fn.register_prehook(lambda g: (g[0] * x,))
    (g,) = L.autograd.grad((y * 3).sum(), x, create_graph=True)
    out += [repr(g), repr(L.autograd.grad(g.sum(), x))]


def hooks_called_without_gradient(L, out):
    x = L.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    z = y * 3
    z.grad_fn.register_prehook(lambda g: (None,))
    y.register_hook(lambda g: out.append(f"y {g}"))
    y.grad_fn.register_prehook(lambda g: out.append(f"y pre {g}"))
    y.grad_fn.register_hook(lambda gi, go: out.append(f"y post {gi} {go}"))
    x.register_hook(lambda g: out.append(f"x {g}"))
    y.retain_grad()
    z.sum().backward()
    out += [repr(x.grad), repr(y.grad)]


def hook_replacing_missing_gradient(L, out):
    x = L.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    z = y * 3
    z.grad_fn.register_prehook(lambda g: (None,))
    y.register_hook(lambda g: L.ones(2))
    z.sum().backward()


@pytest.mark.parametrize(
    "scenario",
    [
        accumulate_grad_node_hooks,
        hooks_called_without_gradient,
        hook_replacing_missing_gradient,
        chained_node_hooks,
        pre_hook_drops_gradient,
        hooks_see_grad_mode,
        pre_hook_under_create_graph,
    ],
    ids=lambda f: f.__name__,
)
def test_node_hooks(scenario):
    matches_torch(scenario)


def test_node_hooks_are_reported_by_backward_steps():
    x = engine.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    y.grad_fn.register_hook(lambda gi, go: (gi[0] * 10, gi[1]))
    steps = list(engine.autograd.backward_steps((y * y).sum(), inputs=[y, x]))
    sent = [step.grads_out for step in steps if step.node is y.grad_fn]
    assert [g.tolist() for g in sent[0] if g is not None] == [[80.0, 160.0]]


# ---- item 15: what a hook returns is checked with torch's messages ----


def named_hook(g):
    return g[:1]


class CallableHook:
    def __call__(self, g):
        return g[:1]


def tensor_hook_returning(result_of, on_leaf=False):
    def scenario(L, out):
        x = L.tensor([1.0, 2.0], requires_grad=True)
        y = x * 2
        (x if on_leaf else y).register_hook(result_of(L))
        (y * y).sum().backward()
        out.append(repr(x.grad))

    return scenario


TENSOR_HOOK_RESULTS = {
    "size": lambda L: lambda g: L.ones(3),
    "named_function": lambda L: named_hook,
    "callable_object": lambda L: CallableHook(),
    "double": lambda L: lambda g: g.double(),
    "double_and_size": lambda L: lambda g: L.ones(3, dtype=L.float64),
    "int64": lambda L: lambda g: g.long(),
    "bool": lambda L: lambda g: g > 0,
    "python_int": lambda L: lambda g: 5,
    "tuple": lambda L: lambda g: (g,),
    "ndarray": lambda L: lambda g: g.detach().numpy(),
    "requires_grad": lambda L: lambda g: g * L.ones(2, requires_grad=True),
}


@pytest.mark.parametrize("on_leaf", [False, True], ids=["non_leaf", "leaf"])
@pytest.mark.parametrize("result_of", TENSOR_HOOK_RESULTS.values(), ids=TENSOR_HOOK_RESULTS.keys())
def test_tensor_hook_results_are_checked(result_of, on_leaf):
    matches_torch(tensor_hook_returning(result_of, on_leaf))


def node_hook_returning(result, post):
    def scenario(L, out):
        x = L.tensor([1.0, 2.0], requires_grad=True)
        y = x * 2
        if post:
            y.grad_fn.register_hook(lambda gi, go: result(L, gi))
        else:
            y.grad_fn.register_prehook(lambda g: result(L, g))
        (y * y).sum().backward()
        out.append(repr(x.grad))

    return scenario


NODE_HOOK_RESULTS = {
    "none": lambda L, g: None,
    "scaled": lambda L, g: (g[0] * 10,) + g[1:],
    "list": lambda L, g: list(g),
    "tensor": lambda L, g: g[0],
    "int": lambda L, g: 5,
    "too_many": lambda L, g: g + g,
    "too_few": lambda L, g: g[:1] if len(g) > 1 else (),
    "size": lambda L, g: (L.ones(3),) + g[1:],
    "double": lambda L, g: (g[0].double(),) + g[1:],
    "inner_int": lambda L, g: (5,) + g[1:],
    "fills_none": lambda L, g: tuple(L.ones(2) for _ in g),
}


@pytest.mark.parametrize("post", [False, True], ids=["prehook", "hook"])
@pytest.mark.parametrize("result", NODE_HOOK_RESULTS.values(), ids=NODE_HOOK_RESULTS.keys())
def test_node_hook_results_are_checked(result, post):
    matches_torch(node_hook_returning(result, post))


# ---- item 16: argument checks of backward and autograd.grad ----


def x_of(L):
    return L.tensor([1.0, 2.0], requires_grad=True)


ARGUMENT_CASES = {
    "grad_empty_inputs": lambda L, x: L.autograd.grad((x * x).sum(), []),
    "grad_empty_tuple": lambda L, x: L.autograd.grad((x * x).sum(), ()),
    "backward_empty_inputs": lambda L, x: (x * x).sum().backward(inputs=[]),
    "backward_inputs_without_grad": lambda L, x: (x * x).sum().backward(inputs=[L.ones(2)]),
    "backward_inputs_tensor": lambda L, x: ((x * x).sum().backward(inputs=x), x.grad)[1],
    "backward_inputs_int": lambda L, x: (x * x).sum().backward(inputs=5),
    "backward_inputs_list_of_int": lambda L, x: (x * x).sum().backward(inputs=[x, 5]),
    "backward_inputs_dict": lambda L, x: ((x * x).sum().backward(inputs={"a": x}), x.grad)[1],
    "grad_input_without_grad": lambda L, x: L.autograd.grad((x * x).sum(), [x, L.ones(2)]),
    "grad_inputs_int": lambda L, x: L.autograd.grad((x * x).sum(), 5),
    "grad_inputs_list_of_int": lambda L, x: L.autograd.grad((x * x).sum(), [5]),
    "grad_inputs_dict": lambda L, x: L.autograd.grad((x * x).sum(), {"x": x}),
    "grad_outputs_int": lambda L, x: L.autograd.grad(5, x),
    "grad_two_outputs_one_gradient": lambda L, x: L.autograd.grad(
        [x * 1, x * 2], x, grad_outputs=[L.ones(2)]
    ),
    "grad_one_output_two_gradients": lambda L, x: L.autograd.grad(
        [x * 1], x, grad_outputs=[L.ones(2), L.ones(2)]
    ),
    "grad_tensor_for_two_outputs": lambda L, x: L.autograd.grad(
        [x * 1, x * 2], x, grad_outputs=L.ones(2)
    ),
    "grad_outputs_float": lambda L, x: L.autograd.grad((x * x).sum(), x, grad_outputs=1.0),
    "grad_outputs_list_of_float": lambda L, x: L.autograd.grad((x * x).sum(), x, [1.0]),
    "grad_outputs_list_of_none": lambda L, x: L.autograd.grad((x * x).sum(), x, [None]),
    "backward_float": lambda L, x: (x * x).sum().backward(2.0),
    "backward_int": lambda L, x: (x * x).sum().backward(2),
    "backward_list_of_float": lambda L, x: (x * x).sum().backward([2.0]),
    "autograd_backward_float": lambda L, x: L.autograd.backward((x * x).sum(), 2.0),
    "autograd_backward_too_few": lambda L, x: L.autograd.backward(
        [(x * x).sum(), x.sum()], [L.tensor(1.0)]
    ),
    "autograd_backward_tensor_for_two": lambda L, x: L.autograd.backward(
        [(x * x).sum(), x.sum()], L.tensor(1.0)
    ),
    "autograd_backward_nothing": lambda L, x: L.autograd.backward([]),
    "gradient_shape": lambda L, x: (x * x).backward(L.ones(3)),
    "gradient_double": lambda L, x: ((x * x).backward(L.ones(2, dtype=L.float64)), x.grad)[1],
    "implicit_non_scalar": lambda L, x: (x * x).backward(),
    "root_without_grad": lambda L, x: L.ones(2).sum().backward(),
    "second_root_without_grad": lambda L, x: L.autograd.backward([x.sum(), L.ones(2)]),
    "grad_root_without_grad": lambda L, x: L.autograd.grad(L.ones(2).sum(), x),
    "grad_unused": lambda L, x: L.autograd.grad((x * x).sum(), [x, x_of(L)]),
    "materialize_grads": lambda L, x: L.autograd.grad(
        (x * x).sum(), [x, x_of(L)], materialize_grads=True
    ),
    "materialize_grads_create_graph": lambda L, x: L.autograd.grad(
        (x * x).sum(), [x, x_of(L)], materialize_grads=True, create_graph=True
    ),
    "materialize_without_allow_unused": lambda L, x: L.autograd.grad(
        (x * x).sum(), [x, x_of(L)], allow_unused=False, materialize_grads=True
    ),
}


@pytest.mark.parametrize("case", ARGUMENT_CASES.values(), ids=ARGUMENT_CASES.keys())
def test_argument_checks(case):
    def scenario(L, out):
        out.append(repr(case(L, x_of(L))))

    matches_torch(scenario)


def test_only_inputs_false_warns_like_torch():
    def caught(L):
        x = x_of(L)
        with warnings.catch_warnings(record=True) as seen:
            warnings.simplefilter("always")
            L.autograd.grad((x * x).sum(), x, only_inputs=False)
        return [(w.category, str(w.message)) for w in seen]

    assert caught(engine) == caught(torch)


# ---- item 17: gradcheck's checks, Jacobian layout, dtypes and messages ----


def gradcheck_report(L, func, make_inputs, **kwargs):
    """What gradcheck returns or raises, and the warnings it gives."""
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        try:
            result = repr(L.autograd.gradcheck(func(L), make_inputs(L), **kwargs))
        except (RuntimeError, ValueError, TypeError) as exc:
            result = f"{type(exc).__name__}: {exc}"
    return result, [(w.category.__name__, str(w.message)) for w in seen]


def vector(L, dtype="float64"):
    return L.tensor([0.5, 1.0, 2.0], dtype=getattr(L, dtype), requires_grad=True)


def matrix(L):
    return L.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=L.float64, requires_grad=True)


def constant(L):
    return L.tensor([1.0, 2.0, 3.0], dtype=L.float64)


GRADCHECKS = {
    "passes": (lambda L: lambda a: a * a, lambda L: (vector(L),)),
    "mismatch": (lambda L: lambda a: a.detach() * a, lambda L: (vector(L),)),
    "second_output": (
        lambda L: lambda a: (a * 2, a.detach() * a),
        lambda L: (vector(L),),
    ),
    "non_square": (lambda L: lambda a: a.detach()[:2] * a[1:], lambda L: (vector(L),)),
    "constant_input_first": (
        lambda L: lambda k, a: k * a.detach() * a,
        lambda L: (constant(L), vector(L)),
    ),
    "second_input": (
        lambda L: lambda a, b: a.sum() * b.detach() * b,
        lambda L: (vector(L), matrix(L)),
    ),
    "scalar_output": (lambda L: lambda a: (a.detach() * a).sum(), lambda L: (vector(L),)),
    "matmul": (lambda L: lambda a: a.detach() @ a, lambda L: (matrix(L),)),
    "expected_zero": (lambda L: lambda a: a.detach() * 2, lambda L: (vector(L),)),
    "zero_and_no_output_grad": (lambda L: lambda a: a.detach() * 0, lambda L: (vector(L),)),
    "no_input_requires_grad": (lambda L: lambda a: a * 2, lambda L: (constant(L),)),
    "float32": (lambda L: lambda a: a * a, lambda L: (vector(L, "float32"),)),
    "float32_mismatch": (lambda L: lambda a: a.detach() * a, lambda L: (vector(L, "float32"),)),
    "float32_and_double": (
        lambda L: lambda a, b: (a * b.sum()).double(),
        lambda L: (vector(L, "float32"), vector(L)),
    ),
    "single_tensor": (lambda L: lambda a: a * a, lambda L: vector(L)),
    "list": (lambda L: lambda a: a * a, lambda L: [vector(L)]),
    "nan": (lambda L: lambda a: a * float("nan"), lambda L: (vector(L),)),
    "expanded_input": (
        lambda L: lambda a: a * 2,
        lambda L: (L.tensor([1.0], dtype=L.float64).expand(3).requires_grad_(),),
    ),
}


@pytest.mark.parametrize(("func", "make_inputs"), GRADCHECKS.values(), ids=GRADCHECKS.keys())
def test_gradcheck_matches_torch(func, make_inputs):
    expected = gradcheck_report(torch, func, make_inputs)
    assert gradcheck_report(engine, func, make_inputs) == expected


@pytest.mark.parametrize("lib", [engine, torch], ids=["engine", "torch"])
def test_gradcheck_perturbs_the_input_itself(lib):
    x = vector(lib)
    assert lib.autograd.gradcheck(lambda _: x * x, (x,))  # x read from the closure


@pytest.mark.parametrize("raise_exception", [True, False])
def test_gradcheck_options(raise_exception):
    for name in ("mismatch", "expected_zero"):
        func, make_inputs = GRADCHECKS[name]
        kwargs = {"raise_exception": raise_exception, "eps": 1e-3, "atol": 1e-2}
        expected = gradcheck_report(torch, func, make_inputs, **kwargs)
        assert gradcheck_report(engine, func, make_inputs, **kwargs) == expected
    with pytest.raises(TypeError, match="takes 2 positional arguments but 3 were given"):
        engine.autograd.gradcheck(lambda a: a, (vector(engine),), 1e-6)


def test_backward_inputs_non_leaf_node_runs_and_sends_nothing():
    """torch runs a non-leaf input's node (its hooks see no gradients sent) and frees it."""
    x = engine.tensor([1.0, 2.0], requires_grad=True)
    y = x * x
    loss = (y * 3).sum()
    steps = list(engine.autograd.backward_steps(loss, inputs=[y]))
    assert [step.node.name() for step in steps] == ["SumBackward0", "MulBackward0", "MulBackward0"]
    assert steps[-1].node is y.grad_fn
    assert steps[-1].grads_out == (None, None)
    assert y.grad.tolist() == [3.0, 3.0] and x.grad is None
