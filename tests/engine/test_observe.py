"""The observer contract of design.md: forward events, stepping backward, no cost when idle."""

from __future__ import annotations

import threading

import numpy as np
import pytest

import engine as torch
from engine import observe as ob
from engine.autograd import backward_steps
from engine.graph import AccumulateGrad


def _seed_x():
    """The seed's state before its detach cell: x with a zeroed-able grad."""
    x = torch.arange(4.0).requires_grad_(True)
    (x * x).sum().backward()
    return x


def test_detach_cell_events():
    x = _seed_x()
    events = []
    with ob.observe(events.append):
        grad = x.grad
        grad.zero_()
        y = x * x
        u = y.detach()
        z = u * x
        s = z.sum()
        s.backward()
        check = x.grad == u
    kinds = [type(e).__name__ for e in events]
    assert kinds == [
        "InPlaceModified",
        "OpRan",
        "Detached",
        "OpRan",
        "OpRan",
        "BackwardStarted",
        "BackwardStep",
        "BackwardStep",
        "BackwardStep",
        "BackwardFinished",
        "OpRan",
    ]
    zeroed, mul, detached, mul2, summed, started, *steps, finished, eq = events
    assert zeroed.op == "zero_" and zeroed.tensor is grad and zeroed.before.tolist() == [0, 2, 4, 6]
    assert (mul.op, mul.args, mul.output, mul.grad_enabled) == ("mul", (x, x), y, True)
    assert (detached.source, detached.output, detached.in_place) == (y, u, False)
    assert u.detached_from is y
    assert mul2.args == (u, x) and mul2.output is z
    assert summed.op == "sum" and summed.args == (z,) and summed.output is s
    assert started.roots == (s,) and started.api == "backward"
    assert started.grad_tensors[0].tolist() == 1.0
    assert (started.retain_graph, started.create_graph) == (False, False)

    sum_step, mul_step, acc_step = steps
    assert [st.node.name() for st in steps] == [
        "SumBackward0",
        "MulBackward0",
        "torch::autograd::AccumulateGrad",
    ]
    assert sum_step.node is s.grad_fn
    assert sum_step.grad_in[0].tolist() == 1.0
    assert sum_step.grads_out[0].tolist() == [1, 1, 1, 1]
    assert mul_step.node is z.grad_fn
    assert mul_step.grads_out[0] is None  # u is detached: no gradient is sent to it
    assert mul_step.grads_out[1].tolist() == [0, 1, 4, 9]
    assert isinstance(acc_step.node, AccumulateGrad)
    assert acc_step.variable is x and acc_step.grads_out == ()
    assert acc_step.grad_before.tolist() == [0, 0, 0, 0]
    assert acc_step.grad_after.tolist() == [0, 1, 4, 9]
    assert acc_step.grad_before is not x.grad and acc_step.grad_after is not x.grad
    assert finished.roots == (s,)
    assert eq.op == "eq" and eq.output is check


def test_backward_steps_is_the_backward():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = (x * 3).sum()
    steps = list(backward_steps(y))
    assert [st.node.display_name for st in steps] == [
        "SumBackward0",
        "MulBackward0",
        "AccumulateGrad",
    ]
    assert steps[1].grads_out[1] is None  # the Python scalar 3
    assert steps[2].grad_before is None
    assert x.grad.tolist() == [3.0, 3.0]


def test_nodes_reach_user_code_as_their_torch_class():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = (x.exp() * 3).sum()
    nodes = [st.node for st in backward_steps(y, retain_graph=True)]
    assert [type(node).__name__ for node in nodes] == [
        "SumBackward0",
        "MulBackward0",
        "ExpBackward0",
        "AccumulateGrad",
    ]
    assert type(y.grad_fn).__name__ == y.grad_fn.name() == "SumBackward0"
    assert y.grad_fn is nodes[0]


