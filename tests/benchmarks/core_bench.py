"""Core benchmark: run, record and lay out a 10,000-op program; layout vs networkx; cursor moves.

    python tests/benchmarks/core_bench.py

Prints a table (seconds unless stated) with ratios to in-run references; run and record times are
the best of three (the recorded/bare ratio is the recorder's overhead).
"""

from __future__ import annotations

import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import networkx as nx

from explorer.model.document import collector_paused, record_run
from explorer.model.interpreter import run_program
from explorer.model.layout import compute_layout, layers
from explorer.model.program import load_program, parse_percent
from explorer.model.recorder import Recorder
from explorer.model.timeline import Replay

EXAMPLES = Path(__file__).resolve().parents[2] / "resources" / "examples"
PROGRAM = """# %%
import torch
x = torch.ones(16, requires_grad=True)
w = torch.full((16,), 0.5, requires_grad=True)
y = x
for i in range({steps}):
    y = y * w + x
y.sum().backward()
"""


def best(fn: Callable[[], object], repeat: int = 3) -> float:
    """The fastest of `repeat` timings of fn()."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def record(steps: int) -> Recorder:
    """Run the program with `2 * steps` ops under a Recorder."""
    recorder = Recorder()
    with collector_paused():  # as the app's record_run does
        result = run_program(parse_percent(PROGRAM.format(steps=steps)), observer=recorder)
    assert result.error is None, result.error
    return recorder


def multipartite_reference(graph: nx.MultiDiGraph) -> float:
    """Seconds for networkx's plain multipartite_layout on the same layering."""
    simple = nx.Graph()
    for depth, layer in enumerate(layers(graph)):
        simple.add_nodes_from(layer, subset=depth)
    return best(lambda: nx.multipartite_layout(simple))


def cursor_move(recorder: Recorder) -> float:
    """Mean seconds of a one-event seek back and forth in the middle of the timeline."""
    replay = Replay(recorder.timeline())
    middle = len(replay.timeline) // 2
    replay.seek(middle)
    moves = 2000
    start = time.perf_counter()
    for i in range(moves):
        replay.seek(middle + (i % 2))
    return (time.perf_counter() - start) / moves


def main() -> None:
    steps = 5000
    program = parse_percent(PROGRAM.format(steps=steps))
    run_plain = best(lambda: run_program(program))
    run_recorded = best(lambda: record(steps))
    big = record(steps)
    rnn = load_program(EXAMPLES / "rnn_unrolled.py")
    rnn_plain = best(lambda: run_program(rnn))
    rnn_recorded = best(lambda: record_run(rnn))
    tracemalloc.start()
    record(steps)
    memory = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    graph = big.graph
    ours = best(lambda: compute_layout(graph))
    theirs = multipartite_reference(graph)
    small = record(25)
    move_small, move_big = cursor_move(small), cursor_move(big)
    rows = [
        ("graph", f"{graph.number_of_nodes()} nodes, {len(big.events)} events", ""),
        ("program run, no recorder (s)", f"{run_plain:.3f}", ""),
        ("program run + record (s)", f"{run_recorded:.3f}", f"{run_recorded / run_plain:.2f}x"),
        ("rnn_unrolled.py, no recorder (s)", f"{rnn_plain:.3f}", ""),
        ("rnn run + record (s)", f"{rnn_recorded:.3f}", f"{rnn_recorded / rnn_plain:.2f}x"),
        ("peak memory while recording (MB)", f"{memory:.1f}", ""),
        ("layered layout (s)", f"{ours:.3f}", f"{ours / theirs:.2f}x multipartite"),
        ("networkx multipartite_layout (s)", f"{theirs:.3f}", "1.00x"),
        (f"cursor move, {small.graph.number_of_nodes()} nodes (us)", f"{move_small * 1e6:.1f}", ""),
        (
            f"cursor move, {graph.number_of_nodes()} nodes (us)",
            f"{move_big * 1e6:.1f}",
            f"{move_big / move_small:.2f}x small",
        ),
    ]
    width = max(len(r[0]) for r in rows)
    print(f"| {'measure'.ljust(width)} | value | ratio |")
    print(f"|{'-' * (width + 2)}|-------|-------|")
    for name, value, ratio in rows:
        print(f"| {name.ljust(width)} | {value} | {ratio} |")


if __name__ == "__main__":
    main()
