"""A saved graph opens again whatever ops the program used: the loader knows every op name the
recorder can write, not only the engine's public functions and methods (it refused `mse_loss`,
`nll_loss`, `_softmax_backward_data`, `bmm`..., so such a document could be saved but not
reopened)."""

import json

import pytest

from engine.ops import NAMES
from explorer.filechecks import known_op
from explorer.fileformat import is_graph_file, load_document, open_document, save_document

PROGRAMS = {
    "losses": """
import torch.nn.functional as F
x = torch.tensor([[1.0, -2.0, 0.5], [0.3, 0.2, -1.0]], requires_grad=True)
loss = F.mse_loss(x, torch.zeros(2, 3)) + F.cross_entropy(x, torch.tensor([0, 2]))
loss = loss + F.binary_cross_entropy(x.sigmoid(), torch.ones(2, 3))
loss = loss + F.leaky_relu(x).sum() + F.softplus(x).sum()
loss.backward()
""",
    "second derivatives": """
x = torch.tensor([0.5, -1.0, 2.0], requires_grad=True)
y = (x.softmax(0) * x.sigmoid() * x.tanh() * x.relu()).sum()
(g,) = torch.autograd.grad(y, x, create_graph=True)
g.sum().backward()
""",
    "batched and views": """
a = torch.ones(2, 3, 4, requires_grad=True)
b = (a @ torch.ones(4, 2)).transpose(0, 1).reshape(6, 2)
rows = list(b)
first, rest = b.split([1, 5])
v = (a * 1)[0]
(a * 1)[0].mul_(2)
(rows[0].sum() + rest.sum() + first.sum()).backward()
""",
}


def test_every_op_row_name_is_known():
    assert sorted(name for name in NAMES if not known_op(name)) == []


@pytest.mark.parametrize("name", PROGRAMS)
def test_a_saved_program_opens_again(tmp_path, name):
    source = tmp_path / f"{name.replace(' ', '_')}.py"
    source.write_text("# %%\nimport torch\n" + PROGRAMS[name].lstrip())
    document = open_document(source)
    assert document.error is None
    saved = tmp_path / "saved.autograd.json"
    save_document(document, saved)
    ops = {attrs.get("op") for _, attrs in document.graph.nodes(data=True)} - {None}
    assert ops, "the program recorded no ops"
    loaded = load_document(saved)
    assert len(loaded.graph) == len(document.graph)
    assert len(loaded.timeline) == len(document.timeline)


def test_any_json_file_opens_as_a_graph_file(tmp_path):
    source = tmp_path / "small.py"
    source.write_text(
        "# %%\nimport torch\nx = torch.ones(2, requires_grad=True)\n(x * 2).sum().backward()\n"
    )
    document = open_document(source)
    exported = tmp_path / "export.json"
    save_document(document, exported)
    assert is_graph_file(exported) and not is_graph_file(source)
    assert json.loads(exported.read_text())
    assert len(open_document(exported).graph) == len(document.graph)
