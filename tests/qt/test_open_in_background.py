"""Opening a program file: parsed at once, run off the GUI thread, shown only when its run is
adopted. Parse errors, failed runs and superseded opens leave the window's document as it was.
Nothing waits on timers but Qt's own queue."""

from __future__ import annotations

import threading

import pytest

from explorer.model.document import record_run
from explorer.qt import app, files, run_worker, window_actions

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")
BIG = str(files.EXAMPLES_DIR / "rnn_unrolled.py")
SMALL = "# %%\nimport torch\nx = torch.ones(3, requires_grad=True)\nx.sum().backward()\n"


@pytest.fixture
def small_file(tmp_path):
    path = tmp_path / "small.py"
    path.write_text(SMALL, encoding="utf-8")
    return str(path)


def test_opening_the_big_example_runs_it_off_the_gui_thread(
    window, qtbot, message_boxes, monkeypatch
):
    # The window's responsiveness during a run is measured by test_run_worker (same runner);
    # here what opening adds is checked exactly: the run happens on a worker thread and the
    # window keeps its document until the run is adopted.
    run_threads = []

    def recording_thread(*arguments, **keywords):
        run_threads.append(threading.get_ident())
        return record_run(*arguments, **keywords)

    monkeypatch.setattr(run_worker, "record_run", recording_thread)
    window.editor.setPlainText(SMALL)
    window.editor.document().setModified(True)  # unsaved edits: the prompt comes first
    before = window.document
    with qtbot.waitSignal(window.run_runner.finished, timeout=60000) as done:
        assert window_actions.open_file(window, BIG)
        assert message_boxes == [("Unsaved changes", "Save the changes to untitled?")]
        assert window.run_runner.is_running() and window.run_progress.isVisible()
        assert window.run_progress.label.text() == "Opening rnn_unrolled.py…"
        assert window.document is before and "untitled" in window.windowTitle()
    assert done.args == [True]
    assert run_threads and run_threads[0] != threading.get_ident()
    document = window.document
    assert document is not before and document.path == BIG
    assert window.windowTitle().endswith("rnn_unrolled.py")
    assert window.editor.toPlainText() == document.program.to_percent()
    assert not window.is_modified()
    assert document.graph.number_of_nodes() > 5000 and document.layout_pending
    assert files.recent_files(window.settings) == [BIG]


def test_a_syntax_error_opens_with_the_error_marked_at_its_line(window, qtbot, tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("# %%\nimport torch\nprint('ran')\n# %%\nx = (1,\n", encoding="utf-8")
    with qtbot.waitSignal(window.run_runner.finished, timeout=20000):
        assert window_actions.open_file(window, str(bad))
    document = window.document
    assert document.path == str(bad)
    assert document.error.kind == "SyntaxError" and document.error.line == 5
    assert "ran" in window.console.toPlainText()


def test_an_unreadable_file_shows_the_message_and_keeps_the_document(
    window, tmp_path, message_boxes
):
    bad = tmp_path / "bad.ipynb"
    bad.write_text("{not json", encoding="utf-8")
    before = window.document
    assert not window_actions.open_file(window, str(bad))
    assert window.document is before and not window.run_runner.is_running()
    title, text = message_boxes[-1]
    assert title == "Cannot open file" and "bad.ipynb" in text


def test_opening_another_file_discards_the_first(window, qtbot, small_file):
    window_actions.open_file(window, BIG)
    with qtbot.waitSignal(window.run_runner.finished, timeout=20000) as done:
        window_actions.open_file(window, small_file)
    assert done.args == [False]  # the first open was dropped
    with qtbot.waitSignal(window.run_runner.finished, timeout=20000) as done:
        pass
    assert done.args == [True] and window.document.path == small_file
    window.run_runner.wait()  # the dropped run finishes in the background
    qtbot.wait(10)  # its queued result arrives and must change nothing
    assert window.document.path == small_file and window.document.graph.number_of_nodes() < 20


def test_a_run_all_supersedes_an_open(window, qtbot, small_file):
    window.editor.setPlainText(SMALL)
    window_actions.open_file(window, small_file, confirmed=True)
    before = window.document
    with qtbot.waitSignal(window.run_runner.finished, timeout=20000):
        window.run_all()
    with qtbot.waitSignal(window.run_runner.finished, timeout=20000) as done:
        pass
    assert done.args == [True] and window.document is before and before.path is None


def test_a_failed_run_keeps_the_document(window, qtbot, monkeypatch, message_boxes, small_file):
    def broken(program, upto_cell=None, pause=None):
        raise MemoryError("out of memory")

    monkeypatch.setattr(run_worker, "record_run", broken)
    before = window.document
    with qtbot.waitSignal(window.run_runner.finished, timeout=20000) as done:
        window_actions.open_file(window, small_file)
    assert done.args == [False] and window.document is before
    assert message_boxes[-1] == ("Cannot run the program", "MemoryError: out of memory")
    assert files.recent_files(window.settings) == []


def test_start_up_runs_only_the_seed_at_once(small_file, tmp_path):
    seed, nothing = app.startup_documents(None)
    assert nothing is None and len(seed.timeline) > 0
    shown, program = app.startup_documents(small_file)
    assert len(shown.timeline) == 0 and shown.path is None
    assert program.path == small_file and program.run_result is None
