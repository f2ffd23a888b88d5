"""Start the application: check that Qt can run, open the document, show the window."""

from __future__ import annotations

import ctypes
import os
import sys
from pathlib import Path
from typing import Any

RESOURCES = Path(__file__).resolve().parents[2] / "resources"
# Shared libraries the Qt xcb platform plugin loads, and the Debian packages that ship them.
QT_RUNTIME_LIBRARIES = {
    "libEGL.so.1": "libegl1",
    "libGL.so.1": "libgl1",
    "libfontconfig.so.1": "libfontconfig1",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-xinerama.so.0": "libxcb-xinerama0",
    "libdbus-1.so.3": "libdbus-1-3",
}


def missing_packages(platform: str | None = None) -> list[str]:
    """Debian packages whose libraries Qt needs on this platform but cannot load."""
    platform = platform if platform is not None else os.environ.get("QT_QPA_PLATFORM", "xcb")
    needed = QT_RUNTIME_LIBRARIES if platform.startswith("xcb") else {"libEGL.so.1": "libegl1"}
    if not sys.platform.startswith("linux"):
        return []
    return [package for library, package in needed.items() if not _loads(library)]


def _loads(library: str) -> bool:
    try:
        ctypes.CDLL(library)
    except OSError:
        return False
    return True


def install_hint(packages: list[str]) -> str:
    """What to tell a user whose system lacks Qt's libraries."""
    return (
        "autograd-explorer: Qt cannot start: system libraries are missing.\n"
        f"Install them with:\n    sudo apt-get install {' '.join(packages)}\n"
        "(Without a display, `autograd-explorer render FILE -o out.png` still works.)"
    )


def main(path: str | None) -> int:
    """Open the window on ``path`` (the seed example when None); returns the exit status."""
    packages = missing_packages()
    if packages:
        print(install_hint(packages), file=sys.stderr)
        return 1
    try:
        from PySide6 import QtWidgets  # noqa: F401 (import check before anything else)
    except ImportError as error:
        print(install_hint([str(error).split(":")[0]]), file=sys.stderr)
        return 1
    return _run_window(path)


def _run_window(path: str | None) -> int:
    from PySide6 import QtGui, QtWidgets

    from explorer.qt.files import OPEN_ERRORS
    from explorer.qt.main_window import QtMainWindow

    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication(sys.argv[:1])
    app.setOrganizationName("AutogradExplorer")
    app.setApplicationName("Autograd Explorer")
    app.setWindowIcon(QtGui.QIcon(str(RESOURCES / "icons" / "app.svg")))
    app.setStyleSheet((RESOURCES / "styles" / "app.qss").read_text(encoding="utf-8"))
    try:
        shown, program = startup_documents(path)
    except OPEN_ERRORS as error:
        print(f"autograd-explorer: error: {path}: {error}", file=sys.stderr)
        return 1
    window = QtMainWindow(shown)
    window.show()
    if program is not None:
        window.open_program(program)  # fills the window when its background run ends
    return app.exec()


def startup_documents(path: str | None) -> tuple[Any, Any]:
    """The document to show at once and a parsed program to run in the background (or None):
    the seed (small, run here) without ``path``, a graph file as saved, else an empty document
    until ``path``'s program has run. Raises what `explorer.qt.files.OPEN_ERRORS` names."""
    from explorer.fileformat import is_graph_file, load_document, open_document, parse_document
    from explorer.model.document import Document
    from explorer.qt.files import SEED_EXAMPLE

    if path is None:
        return open_document(SEED_EXAMPLE), None
    if is_graph_file(path):
        return load_document(path), None
    return Document.new(), parse_document(path)
