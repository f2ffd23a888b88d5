"""Autograd machinery compared with torch: .grad accumulation after create_graph, grad_fn hooks,
hook results, argument checks of backward/grad, gradcheck, and the once-per-process warning."""

from __future__ import annotations

import subprocess
import sys
import warnings

import pytest

import engine

torch = pytest.importorskip("torch")

ERRORS = (RuntimeError, TypeError, ValueError, IndexError)


def outcome(scenario, lib) -> list[str]:
    """What a scenario reports (reprs, names, error type and text), with `lib` as torch."""
    lines: list[str] = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            scenario(lib, lines)
        except ERRORS as exc:
            lines.append(f"{type(exc).__name__}: {exc}")
    return lines


def matches_torch(scenario) -> None:
    """Assert the scenario reports the same lines with the engine and with torch."""
    assert outcome(scenario, engine) == outcome(scenario, torch)


# ---- G5: accumulating into a .grad made under create_graph ----


def plain_after_create_graph(L, out):
    x = L.tensor([1.0, 2.0], requires_grad=True)
    (x**3).sum().backward(create_graph=True)
    first = x.grad
    (x**3).sum().backward()
    out += [repr(x.grad), str(x.grad is first), x.grad.grad_fn.name()]


def two_create_graph_then_grad_of_grad(L, out):
    x = L.tensor([1.0, 2.0], requires_grad=True)
    (x**3).sum().backward(create_graph=True)
    (x**3).sum().backward(create_graph=True)
    names = [n.name() for n, _ in x.grad.grad_fn.next_functions]
    out += [repr(x.grad), str(names)]
    first = x.grad
    x.grad.sum().backward()
    out += [repr(x.grad), str(x.grad is first)]


def create_graph_after_plain(L, out):
    x = L.tensor([1.0, 2.0], requires_grad=True)
    (x**3).sum().backward()
    first = x.grad
    (x**3).sum().backward(create_graph=True)
    out += [repr(x.grad), str(x.grad is first)]


@pytest.mark.parametrize(
    "scenario",
    [plain_after_create_graph, two_create_graph_then_grad_of_grad, create_graph_after_plain],
    ids=lambda f: f.__name__,
)
def test_accumulation_after_create_graph(scenario):
    matches_torch(scenario)


# ---- item 18: the create_graph warning is given once per process ----

WARN_TWICE = """
import warnings
import {lib} as torch
warnings.simplefilter("always")
x = torch.tensor(3.0, requires_grad=True)
for _ in range(3):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        (x ** 3).backward(create_graph=True)
    print(len(caught), caught[0].message.args[0][:40] if caught else "")
"""


def warnings_in_fresh_process(lib: str) -> str:
    code = WARN_TWICE.format(lib=lib)
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout


def test_create_graph_warning_once_per_process():
    assert warnings_in_fresh_process("engine") == warnings_in_fresh_process("torch")
