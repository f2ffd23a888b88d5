"""Qt test fixtures: settings kept in a temporary folder, message boxes that never block."""

from __future__ import annotations

import pytest
from PySide6 import QtCore, QtWidgets


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path, qapp):
    """QSettings write to tmp_path, never to the user's configuration."""
    QtCore.QSettings.setDefaultFormat(QtCore.QSettings.Format.IniFormat)
    QtCore.QSettings.setPath(
        QtCore.QSettings.Format.IniFormat, QtCore.QSettings.Scope.UserScope, str(tmp_path)
    )
    return QtCore.QSettings(str(tmp_path / "settings.ini"), QtCore.QSettings.Format.IniFormat)


@pytest.fixture
def message_boxes(monkeypatch):
    """Records every warning/question box instead of showing it; questions answer Discard."""
    shown: list[tuple[str, str]] = []
    box = QtWidgets.QMessageBox

    def warning(_parent, title, text, *args, **kwargs):
        shown.append((title, text))
        return box.StandardButton.Ok

    def question(_parent, title, text, *args, **kwargs):
        shown.append((title, text))
        return box.StandardButton.Discard

    monkeypatch.setattr(box, "warning", warning)
    monkeypatch.setattr(box, "question", question)
    return shown


CHAIN = """# %%
import torch
a = torch.tensor([1., 2., 3.], requires_grad=True)
b = a * 2
c = b.sum()
c.backward()
"""


@pytest.fixture
def make_document():
    """``make_document(source=CHAIN)``: a real Document run from a few-line percent program."""
    from explorer.model.document import Document
    from explorer.model.program import parse_percent

    def make(source: str = CHAIN) -> Document:
        document = Document.from_program(parse_percent(source))
        document.run_all()
        return document

    return make


@pytest.fixture
def window(qtbot, isolated_settings, message_boxes):
    """A shown main window on a new, empty document; its background runs are waited for after."""
    from explorer.model.document import Document
    from explorer.qt.main_window import QtMainWindow

    window = QtMainWindow(Document.new(), isolated_settings)
    qtbot.addWidget(window)
    window.show()
    yield window
    window.run_runner.wait()
    window.layout_runner.wait()
