"""The graph view pans to the node a timeline move makes current or selected when it is off
screen (Go to First NaN/Inf, stepping), keeps the zoom, and leaves a view that shows it alone."""

from __future__ import annotations

import pytest

from explorer.fileformat import open_document
from explorer.qt import files

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")

DEEP_NAN = """# %%
import torch
x = torch.tensor([1.0, 2.0], requires_grad=True)
h = x
for i in range(60):
    h = h * 1.0 + 0.0
y = (h - h).log()
"""


def _shows(view, node_id: str) -> bool:
    x, y = view.scatter.point(view._index[node_id])
    (x0, x1), (y0, y1) = view.view_box.viewRange()
    return x0 <= x <= x1 and y0 <= y <= y1


def _spans(view) -> tuple[float, float]:
    (x0, x1), (y0, y1) = view.view_box.viewRange()
    return x1 - x0, y1 - y0


@pytest.fixture
def mlp_window(window):
    window.set_document(open_document(files.EXAMPLES_DIR / "big_mlp.py"))
    window.graph_view.zoom(0.5)
    return window


def test_first_nonfinite_pans_to_the_node_it_selects(window, tmp_path):
    path = tmp_path / "deep_nan.py"
    path.write_text(DEEP_NAN)
    window.set_document(open_document(path))
    view = window.graph_view
    window.timeline_bar.first()
    view.zoom(0.5)
    spans = _spans(view)
    window.qt_actions["timeline.first_nonfinite"].trigger()
    assert view.selected is not None and _shows(view, view.selected)
    assert _spans(view) == pytest.approx(spans)  # panned, not zoomed


def test_stepping_pans_to_the_current_node_keeping_the_zoom(mlp_window):
    view, bar = mlp_window.graph_view, mlp_window.timeline_bar
    bar.seek(0)
    spans = _spans(view)
    bar.seek(400)
    active = mlp_window.document.replay.active_node
    assert active is not None and _shows(view, active)
    for _ in range(30):
        bar.next()
        if mlp_window.document.replay.active_node is not None:
            assert _shows(view, mlp_window.document.replay.active_node)
    assert _spans(view) == pytest.approx(spans)


def test_a_view_that_shows_the_node_is_left_alone(mlp_window):
    view, bar = mlp_window.graph_view, mlp_window.timeline_bar
    bar.seek(400)
    x, y = view.scatter.point(view._index[mlp_window.document.replay.active_node])
    (x0, x1), (y0, y1) = view.view_box.viewRange()
    placed = (
        (x - 0.3 * (x1 - x0), x + 0.7 * (x1 - x0)),
        (y - 0.6 * (y1 - y0), y + 0.4 * (y1 - y0)),
    )
    view.view_box.setRange(xRange=placed[0], yRange=placed[1], padding=0)
    before = view.view_box.viewRange()
    bar.seek(401)  # the next node is one step away: still on screen
    view.select(mlp_window.document.replay.active_node)
    assert view.view_box.viewRange() == before


def test_an_empty_cursor_or_selection_moves_nothing(window, make_document):
    window.set_document(make_document())
    view = window.graph_view
    before = view.view_box.viewRange()
    window.timeline_bar.first()
    view.select(None)
    assert view.view_box.viewRange() == before
