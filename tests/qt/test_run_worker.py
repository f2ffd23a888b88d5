"""Programs run off the GUI thread: the window answers during a long run, and a run that fails or
is superseded leaves the document as it was. Nothing waits on timers but Qt's own queue."""

from __future__ import annotations

import time

import pytest
from PySide6 import QtCore

from explorer.model.document import Document
from explorer.model.program import load_program, parse_percent
from explorer.qt import files, run_worker

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")
BIG = files.EXAMPLES_DIR / "rnn_unrolled.py"
SMALL = "# %%\nimport torch\nx = torch.ones(3, requires_grad=True)\nx.sum().backward()\n"


def test_the_window_answers_while_the_big_example_runs(window, qtbot):
    window.set_document(Document.from_program(load_program(BIG)))
    ticks: list[bool] = []  # the event loop's answers, each noting whether the run was on
    timer = QtCore.QTimer(window)
    timer.timeout.connect(lambda: ticks.append(window.run_runner.is_running()))
    timer.start(20)
    started = time.perf_counter()
    with qtbot.waitSignal(window.run_runner.finished, timeout=60000) as done:
        window.run_all()
        assert window.run_runner.is_running() and window.run_progress.isVisible()
        assert len(window.document.timeline) == 0  # nothing installed yet
    timer.stop()
    elapsed = time.perf_counter() - started
    assert done.args == [True]
    # A run on the GUI thread would let the timer fire at most once; here it keeps firing
    # (load on a shared machine can stall single answers, so only a fraction is asked for).
    assert ticks.count(True) >= max(3, int(elapsed / 0.02 / 10)), (len(ticks), elapsed)
    assert not window.run_progress.isVisible()
    assert window.document.graph.number_of_nodes() > 5000


def test_a_failed_run_keeps_the_document(window, qtbot, monkeypatch, message_boxes):
    window.editor.setPlainText(SMALL)
    with qtbot.waitSignal(window.run_runner.finished, timeout=20000):
        window.run_all()
    timeline, graph = window.document.timeline, window.document.graph

    def broken(program, upto_cell=None, pause=None):
        raise MemoryError("out of memory")

    monkeypatch.setattr(run_worker, "record_run", broken)
    with qtbot.waitSignal(window.run_runner.finished, timeout=20000) as done:
        window.run_all()
    assert done.args == [False]
    assert window.document.timeline is timeline and window.document.graph is graph
    assert message_boxes[-1] == ("Cannot run the program", "MemoryError: out of memory")


def test_a_newer_run_supersedes_the_one_under_way(window, qtbot):
    window.set_document(Document.from_program(load_program(BIG)))
    window.run_all()
    window.editor.setPlainText(SMALL)
    with qtbot.waitSignal(window.run_runner.finished, timeout=20000) as done:
        window.run_all()
    assert done.args == [False]  # the first run was dropped
    with qtbot.waitSignal(window.run_runner.finished, timeout=20000) as done:
        pass
    assert done.args == [True]
    assert window.document.graph.number_of_nodes() < 20
    window.run_runner.wait()  # the dropped run finishes in the background
    qtbot.wait(10)  # let the dropped run's queued result arrive: it must change nothing
    assert window.document.graph.number_of_nodes() < 20


def test_opening_another_document_drops_the_run(window, qtbot):
    window.set_document(Document.from_program(load_program(BIG)))
    window.run_all()
    other = Document.from_program(parse_percent(SMALL))
    window.set_document(other)
    assert not window.run_runner.is_running() and not window.run_progress.isVisible()
    window.run_runner.wait()
    qtbot.wait(10)
    assert len(other.timeline) == 0 and window.document is other


def test_run_cell_runs_up_to_the_cursor_in_the_background(window, qtbot):
    window.editor.setPlainText(SMALL + "# %%\ny = x * 2\n")
    with qtbot.waitSignal(window.run_runner.finished, timeout=20000) as done:
        window.run_cell()  # the text cursor is on line 1: the first cell
    assert done.args == [True]
    assert not any(d.get("label") == "y" for _, d in window.document.graph.nodes(data=True))
