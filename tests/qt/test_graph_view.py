"""The graph canvas on a real Document of a few-line program (a -> mul -> b -> sum -> c, then
backward): delta-only restyling, selection, drag, level of detail."""

from __future__ import annotations

import numpy as np
import pytest

from explorer.qt.graph_view import QtGraphView


@pytest.fixture
def view(qtbot, make_document):
    view = QtGraphView()
    qtbot.addWidget(view)
    view.resize(600, 500)
    view.set_document(make_document())
    view.show()
    return view


def test_nodes_appear_as_the_cursor_reveals_them(view):
    document = view.document
    document.seek(-1)
    assert not view.node_visible("t0")
    document.seek(5)  # b = a * 2
    assert view.node_visible("t1") and not view.node_visible("t2")
    assert view.node_category("op1") == "active"
    assert view.edge_style(("t0", "op1", 0)) == "data"
    assert view.edge_style(("t1", "op2", 0)) is None


def test_a_cursor_move_restyles_only_what_the_delta_names(view, monkeypatch):
    document = view.document
    document.seek(5)
    touched = []
    original = view.scatter.restyle
    monkeypatch.setattr(
        view.scatter, "restyle", lambda i, *a: touched.append(list(i)) or original(i, *a)
    )
    document.seek(6)  # NameBound b: op1 stops being active, t1 becomes active
    ids = view._ids
    assert sorted(ids[i] for i in touched[0]) == ["op1", "t1"]
    assert view.node_category("op1") == "op"


def test_backward_edges_carry_the_gradient(view):
    document = view.document
    document.seek(11)  # MulBackward0 sends 2 * grad to a
    assert view.node_category("op1") == "active"
    assert view.edge_style(("t0", "op1", 0)).startswith("carry")
    assert view.edge_label(("t0", "op1", 0)).startswith("[2., 2., 2.]")


def test_click_selects_and_drag_reports_the_move(view, qtbot):
    with qtbot.waitSignal(view.node_selected) as selected:
        view.select("t1")
    assert selected.args == ["t1"]
    moves = []
    view.node_dragged.connect(lambda n, a, b: moves.append((n, a, b)))
    view._on_drag(view._index["t1"], (0.0, -3.0), (1.0, -3.0), True)
    assert moves == [("t1", (0.0, -3.0), (1.0, -3.0))]


def test_positions_changed_moves_the_node(view):
    view.document.move_node("t1", (3.0, 1.0))
    assert np.allclose(view.scatter.positions()[view._index["t1"]], (3.0, 1.0))


def test_labels_only_when_readable(view):
    view.fit()
    assert view.labels.detail() == 2
    view.zoom(400.0)
    assert view.labels.detail() == 0


def test_long_edges_of_large_graphs_are_drawn_faint():
    from explorer.qt.edge_layer import HAIRLINE_ABOVE, long_edges

    n = HAIRLINE_ABOVE + 10
    a = np.column_stack((np.zeros(n), -np.arange(n, dtype=float)))
    b = a + (0.0, -1.0)
    b[0] = (0.0, -float(n))  # one edge spans the whole chain
    faint = long_edges(a, b)
    assert faint[0] and not faint[1:].any()
    assert not long_edges(a[:10], b[:10]).any()  # small graphs keep every edge solid


def test_fit_shows_the_top_of_a_very_tall_graph_and_all_of_an_ordinary_one():
    from explorer.qt.camera import MAX_STRETCH, READABLE_PX, fit_range

    tall = np.array([[-2.0, -6000.0], [2.0, 0.0]])
    (x0, x1), (y0, y1) = fit_range(tall, (1280, 800))
    assert x0 < -2 and x1 > 2 and y1 > 0 > y0 > -60  # the whole width, the top layers
    assert 800 / (y1 - y0) == pytest.approx(READABLE_PX)
    narrow = np.array([[0.0, -6000.0], [1.0, 0.0]])  # under READABLE_PX across: MAX_STRETCH
    (x0, x1), (y0, y1) = fit_range(narrow, (100, 800))
    assert (100 / (x1 - x0)) / (800 / (y1 - y0)) == pytest.approx(MAX_STRETCH)
    # 13 layers two units wide (a small network and its loss): all of it, however stretched
    (x0, x1), (y0, y1) = fit_range(np.array([[-1.0, -12.0], [1.0, 0.0]]), (700, 780))
    assert x0 < -1 and x1 > 1 and y0 < -12 and y1 > 0
    (_, _), (y0, y1) = fit_range(tall, (1280, 800), anchor=(0.0, -3000.0))
    assert y0 < -3000 < y1
    (x0, x1), (y0, y1) = fit_range(np.array([[-5.0, -4.0], [5.0, 0.0]]), (600, 500))
    assert x0 < -5 and x1 > 5 and y0 < -4 and y1 > 0


def test_pan_to_show_moves_only_a_hidden_axis_and_only_when_hidden():
    from explorer.qt.camera import pan_to_show

    view, px, margins = ((0.0, 10.0), (0.0, 10.0)), (100, 100), (10, 10, 30, 10)
    assert pan_to_show(view, px, (5.0, 5.0), margins) is None
    assert pan_to_show(view, px, (9.5, 5.0), margins) == ((4.5, 14.5), (0.0, 10.0))  # in a margin
    # off the bottom: centred in the free area between the bottom margin (1) and the top one (3)
    assert pan_to_show(view, px, (5.0, -3.0), margins) == ((0.0, 10.0), (-7.0, 3.0))
    (x0, x1), (y0, y1) = pan_to_show(view, (3, 3), (50.0, 50.0), (99, 99, 99, 99))
    assert (x1 - x0, y1 - y0) == (10.0, 10.0) and x0 < 50.0 < x1 and y0 < 50.0 < y1


def test_neighbour_spacing_is_the_typical_gap_along_each_axis():
    from explorer.qt.camera import neighbour_spacing

    # Two rows two apart; neighbours in a row three apart; one edge down a column.
    xy = np.array([[0.0, 0.0], [3.0, 0.0], [6.0, 0.0], [0.0, -2.0], [3.0, -2.0]])
    spacing = neighbour_spacing(xy, np.array([0]), np.array([3]))
    np.testing.assert_array_equal(spacing, [3.0, 2.0])
    lone = neighbour_spacing(np.array([[1.0, 1.0]]), np.zeros(0, int), np.zeros(0, int))
    assert np.isinf(lone).all()


def test_markers_shrink_to_dots_when_zoomed_out_but_the_active_node_stays_visible(view):
    view.document.seek(11)  # op1 active
    view.fit()
    full = view.scatter.data["size"].copy()
    view.zoom(60.0)
    view.grab()  # the view box applies a zoom when it next paints
    sizes = view.scatter.data["size"]
    active = view._index["op1"]
    assert sizes[active] >= 14
    others = np.arange(len(sizes)) != active
    assert (sizes[others] < full[others]).all()
    view.zoom(1 / 60.0)
    view.grab()
    assert np.allclose(view.scatter.data["size"][others], full[others])
