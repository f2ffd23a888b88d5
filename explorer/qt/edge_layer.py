"""Every edge of the graph as one QGraphicsPathItem per style.

Each edge has a base style (its kind, or HIDDEN) and a current style (a carry style while it
carries a gradient); carry paths are drawn over the base paths, so a backward step rebuilds only
the small carry paths. A cursor move recomputes the styles of the edges the delta names and
rebuilds only the paths of the styles that gained or lost an edge; a path is built from numpy
arrays in one call (pyqtgraph's arrayToQPath, connect='pairs'). An edge is drawn start → middle →
end; the middle moves sideways to part parallel edges and, in graphs of up to MAX_ROUTED_EDGES
edges, to keep an edge from running through a node it does not join (edge_routes.detours).
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtGui, QtWidgets

from explorer.model.edge_routes import MAX_ROUTED_EDGES, detours
from explorer.qt.graph_style import CARRY_STYLES, EDGE_STYLES, HIDDEN, Palette

BEND = 0.3
# Qt strokes a path wider than one pixel as a whole, clipped or not (~700 ms for 10,000 edges,
# ~15 ms for 1,000), while one-pixel cosmetic pens take its fast line path (~2 ms for 1,000);
# a path with more edges than this is drawn with a one-pixel pen of the same colour.
HAIRLINE_ABOVE = 300
# In graphs that large, data edges longer than this many median edge lengths (a shared weight
# feeding every step of an unrolled loop) are drawn faint and only near their ends, so the short
# edges show the structure.
LONG_EDGE = 6.0
FAINT_COLOUR = "#c9ced8"
STUB_LENGTH = 0.6  # median edge lengths of a faint edge drawn at each end


class QtEdgeLayer:
    """The path items of one view; ``items`` are added to the view box by the owner."""

    def __init__(self, palette: Palette) -> None:
        self.items = {style: QtWidgets.QGraphicsPathItem() for style in EDGE_STYLES}
        self._pens = {style: (pen, _hairline(pen)) for style, pen in palette.edge_pens.items()}
        for style, item in self.items.items():
            item.setPen(palette.edge_pens[style])
            item.setZValue(-10 + EDGE_STYLES.index(style))
        self.faint = QtWidgets.QGraphicsPathItem()
        self.faint.setPen(_hairline(QtGui.QPen(QtGui.QColor(FAINT_COLOUR))))
        self.faint.setZValue(-11)
        self.items["faint"] = self.faint
        self.long = np.zeros(0, dtype=bool)
        self.src = np.zeros(0, dtype=np.int64)
        self.dst = np.zeros(0, dtype=np.int64)
        self.codes = np.zeros(0, dtype=np.int8)
        self.base = np.zeros(0, dtype=np.int8)
        self.bend = np.zeros(0)
        self.middles = np.zeros((0, 2))  # the point each edge is drawn through
        self._xy = np.zeros((0, 2))
        self._median = 1.0

    def reset(self, src: np.ndarray, dst: np.ndarray, codes: np.ndarray, xy: np.ndarray) -> None:
        """Take a whole new set of edges (endpoint indices into the node arrays) and draw them.

        Parallel edges (``dot(x, x)`` feeds x twice) bend apart so each stays visible."""
        self.src, self.dst, self.codes, self.base = src, dst, codes, codes.copy()
        self.bend = parallel_bends(src, dst)
        self.set_positions(xy)

    def set_positions(self, xy: np.ndarray, routed: bool = True) -> None:
        """Node positions changed: every path is rebuilt (straight unless `routed`: while a
        node is being dragged, edges are routed around nodes only when it is dropped)."""
        self._xy = xy
        self.middles = _middles(xy, self.src, self.dst, self.bend, routed)
        self.long = long_edges(xy[self.src], xy[self.dst])
        lengths = np.hypot(*(xy[self.dst] - xy[self.src]).T)
        self._median = float(np.median(lengths)) if len(lengths) else 1.0
        for code in range(len(EDGE_STYLES)):
            self._rebuild(code)

    def set_codes(self, indices: list[int], codes: list[int], bases: list[int]) -> set[int]:
        """Restyle some edges; rebuild only the styles that changed. Returns those style codes."""
        changed: set[int] = set()
        for j, code, base in zip(indices, codes, bases, strict=True):
            old_code, old_base = int(self.codes[j]), int(self.base[j])
            if old_code != code:
                changed.update(c for c in (old_code, code) if c in CARRY_STYLES)
                self.codes[j] = code
            if old_base != base:
                changed.update((old_base, base))
                self.base[j] = base
        changed.discard(HIDDEN)
        for code in changed:
            self._rebuild(code)
        return changed

    def style_of(self, index: int) -> str | None:
        """The style name of edge ``index``, or None when hidden."""
        code = int(self.codes[index])
        return None if code == HIDDEN else EDGE_STYLES[code]

    def polyline(self, index: int) -> np.ndarray:
        """The (3, 2) points edge ``index`` is drawn through: its start, bent middle and end."""
        a, b = self._xy[self.src[[index]]], self._xy[self.dst[[index]]]
        return np.vstack((a, self.middles[[index]], b))

    def _rebuild(self, code: int) -> None:
        mask = (self.codes if code in CARRY_STYLES else self.base) == code
        style = EDGE_STYLES[code]
        if style == "data":
            self._set_stubs(self.faint, mask & self.long)
            mask &= ~self.long
        self._set_path(self.items[style], mask)
        pen = self._pens[style][int(mask.sum()) > HAIRLINE_ABOVE]
        if self.items[style].pen() != pen:
            self.items[style].setPen(pen)

    def _set_stubs(self, item: QtWidgets.QGraphicsPathItem, mask: np.ndarray) -> None:
        """Long edges as two short stubs, one leaving the source and one entering the target:
        hundreds of full-length lines from one shared weight would merge into grey bands."""
        a, b = self._xy[self.src[mask]], self._xy[self.dst[mask]]
        direction = b - a
        length = np.maximum(np.hypot(direction[:, 0], direction[:, 1]), 1e-12)[:, None]
        stub = direction * np.minimum(STUB_LENGTH * self._median / length, 0.5)
        points = np.stack((a, a + stub, b - stub, b), axis=1).reshape(-1, 2)
        x, y = points[:, 0].copy(), points[:, 1].copy()
        item.setPath(pg.arrayToQPath(x, y, connect="pairs") if len(x) else QtGui.QPainterPath())

    def _set_path(self, item: QtWidgets.QGraphicsPathItem, mask: np.ndarray) -> None:
        a, b = self._xy[self.src[mask]], self._xy[self.dst[mask]]
        x, y = _segments(a, b, self.middles[mask])
        item.setPath(pg.arrayToQPath(x, y, connect="pairs") if len(x) else QtGui.QPainterPath())


def long_edges(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Which edges (from points a to points b) to draw faint: none unless there are more than
    HAIRLINE_ABOVE; then those longer than LONG_EDGE median lengths."""
    if len(a) <= HAIRLINE_ABOVE:
        return np.zeros(len(a), dtype=bool)
    length = np.hypot(*(b - a).T)
    return length > LONG_EDGE * max(float(np.median(length)), 1e-12)


