"""Each recorded op keeps its grad_fn's next_functions as torch has them (the inspector shows
them): one entry per differentiable input, constants as None where torch keeps them."""

import pytest

from explorer.fileformat import load_document, save_document
from explorer.model.document import Document
from explorer.model.graph import named
from explorer.model.program import parse_percent

torch = pytest.importorskip("torch")

SETUP = """import torch
x = torch.tensor([1., -2., 3.], requires_grad=True)
m = torch.tensor([[1., 2., 3.], [4., 5., 6.]], requires_grad=True)
c = torch.tensor([4., 5., 6.])
"""
EXPRESSIONS = [
    "x * 2",
    "2 * x",
    "x + c",
    "c - x",
    "x / x",
    "x ** 2",
    "2 ** x",
    "x.clamp(0)",
    "x[0]",
    "m[0, 1:]",
    "x.sum()",
    "torch.where(x > 0, x, 0.)",
    "torch.maximum(x, c)",
    "torch.dot(x, x)",
    "m @ x",
    "torch.cat([x, c, x])",
    "x.reshape(3, 1)",
    "x.detach() * x",
]


def torch_entries(expression: str) -> list:
    names = {"x": torch.tensor([1.0, -2.0, 3.0], requires_grad=True)}
    names["m"] = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
    names["c"] = torch.tensor([4.0, 5.0, 6.0])
    y = eval(expression, {"torch": torch}, names)  # noqa: S307 (the test's own expressions)
    return [[None if fn is None else type(fn).__name__, nr] for fn, nr in y.grad_fn.next_functions]


def recorded_entries(document: Document) -> list:
    (y,) = named(document.graph, "y")
    (op,) = [u for u, _, kind in document.graph.in_edges(y, data="kind") if kind == "data"]
    return document.graph.nodes[op]["next_functions"]


def recorded(expression: str) -> Document:
    document = Document.from_program(parse_percent(f"{SETUP}y = {expression}\n"))
    document.run_all()
    return document


@pytest.mark.parametrize("expression", EXPRESSIONS)
def test_recorded_next_functions_are_torchs(expression):
    assert recorded_entries(recorded(expression)) == torch_entries(expression)


def test_next_functions_survive_a_save_and_load(tmp_path):
    document = recorded("2 * x")
    path = tmp_path / "doc.autograd.json"
    save_document(document, path)
    assert recorded_entries(load_document(path)) == [["AccumulateGrad", 0], [None, 0]]
