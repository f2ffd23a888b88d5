"""All graph nodes as one ScatterPlotItem, restyled in place and draggable one node at a time."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui

_IDS = np.frompyfunc(id, 1, 1)


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
        sizes: Sequence[float],
    ) -> None:
        """Change the brush, pen, visibility and size of the points at ``indices`` only."""
        if not len(indices):
            return
        idx = np.asarray(indices, dtype=np.int64)
        data = self.data
        brush_column, pen_column = data["brush"], data["pen"]
        for i, brush, pen in zip(indices, brushes, pens, strict=True):
            brush_column[i] = brush
            pen_column[i] = pen
        data["visible"][idx] = visible
        data["size"][idx] = sizes
        self._update_sprites(idx)

    def restyle_markers(self, pens: Sequence[QtGui.QPen], sizes: np.ndarray) -> None:
        """Give every point a new pen and size (a change of marker level of detail)."""
        data = self.data
        data["pen"] = pens
        data["size"] = sizes
        self._update_sprites(np.arange(len(data)))

    def _update_sprites(self, idx: np.ndarray) -> None:
        """Point the points at ``idx`` to their symbol's image in the atlas, looking each
        distinct style up once (pyqtgraph's updateSpots looks up every point: ~150 ms for
        10,000 points)."""
        if not len(idx):
            return
        data = self.data
        columns = [data[name][idx] for name in ("symbol", "size", "pen", "brush")]
        keys = np.column_stack(
            [_IDS(columns[0]), columns[1].astype(float).view(np.int64), *map(_IDS, columns[2:])]
        ).astype(np.int64)
        _, first, inverse = np.unique(keys, axis=0, return_index=True, return_inverse=True)
        coords = self.fragmentAtlas[[tuple(column[i] for column in columns) for i in first]]
        rects = np.array([tuple(c) for c in coords], dtype=data["sourceRect"].dtype)
        data["sourceRect"][idx] = rects[inverse.reshape(-1)]
        self._maybeRebuildAtlas()
        self._updateMaxSpotSizes(data=data)
        self.invalidate()

    def visible_mask(self) -> np.ndarray:
        """Which points are drawn (a copy)."""
        return self.data["visible"].astype(bool)

    def positions(self) -> np.ndarray:
        """Point positions as an (N, 2) array."""
        return np.column_stack((self.data["x"], self.data["y"])).astype(float)

    def point(self, index: int) -> tuple[float, float]:
        """The position of point ``index``."""
        return float(self.data["x"][index]), float(self.data["y"][index])

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
