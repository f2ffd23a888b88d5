"""unbind (and iteration), split and chunk: views sharing one grad_fn that runs once with a
gradient per output, compared with torch itself.

Each program runs under torch and under the engine and writes a log (reprs, grad_fn names,
next_functions with their input_nr, whether outputs share their grad_fn, gradients, hook
arguments, error types and texts); the logs must be equal."""

import re

import numpy as np
import pytest

import engine
from engine.observe import BackwardStep, OpRan, observe

torch = pytest.importorskip("torch")


def _functions(t):
    node = t.grad_fn
    return None if node is None else [(_name(n), nr) for n, nr in node.next_functions]


def _name(node):
    return None if node is None else type(node).__name__


def _base():
    return lambda T: T.arange(6.0).reshape(2, 3).requires_grad_()


def _outputs(make):
    """A program logging what `make(T, x)` returns, and the gradient of a weighted sum of it."""

    def program(T, log):
        x = _base()(T)
        outs = make(T, x)
        log.append(type(outs).__name__)
        for out in outs:
            log.append(repr(out))
            log.append(
                (_name(out.grad_fn), _functions(out), out.is_leaf, out._version, out.output_nr)
            )
        shared = len({id(out.grad_fn) for out in outs}) == 1
        log.append(("one grad_fn", shared))
        if outs and outs[0].requires_grad:
            total = sum((out * (k + 2)).sum() for k, out in enumerate(outs[::2]))
            if isinstance(total, T.Tensor):
                total.backward()
                log.append(repr(x.grad))

    return program


def _iterate_and_sum(T, log):
    x = _base()(T)
    loss = 0
    for k, row in enumerate(x):
        loss = loss + (row * (k + 1)).sum()
        log.append((repr(row), _functions(loss)))
    loss.backward()
    log.append(repr(x.grad))
    log.append(repr(loss.grad_fn.next_functions[1][0].next_functions))


def _one_row_used(T, log):
    x = _base()(T)
    rows = list(x)
    y = rows[1].exp().sum()
    y.backward()
    log.append(repr(x.grad))
    log.append(repr(rows[0]))


def _hooks(T, log):
    x = _base()(T)
    rows = x.unbind()
    fn = rows[0].grad_fn
    fn.register_prehook(lambda grads: log.append(("prehook", repr(grads))))
    fn.register_hook(
        lambda grads_in, grads_out: log.append(("hook", repr(grads_in), repr(grads_out)))
    )
    rows[1].register_hook(lambda g: log.append(("tensor hook", repr(g))) or g * 10)
    rows[1].retain_grad()
    (rows[1] * 3).sum().backward()
    log.append((repr(x.grad), repr(rows[1].grad)))


def _second_derivative(T, log):
    x = _base()(T)
    a, b = x
    (g,) = T.autograd.grad((a * b * b).sum(), x, create_graph=True)
    log.append((repr(g), _functions(g)))
    (h,) = T.autograd.grad(g.sum(), x)
    log.append(repr(h))


def _grad_of_outputs(T, log):
    x = _base()(T)
    first, second = x.split([1, 1])
    y = (first * second).sum()
    log.append(repr(T.autograd.grad(y, [second, x])))


def _retained_graph_twice(T, log):
    x = _base()(T)
    y = sum(row.sum() * (k + 1) for k, row in enumerate(x.chunk(3, 1)))
    y.backward(retain_graph=True)
    y.backward()
    log.append(repr(x.grad))


def _error(make):
    def program(T, log):
        x = _base()(T)
        try:
            result = make(T, x)
        except Exception as exc:  # noqa: BLE001 (the comparison is the test)
            log.append((type(exc).__name__, str(exc)))
        else:
            log.append(("no error", repr(result)))

    return program


def _changed_through_base(T, log):
    y = _base()(T) * 1
    rows = list(y)
    y.add_(1)
    log.append(repr(rows[0]))
    try:
        rows[1].sum().backward()
    except RuntimeError as exc:
        log.append(str(exc))


def _no_grad_then_change(T, log):
    w = T.ones(2, 2, requires_grad=True)
    with T.no_grad():
        rows = w.unbind()
    log.append((rows[0].requires_grad, _name(rows[0].grad_fn)))
    try:
        rows[0].mul_(2)
    except RuntimeError as exc:
        log.append(str(exc))


def _plain_tensor_in_place(T, log):
    z = T.arange(4.0)
    parts = list(z)
    parts[0].add_(1)
    log.append((repr(z), repr(parts[0]), parts[0]._version))
    w = T.ones((), requires_grad=True)
    try:
        parts[1].add_(w)
    except RuntimeError as exc:
        log.append(str(exc))


