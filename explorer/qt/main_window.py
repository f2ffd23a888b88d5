"""The main window: editor, graph canvas, inspector, console and timeline around one Document."""

from __future__ import annotations

from typing import Any

from pyqtgraph.util.garbage_collector import GarbageCollector
from PySide6 import QtCore, QtGui, QtWidgets

from explorer.model.program import parse_percent
from explorer.model.timeline import nonfinite_origin
from explorer.qt import files
from explorer.qt.commands import QtMoveNodeCommand
from explorer.qt.editor import QtCodeEditor
from explorer.qt.graph_view import QtGraphView
from explorer.qt.inspector import QtInspector
from explorer.qt.layout_worker import QtLayoutProgress, QtLayoutRunner
from explorer.qt.run_worker import QtRunProgress, QtRunRunner
from explorer.qt.timeline_bar import QtTimelineBar, describe
from explorer.qt.window_actions import build_menus, window_actions

APP_TITLE = "Autograd Explorer"


class QtMainWindow(QtWidgets.QMainWindow):
    """Thin views over a Document; every change goes through the Document or the undo stack."""

    def __init__(self, document: Any, settings: QtCore.QSettings | None = None) -> None:
        super().__init__()
        collect_garbage_on_gui_thread()
        self.settings = settings or QtCore.QSettings()
        self.document: Any = None
        self.undo_stack = QtGui.QUndoStack(self)
        self.graph_view = QtGraphView(self)
        self.graph_view.node_selected.connect(self._on_node_selected)
        self.graph_view.node_dragged.connect(self._on_node_dragged)
        self.editor = QtCodeEditor(self)
        self.error_banner = QtWidgets.QLabel(self)
        self.inspector = QtInspector(self)
        self.console = QtWidgets.QPlainTextEdit(self)
        self.timeline_bar = QtTimelineBar(self)
        self.layout_progress = QtLayoutProgress(self)
        self.statusBar().addPermanentWidget(self.layout_progress)
        self.layout_runner = QtLayoutRunner(self.layout_progress, self)
        self.layout_runner.finished.connect(self._on_layout_finished)
        self.run_progress = QtRunProgress(self)
        self.statusBar().addPermanentWidget(self.run_progress)
        self.run_runner = QtRunRunner(self.run_progress, self)
        self.run_runner.failed.connect(self._on_run_failed)
        self.run_runner.finished.connect(self._on_run_finished)
        self._opening: Any = None  # a program document being run before it is shown
        self._build_docks()
        self.actions_registry = window_actions(self)
        self.qt_actions = build_menus(self, self.actions_registry)
        self.set_document(document)
        self.editor.modificationChanged.connect(self._follow_cursor)
        self._restore_layout()

    # ----- layout
    def _build_docks(self) -> None:
        self.setCentralWidget(self.graph_view)
        self.console.setReadOnly(True)
        self.console.setFont(self.editor.font())
        # A printed matrix keeps its rows and columns, as in a notebook's output
        self.console.setLineWrapMode(QtWidgets.QPlainTextEdit.LineWrapMode.NoWrap)
        self.error_banner.setWordWrap(True)
        self.error_banner.setStyleSheet("background:#ffe3e3;color:#c92a2a;padding:4px;")
        self.error_banner.hide()
        editor_box = QtWidgets.QWidget(self)
        column = QtWidgets.QVBoxLayout(editor_box)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.editor)
        column.addWidget(self.error_banner)
        area = QtCore.Qt.DockWidgetArea
        for corner in (QtCore.Qt.Corner.BottomLeftCorner, QtCore.Qt.Corner.BottomRightCorner):
            self.setCorner(corner, area.BottomDockWidgetArea)
        code = self._dock("Code", editor_box, area.LeftDockWidgetArea)
        console = self._dock("Console", self.console, area.LeftDockWidgetArea)
        self.splitDockWidget(code, console, QtCore.Qt.Orientation.Vertical)
        self.resizeDocks([code, console], [3, 1], QtCore.Qt.Orientation.Vertical)
        inspector = self._dock("Inspector", _scrolled(self.inspector), area.RightDockWidgetArea)
        self.resizeDocks([code, inspector], [360, 310], QtCore.Qt.Orientation.Horizontal)
        timeline = self._dock("Timeline", self.timeline_bar, area.BottomDockWidgetArea)
        timeline.setFeatures(timeline.features() & ~_closable())
        self.timeline_bar.setMaximumHeight(64)
        self.resize(1400, 860)

    def _dock(self, title: str, widget: QtWidgets.QWidget, area) -> QtWidgets.QDockWidget:
        dock = QtWidgets.QDockWidget(title, self)
        dock.setObjectName(f"dock_{title.lower()}")
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        return dock

    def _restore_layout(self) -> None:
        geometry = self.settings.value("window/geometry")
        state = self.settings.value("window/state")
        if geometry is not None:
            self.restoreGeometry(geometry)
        if state is not None:
            self.restoreState(state)

    def save_layout(self) -> None:
        """Remember window geometry and dock layout in QSettings."""
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/state", self.saveState())

    # ----- the document
    def set_document(self, document: Any) -> None:
        """Show ``document`` in every view (the previous one is let go)."""
        if self.document is not None:
            events = self.document.events
            events.ran.disconnect(self._on_ran)
            events.dirty_changed.disconnect(self._update_title)
            events.cursor_moved.disconnect(self._update_status)
            events.cursor_moved.disconnect(self._follow_cursor)
        self.document = document
        if document.layout_limit is None:
            document.layout_limit = files.BACKGROUND_LAYOUT_ABOVE
        self.undo_stack.clear()
        self.layout_runner.cancel()
        self.run_runner.drop()
        document.events.ran.connect(self._on_ran)
        document.events.dirty_changed.connect(self._update_title)
        document.events.cursor_moved.connect(self._update_status)
        document.events.cursor_moved.connect(self._follow_cursor)
        self.editor.setPlainText(document.program.to_percent())
        self.editor.document().setModified(False)
        for view in (self.graph_view, self.inspector, self.timeline_bar):
            view.set_document(document)
        self._on_ran()

    def _on_ran(self, *_: Any) -> None:
        self.layout_runner.cancel()
        if self.document.layout_pending:
            self.layout_runner.start(self.document)
        error = self.document.error
        self.console.setPlainText(console_text(self.document.run_result))
        if error is not None:  # the error is the console's last word: show it
            self.console.moveCursor(QtGui.QTextCursor.MoveOperation.End)
        if error is None:
            self.editor.mark_error(None)
            self.error_banner.hide()
        else:
            self.editor.mark_error(error.line, str(error))
            self.error_banner.setText(str(error))
            self.error_banner.show()
        jump = self.qt_actions["timeline.first_nonfinite"]
        jump.setEnabled(len(self.document.replay.timeline) > 0)
        self._update_title()
        self._update_status()
        self._follow_cursor()

    def _follow_cursor(self, *_: Any) -> None:
        """Shade the cell and mark the statement that produced the current event (not while the
        text is being edited: its lines no longer match the recorded run)."""
        document = self.document
        index = document.replay.index
        cell = document.event_cell(index)
        if cell is None or self.editor.document().isModified():
            self.editor.mark_current(None)
            return
        self.editor.mark_current(document.cell_lines(cell), document.event_statement(index))

    def document_name(self) -> str:
        """The name shown in the title bar."""
        return self.document.name

    def _update_title(self, *_: Any) -> None:
        marker = " *" if self.is_modified() else ""
        self.setWindowTitle(f"{APP_TITLE} — {self.document_name()}{marker}")

    def _update_status(self, *_: Any) -> None:
        graph = self.document.graph
        self.statusBar().showMessage(
            f"{graph.number_of_nodes()} nodes · {graph.number_of_edges()} edges · "
            f"{describe(self.document.replay)}"
        )

    def is_modified(self) -> bool:
        """Unsaved changes in the document or not yet run in the editor."""
        return bool(self.document.dirty) or self.editor.document().isModified()

    # ----- user intent
    def _on_node_selected(self, node_id: str) -> None:
        self.inspector.show_node(node_id)

    def _on_node_dragged(self, node_id: str, start: tuple, end: tuple) -> None:
        self.undo_stack.push(QtMoveNodeCommand(self.document, node_id, start, end))

    def go_to_first_nonfinite(self) -> None:
        """Move the timeline to the first event where a NaN or inf appeared, select the node it
        appeared in and name the event in the status bar; if the run has none, only say so."""
        document = self.document
        index = document.replay.timeline.first_nonfinite()
        if index is None:
            self.statusBar().showMessage("No NaN or inf in this run")
            return
        self.timeline_bar.pause()
        document.seek(index)
        self.graph_view.select(nonfinite_origin(document.replay.current_event))
        self.statusBar().showMessage(f"First NaN/Inf: {describe_nonfinite(document, index)}")

    def sync_source(self) -> None:
        """Hand the editor's text to the document when it differs."""
        text = self.editor.toPlainText()
        if text != self.document.program.to_percent():
            self.document.set_source(text)
        self.editor.document().setModified(False)

    def relayout(self, algorithm: str | None = None, direction: str | None = None) -> None:
        """Lay the graph out again off the GUI thread (progress and Cancel in the status bar)."""
        self.layout_runner.start(self.document, algorithm, direction)

    def _on_layout_finished(self, installed: bool) -> None:
        if installed:
            self.graph_view.fit()

    def run_all(self) -> None:
        """Run every cell of the editor's text, off the GUI thread (busy in the status bar)."""
        self.sync_source()
        self.run_runner.start(self.document)

    def run_cell(self) -> None:
        """Run cells up to the one holding the text cursor, off the GUI thread."""
        self.sync_source()
        line = self.editor.current_line()
        self.run_runner.start(self.document, cell_at_line(self.editor.toPlainText(), line))

    def open_program(self, document: Any) -> None:
        """Run a parsed, not yet run program Document in the background and show it when its run
        is adopted; if the run fails or another run or document supersedes it, nothing changes."""
        document.layout_limit = files.BACKGROUND_LAYOUT_ABOVE
        self.run_runner.start(document, label=f"Opening {document.name}…")
        self._opening = document  # after start(): dropping the previous run forgets its opening

    def _on_run_finished(self, adopted: bool) -> None:
        opening, self._opening = self._opening, None
        if adopted and opening is not None:
            self.set_document(opening)
            files.remember_recent(self.settings, opening.path)

    def _on_run_failed(self, message: str) -> None:
        QtWidgets.QMessageBox.warning(self, "Cannot run the program", message)

    def closeEvent(self, event: QtGui.QCloseEvent) -> None:  # noqa: N802 (Qt API)
        from explorer.qt.window_actions import confirm_discard

        if confirm_discard(self):
            self.timeline_bar.pause()
            self.layout_runner.wait()
            self.run_runner.wait()
            self.save_layout()
            event.accept()
        else:
            event.ignore()


