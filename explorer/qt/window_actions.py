"""The window's actions (registered in explorer.actions' registry) and the menus built from them."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

from PySide6 import QtGui, QtWidgets

from explorer.actions import Action, ActionRegistry, document_actions
from explorer.fileformat import (
    GRAPH_SUFFIX,
    export_dot,
    is_graph_file,
    load_document,
    parse_document,
    save_document,
)
from explorer.model.document import Document
from explorer.model.layout import ALGORITHMS, DIRECTIONS
from explorer.qt import files

Window = Any
ZOOM_STEP = 0.8
MENU_ORDER = ("File", "Edit", "Examples", "Run", "View", "Timeline")


def window_actions(window: Window) -> ActionRegistry:
    """Every command of the window, each a closure over ``window`` taking the document."""
    bar = window.timeline_bar
    view = window.graph_view
    registry = document_actions()
    for action_id, title, shortcut, callback, menu in (
        ("file.new", "New", "Ctrl+N", lambda _d: new_document(window), "File"),
        ("file.open", "Open…", "Ctrl+O", lambda _d: open_dialog(window), "File"),
        ("file.save", "Save", "Ctrl+S", lambda _d: save(window), "File"),
        ("file.save_as", "Save As…", "Ctrl+Shift+S", lambda _d: save_as(window), "File"),
        ("file.export_png", "Export PNG…", "", lambda _d: export(window, "png"), "File"),
        ("file.export_svg", "Export SVG…", "", lambda _d: export(window, "svg"), "File"),
        ("file.export_dot", "Export DOT…", "", lambda _d: export(window, "dot"), "File"),
        ("file.quit", "Quit", "Ctrl+Q", lambda _d: window.close(), "File"),
        ("edit.undo", "Undo", "Ctrl+Z", lambda _d: undo(window), "Edit"),
        ("edit.redo", "Redo", "Ctrl+Shift+Z", lambda _d: redo(window), "Edit"),
        ("run.cell", "Run Cell", "Ctrl+Return", lambda _d: window.run_cell(), "Run"),
        ("run.all", "Run All", "F5", lambda _d: window.run_all(), "Run"),
        ("view.fit", "Fit Graph", "F", lambda _d: view.fit(), "View"),
        ("view.zoom_in", "Zoom In", "Ctrl+=", lambda _d: view.zoom(ZOOM_STEP), "View"),
        ("view.zoom_out", "Zoom Out", "Ctrl+-", lambda _d: view.zoom(1 / ZOOM_STEP), "View"),
        ("timeline.play", "Play / Pause", "Space", lambda _d: bar.toggle_play(), "Timeline"),
        (
            "timeline.first_nonfinite",
            "Go to First NaN/Inf",
            "F8",
            lambda _d: window.go_to_first_nonfinite(),
            "Timeline",
        ),
    ):
        registry.register(Action(action_id, title, shortcut, callback, menu))
    for algorithm in ALGORITHMS:
        registry.register(
            Action(
                f"view.layout.{algorithm}",
                f"Layout: {algorithm}",
                "",
                partial(_set_layout, window, algorithm=algorithm),
                "View",
            )
        )
    for direction in DIRECTIONS:
        registry.register(
            Action(
                f"view.direction.{direction}",
                f"Direction: {direction}",
                "",
                partial(_set_layout, window, direction=direction),
                "View",
            )
        )
    for path in files.example_paths():
        registry.register(
            Action(
                f"examples.{path.stem}",
                files.example_title(path),
                "",
                partial(_open_example, window, path),
                "Examples",
            )
        )
    return registry


def build_menus(window: Window, registry: ActionRegistry) -> dict[str, QtGui.QAction]:
    """Menus from the registry; returns the QActions by id (shortcuts work window-wide)."""
    qt_actions: dict[str, QtGui.QAction] = {}
    menus = {name: window.menuBar().addMenu(name) for name in MENU_ORDER}
    for action in registry:
        qt_action = QtGui.QAction(action.title, window)
        if action.shortcut:
            qt_action.setShortcut(QtGui.QKeySequence(action.shortcut))
        qt_action.triggered.connect(lambda _=False, a=action: a.callback(window.document))
        menus[action.menu].addAction(qt_action)
        window.addAction(qt_action)
        qt_actions[action.id] = qt_action
        if action.id == "file.open":
            window.recent_menu = menus["File"].addMenu("Open Recent")
            window.recent_menu.aboutToShow.connect(lambda: _fill_recent(window))
    return qt_actions


def _fill_recent(window: Window) -> None:
    window.recent_menu.clear()
    for path in files.recent_files(window.settings):
        action = window.recent_menu.addAction(path)
        action.triggered.connect(lambda _=False, p=path: open_file(window, p))


def _set_layout(window: Window, _document: Any, **view_settings: str) -> None:
    window.relayout(**view_settings)


def _open_example(window: Window, path: Path, _document: Any) -> None:
    open_file(window, str(path))


# ----- file commands
def confirm_discard(window: Window) -> bool:
    """Ask about unsaved changes; True when it is fine to throw the document away."""
    if not window.is_modified():
        return True
    buttons = QtWidgets.QMessageBox.StandardButton
    answer = QtWidgets.QMessageBox.question(
        window,
        "Unsaved changes",
        f"Save the changes to {window.document_name()}?",
        buttons.Save | buttons.Discard | buttons.Cancel,
        buttons.Save,
    )
    if answer == buttons.Save:
        return save(window)
    return answer == buttons.Discard


def new_document(window: Window) -> None:
    """An empty document, after the unsaved-changes prompt."""
    if confirm_discard(window):
        window.set_document(Document.new())


def open_dialog(window: Window) -> None:
    """Ask for a file and open it."""
    if not confirm_discard(window):
        return
    path, _ = QtWidgets.QFileDialog.getOpenFileName(window, "Open", "", files.OPEN_FILTER)
    if path:
        open_file(window, path, confirmed=True)


def open_file(window: Window, path: str, confirmed: bool = False) -> bool:
    """Open ``path``: a graph file at once; a program is parsed here and run in the background,
    then shown (see QtMainWindow.open_program). On failure show why and keep the current
    document; True when the file was opened or its run started."""
    if not confirmed and not confirm_discard(window):
        return False
    is_graph = is_graph_file(path)
    try:
        document = load_document(path) if is_graph else parse_document(path)
    except files.OPEN_ERRORS as error:
        QtWidgets.QMessageBox.warning(window, "Cannot open file", f"{path}\n\n{error}")
        return False
    if not is_graph:
        window.open_program(document)
        return True
    window.set_document(document)
    files.remember_recent(window.settings, path)
    return True


def save(window: Window) -> bool:
    """Save to the document's own file, or ask where (Save As)."""
    path = files.save_path_for(window.document)
    return write(window, path) if path else save_as(window)