PROGRAMS = {
    "list(x)": _outputs(lambda T, x: list(x)),
    "unbind()": _outputs(lambda T, x: x.unbind()),
    "torch.unbind(x, 1)": _outputs(lambda T, x: T.unbind(x, 1)),
    "unbind(dim=-1)": _outputs(lambda T, x: x.unbind(dim=-1)),
    "split(1)": _outputs(lambda T, x: x.split(1)),
    "split(2, 1)": _outputs(lambda T, x: x.split(2, 1)),
    "split(5)": _outputs(lambda T, x: x.split(5)),
    "split([1, 2], 1)": _outputs(lambda T, x: x.split([1, 2], 1)),
    "split([1, 1])": _outputs(lambda T, x: x.split([1, 1])),
    "torch.split(x, 2, dim=1)": _outputs(lambda T, x: T.split(x, 2, dim=1)),
    "chunk(2, 1)": _outputs(lambda T, x: x.chunk(2, 1)),
    "chunk(3, dim=1)": _outputs(lambda T, x: x.chunk(3, dim=1)),
    "torch.chunk(x, 5)": _outputs(lambda T, x: T.chunk(x, 5)),
    "chunk of empty": _outputs(lambda T, x: T.ones(0).chunk(2)),
    "split of int": _outputs(lambda T, x: T.tensor([[1, 2], [3, 4]]).split(1)),
    "iterate 1-d": _outputs(lambda T, x: list(x[0])),
    "rows of x.T": _outputs(lambda T, x: list(x.T)),
    "no_grad": _outputs(lambda T, x: _no_grad(T, lambda: list(x))),
    "iterate and sum": _iterate_and_sum,
    "one row used": _one_row_used,
    "hooks": _hooks,
    "second derivative": _second_derivative,
    "autograd.grad of outputs": _grad_of_outputs,
    "retain_graph": _retained_graph_twice,
    "changed through base": _changed_through_base,
    "no_grad then in place": _no_grad_then_change,
    "plain tensor in place": _plain_tensor_in_place,
    "in place on a row": _error(lambda T, x: list(x * 1)[1].add_(1)),
    "in place on a view of a row": _error(lambda T, x: list(x * 1)[0][1:].mul_(2)),
    "in place on a split of a leaf": _error(lambda T, x: x.split(1)[0].add_(1)),
    "setitem on a row": _error(lambda T, x: list(x * 1)[1].__setitem__(0, 5.0)),
    "in place on split_with_sizes": _error(lambda T, x: (x * 1).split([1, 1])[1].zero_()),
    "unbind of 0-d": _error(lambda T, x: T.tensor(1.0).unbind()),
    "unbind dim out of range": _error(lambda T, x: x.unbind(2)),
    "unbind float dim": _error(lambda T, x: x.unbind(1.5)),
    "torch.unbind float dim": _error(lambda T, x: T.unbind(x, 1.5)),
    "chunk(0)": _error(lambda T, x: x.chunk(0)),
    "chunk()": _error(lambda T, x: x.chunk()),
    "chunk(1.5)": _error(lambda T, x: x.chunk(1.5)),
    "chunk of 0-d": _error(lambda T, x: T.chunk(T.tensor(1.0), 2)),
    "split(0)": _error(lambda T, x: x.split(0)),
    "split(-1)": _error(lambda T, x: x.split(-1)),
    "split(1.5)": _error(lambda T, x: x.split(1.5)),
    "split('a')": _error(lambda T, x: x.split("a")),
    "split sizes not summing": _error(lambda T, x: x.split([2, 2], -1)),
    "split negative size": _error(lambda T, x: x.split([-1, 4], 1)),
    "split dim out of range": _error(lambda T, x: x.split(1, 5)),
    "split of 0-d": _error(lambda T, x: T.split(T.tensor(1.0), 1)),
    "iterate 0-d": _error(lambda T, x: list(T.tensor(1.0))),
}


def _no_grad(T, fn):
    with T.no_grad():
        return fn()


def _log(T, program) -> list:
    log = []
    program(T, log)
    return [re.sub(r"0x[0-9a-f]+", "0x…", str(entry)) for entry in log]


@pytest.mark.parametrize("name", PROGRAMS)
def test_program_matches_torch(name):
    program = PROGRAMS[name]
    assert _log(engine, program) == _log(torch, program)


@pytest.mark.parametrize("size", [4, 1_000])
def test_many_rows_sum_bitwise_as_torch(size):
    """Rows of one tensor feeding one loss: the stacked gradient is torch's bit for bit."""
    rng = np.random.default_rng(size)
    values = rng.standard_normal((8, size)).astype(np.float32)
    grads = []
    for T in (engine, torch):
        x = T.tensor(values, requires_grad=True)
        loss = sum((row * row * k).sum() for k, row in enumerate(x) if k % 3)
        loss.backward()
        grads.append(x.grad.numpy().copy())
    np.testing.assert_array_equal(grads[0], grads[1])


def test_backward_steps_show_the_shared_node_once_with_a_gradient_per_output():
    x = engine.arange(6.0).reshape(2, 3).requires_grad_()
    a, b = x
    y = (a * 2).sum() + b.sum()
    steps = list(engine.autograd.backward_steps(y))
    names = [step.node.name() for step in steps]
    assert names.count("UnbindBackward0") == 1
    unbind = steps[names.index("UnbindBackward0")]
    assert [g.tolist() for g in unbind.grad_in] == [[2.0, 2.0, 2.0], [1.0, 1.0, 1.0]]
    assert unbind.grads_out[0].tolist() == [[2.0, 2.0, 2.0], [1.0, 1.0, 1.0]]
    assert all(isinstance(step, BackwardStep) for step in steps)


def test_one_op_event_with_every_output():
    x = engine.arange(6.0).reshape(2, 3).requires_grad_()
    events = []
    with observe(events.append):
        rows = list(x)
        pieces = x.split([1, 2], 1)
    ops = [event for event in events if isinstance(event, OpRan)]
    assert [(event.op, len(event.output)) for event in ops] == [
        ("unbind", 2),
        ("split_with_sizes", 2),
    ]
    assert ops[0].output == tuple(rows) and ops[1].output == pieces
