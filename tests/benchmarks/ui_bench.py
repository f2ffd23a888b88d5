"""UI benchmark, offscreen: run, lay out, draw and animate the 1,000- and 10,000-node examples.

    QT_QPA_PLATFORM=offscreen python3 -m tests.benchmarks.ui_bench [--examples big_mlp,rnn_unrolled]

Prints the date and machine, then one markdown table per example; each of our numbers sits beside
a reference measured in the same run: the program run without recording; networkx's plain
multipartite_layout on the same graph; pyqtgraph drawing the same points with no labels, edges or
styling (first draw, and a naive recolour of every point per frame); a cursor move replayed from
the start; the process's memory before the example was opened. Every frame is a real render
(``grab()``), since an offscreen ``repaint()`` may paint nothing.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import resource
import sys
import time
from collections.abc import Callable

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import networkx as nx  # noqa: E402
import numpy as np  # noqa: E402
import pyqtgraph as pg  # noqa: E402
from PySide6 import QtWidgets  # noqa: E402

from explorer.fileformat import open_document  # noqa: E402
from explorer.model.document import Document  # noqa: E402
from explorer.model.interpreter import run_program  # noqa: E402
from explorer.model.layout import compute_layout, layers  # noqa: E402
from explorer.model.program import load_program  # noqa: E402
from explorer.model.timeline import Replay  # noqa: E402
from explorer.qt.files import EXAMPLES_DIR  # noqa: E402
from explorer.qt.graph_view import QtGraphView  # noqa: E402

FRAMES = 60
SIZE = (1280, 800)


def timed(function: Callable[[], object]) -> tuple[float, object]:
    """Seconds taken by ``function()`` and its result."""
    start = time.perf_counter()
    result = function()
    return time.perf_counter() - start, result


def reference_layout(graph: nx.MultiDiGraph) -> None:
    """networkx's multipartite_layout by topological generation, nothing else."""
    simple = nx.DiGraph(graph)
    for depth, layer in enumerate(layers(graph)):
        for node in layer:
            simple.nodes[node]["layer"] = depth
    nx.multipartite_layout(simple, subset_key="layer")


def frame_ms(view: QtGraphView, document: Document, indices: list[int]) -> float:
    """Mean milliseconds to move the cursor one event and render the canvas."""
    start = time.perf_counter()
    for index in indices:
        document.seek(index)
        view.grab()
    return 1000 * (time.perf_counter() - start) / max(len(indices), 1)


def reference_frame_ms(xy: np.ndarray) -> tuple[float, float]:
    """First draw and a recolour+render of the same points in a bare pyqtgraph scatter."""
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
        widget.grab()
    naive = 1000 * (time.perf_counter() - start) / (FRAMES // 4)
    widget.close()
    return first * 1000, naive


def backward_indices(document: Document) -> list[int]:
    """Event indices of the backward pass (the first FRAMES of its steps)."""
    names = [type(e).__name__ for e in document.timeline]
    steps = [i for i, n in enumerate(names) if n in ("BackwardStepped", "GradAccumulated")]
    return steps[:FRAMES]


def cursor_moves_ms(document: Document) -> tuple[float, float]:
    """One-event moves back and forth in the middle, and reaching the same event from scratch."""
    middle = len(document.timeline) // 2
    document.seek(middle)
    replay = document.replay
    moves, _ = timed(lambda: [replay.seek(middle + (i % 2)) for i in range(1000)])
    scratch, _ = timed(lambda: Replay(document.timeline).seek(middle))
    return moves, scratch * 1000


def machine() -> str:
    """The CPU model (from /proc/cpuinfo where there is one), or the architecture."""
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            names = [line.split(":", 1)[1].strip() for line in cpuinfo if "model name" in line]
    except OSError:
        names = []
    return names[0] if names else platform.machine()


def rss_mb() -> float:
    """The process's peak resident memory so far."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench(path: str) -> list[tuple[str, str, str]]:
    """Rows of (measure, ours, reference) for one example."""
    before_mb = rss_mb()
    plain_s, _ = timed(lambda: run_program(load_program(path)))
    run_s, document = timed(lambda: open_document(path))
    graph = document.graph
    layout_s, _ = timed(lambda: compute_layout(graph))
    reference_layout_s, _ = timed(lambda: reference_layout(graph))
    view = QtGraphView()
    view.resize(*SIZE)
    view.show()
    first_s, _ = timed(lambda: (view.set_document(document), view.grab()))
    reference_first_ms, naive_ms = reference_frame_ms(view.scatter.positions())
    forward_ms = frame_ms(view, document, list(range(min(FRAMES, len(document.timeline)))))
    backward_ms = frame_ms(view, document, backward_indices(document))
    move_ms, scratch_ms = cursor_moves_ms(document)
    view.close()
    n, e = graph.number_of_nodes(), graph.number_of_edges()
    naive = f"{naive_ms:.1f} ms (naive recolour)"
    return [
        ("graph", f"{n:,} nodes, {e:,} edges, {len(document.timeline):,} events", ""),
        ("program run, recorded", f"{run_s:.2f} s", f"{plain_s:.2f} s (not recorded)"),
        ("layout (layered)", f"{layout_s * 1000:.0f} ms", f"{reference_layout_s * 1000:.0f} ms"),
        ("first frame", f"{first_s * 1000:.0f} ms", f"{reference_first_ms:.0f} ms"),
        ("first frame incl. layout", f"{(first_s + layout_s) * 1000:.0f} ms", ""),
        ("frame, forward", f"{forward_ms:.1f} ms", naive),
        ("frame, backward", f"{backward_ms:.1f} ms", naive),
        ("one-event cursor move", f"{move_ms:.3f} ms", f"{scratch_ms:.1f} ms (from scratch)"),
        ("peak memory (process)", f"{rss_mb():.0f} MB", f"{before_mb:.0f} MB (before)"),
    ]


def main() -> None:
    """Print the date, the machine and a table for each requested example."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", default="big_mlp,rnn_unrolled")
    args = parser.parse_args()
    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication([])
    print(
        f"{datetime.date.today()} · {machine()} · "
        f"{os.cpu_count()} CPUs · Python {platform.python_version()} · {platform.system()}"
    )
    for name in args.examples.split(","):
        print(f"\n### {name}.py\n")
        print("| measure | ours | reference |\n| --- | --- | --- |")
        for row in bench(str(EXAMPLES_DIR / f"{name}.py")):
            print("| " + " | ".join(row) + " |")
    app.quit()
    sys.stdout.flush()
    # Skip interpreter teardown: PySide6 6.12 can crash collecting pyqtgraph items at exit.
    os._exit(0)


if __name__ == "__main__":
    main()
