"""The inspector's plot shows NaN and infinities as marks in the warning colour, on an axis
whose range comes from the finite values (nan_appears.py after F8: t1 = [-inf, 0, 1.3863])."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6 import QtCore

from explorer.fileformat import open_document
from explorer.qt import files
from explorer.qt.inspector_plot import SYMBOLS, WARNING, QtValuePlot

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")


def _items(plot: QtValuePlot, kind: type) -> list:
    return [item for item in plot.plot.getPlotItem().items if isinstance(item, kind)]


def _marks(plot: QtValuePlot) -> dict[str, list[tuple[float, float]]]:
    found: dict[str, list[tuple[float, float]]] = {}
    for item in _items(plot, pg.ScatterPlotItem):
        for point in item.points():
            found.setdefault(point.symbol(), []).append((point.pos().x(), point.pos().y()))
    return found


@pytest.fixture
def value_plot(qtbot):
    plot = QtValuePlot()
    qtbot.addWidget(plot)
    plot.resize(300, 200)
    plot.show()
    return plot


def test_first_nonfinite_shows_the_minus_inf_clipped_at_the_bottom(window):
    window.set_document(open_document(files.EXAMPLES_DIR / "nan_appears.py"))
    window.qt_actions["timeline.first_nonfinite"].trigger()
    plot = window.inspector.plot
    lo, hi = plot.plot.getPlotItem().viewRange()[1]
    assert -1.0 < lo < 0.0 and 1.3863 < hi < 2.0  # from the finite values, not from -3.4e38
    finite, clipped = _items(plot, pg.BarGraphItem)
    np.testing.assert_allclose(finite.opts["height"], [0.0, np.log(4.0)], rtol=1e-6)
    assert list(clipped.opts["x"]) == [0.0] and list(clipped.opts["height"]) == [lo]
    ((x, y),) = _marks(plot)[SYMBOLS["-inf"]]
    assert x == 0.0 and lo < y < 0.0
    assert plot.note.text() == "value: -inf at [0]" and plot.note.isVisible()
    assert "value: -inf at [0]" in window.inspector.text()


def test_nan_is_a_cross_on_the_baseline_and_inf_a_clipped_bar_at_the_top(value_plot):
    value_plot.show_arrays(np.array([np.nan, 1.0, 4.0]), np.array([np.inf, 0.5, 0.25]))
    lo, hi = value_plot.plot.getPlotItem().viewRange()[1]
    assert 4.0 < hi < 5.0 and lo < 0.0
    marks = _marks(value_plot)
    assert marks[SYMBOLS["NaN"]] == [(-0.2, 0.0)]  # the value's first bar
    ((x, y),) = marks[SYMBOLS["+inf"]]
    assert x == pytest.approx(0.2) and 0.0 < y < hi  # the grad's first bar, drawn whole
    clipped = _items(value_plot, pg.BarGraphItem)[-1]
    assert list(clipped.opts["height"]) == [hi]
    assert clipped.opts["pen"] == WARNING
    assert value_plot.note.text() == "value: NaN at [0]\ngrad: +inf at [0]"


def test_a_finite_plot_has_no_marks_and_no_note(value_plot):
    value_plot.show_arrays(np.array([1.0, -2.0]), None)
    assert _marks(value_plot) == {} and not value_plot.note.isVisible()
    value_plot.clear()
    assert value_plot.plot.getPlotItem().items == []
    assert not value_plot.isVisible()


def test_the_plot_is_hidden_until_a_tensor_with_values_is_selected(window, make_document):
    window.set_document(make_document())
    plot, graph = window.inspector.plot, window.document.graph
    assert not plot.isVisible()  # nothing selected: no empty axes, no empty boxes
    assert not window.inspector.value_text.isVisible()
    op = next(n for n, d in graph.nodes(data=True) if d["kind"] == "op")
    window.graph_view.select(op)
    assert not plot.isVisible()  # an op has no values
    a = next(n for n, d in graph.nodes(data=True) if d.get("label") == "a")
    window.graph_view.select(a)
    assert plot.isVisible() and plot.caption.isVisible()
    assert window.inspector.value_text.isVisible()
    window.inspector.show_node(None)
    assert not plot.isVisible()


def test_an_empty_tensor_plots_nothing(value_plot):
    value_plot.show_arrays(np.zeros(0), None)
    assert not value_plot.isVisible()
    value_plot.show_arrays(np.zeros((0, 3)), np.zeros((0, 3)))
    assert not value_plot.isVisible() and value_plot.plot.getPlotItem().items == []


def test_an_image_takes_its_levels_from_finite_values_and_marks_the_rest(value_plot):
    grid = np.array([[1.0, np.inf], [np.nan, 3.0]])
    value_plot.show_arrays(grid, None)
    (image,) = _items(value_plot, pg.ImageItem)
    assert tuple(image.getLevels()) == (1.0, 3.0)
    assert np.isfinite(image.image).all()
    marks = _marks(value_plot)  # on cell [i, j], centred on (x=j, y=i)
    assert marks[SYMBOLS["+inf"]] == [(1.0, 0.0)] and marks[SYMBOLS["NaN"]] == [(0.0, 1.0)]


def _quadrant_colours(plot: QtValuePlot) -> list[list[tuple[int, int, int]]]:
    """The colour drawn at the middle of each quarter of the plot area, as [[top-left,
    top-right], [bottom-left, bottom-right]] on screen."""
    view_box = plot.plot.getPlotItem().getViewBox()
    area = view_box.mapRectToScene(view_box.boundingRect())
    image = plot.plot.grab().toImage()
    colours = []
    for fy in (0.25, 0.75):
        row = []
        for fx in (0.25, 0.75):
            scene = QtCore.QPointF(area.left() + fx * area.width(), area.top() + fy * area.height())
            pixel = plot.plot.mapFromScene(scene)
            colour = image.pixelColor(pixel.x(), pixel.y())
            row.append((colour.red(), colour.green(), colour.blue()))
        colours.append(row)
    return colours


def test_a_matrix_is_drawn_as_pytorch_prints_it(value_plot):
    """Row 0 at the top, columns left to right: [[0, 1], [0, 0]] is bright in the top-right
    corner only, and the marks of [[nan, 0], [0, inf]] sit on those cells on screen."""
    value_plot.show_arrays(np.array([[0.0, 1.0], [0.0, 0.0]]), None)
    value_plot.plot.getPlotItem().getViewBox().setRange(xRange=(-0.5, 1.5), yRange=(-0.5, 1.5))
    (top_left, top_right), (bottom_left, bottom_right) = _quadrant_colours(value_plot)
    bright, dark = pg.colormap.get("viridis").map([1.0, 0.0], mode="byte")[:, :3].tolist()
    assert list(top_right) == bright
    assert [list(c) for c in (top_left, bottom_left, bottom_right)] == [dark] * 3
    assert "row 0 at the top" in value_plot.caption.text()
    value_plot.show_arrays(np.array([[np.nan, 0.0], [0.0, np.inf]]), None)
    view_box = value_plot.plot.getPlotItem().getViewBox()
    ((nan_x, nan_y),) = _marks(value_plot)[SYMBOLS["NaN"]]
    ((inf_x, inf_y),) = _marks(value_plot)[SYMBOLS["+inf"]]
    nan_at = view_box.mapViewToScene(QtCore.QPointF(nan_x, nan_y))
    inf_at = view_box.mapViewToScene(QtCore.QPointF(inf_x, inf_y))
    assert nan_at.x() < inf_at.x() and nan_at.y() < inf_at.y()  # [0, 0] left of and above [1, 1]


def test_the_bar_plot_is_not_upside_down_after_a_matrix(value_plot):
    value_plot.show_arrays(np.ones((2, 2)), None)
    value_plot.show_arrays(np.array([1.0, 2.0]), None)
    assert not value_plot.plot.getPlotItem().getViewBox().yInverted()
    assert value_plot.caption.text().startswith("plot: value (blue)")


def _ticks(plot: QtValuePlot, name: str) -> list[list[float]]:
    """The tick values the axis ``name`` draws, one list per level (major first)."""
    axis = plot.plot.getPlotItem().getAxis(name)
    low, high = axis.range
    size = axis.width() if axis.orientation == "bottom" else axis.height()
    return [values for _, values in axis.tickValues(low, high, size)]


@pytest.mark.parametrize("length", [1, 2, 3, 7, 40, 1000])
def test_bars_have_ticks_at_element_indices_only(value_plot, length):
    value_plot.show_arrays(np.linspace(0.1, 0.3, length), np.ones(length))
    levels = _ticks(value_plot, "bottom")
    ticks = [t for values in levels for t in values]
    assert all(float(t).is_integer() and 0 <= t < length for t in ticks), ticks
    assert 0.0 in levels[0] and len(levels[0]) <= 12  # thinned on a long vector
    value_ticks = [t for values in _ticks(value_plot, "left") for t in values]
    assert any(not float(t).is_integer() for t in value_ticks)  # the value axis is not indices


def test_a_heat_map_has_row_and_column_indices_as_ticks(value_plot):
    value_plot.show_arrays(np.arange(6.0).reshape(2, 3), None)
    assert _ticks(value_plot, "bottom") == [[0.0, 1.0, 2.0]]
    assert _ticks(value_plot, "left") == [[0.0, 1.0]]
