"""The real main window, offscreen, on the seed notebook: the detach cell's backward step by step,
accumulation, bad files, save and reopen, undo. The timeline is moved directly, never by timers."""

from __future__ import annotations

import gc

import pytest
from PySide6 import QtWidgets

from explorer.fileformat import open_document
from explorer.model import events as ev
from explorer.qt import files, window_actions
from explorer.qt.main_window import QtMainWindow

# The offscreen platform plugin says this about every dock layout; it is not our warning.
pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")


@pytest.fixture
def seed_path(request):
    if files.SEED_EXAMPLE.exists():
        return str(files.SEED_EXAMPLE)
    return str(request.getfixturevalue("seed_dir") / "autograd_basics.py")


@pytest.fixture
def window(qtbot, seed_path, isolated_settings, message_boxes):
    window = QtMainWindow(open_document(seed_path), isolated_settings)
    qtbot.addWidget(window)
    window.show()
    run_all(window, qtbot)
    return window


def run_all(window, qtbot) -> None:
    """F5, waiting for the background run to be installed."""
    with qtbot.waitSignal(window.run_runner.finished, timeout=20000):
        window.run_all()


def indices(window, kind, start=0):
    return [i for i, e in enumerate(window.document.timeline) if isinstance(e, kind) and i >= start]


def x_node(window):
    graph = window.document.graph
    return next(n for n, d in graph.nodes(data=True) if d.get("label", "").split(", ")[0] == "x")


def test_title_names_the_document(window, seed_path):
    assert window.windowTitle().startswith("Autograd Explorer — ")
    assert window.document.name in window.windowTitle()
    assert "tensor([0., 1., 2., 3.])" in window.console.toPlainText()


def test_cyclic_garbage_is_collected_on_the_gui_thread_only(window):
    """Automatic collection is off (it finalized Qt objects on run threads); a GUI timer
    collects instead."""
    from explorer.qt.main_window import _COLLECTOR

    assert not gc.isenabled()
    assert len(_COLLECTOR) == 1 and _COLLECTOR[0].timer.isActive()


def test_console_keeps_a_printed_matrix_in_rows(window):
    wrap = window.console.lineWrapMode()
    assert wrap == QtWidgets.QPlainTextEdit.LineWrapMode.NoWrap


def test_backward_of_the_detach_cell_step_by_step(window):
    document, view, bar = window.document, window.graph_view, window.timeline_bar
    detached = indices(window, ev.Detached)[0]
    detach_edge = document.timeline[detached].edge
    start = indices(window, ev.BackwardStarted, detached)[0]
    finished = indices(window, ev.BackwardFinished, start)[0]
    bar.seek(start)
    seen_carry = 0
    while document.replay.index < finished:
        bar.next()
        event = document.replay.current_event
        assert view.edge_style(detach_edge) == "detach"
        assert view.edge_label(detach_edge) == "✂ detach"
        if isinstance(event, ev.BackwardStepped):
            assert view.node_category(event.op_node) == "active"
            for edge in event.edges:
                assert edge != detach_edge
                assert view.edge_style(edge).startswith("carry")
                seen_carry += 1
        if isinstance(event, ev.GradAccumulated):
            assert view.node_category(event.leaf) == "active"
            assert "→" in view.node_label(event.leaf)[-1]
    assert seen_carry >= 2
    window.graph_view.select(x_node(window))
    text = window.inspector.text()
    assert "tensor([0., 1., 4., 9.])" in text  # x.grad == u
    assert "requires_grad: True" in text and "is_leaf: True" in text


def test_accumulation_badge_counts_backward_calls_without_zero(window):
    document, view = window.document, window.graph_view
    x = x_node(window)
    accumulated = [i for i in indices(window, ev.GradAccumulated) if document.timeline[i].leaf == x]
    window.timeline_bar.seek(accumulated[0])
    assert view.node_badge(x) is None
    window.timeline_bar.seek(accumulated[1])
    assert view.node_badge(x) == "×2"
    zeroed = indices(window, ev.GradZeroed, accumulated[1])[0]
    window.timeline_bar.seek(zeroed)
    assert view.node_badge(x) is None
    window.graph_view.select(x)
    assert "zero_()" in window.inspector.text()


def test_an_op_shows_its_fields_without_the_tensor_sections(window):
    graph = window.document.graph
    op = next(n for n, d in graph.nodes(data=True) if d.get("grad_fn") == "MulBackward0")
    window.graph_view.select(op)
    inspector = window.inspector
    assert "grad_fn" in inspector.text() and "next_functions" in inspector.text()
    assert not inspector.value_text.isVisibleTo(inspector)
    assert not inspector.history.isVisibleTo(inspector)
    window.graph_view.select(x_node(window))
    assert inspector.value_text.isVisibleTo(inspector)


def test_malformed_file_shows_a_message_and_keeps_the_document(window, tmp_path, message_boxes):
    bad = tmp_path / "bad.autograd.json"
    bad.write_text("{ not json", encoding="utf-8")
    before = window.document
    assert not window_actions.open_file(window, str(bad), confirmed=True)
    assert window.document is before
    assert message_boxes and message_boxes[0][0] == "Cannot open file"


def test_program_error_is_marked_at_its_line(window, qtbot):
    window.editor.setPlainText("# %%\nimport torch\nx = torch.arange(4.0)\ny = x.nope()\n")
    run_all(window, qtbot)
    assert window.document.error is not None
    assert window.editor.error_line == 4
    assert window.error_banner.isVisibleTo(window)
    console = window.console.toPlainText()
    assert console.endswith(window.document.error.traceback_text())
    assert "Error in cell 1, line 4, col 5:\n    y = x.nope()\n" in console