def test_first_accumulation_and_leaf_root():
    x = torch.tensor(3.0, requires_grad=True)
    steps = list(backward_steps(x))
    assert len(steps) == 1 and steps[0].variable is x
    assert steps[0].grad_before is None and steps[0].grad_after.item() == 1.0


def test_factory_and_requires_grad_events():
    events = []
    with ob.observe(events.append):
        a = torch.ones(2, requires_grad=True)
        b = torch.arange(3)
        with torch.no_grad():
            c = a * 2
        b.requires_grad = False
        a.requires_grad_()
    names = [(type(e).__name__, getattr(e, "op", None)) for e in events]
    assert names == [
        ("OpRan", "ones"),
        ("RequiresGradSet", None),
        ("OpRan", "arange"),
        ("OpRan", "mul"),
        ("RequiresGradSet", None),
        ("RequiresGradSet", None),
    ]
    assert events[0].args == (2,) and events[0].output is a
    assert events[2].args == (3,)
    assert events[3].grad_enabled is False and c.grad_fn is None


def test_reflected_operand_order_is_kept():
    events = []
    x = torch.arange(4.0, requires_grad=True)
    with ob.observe(events.append):
        y = 2 * torch.dot(x, x)
    assert events[0].op == "dot"
    assert events[1].op == "mul" and events[1].args == (2, events[0].output)
    assert y.grad_fn.next_functions[1] == (None, 0)


def test_nested_observers_in_registration_order():
    calls = []
    with ob.observe(lambda e: calls.append("outer")), ob.observe(lambda e: calls.append("inner")):
        torch.zeros(1)
    assert calls == ["outer", "inner"]
    assert ob.LISTENERS == []


def test_events_are_frozen():
    event = ob.Detached(None, None, False)
    with pytest.raises(AttributeError):
        event.in_place = True  # type: ignore[misc]


def test_no_event_objects_built_without_listeners(monkeypatch):
    def boom(*args, **kwargs):
        raise AssertionError("an event was built with nobody listening")

    for name in ("OpRan", "Detached", "InPlaceModified", "RequiresGradSet"):
        monkeypatch.setattr(f"engine.dispatch.{name}", boom, raising=False)
        monkeypatch.setattr(f"engine.tensor.{name}", boom, raising=False)
        monkeypatch.setattr(f"engine.factories.{name}", boom, raising=False)
    monkeypatch.setattr("engine.autograd.BackwardStep", boom)
    x = torch.ones(3, requires_grad=True)
    y = (x * x).sum()
    y.backward()
    x.grad.zero_()
    x.detach()
    assert np.array_equal(x.grad.numpy(), np.zeros(3, np.float32))


def test_a_listener_hears_its_own_thread_only():
    heard, other_thread_ops = [], []

    def other_thread():
        with ob.observe(other_thread_ops.append):
            torch.ones(2) * 3

    with ob.observe(heard.append):
        worker = threading.Thread(target=other_thread)
        worker.start()
        worker.join()
        torch.ones(2) + 1
    assert [e.op for e in heard] == ["ones", "add"]
    assert [e.op for e in other_thread_ops] == ["ones", "mul"]


def test_grad_mode_belongs_to_the_thread():
    seen = []

    def other_thread():
        seen.append(torch.is_grad_enabled())
        with torch.no_grad():
            seen.append(torch.is_grad_enabled())

    with torch.no_grad():
        worker = threading.Thread(target=other_thread)
        worker.start()
        worker.join()
        seen.append(torch.is_grad_enabled())
    assert seen == [True, False, False]
    assert torch.is_grad_enabled()


def test_muted_hides_this_threads_events_and_restores_its_listeners():
    seen = []
    with ob.observe(seen.append):
        x = torch.ones(2)
        with ob.muted():
            x * 2
        x + 1
    assert [event.op for event in seen if isinstance(event, ob.OpRan)] == ["ones", "add"]
    assert not ob.LISTENERS
