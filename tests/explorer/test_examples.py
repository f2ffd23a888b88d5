"""Every bundled example runs cleanly, and teaches what it says it does."""

from pathlib import Path

import pytest

from explorer.model.interpreter import run_program
from explorer.model.program import load_program

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "resources" / "examples").glob("*.py"))


def test_the_examples_are_there():
    names = {path.stem for path in EXAMPLES}
    assert {"seed_autograd_basics", "chain_rule", "broadcasting", "mlp_loss"} <= names
    assert {"gradient_descent", "nan_appears", "big_mlp", "long_loop"} <= names
    assert {"retain_grad", "second_derivative"} <= names


def test_gradient_descent_updates_the_same_leaf_in_place():
    path = next(p for p in EXAMPLES if p.stem == "gradient_descent")
    result = run_program(load_program(path))
    assert result.transcript().endswith("(tensor(1.7251, requires_grad=True), True, True)\n")


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda path: path.stem)
def test_each_example_runs_without_error(path):
    program = load_program(path)
    result = run_program(program)
    assert result.error is None, str(result.error)
    assert program.to_percent() == path.read_text()
    assert any(cell.kind == "markdown" for cell in program.cells) or path.stem.startswith("seed")


def test_the_seed_example_is_the_seed_notebook(seed_dir):
    bundled = next(path for path in EXAMPLES if path.stem == "seed_autograd_basics")
    assert bundled.read_text() == (seed_dir / "autograd_basics.py").read_text()


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda path: path.stem)
def test_each_example_prints_what_pytorch_prints(path):
    torch = pytest.importorskip("torch")
    program = load_program(path)
    ours, theirs = run_program(program), run_program(program, torch_module=torch)
    assert theirs.error is None, str(theirs.error)
    assert ours.transcript() == theirs.transcript()


class OpCounter:
    """Counts forward ops; each adds an op node and a tensor node to the graph."""

    def __init__(self) -> None:
        self.ops = 0

    def on_engine_event(self, event):
        self.ops += type(event).__name__ == "OpRan"


def test_the_big_examples_are_big():
    sizes = {}
    for stem in ("big_mlp", "long_loop"):
        counter = OpCounter()
        run_program(load_program(next(p for p in EXAMPLES if p.stem == stem)), observer=counter)
        sizes[stem] = counter.ops
    assert sizes["big_mlp"] >= 450
    assert sizes["long_loop"] >= 4_000
