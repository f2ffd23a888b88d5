"""The graph's visual vocabulary: node categories, edge styles, one reused palette of Qt objects.

Brushes and pens are built once here and shared by every point and path (pyqtgraph draws many
points fast only when they share style objects). Classification functions are pure: they map a
node's attributes and displayed state to a category name, so tests can assert on categories.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui

NODE_COLOURS = {
    "tensor": "#4c78a8",
    "tensor_nograd": "#c4c4c4",
    "op": "#f2a65a",
    "op_nograd": "#c9b3e6",
    "active": "#ffd43b",
    "nonfinite": "#e45756",
}
PEN_KINDS = ("normal", "active", "selected", "dot")
TENSOR_SIZE = 22
OP_SIZE = 15

EDGE_STYLES = (
    "data",
    "no_grad",
    "gradient",
    "detach",
    "carry_low",
    "carry_mid",
    "carry_high",
)
HIDDEN = -1
CARRY_STYLES = frozenset(i for i, name in enumerate(EDGE_STYLES) if name.startswith("carry"))
CARRY_THRESHOLDS = (1.0, 10.0)


class Palette:
    """The shared brushes and pens; create one per view and reuse it for every update."""

    def __init__(self) -> None:
        self.brushes = {name: pg.mkBrush(colour) for name, colour in NODE_COLOURS.items()}
        self.pens = {
            "normal": pg.mkPen("#30343b", width=1),
            "active": pg.mkPen("#111111", width=3),
            "selected": pg.mkPen("#00a0c8", width=3),
            "dot": QtGui.QPen(QtCore.Qt.PenStyle.NoPen),
        }
        self.edge_pens = {name: _edge_pen(name) for name in EDGE_STYLES}


def _edge_pen(style: str) -> QtGui.QPen:
    pens = {
        "data": pg.mkPen("#8a8f98", width=1.5),
        "no_grad": pg.mkPen("#9b7fcf", width=1.5, style=QtCore.Qt.PenStyle.DotLine),
        "gradient": pg.mkPen("#5aa469", width=1.2, style=QtCore.Qt.PenStyle.DashDotLine),
        "detach": pg.mkPen("#d9534f", width=2, style=QtCore.Qt.PenStyle.DashLine),
        "carry_low": pg.mkPen("#f4a259", width=2.5),
        "carry_mid": pg.mkPen("#e8702a", width=4),
        "carry_high": pg.mkPen("#c0392b", width=6),
    }
    return pens[style]


def node_category(attrs: dict[str, Any], state: Any) -> str:
    """The fill category of a node given its graph attributes and its state at the cursor."""
    if state.nonfinite:
        return "nonfinite"
    if state.active:
        return "active"
    if attrs.get("kind") == "op":
        return "op_nograd" if attrs.get("no_grad") else "op"
    requires_grad = getattr(state, "requires_grad", attrs.get("requires_grad"))
    return "tensor" if requires_grad else "tensor_nograd"


def node_symbol(attrs: dict[str, Any]) -> str:
    """Tensors are circles, ops are squares."""
    return "s" if attrs.get("kind") == "op" else "o"


def node_size(attrs: dict[str, Any]) -> int:
    """Point size in pixels for a node."""
    return OP_SIZE if attrs.get("kind") == "op" else TENSOR_SIZE


def edge_style(attrs: dict[str, Any], state: Any) -> int:
    """Index into EDGE_STYLES of how an edge looks now (carrying or its kind), or HIDDEN."""
    if state.visible and state.gradient is not None:
        return EDGE_STYLES.index(carry_style(state.gradient))
    return edge_base_style(attrs, state)


def edge_base_style(attrs: dict[str, Any], state: Any) -> int:
    """Index into EDGE_STYLES of the edge's kind (drawn under any carried gradient), or HIDDEN."""
    if not state.visible:
        return HIDDEN
    kind = attrs.get("kind", "data")
    return EDGE_STYLES.index(kind if kind in EDGE_STYLES else "data")


def carry_style(gradient: np.ndarray) -> str:
    """Width and colour bucket of an edge carrying ``gradient``, by its largest magnitude."""
    values = np.abs(np.asarray(gradient, dtype=float))
    finite = values[np.isfinite(values)]
    peak = float(finite.max()) if finite.size else np.inf
    if finite.size < values.size or peak >= CARRY_THRESHOLDS[1]:
        return "carry_high"
    return "carry_mid" if peak >= CARRY_THRESHOLDS[0] else "carry_low"
