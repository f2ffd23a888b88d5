"""The timeline bar: event marks, transport buttons, speed, scrubber, and the one animation timer.

Playback is driven by wall-clock time, not by counting timer ticks: each tick seeks to the event
the clock says should be showing. When drawing falls behind, events are skipped (frames dropped)
and nothing queues up; QTimer itself coalesces missed timeouts.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from PySide6 import QtCore, QtGui, QtWidgets

FRAME_MS = 33
SPEEDS = (1, 2, 4, 8, 16, 32, 64, 256)
DEFAULT_SPEED = 4
KIND_COLOURS = {
    "CellStarted": ("#9aa0a6", 1.0),
    "OpRan": ("#4c78a8", 0.6),
    "TensorAppeared": ("#4c78a8", 0.45),
    "Detached": ("#d9534f", 0.8),
    "RequiresGradSet": ("#4c78a8", 0.45),
    "InPlaceModified": ("#7f5fbf", 0.6),
    "GradZeroed": ("#7f5fbf", 0.9),
    "BackwardStarted": ("#e8702a", 1.0),
    "BackwardStepped": ("#e8702a", 0.7),
    "GradAccumulated": ("#2f9e44", 0.9),
    "BackwardFinished": ("#e8702a", 0.5),
    "ErrorRaised": ("#e03131", 1.0),
}
OTHER = ("#ced4da", 0.3)


class QtEventMarks(QtWidgets.QWidget):
    """A strip with one coloured tick per event, cached as a pixmap; click to seek."""

    clicked = QtCore.Signal(int)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setMinimumHeight(18)
        self.setSizePolicy(
            QtWidgets.QSizePolicy.Policy.Expanding, QtWidgets.QSizePolicy.Policy.Fixed
        )
        self._kinds: list[str] = []
        self._cursor = -1
        self._cache: QtGui.QPixmap | None = None

    def set_events(self, kinds: list[str]) -> None:
        """The event kinds (class names), in timeline order."""
        self._kinds = kinds
        self._cache = None
        self.update()

    def set_cursor(self, index: int) -> None:
        """Where the cursor line is drawn."""
        self._cursor = index
        self.update()

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt API)
        self._cache = None
        super().resizeEvent(event)

    def paintEvent(self, _event) -> None:  # noqa: N802 (Qt API)
        painter = QtGui.QPainter(self)
        if self._cache is None:
            self._cache = self._draw_marks()
        painter.drawPixmap(0, 0, self._cache)
        if self._kinds and self._cursor >= 0:
            painter.setPen(QtGui.QPen(QtGui.QColor("#111111"), 2))
            x = self._x_of(self._cursor)
            painter.drawLine(QtCore.QPointF(x, 0), QtCore.QPointF(x, self.height()))

    def _draw_marks(self) -> QtGui.QPixmap:
        pixmap = QtGui.QPixmap(self.size())
        pixmap.fill(QtGui.QColor("#f1f3f5"))
        painter = QtGui.QPainter(pixmap)
        height = self.height()
        lines: dict[tuple[str, float], list[QtCore.QLineF]] = {}
        for i, kind in enumerate(self._kinds):
            colour, tall = KIND_COLOURS.get(kind, OTHER)
            x = self._x_of(i)
            lines.setdefault((colour, tall), []).append(
                QtCore.QLineF(x, height, x, height * (1 - tall))
            )
        # One drawLines call per kind: 10,000 events cost a dozen Qt calls, not 20,000.
        for (colour, _), group in lines.items():
            painter.setPen(QtGui.QColor(colour))
            painter.drawLines(group)
        painter.end()
        return pixmap

    def _x_of(self, index: int) -> float:
        return 3 + (self.width() - 6) * (index + 0.5) / max(len(self._kinds), 1)

    def mousePressEvent(self, event) -> None:  # noqa: N802 (Qt API)
        if self._kinds:
            fraction = (event.position().x() - 3) / max(self.width() - 6, 1)
            self.clicked.emit(min(max(int(fraction * len(self._kinds)), 0), len(self._kinds) - 1))


class QtTimelineBar(QtWidgets.QWidget):
    """Transport controls over a Document's replay cursor; seeks only through the Document."""

    def __init__(self, parent=None, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__(parent)
        self.document: Any = None
        self.clock = clock
        self.frames_dropped = 0
        self.timer = QtCore.QTimer(self)
        self.timer.setInterval(FRAME_MS)
        self.timer.timeout.connect(self.tick)
        self._play_origin = (0.0, -1)
        self.marks = QtEventMarks(self)
        self.marks.clicked.connect(self.seek)
        self.slider = QtWidgets.QSlider(QtCore.Qt.Orientation.Horizontal, self)
        self.slider.valueChanged.connect(self.seek)
        self.speed = QtWidgets.QComboBox(self)
        self.speed.addItems([f"{s} ev/s" for s in SPEEDS])
        self.speed.setCurrentIndex(SPEEDS.index(DEFAULT_SPEED))
        self.speed.setToolTip("Playback speed in events per second")
        self.speed.currentIndexChanged.connect(self._restart_clock)
        self.position = QtWidgets.QLabel(self)
        self.position.setMinimumWidth(260)
        self._build_layout()

    def _build_layout(self) -> None:
        style = self.style()
        pixmaps = QtWidgets.QStyle.StandardPixmap
        self.buttons = {}
        row = QtWidgets.QHBoxLayout()
        row.setContentsMargins(4, 0, 4, 0)
        for name, icon, slot in (
            ("first", pixmaps.SP_MediaSkipBackward, self.first),
            ("previous", pixmaps.SP_MediaSeekBackward, self.previous),
            ("play", pixmaps.SP_MediaPlay, self.toggle_play),
            ("next", pixmaps.SP_MediaSeekForward, self.next),
            ("last", pixmaps.SP_MediaSkipForward, self.last),
        ):
            button = QtWidgets.QToolButton(self)
            button.setIcon(style.standardIcon(icon))
            button.setToolTip(name.capitalize())
            button.clicked.connect(slot)
            row.addWidget(button)
            self.buttons[name] = button
        row.addWidget(self.speed)
        strip = QtWidgets.QVBoxLayout()
        strip.setSpacing(0)
        strip.addWidget(self.marks)
        strip.addWidget(self.slider)
        row.addLayout(strip, 1)
        row.addWidget(self.position)
        self.setLayout(row)

    # ----- model wiring
    def set_document(self, document: Any) -> None:
        """Follow ``document``'s replay cursor."""
        self.pause()
        if self.document is not None:
            self.document.events.ran.disconnect(self._on_ran)
            self.document.events.cursor_moved.disconnect(self._on_cursor_moved)
        self.document = document
        document.events.ran.connect(self._on_ran)
        document.events.cursor_moved.connect(self._on_cursor_moved)
        self._on_ran()

    def _on_ran(self, *_: Any) -> None:
        timeline = self.document.replay.timeline
        self.marks.set_events([type(event).__name__ for event in timeline])
        with QtCore.QSignalBlocker(self.slider):
            self.slider.setRange(-1, len(timeline) - 1)
        self._on_cursor_moved()

    def _on_cursor_moved(self, *_: Any) -> None:
        replay = self.document.replay
        with QtCore.QSignalBlocker(self.slider):
            self.slider.setValue(replay.index)
        self.marks.set_cursor(replay.index)
        self.position.setText(describe(replay))

    # ----- transport
    @property
    def last_index(self) -> int:
        """Index of the last event (-1 for an empty timeline)."""
        return len(self.document.replay.timeline) - 1

    def seek(self, index: int) -> None:
        """Move the cursor to ``index`` through the document."""
        self.document.seek(int(index))

    def first(self) -> None:
        """Before the first event."""
        self.seek(-1)

    def last(self) -> None:
        """The last event."""
        self.seek(self.last_index)

    def next(self) -> None:
        """One event forward."""
        self.seek(min(self.document.replay.index + 1, self.last_index))

    def previous(self) -> None:
        """One event back."""
        self.seek(max(self.document.replay.index - 1, -1))

    def is_playing(self) -> bool:
        """Whether the animation timer runs."""
        return self.timer.isActive()

    def toggle_play(self) -> None:
        """Play from the cursor (from the start when at the end), or pause."""
        if self.is_playing():
            self.pause()
            return
        if self.document.replay.index >= self.last_index:
            self.first()
        self._restart_clock()
        self.timer.start()
        self._set_play_icon(True)

    def pause(self) -> None:
        """Stop the animation where it is."""
        self.timer.stop()
        self._set_play_icon(False)

    def _set_play_icon(self, playing: bool) -> None:
        pixmaps = QtWidgets.QStyle.StandardPixmap
        icon = pixmaps.SP_MediaPause if playing else pixmaps.SP_MediaPlay
        self.buttons["play"].setIcon(self.style().standardIcon(icon))

    def _restart_clock(self, *_: Any) -> None:
        index = self.document.replay.index if self.document is not None else -1
        self._play_origin = (self.clock(), index)

    def tick(self) -> None:
        """One animation frame: show the event the clock has reached, skipping any missed."""
        started, origin = self._play_origin
        events_per_second = SPEEDS[self.speed.currentIndex()]
        target = min(origin + int((self.clock() - started) * events_per_second), self.last_index)
        current = self.document.replay.index
        if target > current:
            self.frames_dropped += target - current - 1
            self.seek(target)
        if target >= self.last_index:
            self.pause()


def describe(replay: Any) -> str:
    """``event 12 / 80 · GradAccumulated`` for the position label."""
    if replay.current_event is None:
        return f"before the first of {len(replay.timeline)} events"
    node = replay.active_node
    return replay.timeline.heading(replay.index) + (f" · {node}" if node else "")
