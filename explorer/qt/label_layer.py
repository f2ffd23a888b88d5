"""One graphics item that draws every node and edge label, only where it is readable.

Per-node TextItems would be thousands of scene items; instead this item paints, in device pixels,
the cached QStaticText of the nodes inside the viewport, and nothing when the graph is zoomed out
so far that labels would overlap (level of detail).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui

# Pixels between neighbouring nodes (horizontal, vertical) needed to draw each level of detail.
FULL_LABELS_PX = (40.0, 36.0)
TITLES_PX = (24.0, 16.0)
MAX_LABELS = 220
NODE_OFFSET_PX = 14
LINE_PX = 14
MARKER_PX = 20
EDGE_LABEL_AT = (0.5, 0.38, 0.62, 0.28, 0.72)  # fractions along an edge its label may sit at
LINE_COLOURS = ("#1d2330", "#3b4a5c", "#b4561e")
TextSource = Callable[[int], tuple[tuple[str, ...], str | None]]


class QtLabelLayer(pg.GraphicsObject):
    """Node labels, accumulation badges and edge labels, drawn at a fixed pixel size."""

    def __init__(self, text_source: TextSource) -> None:
        """``text_source(index)`` gives a node's (label lines, badge); asked only when drawn."""
        super().__init__()
        self.text_source = text_source
        self.setAcceptedMouseButtons(QtCore.Qt.MouseButton.NoButton)
        self.setZValue(20)
        self._xy = np.zeros((0, 2))
        self._visible = np.zeros(0, dtype=bool)
        self._texts: list[tuple[QtGui.QStaticText, ...] | None] = []
        self._widths: list[tuple[float, ...]] = []
        self.priority: tuple[int, ...] = ()
        self._badges: dict[int, QtGui.QStaticText] = {}
        self._edge_labels: list[tuple[np.ndarray, QtGui.QStaticText, QtGui.QColor]] = []
        self._spacing = np.array([1.0, 1.0])
        self._bounds = QtCore.QRectF()
        self.font = QtGui.QFont("DejaVu Sans", 8)
        self.title_font = QtGui.QFont("DejaVu Sans", 9, QtGui.QFont.Weight.Bold)
        self.badge_font = QtGui.QFont("DejaVu Sans", 8, QtGui.QFont.Weight.Bold)

    def set_geometry(self, xy: np.ndarray, visible: np.ndarray, spacing: np.ndarray) -> None:
        """Node positions (N, 2), which are shown, and the typical (dx, dy) between neighbours."""
        self.prepareGeometryChange()
        self._xy = xy
        self._visible = visible
        self._spacing = np.maximum(np.asarray(spacing, dtype=float), 1e-9)
        if len(self._texts) != len(xy):
            self._texts = [None] * len(xy)
            self._widths = [()] * len(xy)
        self._bounds = _padded_bounds(xy)
        self.update()

    def set_positions(self, xy: np.ndarray, spacing: np.ndarray | None = None) -> None:
        """Nodes moved (same nodes; the spacing estimate kept unless a new one is given)."""
        self.set_geometry(xy, self._visible, self._spacing if spacing is None else spacing)

    def set_visible(self, visible: np.ndarray) -> None:
        """Which nodes are shown at the cursor."""
        self._visible = visible
        self.update()

    def invalidate_text(self, index: int) -> None:
        """Node ``index``'s label changed; it is asked for again when next drawn."""
        self._texts[index] = None

    def _ensure_text(self, index: int) -> tuple[QtGui.QStaticText, ...]:
        texts = self._texts[index]
        if texts is None:
            lines, badge = self.text_source(index)
            texts = self._texts[index] = tuple(_static(line) for line in lines)
            fonts = [self.title_font] + [self.font] * (len(lines) - 1)
            self._widths[index] = tuple(
                QtGui.QFontMetricsF(font).horizontalAdvance(line)
                for font, line in zip(fonts, lines, strict=True)
            )
            if badge:
                self._badges[index] = _static(badge)
            else:
                self._badges.pop(index, None)
        return texts

    def lines(self, index: int) -> tuple[str, ...]:
        """The label lines of node ``index``."""
        return tuple(text.text() for text in self._ensure_text(index))

    def badge(self, index: int) -> str | None:
        """The badge text of node ``index``, if any."""
        self._ensure_text(index)
        badge = self._badges.get(index)
        return badge.text() if badge is not None else None

    def set_edge_labels(self, labels: list[tuple[np.ndarray, str, str]]) -> None:
        """Edge labels as (points, text, colour): drawn at the middle of the polyline
        ``points`` (start, middle, end) or, where that covers a node, further along it."""
        self._edge_labels = [(p, _static(t), QtGui.QColor(c)) for p, t, c in labels]
        self.update()

    def detail(self) -> int:
        """Level of detail at the current zoom: 0 no labels, 1 titles, 2 titles, values, grads."""
        view = self.getViewBox()
        if view is None or not len(self._xy):
            return 0
        return self._detail(1.0 / np.maximum(np.abs(view.viewPixelSize()), 1e-300))

    def spacing_px(self) -> np.ndarray:
        """The typical (dx, dy) between neighbouring nodes in pixels at the current zoom."""
        view = self.getViewBox()
        if view is None:
            return np.array([np.inf, np.inf])
        return self._spacing / np.maximum(np.abs(view.viewPixelSize()), 1e-300)

    def _detail(self, px_per_unit: np.ndarray) -> int:
        gaps = self._spacing * px_per_unit
        if np.all(gaps >= FULL_LABELS_PX):
            return 2
        return 1 if np.all(gaps >= TITLES_PX) else 0

    def boundingRect(self) -> QtCore.QRectF:  # noqa: N802 (Qt API)
        return self._bounds

    def paint(self, painter: QtGui.QPainter, *args) -> None:
        transform = painter.transform()
        scale = np.array([np.hypot(transform.m11(), transform.m12()), abs(transform.m22())])
        detail = self._detail(scale) if len(self._xy) else 0
        if detail == 0:
            return
        device = self._device_points(transform)
        viewport = QtCore.QRectF(painter.viewport())
        area = viewport.adjusted(-200, -60, 60, 60)
        inside = (
            self._visible
            & (device[:, 0] > area.left())
            & (device[:, 0] < area.right())
            & (device[:, 1] > area.top())
            & (device[:, 1] < area.bottom())
        )
        shown = np.flatnonzero(inside)
        if len(shown) > MAX_LABELS:
            return
        painter.save()
        painter.resetTransform()
        painter.setRenderHint(QtGui.QPainter.RenderHint.TextAntialiasing)
        placer = _Placer(viewport, device[shown])
        first = [i for i in self.priority if i < len(inside) and inside[i]]
        for i in first:
            self._paint_node(painter, placer, i, device[i], detail, force=True)
        self._paint_edge_labels(painter, placer, transform)
        for i in shown:
            if int(i) not in first:
                self._paint_node(painter, placer, int(i), device[i], detail)
        painter.restore()

    def _device_points(self, transform: QtGui.QTransform) -> np.ndarray:
        x, y = self._xy[:, 0], self._xy[:, 1]
        dx = x * transform.m11() + y * transform.m21() + transform.m31()
        dy = x * transform.m12() + y * transform.m22() + transform.m32()
        return np.column_stack((dx, dy))

    def _paint_node(self, painter, placer: _Placer, index: int, at, detail: int, force=False):
        """Draw a node's label where it overlaps nothing drawn yet: all its lines, else its
        title, each right of the node or, failing that, left of it. ``force`` draws it anyway."""
        texts, widths = self._ensure_text(index), self._widths[index]
        counts = (len(texts), 1) if detail == 2 or force else (1,)
        choice = None
        for count in counts:
            box = QtCore.QSizeF(max(widths[:count]), LINE_PX * count)
            choice = placer.place(at, box, force=force and count == 1)
            if choice is not None:
                break
        if choice is not None:
            self._draw_lines(painter, texts[:count], choice)
        badge = self._badges.get(index)
        if badge is not None:
            self._paint_badge(painter, badge, at)
            placer.take(QtCore.QRectF(at[0] - 24, at[1] - 26, 22, 15))

    def _draw_lines(self, painter, texts, box: QtCore.QRectF) -> None:
        for n, text in enumerate(texts):
            painter.setFont(self.title_font if n == 0 else self.font)
            painter.setPen(QtGui.QColor(LINE_COLOURS[min(n, 2)]))
            painter.drawStaticText(QtCore.QPointF(box.left(), box.top() + LINE_PX * n), text)

    def _paint_badge(self, painter: QtGui.QPainter, badge: QtGui.QStaticText, at) -> None:
        painter.setFont(self.badge_font)
        rect = QtCore.QRectF(at[0] - 24, at[1] - 26, 22, 15)
        painter.setBrush(QtGui.QColor("#e8702a"))
        painter.setPen(QtCore.Qt.PenStyle.NoPen)
        painter.drawRoundedRect(rect, 7, 7)
        painter.setPen(QtGui.QColor("white"))
        painter.drawStaticText(QtCore.QPointF(rect.left() + 3, rect.top()), badge)

    def _paint_edge_labels(self, painter, placer: _Placer, transform: QtGui.QTransform) -> None:
        painter.setFont(self.font)
        metrics = QtGui.QFontMetricsF(self.font)
        for points, text, colour in self._edge_labels:
            path = [transform.map(QtCore.QPointF(x, y)) for x, y in points]
            width = metrics.horizontalAdvance(text.text())
            box = placer.edge_box(path, QtCore.QSizeF(width + 4, LINE_PX))
            if box is None:
                continue
            painter.fillRect(box, QtGui.QColor(255, 255, 255, 210))
            painter.setPen(colour)
            painter.drawStaticText(QtCore.QPointF(box.left() + 2, box.top()), text)


