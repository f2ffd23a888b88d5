"""The graph canvas: one ScatterPlotItem for all nodes, one path per edge style, one label layer.

A thin view: it reads the Document's graph, positions and replay state, redraws what a cursor move's
delta names, and reports user intent (select, drag) as Qt signals; it never changes the model.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore

from explorer.qt.camera import fit_range, marker_scale, neighbour_spacing, pan_to_show
from explorer.qt.edge_layer import QtEdgeLayer
from explorer.qt.graph_style import (
    EDGE_STYLES,
    HIDDEN,
    PEN_KINDS,
    Palette,
    edge_base_style,
    edge_style,
    node_category,
    node_size,
    node_symbol,
)
from explorer.qt.label_layer import QtLabelLayer
from explorer.qt.node_scatter import QtNodeScatter
from explorer.qt.node_text import accumulation, badge_text, compact, node_lines, tooltip
from explorer.qt.overlays import LEGEND_HTML, fit_label, overlay_label

Edge = tuple[str, str, int]
HIGHLIGHT_MIN_PX = 14.0  # the active and selected nodes stay findable when zoomed out
REVEAL_MARGIN_PX = 24.0  # a node this close to an edge (or an overlay) counts as off-screen
NORMAL_PEN, DOT_PEN = PEN_KINDS.index("normal"), PEN_KINDS.index("dot")


class QtGraphView(pg.GraphicsView):
    """Draws a Document's graph at the replay cursor; emits node_selected and node_dragged."""

    node_selected = QtCore.Signal(str)
    node_dragged = QtCore.Signal(str, object, object)

    def __init__(self, parent=None) -> None:
        super().__init__(parent, background="#fbfbfd")
        self.caption_label = overlay_label(self, "font-weight: bold;")
        self.caption_label.hide()
        self.legend = overlay_label(self, "")
        self.legend.setText(LEGEND_HTML)
        self.view_box = pg.ViewBox(lockAspect=False, enableMenu=False)
        self.setCentralItem(self.view_box)
        self.palette_ = Palette()
        self.edges = QtEdgeLayer(self.palette_)
        for item in self.edges.items.values():
            self.view_box.addItem(item, ignoreBounds=True)
        self.scatter = QtNodeScatter(tip=self._tooltip_at)
        self.scatter.sigClicked.connect(self._on_clicked)
        self.scatter.dragged.connect(self._on_drag)
        self.view_box.addItem(self.scatter)
        self.labels = QtLabelLayer(self._label_for)
        self.view_box.addItem(self.labels, ignoreBounds=True)
        self.document: Any = None
        self.selected: str | None = None
        self._ids: list[str] = []
        self._index: dict[str, int] = {}
        self._edge_ids: list[Edge] = []
        self._edge_index: dict[Edge, int] = {}
        self._categories: list[str] = []
        self._active: str | None = None
        self._edge_labels: dict[int, tuple[str, str]] = {}
        self._sizes = np.zeros(0)
        self._pen_codes = np.zeros(0, dtype=np.int8)
        self._pen_table = np.array([self.palette_.pens[k] for k in PEN_KINDS], dtype=object)
        self._marker_scale = 1.0
        self._fitted = False
        self.view_box.sigRangeChangedManually.connect(self._on_user_moved_view)
        self.view_box.sigResized.connect(self._on_resized)
        self.view_box.sigTransformChanged.connect(self._on_zoom_changed)

    # ----- model wiring
    def set_document(self, document: Any) -> None:
        """Show ``document``, following its events from now on."""
        if self.document is not None:
            _disconnect(self.document, self)
        self.document = document
        self.selected = None
        events = document.events
        events.ran.connect(self._on_ran)
        events.cursor_moved.connect(self._on_cursor_moved)
        events.positions_changed.connect(self._on_positions_changed)
        self.rebuild()
        self.fit()

    def _on_ran(self, *_: Any) -> None:
        self.rebuild()
        self.fit()

    def _on_cursor_moved(self, delta: Any) -> None:
        active = self.document.replay.active_node
        nodes = set(delta.nodes) | {n for n in (self._active, active) if n is not None}
        self._active = active
        self._update_nodes(nodes)
        self._update_edges(delta.edges)
        self.reveal(active)

    def _on_positions_changed(self, node_ids: Any = ()) -> None:
        self._read_positions(respace=len(node_ids) > 1)

    # ----- building
    def rebuild(self) -> None:
        """Redraw everything from the document (after a run or when a document is opened)."""
        graph = self.document.graph
        self._ids = list(graph.nodes)
        self._index = {n: i for i, n in enumerate(self._ids)}
        self._edge_ids = list(graph.edges(keys=True))
        self._edge_index = {e: j for j, e in enumerate(self._edge_ids)}
        self._active = self.document.replay.active_node
        attrs = [graph.nodes[n] for n in self._ids]
        self._categories = ["tensor"] * len(self._ids)
        self._pen_codes = np.zeros(len(self._ids), dtype=np.int8)
        self._sizes = np.array([node_size(a) for a in attrs], dtype=float)
        xy = self._positions_array()
        self.scatter.setData(
            x=xy[:, 0],
            y=xy[:, 1],
            data=self._ids,
            symbol=[node_symbol(a) for a in attrs],
            size=self._sizes * self._marker_scale,
            brush=self.palette_.brushes["tensor"],
            pen=self.palette_.pens["normal"],
        )
        self._reset_edges(xy)
        self._update_nodes(self._ids)
        self._update_edges(self._edge_ids)

    def _reset_edges(self, xy: np.ndarray) -> None:
        src = np.array([self._index[u] for u, _, _ in self._edge_ids], dtype=np.int64)
        dst = np.array([self._index[v] for _, v, _ in self._edge_ids], dtype=np.int64)
        self.edges.reset(src, dst, np.full(len(src), HIDDEN, dtype=np.int8), xy)
        self._edge_labels = {}
        self.labels.set_geometry(xy, np.zeros(len(xy), dtype=bool), neighbour_spacing(xy, src, dst))

    def _positions_array(self) -> np.ndarray:
        positions = self.document.positions
        xy = np.array([positions.get(n, (0.0, 0.0)) for n in self._ids], dtype=float)
        return xy.reshape(-1, 2)

    def _read_positions(self, respace: bool = False) -> None:
        xy = self._positions_array()
        self.scatter.move_points(xy)
        self.edges.set_positions(xy)
        self._refresh_edge_labels(self._edge_labels)
        # A new layout (not one dragged node) changes the spacing the level of detail reads.
        spacing = neighbour_spacing(xy, self.edges.src, self.edges.dst) if respace else None
        self.labels.set_positions(xy, spacing)

    # ----- incremental updates
    def _update_nodes(self, node_ids) -> None:
        replay, graph = self.document.replay, self.document.graph
        indices, brushes, visible = [], [], []
        for node_id in node_ids:
            i = self._index.get(node_id)
            if i is None:
                continue
            attrs, state = graph.nodes[node_id], replay.node_state(node_id)
            self._categories[i] = node_category(attrs, state)
            self._pen_codes[i] = PEN_KINDS.index(self._pen_kind(node_id, state))
            indices.append(i)
            brushes.append(self.palette_.brushes[self._categories[i]])
            visible.append(bool(state.visible))
            self.labels.invalidate_text(i)
        pens, sizes = self._marker_styles(indices)
        self.scatter.restyle(indices, brushes, pens, visible, sizes)
        first = dict.fromkeys(n for n in (self._active, self.selected) if n in self._index)
        self.labels.priority = tuple(self._index[n] for n in first)
        self.labels.set_visible(self.scatter.visible_mask())

    def _marker_styles(self, indices) -> tuple[np.ndarray, np.ndarray]:
        """Pens and sizes of the points at ``indices`` at the current marker scale: outlines
        dropped and markers shrunk to dots when zoomed out, except the active and selected."""
        idx = np.asarray(indices, dtype=np.int64)
        codes = self._pen_codes[idx]
        marked = codes != NORMAL_PEN
        if self._marker_scale < 1.0:
            codes = np.where(marked, codes, DOT_PEN)
        sizes = self._sizes[idx] * self._marker_scale
        sizes[marked] = np.maximum(sizes[marked], HIGHLIGHT_MIN_PX)
        return self._pen_table[codes], sizes

    def _on_zoom_changed(self, *_: Any) -> None:
        if not len(self._ids):
            return
        gap_px = float(np.min(self.labels.spacing_px()))
        scale = marker_scale(gap_px, max(float(self._sizes.max()), 1.0))
        if scale != self._marker_scale:
            self._marker_scale = scale
            pens, sizes = self._marker_styles(np.arange(len(self._ids)))
            self.scatter.restyle_markers(pens, sizes)

    def _label_for(self, index: int) -> tuple[tuple[str, ...], str | None]:
        node_id, replay = self._ids[index], self.document.replay
        attrs, state = self.document.graph.nodes[node_id], replay.node_state(node_id)
        lines = node_lines(attrs, state, accumulation(replay.current_event, node_id))
        return lines, badge_text(state)

    def _pen_kind(self, node_id: str, state: Any) -> str:
        if node_id == self.selected:
            return "selected"
        return "active" if state.active else "normal"

    def _update_edges(self, edges) -> None:
        replay, graph = self.document.replay, self.document.graph
        indices, codes, bases, labelled = [], [], [], {}
        for edge in edges:
            j = self._edge_index.get(tuple(edge))
            if j is None:
                continue
            attrs, state = graph.edges[edge], replay.edge_state(edge)
            code = edge_style(attrs, state)
            indices.append(j)
            codes.append(code)
            bases.append(edge_base_style(attrs, state))
            labelled[j] = self._edge_label(edge, attrs, state, code)
        self.edges.set_codes(indices, codes, bases)
        self._refresh_edge_labels(labelled)

    def _edge_label(self, edge: Edge, attrs: dict, state: Any, code: int):
        if code == HIDDEN:
            return None
        if state.gradient is not None:
            nodes = self.document.graph.nodes
            dtype = nodes[edge[0]].get("dtype") or nodes[edge[1]].get("dtype") or "float32"
            return compact(state.gradient, dtype, 22), "#b4561e"
        if EDGE_STYLES[code] == "detach":
            return "✂ detach", "#d9534f"
        return None

    def _refresh_edge_labels(self, changed: dict[int, tuple[str, str] | None]) -> None:
        for j, label in changed.items():
            if label is None:
                self._edge_labels.pop(j, None)
            else:
                self._edge_labels[j] = label
        self.labels.set_edge_labels(
            [(self.edges.polyline(j), t, c) for j, (t, c) in self._edge_labels.items()]
        )

    # ----- interaction
    def select(self, node_id: str | None) -> None:
        """Mark ``node_id`` as selected (None clears) and announce it."""
        previous, self.selected = self.selected, node_id
        self._update_nodes([n for n in (previous, node_id) if n is not None])
        if node_id is not None:
            self.reveal(node_id)
            self.node_selected.emit(node_id)

    def _on_clicked(self, _item, points, _event) -> None:
        if len(points):
            self.select(points[0].data())

    def _on_drag(self, index: int, start: tuple, end: tuple, finished: bool) -> None:
        xy = self.scatter.positions()
        self.edges.set_positions(xy, routed=finished)
        self.labels.set_positions(xy)
        if finished:
            self.node_dragged.emit(self._ids[index], start, end)

    def _tooltip_at(self, x: float, y: float, data: Any) -> str:
        graph = self.document.graph
        return tooltip(data, graph.nodes[data], self.document.replay.node_state(data))

    # ----- camera
    def fit(self) -> None:
        """Frame the graph (see ``camera.fit_range``: a very tall or wide graph shows its top,
        or the region of the node the cursor is at), and keep it framed on resize until the
        user pans or zooms."""
        self._fitted = True
        xy = self.scatter.positions()
        if not len(xy):
            return
        anchor = None
        if self._active in self._index:
            anchor = tuple(xy[self._index[self._active]])
        x_range, y_range = fit_range(xy, self._view_px(), anchor, self._overlays_px())
        self.view_box.setRange(xRange=x_range, yRange=y_range, padding=0)

    def reveal(self, node_id: str | None) -> None:
        """Pan, keeping the zoom, so that ``node_id`` is on screen (clear of the caption and
        the legend); a view that already shows it is left where the user put it."""
        i = self._index.get(node_id) if node_id is not None else None
        if i is None:
            return
        top, bottom = self._overlays_px()
        margin = REVEAL_MARGIN_PX
        margins = (margin, margin, top + margin, bottom + margin)
        view_range = self.view_box.viewRange()
        shown = pan_to_show(view_range, self._view_px(), self.scatter.point(i), margins)
        if shown is not None:
            self.view_box.setRange(xRange=shown[0], yRange=shown[1], padding=0)

    def _view_px(self) -> tuple[float, float]:
        size = self.view_box.size()
        return size.width(), size.height()

    def _overlays_px(self) -> tuple[float, float]:
        """Heights of what covers the top (the caption) and the bottom (the legend)."""
        top = self.caption_label.height() if self.caption_label.isVisible() else 0
        return top, self.legend.height()

    def zoom(self, factor: float) -> None:
        """Zoom in (factor < 1) or out (factor > 1) about the centre."""
        self._fitted = False
        self.view_box.scaleBy((factor, factor))

    def _on_user_moved_view(self, *_: Any) -> None:
        self._fitted = False

    def _on_resized(self, *_: Any) -> None:
        if self._fitted:
            self.fit()

    def set_caption(self, text: str) -> None:
        """Show ``text`` in the top-left corner (used for rendered images)."""
        self.caption_label.setText(text)
        self.caption_label.adjustSize()
        self.caption_label.show()

    def caption(self) -> str:
        """The caption text ("" when none)."""
        return self.caption_label.text() if self.caption_label.isVisible() else ""

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt API)
        super().resizeEvent(event)
        if not hasattr(self, "legend"):  # pyqtgraph resizes once inside its own __init__
            return
        self.caption_label.move(8, 6)
        fit_label(self.legend, self.width() - 16)
        self.legend.move(8, self.height() - self.legend.height() - 6)

    # ----- queries (for the window, the inspector and tests)
    def node_category(self, node_id: str) -> str:
        """The fill category drawn for ``node_id`` (e.g. "active", "tensor_nograd")."""
        return self._categories[self._index[node_id]]

    def node_visible(self, node_id: str) -> bool:
        """Whether ``node_id`` is drawn at the current cursor."""
        return bool(self.scatter.visible_mask()[self._index[node_id]])

    def edge_style(self, edge: Edge) -> str | None:
        """The style drawn for ``edge`` (e.g. "detach", "carry_mid"), or None when hidden."""
        return self.edges.style_of(self._edge_index[tuple(edge)])

    def node_label(self, node_id: str) -> tuple[str, ...]:
        """The label lines drawn beside ``node_id`` at full detail."""
        return self.labels.lines(self._index[node_id])

    def node_badge(self, node_id: str) -> str | None:
        """The accumulation badge drawn on ``node_id`` (``×2``), if any."""
        return self.labels.badge(self._index[node_id])

    def edge_label(self, edge: Edge) -> str | None:
        """The text drawn at the middle of ``edge``, if any."""
        label = self._edge_labels.get(self._edge_index[tuple(edge)])
        return label[0] if label else None


def _disconnect(document: Any, view: QtGraphView) -> None:
    events = document.events
    for signal, slot in (
        (events.ran, view._on_ran),
        (events.cursor_moved, view._on_cursor_moved),
        (events.positions_changed, view._on_positions_changed),
    ):
        signal.disconnect(slot)
