"""All graph nodes as one ScatterPlotItem, restyled in place and draggable one node at a time."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui


class QtNodeScatter(pg.ScatterPlotItem):
    """A scatter whose points are graph nodes; emits ``dragged(index, start, end, finished)``."""

    dragged = QtCore.Signal(int, object, object, bool)

    def __init__(self, tip: Callable[..., str]) -> None:
        super().__init__(pxMode=True, hoverable=True, tip=tip)
        self.setZValue(10)
        self._drag: tuple[int, tuple[float, float], QtCore.QPointF] | None = None

    def restyle(
        self,
        indices: Sequence[int],
        brushes: Sequence[QtGui.QBrush],
        pens: Sequence[QtGui.QPen],
        visible: Sequence[bool],
    ) -> None:
        """Change the brush, pen and visibility of the points at ``indices`` only."""
        if not len(indices):
            return
        idx = np.asarray(indices, dtype=np.int64)
        data = self.data
        brush_column, pen_column = data["brush"], data["pen"]
        for i, brush, pen in zip(indices, brushes, pens, strict=True):
            brush_column[i] = brush
            pen_column[i] = pen
        data["visible"][idx] = visible
        data["sourceRect"]["w"][idx] = 0
        self.updateSpots()

    def visible_mask(self) -> np.ndarray:
        """Which points are drawn (a copy)."""
        return self.data["visible"].astype(bool)

    def positions(self) -> np.ndarray:
        """Point positions as an (N, 2) array."""
        return np.column_stack((self.data["x"], self.data["y"])).astype(float)

    def move_points(self, xy: np.ndarray) -> None:
        """Put every point at ``xy`` without touching styles."""
        self.data["x"] = xy[:, 0]
        self.data["y"] = xy[:, 1]
        self._geometry_changed()

    def _geometry_changed(self) -> None:
        self.prepareGeometryChange()
        self.bounds = [None, None]
        self.invalidate()
        self.informViewBoundsChanged()

    def mouseDragEvent(self, ev) -> None:  # noqa: N802 (Qt API)
        if ev.button() != QtCore.Qt.MouseButton.LeftButton:
            ev.ignore()
            return
        if ev.isStart():
            self._start_drag(ev)
        if self._drag is None:
            ev.ignore()
            return
        ev.accept()
        index, start, offset = self._drag
        at = ev.pos() + offset
        self.data["x"][index], self.data["y"][index] = at.x(), at.y()
        self._geometry_changed()
        end = (float(at.x()), float(at.y()))
        finished = ev.isFinish()
        if finished:
            self._drag = None
        self.dragged.emit(index, start, end, finished)

    def _start_drag(self, ev) -> None:
        points = [p for p in self.pointsAt(ev.buttonDownPos()) if p.isVisible()]
        if not points:
            self._drag = None
            return
        spot = points[-1]
        start = (float(spot.pos().x()), float(spot.pos().y()))
        self._drag = (spot.index(), start, spot.pos() - ev.buttonDownPos())
