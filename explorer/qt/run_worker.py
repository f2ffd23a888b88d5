"""Running a program off the GUI thread, with a busy indicator in the status bar.

The worker thread calls the core's `record_run` on the program as it was when the run started; the
recorded run is handed back (queued by Qt) and adopted by the Document on the GUI thread. Opening a
program file runs it the same way, into a new Document the window shows once the run is adopted.
The run sleeps for a millisecond between statements every 10 ms (`pause`), so that the GUI thread
gets the GIL and the window keeps answering while it runs.
A run that raises, or that a newer run or another document superseded, leaves the document as it
was. A run cannot be interrupted: a superseded one finishes in the background and is dropped.
"""

from __future__ import annotations

import time
from typing import Any

from PySide6 import QtCore, QtWidgets

from explorer.model.document import record_run


class QtRunThread(QtCore.QThread):
    """One recorded run; emits recorded(run) or failed(message)."""

    recorded = QtCore.Signal(object)
    failed = QtCore.Signal(str)

    def __init__(self, program: Any, upto_cell: int | None, parent=None) -> None:
        super().__init__(parent)
        self.arguments = (program, upto_cell)

    def run(self) -> None:  # runs in the worker thread
        try:
            recorded = record_run(*self.arguments, pause=_let_the_gui_thread_run)
        except Exception as error:  # an app bug or a resource error, never a program error
            self.failed.emit(f"{type(error).__name__}: {error}")
            return
        self.recorded.emit(recorded)


def _let_the_gui_thread_run() -> None:
    time.sleep(0.001)


class QtRunProgress(QtWidgets.QWidget):
    """A busy bar and a label (for the status bar)."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.label = QtWidgets.QLabel("Running…", self)
        self.bar = QtWidgets.QProgressBar(self)
        self.bar.setRange(0, 0)  # busy: the length of a run is not known
        self.bar.setMaximumWidth(120)
        row = QtWidgets.QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.label)
        row.addWidget(self.bar)
        self.hide()


class QtRunRunner(QtCore.QObject):
    """Runs one program at a time for a window and installs the result in its Document.

    Emits finished(bool): True when the run was adopted, False when it failed or was dropped;
    failed(message) when the run raised."""

    finished = QtCore.Signal(bool)
    failed = QtCore.Signal(str)

    def __init__(self, progress: QtRunProgress, parent=None) -> None:
        super().__init__(parent)
        self.progress = progress
        self.thread: QtRunThread | None = None
        self._document: Any = None
        self._stopping: set[QtRunThread] = set()

    def is_running(self) -> bool:
        """Whether a run is under way."""
        return self.thread is not None

    def start(self, document: Any, upto_cell: int | None = None, label: str = "") -> None:
        """Run ``document``'s program in the background (a run under way is dropped); ``label``
        replaces the status bar's "Running…"."""
        self.drop()
        thread = QtRunThread(document.program, upto_cell, self)
        thread.recorded.connect(self._on_recorded)
        thread.failed.connect(self._on_failed)
        thread.finished.connect(lambda: self._forget(thread))
        self.thread, self._document = thread, document
        running = "Running cells…" if upto_cell is not None else "Running…"
        self.progress.label.setText(label or running)
        self.progress.show()
        thread.start()

    def drop(self) -> None:
        """Forget the run under way, if any: its result will not be installed."""
        if self.thread is None:
            return
        self._stopping.add(self.thread)
        self._detach()
        self.finished.emit(False)

    def wait(self) -> None:
        """Drop the run and block until no run thread is left (before the window closes)."""
        self.drop()
        for thread in list(self._stopping):
            thread.wait()

    def _on_recorded(self, recorded: Any) -> None:
        if self.sender() is not self.thread:
            return  # a dropped run
        document = self._document
        self._detach()
        document.adopt(recorded)
        self.finished.emit(True)

    def _on_failed(self, message: str) -> None:
        if self.sender() is self.thread:
            self._detach()
            self.failed.emit(message)
            self.finished.emit(False)

    def _detach(self) -> None:
        self.thread = None
        self._document = None
        self.progress.hide()

    def _forget(self, thread: QtRunThread) -> None:
        self._stopping.discard(thread)
        thread.deleteLater()