class _Placer:
    """Label boxes already drawn (and node markers) in device pixels, bucketed on a grid, so a
    new label can be put where it overlaps none of them and stays inside the viewport."""

    CELL = 64.0

    def __init__(self, viewport: QtCore.QRectF, markers: np.ndarray) -> None:
        self.viewport = viewport.adjusted(2, 2, -2, -2)
        self.cells: dict[tuple[int, int], list[QtCore.QRectF]] = {}
        half = MARKER_PX / 2
        for x, y in markers:
            self.take(QtCore.QRectF(x - half, y - half, MARKER_PX, MARKER_PX))

    def place(self, at, size: QtCore.QSizeF, force: bool = False) -> QtCore.QRectF | None:
        """A free box of ``size`` beside the node at ``at`` (right, else left), taken; or with
        ``force`` the side that is not clipped even if it overlaps; else None."""
        top = at[1] - size.height() / 2
        right = QtCore.QRectF(at[0] + NODE_OFFSET_PX, top, size.width(), size.height())
        left = right.translated(-2 * NODE_OFFSET_PX - size.width(), 0)
        sides = (right, left) if right.right() <= self.viewport.right() else (left, right)
        for box in sides:
            if box.left() >= self.viewport.left() and self.free(box):
                return self.take(box)
        return self.take(sides[0]) if force else None

    def edge_box(self, path: list[QtCore.QPointF], size: QtCore.QSizeF) -> QtCore.QRectF | None:
        """The box of an edge label along ``path`` (start, middle, end): centred on the middle,
        or the first of a few points further along that overlaps nothing, inside the viewport;
        None when all of them overlap something."""
        boxes = (self._inside(_along(path, t), size) for t in EDGE_LABEL_AT)
        box = next((box for box in boxes if self.free(box)), None)
        return None if box is None else self.take(box)

    def _inside(self, at: QtCore.QPointF, size: QtCore.QSizeF) -> QtCore.QRectF:
        box = QtCore.QRectF(at.x() - size.width() / 2, at.y() - size.height() / 2, *size.toTuple())
        view = self.viewport
        box.moveLeft(min(max(box.left(), view.left()), view.right() - box.width()))
        box.moveTop(min(max(box.top(), view.top()), view.bottom() - box.height()))
        return box

    def free(self, box: QtCore.QRectF) -> bool:
        """Whether ``box`` overlaps nothing taken."""
        return not any(
            box.intersects(other) for key in self._keys(box) for other in self.cells.get(key, ())
        )

    def take(self, box: QtCore.QRectF) -> QtCore.QRectF:
        """Mark ``box`` as used; returns it."""
        for key in self._keys(box):
            self.cells.setdefault(key, []).append(box)
        return box

    def _keys(self, box: QtCore.QRectF):
        c = self.CELL
        for gx in range(int(box.left() // c), int(box.right() // c) + 1):
            for gy in range(int(box.top() // c), int(box.bottom() // c) + 1):
                yield gx, gy


def _along(path: list[QtCore.QPointF], t: float) -> QtCore.QPointF:
    """The point a fraction ``t`` along the two segments of ``path`` (0.5 is the middle)."""
    a, b = (path[0], path[1]) if t < 0.5 else (path[1], path[2])
    u = 2 * t if t < 0.5 else 2 * t - 1
    return a + (b - a) * u


def _static(text: str) -> QtGui.QStaticText:
    static = QtGui.QStaticText(text)
    static.setTextFormat(QtCore.Qt.TextFormat.PlainText)
    return static


def _padded_bounds(xy: np.ndarray) -> QtCore.QRectF:
    if not len(xy):
        return QtCore.QRectF()
    lo, hi = xy.min(axis=0), xy.max(axis=0)
    pad = np.maximum((hi - lo) * 0.5, 1.0)
    lo, hi = lo - pad, hi + pad
    return QtCore.QRectF(lo[0], lo[1], hi[0] - lo[0], hi[1] - lo[1])
