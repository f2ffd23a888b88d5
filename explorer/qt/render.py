"""Draw a document's scene offscreen to PNG or SVG, the same drawing the window shows."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from PySide6 import QtCore, QtGui, QtSvg, QtWidgets

from explorer.qt.graph_view import QtGraphView
from explorer.qt.timeline_bar import describe


def ensure_application() -> QtWidgets.QApplication:
    """The running QApplication, or a new one (offscreen when there is no display)."""
    app = QtWidgets.QApplication.instance()
    if app is not None:
        return app
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    return QtWidgets.QApplication([])


def render_to_file(
    document: Any, out_path: str, at: int | None = None, size: tuple[int, int] = (1280, 800)
) -> None:
    """Draw ``document`` at event ``at`` (default: the last) into ``out_path`` (.png or .svg)."""
    ensure_application()
    suffix = Path(out_path).suffix.lower()
    if suffix not in (".png", ".svg"):
        raise ValueError(f"{out_path}: the output must end in .png or .svg")
    previous = document.replay.index
    document.seek(len(document.replay.timeline) - 1 if at is None else at)
    try:
        view = _offscreen_view(document, size)
        if suffix == ".png":
            _save_png(view, out_path)
        else:
            _save_svg(view, out_path, size)
    finally:
        document.seek(previous)


def _offscreen_view(document: Any, size: tuple[int, int]) -> QtGraphView:
    view = QtGraphView()
    view.setAttribute(QtCore.Qt.WidgetAttribute.WA_DontShowOnScreen)
    view.resize(*size)
    view.set_document(document)
    view.show()
    view.set_caption(f"{document.name} · {describe(document.replay)}")
    view.fit()
    QtWidgets.QApplication.processEvents()
    return view


def _save_png(view: QtGraphView, out_path: str) -> None:
    if not view.grab().save(out_path, "PNG"):
        raise OSError(f"cannot write {out_path}")


def _save_svg(view: QtGraphView, out_path: str, size: tuple[int, int]) -> None:
    generator = QtSvg.QSvgGenerator()
    generator.setFileName(out_path)
    generator.setSize(QtCore.QSize(*size))
    generator.setViewBox(QtCore.QRect(0, 0, *size))
    generator.setTitle(view.caption())
    painter = QtGui.QPainter(generator)
    view.render(painter)
    painter.end()