def describe_nonfinite(document: Any, index: int) -> str:
    """``event 6 / 29 · OpRan log · t1``: the event at ``index`` (numbered as the timeline bar
    shows it), what ran, and the node where the NaN or inf appeared (with its name, if any)."""
    timeline = document.replay.timeline
    event = timeline[index]
    what = getattr(event, "op", None) or getattr(event, "grad_fn", None)
    node = nonfinite_origin(event)
    label = document.graph.nodes[node].get("label") if node in document.graph else ""
    text = timeline.heading(index) + (f" {what}" if what else "")
    return text + (f" · {node}{f' ({label})' if label else ''}" if node else "")


def console_text(result: Any) -> str:
    """The run's notebook transcript, then the error that stopped it as a notebook shows it
    (where, the source line, ``Kind: message``)."""
    if result is None:
        return ""
    text = result.transcript()
    if result.error is None:
        return text
    separator = "\n" if text and not text.endswith("\n") else ""
    return text + separator + result.error.traceback_text()


def cell_at_line(text: str, line: int) -> int:
    """Index of the cell holding 1-based ``line`` (its marker line counts as part of it)."""
    index = 0
    for i, cell in enumerate(parse_percent(text).cells):
        if cell.first_line - 1 <= line:
            index = i
    return index


def _closable() -> QtWidgets.QDockWidget.DockWidgetFeature:
    return QtWidgets.QDockWidget.DockWidgetFeature.DockWidgetClosable


def _scrolled(widget: QtWidgets.QWidget) -> QtWidgets.QScrollArea:
    area = QtWidgets.QScrollArea()
    area.setWidgetResizable(True)
    area.setWidget(widget)
    return area


_COLLECTOR: list = []  # pyqtgraph's GarbageCollector, made with the first window


def collect_garbage_on_gui_thread() -> None:
    """Python's cyclic collector runs on the GUI thread only, from a one-second timer.

    A collection finalizes the garbage it finds on the thread whose allocation triggered it, and
    a Qt object's wrapper finalized on a run's or a layout's worker thread deletes the object
    there: Qt then crashed or deadlocked (a closed window's widgets, collected when a run ended).
    pyqtgraph's GarbageCollector turns automatic collection off and collects from a GUI timer.
    """
    if not _COLLECTOR:
        _COLLECTOR.append(GarbageCollector(interval=1.0))