def parallel_bends(src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """Per edge, how far to bend it sideways: 0 alone, ±0.5, ±1... among parallel edges."""
    bends = np.zeros(len(src))
    if not len(src):
        return bends
    key = src.astype(np.int64) * (int(max(src.max(), dst.max())) + 1) + dst
    order = np.argsort(key, kind="stable")
    _, starts, counts = np.unique(key[order], return_index=True, return_counts=True)
    rank = np.arange(len(order)) - np.repeat(starts, counts)
    bends[order] = rank - (np.repeat(counts, counts) - 1) / 2
    return bends


def _middles(
    xy: np.ndarray, src: np.ndarray, dst: np.ndarray, bend: np.ndarray, routed: bool
) -> np.ndarray:
    """Each edge's middle point: halfway, or (`routed`, in graphs of up to MAX_ROUTED_EDGES
    edges) beside a node in its way; moved along the edge's normal by its parallel bend."""
    a, b = xy[src], xy[dst]
    middles = (a + b) / 2
    if routed and len(src) <= MAX_ROUTED_EDGES:
        detour = detours(xy, src, dst)
        routed = ~np.isnan(detour[:, 0])
        middles[routed] = detour[routed]
    direction = b - a
    length = np.maximum(np.hypot(direction[:, 0], direction[:, 1]), 1e-12)[:, None]
    normal = np.column_stack((-direction[:, 1], direction[:, 0])) / length
    return middles + normal * (BEND * bend)[:, None]


def _segments(a: np.ndarray, b: np.ndarray, middle: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Interleaved segment endpoints a→middle→b."""
    if not len(a):
        return np.zeros(0), np.zeros(0)
    points = np.stack((a, middle, middle, b), axis=1).reshape(-1, 2)
    return points[:, 0].copy(), points[:, 1].copy()


def _hairline(pen: QtGui.QPen) -> QtGui.QPen:
    thin = QtGui.QPen(pen)
    thin.setWidthF(0)
    thin.setCosmetic(True)
    return thin
