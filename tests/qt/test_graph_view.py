"""The graph canvas on a stand-in document: delta-only restyling, selection, drag, LOD."""

from __future__ import annotations

import numpy as np
import pytest

from explorer.qt.graph_view import QtGraphView
from tests.qt.fake_document import FakeDocument


@pytest.fixture
def view(qtbot):
    document = FakeDocument(7)
    view = QtGraphView()
    qtbot.addWidget(view)
    view.resize(600, 500)
    view.set_document(document)
    view.show()
    return view


def test_nodes_appear_as_the_cursor_reveals_them(view):
    document = view.document
    assert not view.node_visible("n0")
    document.seek(3)
    assert view.node_visible("n3") and not view.node_visible("n4")
    assert view.node_category("n3") == "active"
    assert view.edge_style(("n2", "n3", 0)) == "data"
    assert view.edge_style(("n3", "n4", 0)) is None


def test_a_cursor_move_restyles_only_what_the_delta_names(view, monkeypatch):
    document = view.document
    document.seek(2)
    touched = []
    original = view.scatter.restyle
    monkeypatch.setattr(
        view.scatter, "restyle", lambda i, *a: touched.append(list(i)) or original(i, *a)
    )
    document.seek(3)
    assert sorted(touched[0]) == [2, 3]
    assert view.node_category("n2") == "tensor"


def test_click_selects_and_drag_reports_the_move(view, qtbot):
    document = view.document
    document.seek(6)
    with qtbot.waitSignal(view.node_selected) as selected:
        view.select("n2")
    assert selected.args == ["n2"]
    moves = []
    view.node_dragged.connect(lambda n, a, b: moves.append((n, a, b)))
    view._on_drag(2, (0.0, -2.0), (1.0, -2.0), True)
    assert moves == [("n2", (0.0, -2.0), (1.0, -2.0))]


def test_positions_changed_moves_the_node(view):
    view.document.seek(6)
    view.document.move_node("n2", (3.0, 1.0))
    assert np.allclose(view.scatter.positions()[2], (3.0, 1.0))


def test_labels_only_when_readable(view):
    view.document.seek(6)
    view.fit()
    assert view.labels.detail() == 2
    view.zoom(400.0)
    assert view.labels.detail() == 0
