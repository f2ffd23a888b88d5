"""Laying out a large graph off the GUI thread, with progress and Cancel.

The worker thread calls the core's `compute_layout` with the same arguments the Document would use,
so the positions are exactly the core's; a progress callback reports fractions back (queued to the
GUI thread by Qt) and raises `LayoutCancelled` once Cancel was pressed. Python's GIL is released
every few milliseconds, so the event loop keeps answering input while the layout runs.
"""

from __future__ import annotations

import threading
from typing import Any

from PySide6 import QtCore, QtWidgets

from explorer.model.layout import LayoutCancelled, Position, compute_layout


class QtLayoutThread(QtCore.QThread):
    """One layout computation; emits progressed(percent), then laid_out(positions) or stopped()."""

    progressed = QtCore.Signal(int)
    laid_out = QtCore.Signal(object)
    stopped = QtCore.Signal()

    def __init__(self, graph: Any, algorithm: str, direction: str, fixed: dict, parent=None):
        super().__init__(parent)
        self.arguments = (graph, algorithm, direction, dict(fixed))
        self._cancel = threading.Event()

    def cancel(self) -> None:
        """Ask the computation to stop at its next progress report."""
        self._cancel.set()

    def run(self) -> None:  # runs in the worker thread
        graph, algorithm, direction, fixed = self.arguments
        try:
            positions = compute_layout(graph, algorithm, direction, fixed, progress=self._report)
        except LayoutCancelled:
            self.stopped.emit()
            return
        self.laid_out.emit(positions)

    def _report(self, fraction: float) -> None:
        if self._cancel.is_set():
            raise LayoutCancelled
        self.progressed.emit(int(100 * fraction))


class QtLayoutProgress(QtWidgets.QWidget):
    """A progress bar and a Cancel button (for the status bar)."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.label = QtWidgets.QLabel("Laying out…", self)
        self.bar = QtWidgets.QProgressBar(self)
        self.bar.setRange(0, 100)
        self.bar.setMaximumWidth(180)
        self.cancel_button = QtWidgets.QPushButton("Cancel", self)
        row = QtWidgets.QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        for widget in (self.label, self.bar, self.cancel_button):
            row.addWidget(widget)
        self.hide()


class QtLayoutRunner(QtCore.QObject):
    """Runs one background layout at a time for a window and installs the result in its Document.

    Emits finished(bool): True when the new positions were installed, False when cancelled."""

    finished = QtCore.Signal(bool)

    def __init__(self, progress: QtLayoutProgress, parent=None) -> None:
        super().__init__(parent)
        self.progress = progress
        self.progress.cancel_button.clicked.connect(self.cancel)
        self.thread: QtLayoutThread | None = None
        self._stopping: set[QtLayoutThread] = set()
        self._target: tuple[Any, str, str] | None = None

    def is_running(self) -> bool:
        """Whether a layout is being computed."""
        return self.thread is not None

    def start(self, document: Any, algorithm: str | None = None, direction: str | None = None):
        """Lay ``document``'s graph out in the background (a running layout is cancelled)."""
        self.cancel()
        algorithm = algorithm or document.view.layout
        direction = direction or document.view.direction
        self._target = (document, algorithm, direction)
        thread = QtLayoutThread(document.graph, algorithm, direction, document.fixed, self)
        thread.progressed.connect(self.progress.bar.setValue)
        thread.laid_out.connect(self._on_laid_out)
        thread.stopped.connect(self._on_stopped)
        thread.finished.connect(lambda: self._forget(thread))
        self.thread = thread
        count = document.graph.number_of_nodes()
        self.progress.label.setText(f"Laying out {count:,} nodes…")
        self.progress.bar.setValue(0)
        self.progress.show()
        thread.start()

    def cancel(self) -> None:
        """Stop the running layout, if any, without waiting for it; the document keeps its
        positions."""
        thread = self.thread
        if thread is None:
            return
        thread.cancel()
        self._stopping.add(thread)
        self._detach()
        self.finished.emit(False)

    def wait(self) -> None:
        """Cancel and block until no layout thread is left (before the window closes)."""
        self.cancel()
        for thread in list(self._stopping):
            thread.wait()

    def _on_laid_out(self, positions: dict[str, Position]) -> None:
        if self.sender() is not self.thread:
            return  # a cancelled run that finished before it noticed
        document, algorithm, direction = self._target
        self._detach()
        document.set_positions(positions, algorithm, direction)
        self.finished.emit(True)

    def _on_stopped(self) -> None:
        if self.sender() is self.thread:
            self._detach()
            self.finished.emit(False)

    def _detach(self) -> None:
        self.thread = None
        self._target = None
        self.progress.hide()

    def _forget(self, thread: QtLayoutThread) -> None:
        self._stopping.discard(thread)
        thread.deleteLater()