def test_save_and_reopen_gives_the_same_scene(window, tmp_path, message_boxes):
    view = window.graph_view
    window.timeline_bar.seek(40)
    scene = {n: (view.node_category(n), view.node_visible(n)) for n in window.document.graph}
    path = str(tmp_path / "seed.autograd.json")
    assert window_actions.write(window, path)
    assert window_actions.open_file(window, path)
    window.timeline_bar.seek(40)
    reopened = {n: (view.node_category(n), view.node_visible(n)) for n in window.document.graph}
    assert reopened == scene
    assert window.windowTitle().endswith("seed.autograd.json")


def test_node_moves_undo_and_redo(window):
    node = x_node(window)
    start = tuple(window.document.positions[node])
    window._on_node_dragged(node, start, (start[0] + 2.0, start[1]))
    assert window.document.positions[node] == (start[0] + 2.0, start[1])
    window.undo_stack.undo()
    assert tuple(window.document.positions[node]) == start
    window.undo_stack.redo()
    assert window.document.positions[node][0] == start[0] + 2.0


def test_unsaved_edits_prompt_before_new(window, message_boxes):
    window.editor.appendPlainText("z = 1")
    assert window.is_modified()
    window_actions.new_document(window)
    assert message_boxes[-1][0] == "Unsaved changes"
    assert window.document.graph.number_of_nodes() == 0


def test_menus_come_from_the_registry(window):
    titles = {a.text() for a in window.menuBar().actions()}
    assert {"File", "Examples", "Run", "View", "Timeline"} <= titles
    shortcuts = {i: a.shortcut().toString() for i, a in window.qt_actions.items()}
    assert shortcuts["run.all"] == "F5" and shortcuts["timeline.play"] == "Space"
    window.qt_actions["timeline.last"].trigger()
    assert window.document.replay.index == len(window.document.timeline) - 1
    window.qt_actions["timeline.previous"].trigger()
    assert window.document.replay.index == len(window.document.timeline) - 2


def test_view_menu_layout_runs_in_the_background_and_fits(window, qtbot):
    action = window.actions_registry.get("view.layout.spring")
    with qtbot.waitSignal(window.layout_runner.finished, timeout=10000) as done:
        action.callback(window.document)
    assert done.args == [True]
    assert window.document.view.layout == "spring"
    assert window.document.dirty


def statement(editor) -> str:
    first, last = editor.statement_lines
    return "\n".join(editor.toPlainText().splitlines()[first - 1 : last])


def assert_statement_shown(editor) -> None:
    first, last = editor.statement_lines
    top = editor.first_visible_line()
    assert top <= first and last < top + editor.lines_shown()


def test_the_editor_follows_the_timeline(window):
    editor, bar = window.editor, window.timeline_bar
    editor.resize(editor.width(), 160)  # a few lines tall, so following needs scrolling
    detached = indices(window, ev.Detached)[0]
    bar.seek(detached)
    first, last = editor.current_lines
    lines = editor.toPlainText().splitlines()[first - 1 : last]
    assert any("detach()" in line for line in lines)
    assert statement(editor) == "u = y.detach()"
    assert_statement_shown(editor)
    bar.seek(0)
    first, _ = editor.current_lines
    assert "import torch" in editor.toPlainText().splitlines()[first - 1]
    assert editor.statement_lines is None  # a cell start: the cell, no statement yet
    assert editor.first_visible_line() <= first
    bar.first()
    assert editor.current_lines is None and editor.statement_lines is None


def test_scrubbing_moves_the_statement_mark(window):
    editor, bar = window.editor, window.timeline_bar
    dot = next(i for i in indices(window, ev.OpRan) if window.document.timeline[i].op == "dot")
    bar.seek(dot)
    assert statement(editor) == "y = 2 * torch.dot(x, x)"
    bar.seek(dot + 1)  # 2 * dot: the same statement
    assert statement(editor) == "y = 2 * torch.dot(x, x)"
    started = indices(window, ev.BackwardStarted)[0]
    for index in range(started, indices(window, ev.BackwardFinished)[0] + 1):
        bar.seek(index)
        assert statement(editor) == "y.backward()"
    assert_statement_shown(editor)
    bar.seek(indices(window, ev.GradZeroed)[-1])
    assert statement(editor) == "x.grad.zero_()"
    assert_statement_shown(editor)


def test_nothing_is_marked_while_the_text_has_unsaved_edits(window, qtbot):
    editor, bar = window.editor, window.timeline_bar
    bar.seek(indices(window, ev.BackwardStepped)[0])
    assert editor.statement_lines is not None
    editor.textCursor().insertText("# an edit\n")
    assert editor.current_lines is None and editor.statement_lines is None
    bar.seek(indices(window, ev.BackwardStepped)[1])
    assert editor.statement_lines is None
    run_all(window, qtbot)
    assert editor.statement_lines is not None


def test_a_file_saved_without_statements_shades_only_the_cell(window, tmp_path):
    from pathlib import Path

    golden = Path(__file__).parents[1] / "explorer" / "golden" / "seed_v1.autograd.json"
    window.set_document(open_document(str(golden)))
    window.timeline_bar.seek(indices(window, ev.BackwardStepped)[0])
    assert window.editor.current_lines is not None and window.editor.statement_lines is None
