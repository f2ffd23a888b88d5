"""The inspector's plot of a tensor's value and gradient: bars for vectors, an image for matrices.

Draws what ``explorer.model.value_plot`` computes: finite values to scale, +inf and -inf as bars
clipped at the edge in the warning colour with an arrowhead, NaN as a cross, and a note naming
where they are.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtWidgets

from explorer.model.value_plot import (
    bars,
    edge,
    finite_levels,
    index_ticks,
    nonfinite_masks,
    nonfinite_note,
    y_range,
)

VALUE_BRUSH = "#4c78a8"
GRAD_BRUSH = "#e8702a"
WARNING = "#e45756"  # the graph's NaN/inf colour
SYMBOLS = {"+inf": "t1", "-inf": "t", "NaN": "x"}  # up and down arrowheads, a cross
NOTE_STYLE = f"color: {WARNING};"
BARS_CAPTION = "plot: value (blue), grad (orange), NaN/inf (red)"


class QtValuePlot(QtWidgets.QWidget):
    """A plot of a value and its gradient with a note under it when either is not finite."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.caption = QtWidgets.QLabel(BARS_CAPTION, self)
        self.caption.setWordWrap(True)
        self.rows_axis = QtIndexAxis("left")
        axes = {"bottom": QtIndexAxis("bottom"), "left": self.rows_axis}
        self.plot = pg.PlotWidget(self, background="#ffffff", axisItems=axes)
        self.plot.setMinimumHeight(110)
        self.plot.hideButtons()
        self.plot.setMouseEnabled(x=False, y=False)
        self.note = QtWidgets.QLabel(self)
        self.note.setWordWrap(True)
        self.note.setStyleSheet(NOTE_STYLE)
        self.note.hide()
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.caption)
        layout.addWidget(self.plot)
        layout.addWidget(self.note)
        self.clear()

    def show_arrays(self, value: np.ndarray | None, grad: np.ndarray | None) -> None:
        """Plot ``value`` and ``grad`` (either may be None; matrices show the gradient if any).
        With neither, or only empty ones, the whole widget hides: no empty axes."""
        self.plot.clear()
        self.plot.getPlotItem().invertY(False)
        self.rows_axis.set_indices(False)
        value, grad = (a if a is not None and a.size else None for a in (value, grad))
        notes = [nonfinite_note(name, a) for name, a in (("value", value), ("grad", grad))]
        self.note.setText("\n".join(n for n in notes if n))
        self.note.setVisible(any(notes))
        arrays = [a for a in (value, grad) if a is not None]
        self.setVisible(bool(arrays))
        if not arrays:
            return
        if arrays[0].ndim >= 2:
            self._image(*(("grad", grad) if grad is not None else ("value", value)))
        else:
            self.caption.setText(BARS_CAPTION)
            self._bars(value, grad)

    def clear(self) -> None:
        """Show nothing (the widget hides)."""
        self.show_arrays(None, None)

    def _bars(self, value: np.ndarray | None, grad: np.ndarray | None) -> None:
        both = value is not None and grad is not None
        width = 0.4 if both else 0.8
        shown = [
            (bars(array, offset if both else 0.0), brush)
            for offset, array, brush in ((-0.2, value, VALUE_BRUSH), (0.2, grad, GRAD_BRUSH))
            if array is not None
        ]
        limits = y_range([series for series, _ in shown])
        for series, brush in shown:
            if len(series.x):
                item = pg.BarGraphItem(x=series.x, height=series.heights, width=width, brush=brush)
                self.plot.addItem(item)
            for kind, x in series.nonfinite.items():
                self._nonfinite_bars(kind, x, width, limits)
        length = max(len(a.ravel()) for a in (value, grad) if a is not None)
        self.plot.setRange(xRange=(-0.5, length - 0.5), yRange=limits, padding=0)

    def _nonfinite_bars(self, kind: str, x: np.ndarray, width: float, limits) -> None:
        top = edge(kind, limits)
        if kind != "NaN":
            clipped = pg.BarGraphItem(
                x=x, height=np.full(len(x), top), width=width, brush=WARNING + "80", pen=WARNING
            )
            self.plot.addItem(clipped)
        self._marks(kind, x, np.full(len(x), top - _inset(kind, limits)))

    def _image(self, name: str, array: np.ndarray) -> None:
        """``array`` as PyTorch prints it: row 0 at the top, columns left to right, cell [i, j]
        centred on (x=j, y=i) so that the axes' ticks are column and row indices."""
        self.caption.setText(image_caption(name, array.shape))
        grid = np.asarray(array, dtype=float).reshape(array.shape[0], -1)
        rows, columns = grid.shape
        levels = finite_levels(grid)
        finite = np.nan_to_num(grid, nan=levels[0], posinf=levels[1], neginf=levels[0])
        image = pg.ImageItem(finite, axisOrder="row-major")
        image.setRect(-0.5, -0.5, columns, rows)
        image.setColorMap(pg.colormap.get("viridis"))
        image.setLevels(levels)
        self.plot.addItem(image)
        self.plot.setRange(xRange=(-0.5, columns - 0.5), yRange=(-0.5, rows - 0.5), padding=0)
        self.plot.getPlotItem().invertY(True)
        self.rows_axis.set_indices(True)
        for kind, mask in nonfinite_masks(grid).items():
            at_rows, at_columns = np.nonzero(mask)
            self._marks(kind, at_columns.astype(float), at_rows.astype(float))

    def _marks(self, kind: str, x: np.ndarray, y: np.ndarray) -> None:
        marks = pg.ScatterPlotItem(
            x=x, y=y, symbol=SYMBOLS[kind], size=11, brush=WARNING, pen=pg.mkPen("#ffffff")
        )
        self.plot.addItem(marks)


class QtIndexAxis(pg.AxisItem):
    """An axis that, while it counts element indices, has ticks on whole numbers only
    (pyqtgraph still thins them on a long axis: every 2nd, 5th, 10th...)."""

    def __init__(self, orientation: str) -> None:
        super().__init__(orientation)
        self.indices = True

    def set_indices(self, indices: bool) -> None:
        """Whether the axis counts indices (whole ticks) or shows values (any ticks)."""
        if indices != self.indices:
            self.indices = indices
            self.picture = None
            self.update()

    def tickSpacing(self, low: float, high: float, size: float):  # noqa: N802 (pyqtgraph API)
        levels = super().tickSpacing(low, high, size)
        return index_ticks(levels) if self.indices else levels


def image_caption(name: str, shape: tuple[int, ...]) -> str:
    """What the heat map of ``name`` shows, laid out as PyTorch prints it."""
    columns = "columns" if len(shape) == 2 else f"dims 1–{len(shape) - 1} flattened"
    return (
        f"heat map of {name} {list(shape)}: row 0 at the top, {columns} left to right; "
        "NaN/inf (red)"
    )


def _inset(kind: str, limits: tuple[float, float]) -> float:
    """How far inside the edge an arrowhead sits so that it is drawn whole."""
    step = 0.06 * (limits[1] - limits[0])
    return {"+inf": step, "-inf": -step}.get(kind, 0.0)
