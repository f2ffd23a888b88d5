"""Go to First NaN/Inf (F8) in the real window on nan_appears.py: the cursor lands where the NaN
first appears, that node is selected and the status bar names the event; without one, nothing
moves."""

from __future__ import annotations

import pytest

from explorer.fileformat import open_document
from explorer.qt import files

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")

NAN_EXAMPLE = files.EXAMPLES_DIR / "nan_appears.py"
ACTION = "timeline.first_nonfinite"


@pytest.fixture
def nan_window(window):
    window.set_document(open_document(NAN_EXAMPLE))
    return window


def test_the_action_has_its_own_shortcut(window):
    shortcuts = [a.shortcut().toString() for a in window.qt_actions.values()]
    assert window.qt_actions[ACTION].shortcut().toString() == "F8"
    assert shortcuts.count("F8") == 1
    assert window.qt_actions[ACTION].text() == "Go to First NaN/Inf"


def test_enabled_only_with_a_recorded_run(window, make_document):
    assert not window.qt_actions[ACTION].isEnabled()  # the new, empty document
    window.set_document(make_document())
    assert window.qt_actions[ACTION].isEnabled()


def test_jumps_to_where_the_nan_first_appears(nan_window):
    document, bar = nan_window.document, nan_window.timeline_bar
    bar.last()
    nan_window.qt_actions[ACTION].trigger()
    index = document.timeline.first_nonfinite()
    event = document.replay.current_event
    assert document.replay.index == index  # 0-based, as the replay counts
    assert event.op == "log" and event.nonfinite == ("t1",)
    assert bar.slider.value() == index
    assert bar.position.text().startswith(f"event {index + 1} / {len(document.timeline)}")
    message = nan_window.statusBar().currentMessage()
    assert (
        message == f"First NaN/Inf: event {index + 1} / {len(document.timeline)} · OpRan log · t1"
    )
    assert nan_window.graph_view.selected == "t1"
    assert nan_window.graph_view.node_category("t1") == "nonfinite"
    assert nan_window.inspector.node_id == "t1"
    assert nan_window.inspector.title.text() == "t1"  # unnamed: no empty label after it
    assert "-inf" in nan_window.inspector.value_text.toPlainText()  # log(0)
    editor = nan_window.editor
    first, last = editor.statement_lines
    assert editor.toPlainText().splitlines()[first - 1 : last] == ["y = x.log() * x"]


def test_a_gradient_origin_names_the_grad_fn(nan_window):
    from explorer.qt.main_window import describe_nonfinite

    document = nan_window.document
    index = next(
        i for i, e in enumerate(document.timeline) if getattr(e, "grad_fn", "") and e.nonfinite
    )
    assert describe_nonfinite(document, index).endswith("· BackwardStepped MulBackward0 · op2")


def test_without_nan_nothing_moves_and_the_status_says_so(window, make_document):
    window.set_document(make_document())
    window.timeline_bar.seek(3)
    window.graph_view.select(None)
    window.qt_actions[ACTION].trigger()
    assert window.document.replay.index == 3
    assert window.statusBar().currentMessage() == "No NaN or inf in this run"
    assert window.graph_view.selected is None


def test_the_jump_stops_playback(nan_window):
    nan_window.timeline_bar.toggle_play()
    nan_window.go_to_first_nonfinite()
    assert not nan_window.timeline_bar.is_playing()
    assert nan_window.document.replay.index == nan_window.document.timeline.first_nonfinite()
