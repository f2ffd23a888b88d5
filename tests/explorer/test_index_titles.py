"""Indexing op nodes are titled with the index as the user wrote it: slices unresolved (`1:`, not
`1:3`), tensors by their name (`labels`) or else their values cut short, lists and ranges as
written; each node shows the part torch applies there, as an index of that node's input. The
nodes are torch's: their grad_fns are the chain torch builds for the same expression."""

import pytest

import engine
from explorer.model.document import Document
from explorer.model.graph import INDEXING_OPS, op_title
from explorer.model.index_text import INDEX_TEXT_LIMIT, index_text
from explorer.model.program import parse_percent

torch = pytest.importorskip("torch")

PRELUDE = (
    "import torch\n"
    "m = torch.tensor([[1., 2., 3.], [4., 5., 6.]], requires_grad=True)\n"
    "y = m * 2\n"
    "labels = torch.tensor([2, 0])\n"
    "idx = torch.tensor([1, 0])\n"
    "mask = y > 5\n"
)
GETITEM_TITLES = {
    "y[0, 1:]": ["getitem [0]", "getitem [1:]"],
    "y[-1, ::2]": ["getitem [-1]", "getitem [::2]"],
    "y[0:1, 1:2]": ["getitem [0:1]", "getitem [:, 1:2]"],
    "y[range(2), labels]": ["getitem [range(2), labels]"],
    "y[range(1, 2), labels[:1]]": ["getitem [:1]", "getitem [range(1, 2), tensor([2])]"],
    "y[idx]": ["getitem [idx]"],
    "y[:, labels]": ["getitem [:, labels]"],
    "y[idx, 1:]": ["getitem [:, 1:]", "getitem [idx]"],
    "y[1:, idx]": ["getitem [1:]", "getitem [:, idx]"],
    "y[mask]": ["getitem [mask]"],
    "y[y > 5]": ["getitem [tensor([[False, ...], ...])]"],
    "y[:, torch.tensor([True, False, True])]": ["getitem [:, tensor([True, False, True])]"],
    "y[torch.arange(2)]": ["getitem [tensor([0, 1])]"],
    "y.reshape(6)[torch.arange(6) % 3]": ["getitem [tensor([0, 1, 2, 0, ...])]"],
    "y[torch.tensor(1)]": ["getitem [tensor(1)]"],
    "y[0, idx[0]]": ["getitem [0]", "getitem [0]", "getitem [tensor(1)]"],
    "y[[1, 0]]": ["getitem [[1, 0]]"],
    "y[[0, 1] * 10]": ["getitem [[0, 1, 0, 1, ...]]"],
    "y[..., None, 0]": ["getitem [:, None]", "getitem [:, :, 0]"],
    "y[0][1:]": ["getitem [0]", "getitem [1:]"],
}


def recorded(source: str) -> Document:
    document = Document.from_program(parse_percent(source))
    document.run_all()
    assert document.error is None, document.error
    return document


def indexing_nodes(document: Document) -> list[dict]:
    graph = document.graph
    return [attrs for _, attrs in graph.nodes(data=True) if attrs.get("op") in INDEXING_OPS]


def torch_chain(expression: str) -> list[str]:
    """The grad_fn names torch gives `expression`, from the first indexing node to the result."""
    namespace: dict = {}
    exec(PRELUDE + f"z = {expression}\n", namespace)
    chain, fn = [], namespace["z"].grad_fn
    while fn.name() not in ("MulBackward0", "ViewBackward0"):
        chain.append(fn.name())
        fn = fn.next_functions[0][0]
    return chain[::-1]


@pytest.mark.parametrize(("expression", "titles"), GETITEM_TITLES.items(), ids=GETITEM_TITLES)
def test_an_indexing_node_shows_its_index_as_written(expression, titles):
    nodes = indexing_nodes(recorded(PRELUDE + f"z = {expression}\n"))
    assert [op_title(attrs) for attrs in nodes] == titles
    assert [a["grad_fn"] for a in nodes if a["grad_fn"]] == torch_chain(expression)


SETITEM_TITLES = {
    "b[idx] = 0.": "__setitem__ [idx]",
    "b[0, 1:] = 0.": "__setitem__ [0, 1:]",
    "b[mask] = 0.": "__setitem__ [mask]",
}


@pytest.mark.parametrize(("statement", "title"), SETITEM_TITLES.items(), ids=SETITEM_TITLES)
def test_a_setitem_node_shows_its_index_as_written(statement, title):
    source = PRELUDE + f"b = y.clone()\n{statement}\n"
    (node,) = [a for a in indexing_nodes(recorded(source)) if a["op"] == "__setitem__"]
    namespace: dict = {}
    exec(source, namespace)
    assert op_title(node) == title
    assert node["grad_fn"] == namespace["b"].grad_fn.name()


def test_a_tensor_bound_to_several_names_is_shown_by_the_first():
    source = PRELUDE + "j = idx\nz = y[j]\n"
    (node,) = indexing_nodes(recorded(source))
    assert op_title(node) == "getitem [idx]"


TEXTS = {
    "slice as written": ((0, slice(1, None)), "[0, 1:]"),
    "slice with a step": (slice(None, None, 2), "[::2]"),
    "ranges": ((range(3), range(1, 3), range(0, 6, 2)), "[range(3), range(1, 3), range(0, 6, 2)]"),
    "nested list": ([[0, 1], [1, 0]], "[[[0, 1], [1, 0]]]"),
    "None and ellipsis": ((None, Ellipsis, 0), "[None, ..., 0]"),
    "bool": (True, "[True]"),
}


@pytest.mark.parametrize(("index", "text"), TEXTS.values(), ids=TEXTS)
def test_index_text(index, text):
    assert index_text(index) == text


def test_index_text_names_tensors_it_is_told_the_names_of():
    idx = engine.tensor([1, 0])
    assert index_text((idx, slice(1, None)), lambda t: "idx" if t is idx else "") == "[idx, 1:]"
    assert index_text((idx, slice(1, None))) == "[tensor([1, 0]), 1:]"


def test_a_long_index_is_cut_to_the_limit():
    text = index_text((engine.arange(100), engine.ones(50, 50) > 0, list(range(30))))
    assert len(text) == INDEX_TEXT_LIMIT and text.endswith("...]")
    assert text.startswith("[tensor([0, 1, 2, 3, ...]), tensor(")