def save_as(window: Window) -> bool:
    """Ask for a file name and save there."""
    suggestion = files.suggested_save_path(window.document)
    path, _ = QtWidgets.QFileDialog.getSaveFileName(
        window, "Save As", suggestion, files.SAVE_FILTER
    )
    return write(window, path) if path else False


def write(window: Window, path: str) -> bool:
    """Save the document (with the editor's text) to ``path``; report failures."""
    window.sync_source()
    try:
        save_document(window.document, path)
    except OSError as error:
        QtWidgets.QMessageBox.warning(window, "Cannot save", f"{path}\n\n{error}")
        return False
    files.remember_recent(window.settings, path)
    window._update_title()
    return True


def export(window: Window, kind: str) -> None:
    """Export the scene at the cursor (PNG, SVG) or the graph (DOT)."""
    from explorer.qt.render import render_to_file

    stem = files.suggested_save_path(window.document).removesuffix(GRAPH_SUFFIX)
    path, _ = QtWidgets.QFileDialog.getSaveFileName(
        window, f"Export {kind.upper()}", f"{stem}.{kind}", f"{kind.upper()} (*.{kind})"
    )
    if not path:
        return
    try:
        if kind == "dot":
            Path(path).write_text(export_dot(window.document), encoding="utf-8")
        else:
            size = (window.graph_view.width(), window.graph_view.height())
            render_to_file(window.document, path, at=window.document.replay.index, size=size)
    except OSError as error:
        QtWidgets.QMessageBox.warning(window, "Cannot export", f"{path}\n\n{error}")


def undo(window: Window) -> None:
    """Undo typing in the editor when it has focus, else the last node move."""
    if window.editor.hasFocus():
        window.editor.undo()
    else:
        window.undo_stack.undo()


def redo(window: Window) -> None:
    """Redo, the counterpart of undo()."""
    if window.editor.hasFocus():
        window.editor.redo()
    else:
        window.undo_stack.redo()
