"""Edges bend around the nodes they do not join (explorer.model.edge_routes)."""

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from explorer.fileformat import open_document
from explorer.model.edge_routes import CLEARANCE, MAX_ROUTED_EDGES, detours

# the bundled examples the edge layer routes (the others have over MAX_ROUTED_EDGES edges)
BIG = {"big_mlp", "long_loop", "rnn_unrolled"}
EXAMPLES = [
    path
    for path in sorted((Path(__file__).parents[2] / "resources" / "examples").glob("*.py"))
    if path.stem not in BIG
]
ITERATION = """# %%
import torch
X = torch.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
w = torch.tensor([0.5, -1.0], requires_grad=True)
loss = 0
for xi in X @ w.unsqueeze(1):
    loss = loss + (xi ** 2).sum()
loss.backward()
"""


def _distance(point, p, q):
    segment = q - p
    t = np.clip((point - p) @ segment / max(segment @ segment, 1e-24), 0.0, 1.0)
    return float(np.hypot(*(point - (p + t * segment))))


def _through(xy, src, dst, middles, between_layers=False):
    """The (edge, node) pairs where an edge's drawn path comes closer than CLEARANCE to a node
    it does not join (`between_layers`: only nodes in a layer strictly between its ends')."""
    found = []
    for j, (s, d) in enumerate(zip(src, dst, strict=True)):
        a, b = xy[s], xy[d]
        middle = middles[j] if not np.isnan(middles[j][0]) else (a + b) / 2
        low, high = sorted((a[1], b[1]))
        for k, point in enumerate(xy):
            if between_layers and not low + 0.5 <= point[1] <= high - 0.5:
                continue
            if k not in (s, d) and min(_distance(point, a, middle), _distance(point, middle, b)) < (
                CLEARANCE - 1e-9
            ):
                found.append((j, k))
    return found


def _arrays(document):
    nodes = list(document.graph.nodes)
    index = {node: i for i, node in enumerate(nodes)}
    xy = np.array([document.positions[node] for node in nodes], dtype=float)
    edges = list(document.graph.edges())
    src = np.array([index[u] for u, _ in edges], dtype=np.int64)
    dst = np.array([index[v] for _, v in edges], dtype=np.int64)
    return xy, src, dst


def test_a_row_used_two_layers_down_bends_around_the_row_between():
    xy = np.array([[0.0, 0.0], [0.0, -1.0], [0.0, -3.0], [1.0, -2.0]])
    src, dst = np.array([0, 0, 1]), np.array([1, 2, 3])
    middles = detours(xy, src, dst)
    assert np.isnan(middles[0]).all() and np.isnan(middles[2]).all()  # nothing in their way
    assert not np.isnan(middles[1]).any()
    assert _through(xy, src, dst, middles) == []
    assert abs(middles[1][1] - -1.0) < 1e-9  # beside the node in the way, not far off


def test_an_edge_with_no_way_around_stays_straight():
    column = np.array([[0.0, -float(k)] for k in range(5)])
    walls = np.array([[dx, -2.0] for dx in np.arange(-3.0, 3.01, 0.1)])
    xy = np.vstack((column[[0, 4]], walls))
    assert np.isnan(detours(xy, np.array([0]), np.array([1]))).all()


def test_loop_rows_do_not_run_through_each_other(tmp_path):
    path = tmp_path / "iteration.py"
    path.write_text(ITERATION)
    xy, src, dst = _arrays(open_document(str(path)))
    straight = np.full((len(src), 2), np.nan)
    assert _through(xy, src, dst, straight), "the example should need a detour"
    assert _through(xy, src, dst, detours(xy, src, dst)) == []


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_examples_draw_no_edge_through_a_node_of_a_layer_it_crosses(example):
    """(An edge between neighbouring layers may still graze a node beside its ends.)"""
    xy, src, dst = _arrays(open_document(str(example)))
    assert len(src) <= MAX_ROUTED_EDGES
    assert _through(xy, src, dst, detours(xy, src, dst), between_layers=True) == []


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(3, 12))
def test_a_detour_always_clears_every_node(seed, count):
    rng = np.random.default_rng(seed)
    xy = np.column_stack((rng.integers(-2, 3, count), -rng.integers(0, 6, count))).astype(float)
    xy = np.unique(xy, axis=0)
    pairs = [(i, j) for i in range(len(xy)) for j in range(len(xy)) if xy[i][1] > xy[j][1]]
    if not pairs:
        return
    src, dst = (np.array(side) for side in zip(*pairs, strict=True))
    middles = detours(xy, src, dst)
    routed = ~np.isnan(middles[:, 0])
    assert _through(xy, src[routed], dst[routed], middles[routed]) == []
