"""UI benchmark, offscreen: run, lay out, draw and animate 1,000- and 10,000-node graphs.

    QT_QPA_PLATFORM=offscreen python3 -m tests.benchmarks.ui_bench [--sizes 1000,10000]

Prints one markdown table per graph size; each of our numbers sits beside a reference measured in
the same run (networkx's plain multipartite_layout on the same graph; pyqtgraph drawing the same
points with no labels, edges or styling).
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from collections.abc import Callable

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import networkx as nx  # noqa: E402
import numpy as np  # noqa: E402
import pyqtgraph as pg  # noqa: E402
from PySide6 import QtWidgets  # noqa: E402

from explorer.model.document import Document  # noqa: E402
from explorer.model.layout import compute_layout, layers  # noqa: E402
from explorer.model.program import parse_percent  # noqa: E402
from explorer.qt.graph_view import QtGraphView  # noqa: E402

FRAMES = 60
SIZE = (1280, 800)
PROGRAM = """# %%
import torch
x = torch.ones(4, requires_grad=True)
h = x
for i in range({steps}):
    h = h * 1.001 + 0.5
loss = h.sum()
loss.backward()
"""


def timed(function: Callable[[], object]) -> tuple[float, object]:
    """Seconds taken by ``function()`` and its result."""
    start = time.perf_counter()
    result = function()
    return time.perf_counter() - start, result


def build_document(nodes: int) -> Document:
    """A document whose graph has about ``nodes`` nodes (4 per loop step)."""
    document = Document.from_program(parse_percent(PROGRAM.format(steps=nodes // 4)))
    document.run_all()
    return document


def reference_layout(graph: nx.MultiDiGraph) -> None:
    """networkx's multipartite_layout by topological generation, nothing else."""
    simple = nx.DiGraph(graph)
    for depth, layer in enumerate(layers(graph)):
        for node in layer:
            simple.nodes[node]["layer"] = depth
    nx.multipartite_layout(simple, subset_key="layer")


def frame_ms(view: QtGraphView, document: Document, indices: list[int]) -> float:
    """Mean milliseconds to move the cursor one event and repaint the canvas."""
    start = time.perf_counter()
    for index in indices:
        document.seek(index)
        view.viewport().repaint()
    return 1000 * (time.perf_counter() - start) / max(len(indices), 1)


def reference_frame_ms(xy: np.ndarray) -> tuple[float, float]:
    """First draw and a recolour+repaint of the same points in a bare pyqtgraph scatter."""
    widget = pg.PlotWidget()
    widget.resize(*SIZE)
    widget.show()
    scatter = pg.ScatterPlotItem()
    widget.addItem(scatter)
    first, _ = timed(lambda: (scatter.setData(x=xy[:, 0], y=xy[:, 1]), widget.grab()))
    brushes = [pg.mkBrush("#4c78a8"), pg.mkBrush("#ffd43b")]
    start = time.perf_counter()
    for i in range(FRAMES // 4):
        scatter.setBrush([brushes[(i + j) % 2] for j in range(len(xy))])
        widget.viewport().repaint()
    naive = 1000 * (time.perf_counter() - start) / (FRAMES // 4)
    widget.close()
    return first * 1000, naive


def backward_indices(document: Document) -> list[int]:
    """Event indices of the backward pass (the last FRAMES events at most)."""
    names = [type(e).__name__ for e in document.timeline]
    steps = [i for i, n in enumerate(names) if n in ("BackwardStepped", "GradAccumulated")]
    return steps[:FRAMES]


def bench(nodes: int) -> list[tuple[str, str, str]]:
    """Rows of (measure, ours, reference) for one graph size."""
    run_s, document = timed(lambda: build_document(nodes))
    graph = document.graph
    layout_s, _ = timed(lambda: compute_layout(graph))
    reference_layout_s, _ = timed(lambda: reference_layout(graph))
    view = QtGraphView()
    view.resize(*SIZE)
    view.show()
    first_s, _ = timed(lambda: (view.set_document(document), view.grab()))
    xy = view.scatter.positions()
    reference_first_ms, naive_ms = reference_frame_ms(xy)
    forward = list(range(0, min(FRAMES, len(document.timeline))))
    forward_ms = frame_ms(view, document, forward)
    backward_ms = frame_ms(view, document, backward_indices(document))
    middle = len(document.timeline) // 2
    document.seek(middle)
    move_s, _ = timed(lambda: [document.replay.seek(middle + (i % 2)) for i in range(1000)])
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    view.close()
    n, e = graph.number_of_nodes(), graph.number_of_edges()
    return [
        ("graph", f"{n} nodes, {e} edges, {len(document.timeline)} events", ""),
        ("program run (incl. layout)", f"{run_s:.2f} s", ""),
        ("layout (layered)", f"{layout_s * 1000:.0f} ms", f"{reference_layout_s * 1000:.0f} ms"),
        ("first frame", f"{first_s * 1000:.0f} ms", f"{reference_first_ms:.0f} ms"),
        ("frame, forward", f"{forward_ms:.1f} ms", f"{naive_ms:.1f} ms (naive recolour)"),
        ("frame, backward", f"{backward_ms:.1f} ms", f"{naive_ms:.1f} ms (naive recolour)"),
        ("one-event cursor move", f"{move_s:.3f} ms", ""),
        ("peak memory (process)", f"{peak_mb:.0f} MB", ""),
    ]


def main() -> None:
    """Print the table for each requested size."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000")
    args = parser.parse_args()
    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication([])
    for size in (int(s) for s in args.sizes.split(",")):
        print(f"\n### about {size} nodes\n")
        print("| measure | ours | reference |\n| --- | --- | --- |")
        for row in bench(size):
            print("| " + " | ".join(row) + " |")
    app.quit()
    sys.stdout.flush()
    # Skip interpreter teardown: PySide6 6.12 can crash collecting pyqtgraph items at exit.
    os._exit(0)


if __name__ == "__main__":
    main()
