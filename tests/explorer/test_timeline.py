"""Replay over synthetic events: seeking is pure, reversible and reports what changed."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from explorer.model import events as ev
from explorer.model.arrays import ArrayStore
from explorer.model.timeline import Replay, Timeline, nonfinite_origin

STORE = ArrayStore()


def a(*values):
    return STORE.freeze(np.array(values, dtype=np.float32))


def synthetic_timeline() -> Timeline:
    """x = arange; x.requires_grad_(); y = x * x; y.sum().backward(); x.grad.zero_()."""
    x, y, s = "t0", "t1", "t2"
    e_in = [("t0", "op1", 0), ("t0", "op1", 1)]
    return Timeline(
        [
            ev.CellStarted(0),
            ev.OpRan("op0", "arange", (x,), (a(0, 1, 2),), (False,), (("op0", x, 0),)),
            ev.NameBound("x", x),
            ev.RequiresGradSet(x, True, False),
            ev.OpRan("op1", "mul", (y,), (a(0, 1, 4),), (True,), (*e_in, ("op1", y, 0))),
            ev.OpRan("op2", "sum", (s,), (a(5),), (True,), ((y, "op2", 0), ("op2", s, 0))),
            ev.BackwardStarted((s,), "backward"),
            ev.BackwardStepped("op2", "SumBackward0", ((y, "op2", 0),), (a(1, 1, 1),)),
            ev.BackwardStepped("op1", "MulBackward0", tuple(e_in), (a(0, 1, 2), a(0, 1, 2))),
            ev.GradAccumulated(x, None, None, a(0, 2, 4), a(0, 2, 4)),
            ev.BackwardFinished((s,)),
            ev.GradZeroed(x, None, a(0, 2, 4), a(0, 0, 0), 1),
            ev.OutputPrinted(0, "done\n"),
        ]
    )


def snapshot(replay: Replay, nodes=("t0", "t1", "t2", "op0", "op1", "op2")):
    out = {}
    for node in nodes:
        s = replay.node_state(node)
        value = None if s.value is None else s.value.tolist()
        grad = None if s.grad is None else s.grad.tolist()
        history = [(r.event, r.kind) for r in s.grad_history]
        out[node] = (s.visible, value, grad, s.active, s.accumulation_count, history)
        out[node] += (s.requires_grad, s.nonfinite)
    edges = [("t0", "op1", 0), ("t0", "op1", 1), ("t1", "op2", 0)]
    for edge in edges:
        s = replay.edge_state(edge)
        out[edge] = (s.visible, None if s.gradient is None else s.gradient.tolist())
    return out


def test_fresh_replay_starts_before_the_first_event():
    replay = Replay(synthetic_timeline())
    assert replay.index == -1
    assert replay.current_event is None and replay.active_node is None
    assert not replay.node_state("t0").visible


def test_heading_numbers_events_from_one_and_names_their_kind():
    timeline = synthetic_timeline()
    assert timeline.heading(0) == f"event 1 / {len(timeline)} · CellStarted"
    assert timeline.heading(4) == f"event 5 / {len(timeline)} · OpRan"


def test_forward_values_and_backward_gradients_appear_in_order():
    replay = Replay(synthetic_timeline())
    replay.seek(4)
    assert replay.node_state("t1").value.tolist() == [0, 1, 4]
    assert replay.active_node == "op1"
    replay.seek(8)
    assert replay.edge_state(("t0", "op1", 1)).gradient.tolist() == [0, 1, 2]
    assert replay.node_state("t0").grad is None
    replay.seek(9)
    x = replay.node_state("t0")
    assert x.grad.tolist() == [0, 2, 4] and x.accumulation_count == 1 and x.active
    assert replay.edge_state(("t0", "op1", 1)).gradient is None
    replay.seek(11)
    x = replay.node_state("t0")
    assert x.grad.tolist() == [0, 0, 0] and x.accumulation_count == 0
    assert [(r.event, r.kind) for r in x.grad_history] == [(9, "backward"), (11, "zero")]


def test_delta_names_what_changed_including_the_active_node_moving():
    replay = Replay(synthetic_timeline())
    replay.seek(3)
    delta = replay.seek(4)
    assert {"op1", "t1", "t0"} <= delta.nodes
    assert ("op1", "t1", 0) in delta.edges
    delta = replay.seek(8)
    assert ("t0", "op1", 1) in delta.edges


def test_seek_is_clamped():
    replay = Replay(synthetic_timeline())
    replay.seek(1000)
    assert replay.index == len(replay.timeline) - 1
    replay.seek(-50)
    assert replay.index == -1


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(-1, 12), min_size=1, max_size=12))
def test_any_path_of_seeks_gives_the_fresh_state(path):
    timeline = synthetic_timeline()
    replay = Replay(timeline)
    for index in path:
        replay.seek(index)
    fresh = Replay(timeline)
    fresh.seek(path[-1])
    assert snapshot(replay) == snapshot(fresh)


def test_back_to_start_reverts_everything():
    replay = Replay(synthetic_timeline())
    before = snapshot(replay)
    replay.seek(12)
    replay.seek(-1)
    assert snapshot(replay) == before


def test_nonfinite_marks_the_origin_only_while_it_exists():
    nan = STORE.freeze(np.array([np.nan], dtype=np.float32))
    timeline = Timeline(
        [
            ev.OpRan("op0", "log", ("t0",), (nan,), (False,), (("op0", "t0", 0),), ("t0",)),
            ev.OpRan("op1", "mul", ("t1",), (nan,), (False,), (("t0", "op1", 0),)),
        ]
    )
    replay = Replay(timeline)
    replay.seek(1)
    assert replay.node_state("t0").nonfinite and not replay.node_state("t1").nonfinite
    assert replay.nonfinite_now("t1")
    assert timeline.first_nonfinite() == 0
    replay.seek(-1)
    assert not replay.node_state("t0").nonfinite


def test_nonfinite_origin_names_the_node_where_it_appeared():
    nan, one = a(np.nan), a(1)
    assert nonfinite_origin(ev.OpRan("op0", "log", ("t0",), (nan,), (False,), (), ("t0",))) == "t0"
    assert nonfinite_origin(ev.OpRan("op0", "log", ("t0",), (one,), (False,), ())) is None
    assert nonfinite_origin(ev.BackwardStepped("op1", "MulBackward0", (), (), True)) == "op1"
    assert nonfinite_origin(ev.GradAccumulated("t0", None, None, nan, nan, True)) == "t0"
    assert nonfinite_origin(ev.GradAccumulated("t0", None, None, one, one)) is None
    assert nonfinite_origin(ev.CellStarted(0)) is None


def test_timelines_compare_arrays_by_bits():
    assert synthetic_timeline() == synthetic_timeline()
    assert synthetic_timeline() != Timeline(list(synthetic_timeline())[:-1])


@pytest.mark.parametrize("size", [100, 10_000])
def test_one_event_move_touches_only_that_event(size):
    events = [
        ev.OpRan(f"op{i}", "add", (f"t{i}",), (a(i),), (False,), ((f"op{i}", f"t{i}", 0),))
        for i in range(size)
    ]
    replay = Replay(Timeline(events))
    replay.seek(size // 2)
    delta = replay.seek(size // 2 + 1)
    assert len(delta.nodes) <= 4 and len(delta.edges) <= 2
