"""The engine now against an earlier version of it, both in one process.

    python3 -m tests.benchmarks.engine_ab_bench [REV]      (REV: a git revision, default HEAD)

Runs engine_bench's chain with the working tree's engine and with `engine/` as it was at REV,
in interleaved rounds, and prints µs per op and their ratio. On a noisy machine a change of a few
percent shows here and nowhere else: both sides share the process, its core and its heap.
"""

from __future__ import annotations

import importlib
import subprocess
import sys
import tarfile
import tempfile
from functools import partial
from io import BytesIO
from pathlib import Path
from types import ModuleType

from tests.benchmarks.engine_bench import best, chain, inputs, machine

ROOT = Path(__file__).resolve().parents[2]
CASES = (("4 elements", 4, 2_000), ("1,000 elements", 1_000, 2_000))


def engine_at(revision: str, into: Path) -> Path:
    """`engine/` as it was at `revision`, extracted below `into`."""
    archive = subprocess.run(
        ["git", "archive", revision, "engine"], cwd=ROOT, check=True, capture_output=True
    ).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into


def load(parent: Path) -> tuple[ModuleType, dict]:
    """Import the `engine` package found in `parent`; returns it and its modules."""
    for name in [n for n in sys.modules if n == "engine" or n.startswith("engine.")]:
        del sys.modules[name]
    sys.path.insert(0, str(parent))
    try:
        module = importlib.import_module("engine")
        importlib.import_module("engine.autograd")  # imported lazily by Tensor.backward
    finally:
        sys.path.remove(str(parent))
    modules = {n: m for n, m in sys.modules.items() if n == "engine" or n.startswith("engine.")}
    return module, modules


def run(version: tuple[ModuleType, dict], values, ops: int) -> None:
    """Forward and backward with one version (its modules put back for its lazy imports)."""
    module, modules = version
    sys.modules.update(modules)
    x, w, v = (module.tensor(a, requires_grad=True) for a in values)
    chain(x, w, v, ops).backward()


def main() -> None:
    """Print the table."""
    revision = sys.argv[1] if len(sys.argv) > 1 else "HEAD"
    with tempfile.TemporaryDirectory() as tmp:
        before = load(engine_at(revision, Path(tmp)))
        now = load(ROOT)
        print(machine())
        header = f"{'case':<20}{revision:>14}{'now':>10}{'now/' + revision:>16}"
        print(header + "\n" + "-" * len(header) + "   (µs per op, forward+backward)")
        for label, n, ops in CASES:
            values = inputs(n)
            fns = [partial(run, before, values, ops), partial(run, now, values, ops)]
            then_us, now_us = (t / ops * 1e6 for t in best(fns))
            print(f"{label:<20}{then_us:14.2f}{now_us:10.2f}{now_us / then_us:16.3f}")


if __name__ == "__main__":
    main()
