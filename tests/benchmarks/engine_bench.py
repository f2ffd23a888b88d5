"""Engine benchmark: forward+backward time per op on a chain, beside PyTorch and plain numpy.

    python3 -m tests.benchmarks.engine_bench

The chain repeats `y = y * w`, `y = y + x`, `y = y - w`, `y = y / v` (x, w, v leaves that require
grad), then `y.sum().backward()`. Every row is timed in the same run (best of interleaved rounds);
PyTorch runs on one thread. Prints µs per op and our time as a ratio of the others, and the
same chain on `floor_engine` (the least an engine of our engine's shape does) as a ratio to
PyTorch: the best any such engine can reach on this machine.
"""

from __future__ import annotations

import datetime
import platform
import time
from collections.abc import Callable
from functools import partial

import numpy as np

import engine
from tests.benchmarks import floor_engine

CASES = (("4 elements", 4, 2_000), ("1,000 elements", 1_000, 2_000))
CASES += (("100,000 elements", 100_000, 2_000), ("100,000-deep chain", 4, 100_000))
FLOOR_CASES = CASES[:2]  # the floor holds every gradient until its node runs: small tensors only


def inputs(n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The leaves' values: x, w and v near 1 so that a long chain stays finite."""
    rng = np.random.default_rng(0)
    x = rng.uniform(0.5, 1.5, n).astype(np.float32)
    w = rng.uniform(0.9999, 1.0001, n).astype(np.float32)
    v = rng.uniform(0.9999, 1.0001, n).astype(np.float32)
    return x, w, v


def chain(x, w, v, ops: int):
    """The benchmark chain (any tensor library with + - * /)."""
    y = x
    for _ in range(ops // 4):
        y = y * w
        y = y + x
        y = y - w
        y = y / v
    return y.sum()


def run_tensors(lib, values, ops: int) -> None:
    """Forward and backward with `lib` (engine, floor_engine or torch)."""
    x, w, v = (lib.tensor(a, requires_grad=True) for a in values)
    chain(x, w, v, ops).backward()


def run_numpy(values, ops: int) -> None:
    """The same chain's forward and backward written by hand in numpy."""
    x, w, v = values
    ys = []
    y = x
    for _ in range(ops // 4):
        ys.append(y)
        y = y * w
        y = y + x
        y = y - w
        ys.append(y)
        y = y / v
    y.sum()
    g = np.ones_like(x)
    gx, gw, gv = np.zeros_like(x), np.zeros_like(w), np.zeros_like(v)
    for k in range(ops // 4 - 1, -1, -1):
        before_div, start = ys[2 * k + 1], ys[2 * k]
        gv -= g * ((before_div / v) / v)
        g = g / v
        gw -= g
        gx += g
        gw += g * start
        g = g * w
    gx += g


def best(fns: list[Callable[[], object]], budget: float = 4.0) -> list[float]:
    """The fastest timing of each fn, run in interleaved rounds (at least 3, about `budget`
    seconds) so that a busy moment of the machine hits every row alike."""
    times = [float("inf")] * len(fns)
    for fn in fns:
        fn()  # warm up
    start, rounds = time.perf_counter(), 0
    while rounds < 3 or (time.perf_counter() - start < budget and rounds < 30):
        for i, fn in enumerate(fns):
            t0 = time.perf_counter()
            fn()
            times[i] = min(times[i], time.perf_counter() - t0)
        rounds += 1
    return times


def torch_module():
    """PyTorch on one thread, or None when it is not installed."""
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(1)
    return torch


def machine() -> str:
    """Platform and CPU model."""
    cpu = platform.processor()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if "model name" in line)
    except (OSError, StopIteration):
        pass
    return f"{platform.platform()}, {cpu}, Python {platform.python_version()}"


def main() -> None:
    """Print the table."""
    torch = torch_module()
    print(f"{datetime.datetime.now():%Y-%m-%d %H:%M}  {machine()}")
    if torch is not None:
        print(f"numpy {np.__version__}, torch {torch.__version__} (1 thread)")
    header = f"{'case':<20}{'engine':>9}{'floor':>9}{'torch':>9}{'numpy':>9}"
    header += f"{'eng/torch':>11}{'floor/torch':>13}{'eng/np':>8}"
    print(header + "\n" + "-" * len(header) + "   (µs per op, forward+backward)")
    for label, n, ops in CASES:
        values = inputs(n)
        fns = [partial(run_tensors, engine, values, ops), partial(run_numpy, values, ops)]
        if torch is not None:
            fns.append(partial(run_tensors, torch, values, ops))
        if (label, n, ops) in FLOOR_CASES:
            fns.append(partial(run_tensors, floor_engine, values, ops))
        ours, ref, *rest = (t / ops * 1e6 for t in best(fns))
        theirs = rest.pop(0) if torch is not None else None
        floor = rest.pop(0) if rest else None
        print(
            f"{label:<20}{ours:9.2f}{_cell(floor, '9.2f')}{_cell(theirs, '9.2f')}{ref:9.2f}"
            f"{_cell(theirs and ours / theirs, '11.2f')}"
            f"{_cell(floor and theirs and floor / theirs, '13.2f')}{ours / ref:8.2f}"
        )


def _cell(value: float | None, spec: str) -> str:
    width = spec.split(".")[0]
    return format(value, spec) if value else format("-", f">{width}")


if __name__ == "__main__":
    main()
