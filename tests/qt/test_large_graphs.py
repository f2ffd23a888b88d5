"""Large graphs in the real window: background layout with Cancel, and playback that drops frames.

The 10,000-node example is run once per module; nothing here waits on the animation timer (the
timeline bar is ticked by hand against a fake clock)."""

from __future__ import annotations

import threading

import pytest
from PySide6 import QtCore, QtWidgets

from explorer.fileformat import open_document
from explorer.model import events as ev
from explorer.model.document import Document
from explorer.model.layout import compute_layout
from explorer.qt import files, layout_worker, window_actions
from explorer.qt.main_window import QtMainWindow
from explorer.qt.timeline_bar import SPEEDS

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")
BIG = files.EXAMPLES_DIR / "rnn_unrolled.py"
MEDIUM = files.EXAMPLES_DIR / "big_mlp.py"


@pytest.fixture(scope="module")
def big_document():
    return open_document(BIG)


@pytest.fixture
def big_window(qtbot, big_document, isolated_settings, message_boxes):
    window = QtMainWindow(big_document, isolated_settings)
    qtbot.addWidget(window)
    window.show()
    yield window
    window.layout_runner.wait()
    window.set_document(Document.new())  # the module's document outlives this window


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class HeldLayout:
    """Stands in for compute_layout in the worker thread: it reports progress until the test
    releases it (then returns the real layout) or the user cancels. The test, not the machine's
    speed, decides when the layout ends."""

    def __init__(self) -> None:
        self.release = threading.Event()

    def __call__(self, graph, algorithm, direction, fixed, progress):
        while not self.release.wait(0.005):
            progress(0.5)  # raises LayoutCancelled once Cancel was pressed
        return compute_layout(graph, algorithm, direction, fixed)


@pytest.fixture
def held_layout(monkeypatch):
    held = HeldLayout()
    monkeypatch.setattr(layout_worker, "compute_layout", held)
    yield held
    held.release.set()


def event_loop_ticks(qtbot, milliseconds: int) -> int:
    """How often a 10 ms timer fired on the GUI thread during `milliseconds`."""
    ticks = []
    timer = QtCore.QTimer()
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start(10)
    qtbot.wait(milliseconds)
    timer.stop()
    return len(ticks)


def test_the_example_has_about_ten_thousand_nodes(big_document):
    assert 9_000 <= big_document.graph.number_of_nodes() <= 11_000
    assert big_document.error is None


def test_drawing_uses_one_scatter_and_a_few_paths(big_window):
    items = big_window.graph_view.view_box.addedItems
    assert len(items) <= 12
    assert len(big_window.graph_view.scatter.data) == big_window.document.graph.number_of_nodes()


def test_layout_runs_in_the_background_and_cancel_keeps_the_old_positions(
    big_window, qtbot, held_layout
):
    document, runner = big_window.document, big_window.layout_runner
    before = dict(document.positions)
    big_window.relayout("layered", "LR")
    progress = big_window.layout_progress
    assert runner.is_running() and progress.isVisible()
    qtbot.waitUntil(lambda: progress.bar.value() > 0, timeout=3000)
    assert event_loop_ticks(qtbot, 300) >= 5  # the window answers while the layout runs
    index = document.replay.index
    qtbot.keyClick(big_window, QtCore.Qt.Key.Key_Left)
    assert document.replay.index == index - 1
    assert runner.is_running()
    qtbot.mouseClick(progress.cancel_button, QtCore.Qt.MouseButton.LeftButton)
    assert not runner.is_running() and not progress.isVisible()
    runner.wait()
    qtbot.wait(1)
    assert document.positions == before and document.view.direction == "TB"


def test_background_layout_equals_the_core_layout(qtbot, isolated_settings, message_boxes):
    window = QtMainWindow(open_document(MEDIUM), isolated_settings)
    qtbot.addWidget(window)
    document = window.document
    with qtbot.waitSignal(window.layout_runner.finished, timeout=5000) as done:
        window.relayout("layered", "LR")
    assert done.args == [True]
    assert document.positions == compute_layout(document.graph, "layered", "LR", document.fixed)
    assert document.view.direction == "LR" and document.dirty


def test_backward_playback_drops_frames_when_drawing_falls_behind(big_window):
    document, bar = big_window.document, big_window.timeline_bar
    bar.clock = clock = FakeClock()
    bar.speed.setCurrentIndex(SPEEDS.index(64))
    start = next(i for i, e in enumerate(document.timeline) if isinstance(e, ev.BackwardStarted))
    bar.seek(start)
    drawn = []
    draw = big_window.graph_view._on_cursor_moved

    def slow_draw(delta):  # every frame takes a quarter of a second of (fake) time
        drawn.append(document.replay.index)
        clock.now += 0.25
        draw(delta)

    document.events.cursor_moved.disconnect(draw)
    document.events.cursor_moved.connect(slow_draw)
    try:
        play_five_frames(bar, clock, start)
    finally:
        document.events.cursor_moved.disconnect(slow_draw)
        document.events.cursor_moved.connect(draw)
    behind = int(0.25 * bar_speed(bar))  # events the clock runs ahead while one frame draws
    assert len(drawn) == 5 and drawn[0] == start + 1
    assert [b - a for a, b in zip(drawn, drawn[1:], strict=False)] == [behind + 1] * 4
    assert bar.frames_dropped == drawn[-1] - start - len(drawn)


def play_five_frames(bar, clock, start):
    bar.toggle_play()
    speed = bar_speed(bar)
    for _ in range(5):
        clock.now += 1.0 / speed
        target = start + int((clock.now - bar._play_origin[0]) * speed)
        bar.tick()
        assert bar.document.replay.index == target  # caught up with the clock, nothing queued
    bar.pause()


def bar_speed(bar) -> float:
    return float(bar.speed.currentText().split()[0])


def test_opening_the_big_example_lays_it_out_in_the_background(
    qtbot, isolated_settings, message_boxes, held_layout
):
    window = QtMainWindow(Document.new(), isolated_settings)
    qtbot.addWidget(window)
    window.show()
    with qtbot.waitSignal(window.run_runner.finished, timeout=60000):
        assert window_actions.open_file(window, str(BIG))  # the program runs in the background
    document = window.document
    assert document.layout_pending and window.layout_runner.is_running()
    assert window.layout_progress.isVisible()
    assert len(document.positions) == document.graph.number_of_nodes()  # provisional
    QtWidgets.QApplication.processEvents()  # the new 10,000-node scene's first paint, not timed
    assert event_loop_ticks(qtbot, 300) >= 5  # the window answers while the layout runs
    with qtbot.waitSignal(window.layout_runner.finished, timeout=15000) as done:
        held_layout.release.set()
    assert done.args == [True]
    assert not document.layout_pending and not document.dirty
    assert document.positions == compute_layout(document.graph, "layered", "TB", {})


def test_small_programs_are_laid_out_at_once(qtbot, isolated_settings, message_boxes):
    window = QtMainWindow(Document.new(), isolated_settings)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.run_runner.finished, timeout=20000):
        assert window_actions.open_file(window, str(files.SEED_EXAMPLE))
    assert not window.document.layout_pending and not window.layout_runner.is_running()
    assert window.document.positions == compute_layout(window.document.graph)
