"""List, dict and generator comprehensions behave as in Python, as tutorial code uses them."""

import pytest

from explorer.model.interpreter import run_program
from explorer.model.program import parse_percent

TUTORIAL = """import torch
params = [torch.tensor([1.0, 2.0], requires_grad=True), torch.tensor(3.0, requires_grad=True)]
loss = sum((p**2).sum() for p in params)
loss.backward()
grads = [p.grad for p in params]
print(grads)
print({i: tuple(p.shape) for i, p in enumerate(params)})
print([a * b for a in range(4) if a % 2 for b in range(a)])
print(torch.stack([p.grad.sum() for p in params]))
print(all(p.grad is not None for p in params), max(len(p.shape) for p in params))
"""


def run(source: str):
    return run_program(parse_percent(source))


def test_tutorial_comprehensions_print_what_pytorch_prints():
    ours = run(TUTORIAL)
    assert ours.error is None, ours.error
    assert ours.transcript().splitlines()[0] == "[tensor([2., 4.]), tensor(6.)]"
    torch = pytest.importorskip("torch")
    theirs = run_program(parse_percent(TUTORIAL), torch_module=torch)
    assert ours.transcript() == theirs.transcript()


def test_loop_variables_stay_inside_the_comprehension():
    result = run("x = 'outer'\nys = [x * 2 for x in range(3)]\nprint(x, ys)\n")
    assert result.transcript() == "outer [0, 2, 4]\n"
    assert "x" in result.namespace and "p" not in run("[p for p in [1]]").namespace


def test_a_generator_expression_is_used_up_by_one_pass():
    result = run("g = (i * i for i in range(3))\nprint(list(g), list(g), sum(g))\n")
    assert result.transcript() == "[0, 1, 4] [] 0\n"


def test_unpacking_in_a_comprehension_uses_pythons_messages():
    result = run("[a for a, b in [(1, 2, 3)]]")
    assert result.error.kind == "ValueError"
    assert result.error.message == "too many values to unpack (expected 2)"


def test_an_error_inside_a_comprehension_points_at_it():
    result = run("xs = [1, 0]\nys = [1 / x for x in xs]\n")
    assert (result.error.kind, result.error.line, result.error.col) == ("ZeroDivisionError", 2, 7)


class Names:
    def __init__(self) -> None:
        self.bound: list[str] = []

    def name_bound(self, name, value):
        self.bound.append(name)


def test_comprehension_variables_are_not_reported_as_bindings():
    names = Names()
    run_program(parse_percent("ys = [y for y in range(3)]\n"), observer=names)
    assert names.bound == ["ys"]
