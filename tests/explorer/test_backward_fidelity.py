"""The recorded backward pass is torch's: every grad_fn torch runs, in its order, on a graph node
whose gradient-carrying input edges lead where its `next_functions` lead.

Views and in-place ops make grad_fns no forward op made (CopySlices on a base changed through a
view, AsStridedBackward0 on a view whose values changed); each program below runs in the explorer
and in torch, and the backward steps the timeline shows are compared with the ones torch runs."""

from pathlib import Path

import pytest

from engine.observe import BackwardStep, observe
from explorer.fileformat import load_document, save_document
from explorer.model import events as ev
from explorer.model.document import Document
from explorer.model.graph import named, op_title
from explorer.model.program import parse_percent

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.filterwarnings("ignore:Using backward.. with create_graph=True")

ACCUMULATE = "torch::autograd::AccumulateGrad"
X = "import torch\nx = torch.tensor([1., 2., 3.], requires_grad=True)\n"
M = "import torch\nm = torch.tensor([[1., 2., 3.], [4., 5., 6.]], requires_grad=True)\n"
PROGRAMS = {
    "in-place on a view, then a sibling view": X
    + "b = x * 1\nv = b[0:2]\nv.mul_(2)\nw = b[1:]\ny = (w * v[1:]).sum()\ny.backward()\n",
    "in-place on a view, then the view": X
    + "b = x * 1\nv = b[1:]\nv.mul_(2)\ny = (v * v).sum()\ny.backward()\n",
    "in-place on a view, then the base": X
    + "b = x * 1\nv = b[1:]\nv.mul_(2)\nb.sum().backward()\n",
    "setitem on a non-leaf": X + "b = x * 2\nb[0] = x[1] * 5\nb.sum().backward()\n",
    "setitem on a view": X + "b = x * 1\nv = b[0:2]\nv[0] = 7.\n(b * v.sum()).sum().backward()\n",
    "in-place on the base, then an older view": X
    + "b = x * 1\nv = b[1:]\nb.mul_(3)\n(v * 2).sum().backward()\n",
    "in-place on a view of a view": X
    + "b = x * 1\nv = b[0:3]\nu = v[1:]\nu.add_(1)\n(v.sum() + b.sum()).backward()\n",
    "in-place on a view with a tensor operand": M
    + "b = m * 1\nr = b[1]\nr.mul_(m[0])\nb.sum().backward()\n",
    "in-place on a view of a base without grad": X
    + "b = torch.zeros(3)\nv = b[:2]\nv.add_(x[:2])\n(b * b).sum().backward()\n",
    "two in-place ops on a view": X
    + "b = x * 1\nv = b[1:]\nv.mul_(2)\nv.add_(1)\n(v * b[0]).sum().backward()\n",
    "in-place on a transposed view": M
    + "b = m * 1\nt = b.t()\nt.mul_(2)\n(b * b).sum().backward()\n",
    "in-place on an unsqueezed view": X
    + "b = x * 1\nu = b[None]\nu.add_(1)\n(b * 2).sum().backward()\n",
    "setitem and augmented setitem in 2-D": M
    + "b = m * 1\nb[0, 1:] = 0.\nb[1] *= 2\nb.sum().backward()\n",
    "retained grad of a changed view": X
    + "b = x * 1\nv = b[1:]\nv.mul_(2)\nv.retain_grad()\n(v * v).sum().backward()\n",
    "select then slice": M + "y = m * 2\nz = y[0, 1:]\nz.sum().backward()\n",
    "two backward passes through CopySlices": X
    + "b = x * 1\nv = b[1:]\nv.mul_(2)\ny = b.sum()\ny.backward(retain_graph=True)\ny.backward()\n",
    "backward from a changed view": X
    + "b = x * 1\nv = b[1:]\nb.mul_(2)\nv.backward(torch.ones(2))\n",
    "base changed under no_grad, then an older view": X
    + "v = x[0:2]\nwith torch.no_grad():\n    x.mul_(2)\n(v * 3).sum().backward()\n",
    "a view made and changed under no_grad": X
    + "b = x * 1\nwith torch.no_grad():\n    v = b[0:2]\n    v.mul_(2)\n(b * 3).sum().backward()\n",
    "the intermediate view of a changed view of a view": X
    + "b = x * 1\nv = b[0:3]\nu = v[1:]\nu.mul_(3)\n(v * 1).sum().backward()\n",
    "setitem of a tensor on a view": X
    + "b = x * 1\nv = b[1:]\nv[0] = x[0] * 10\n(v * v).sum().backward()\n",
    "in-place on a reshaped view": X
    + "b = x * 1\nv = b.reshape(3, 1)\nv.add_(1)\nv.sum().backward()\n",
    "backward with inputs= the base of a changed view": X
    + "b = x * 1\nv = b[1:]\nv.mul_(2)\ny = (v * v).sum()\ny.backward(inputs=[b])\n",
    "backward of a .grad made with create_graph": X
    + "y = (x ** 3).sum()\ny.backward(create_graph=True)\nx.grad.sum().backward()\n",
    "backward with inputs= a non-leaf": X
    + "h = x * 2\ny = (h * h).sum()\ny.backward(inputs=[h])\n",
    "backward with inputs= a non-leaf and a leaf": X
    + "h = x * 2\ny = (h * x).sum()\ny.backward(inputs=[h, x])\n",
}

Step = tuple[str, tuple[str, ...]]


def torch_steps(source: str, monkeypatch: pytest.MonkeyPatch) -> list[Step]:
    """The grad_fns torch runs for the program, in order, each with the names of the
    next_functions it sends a gradient to (hooks on every node reachable from each root)."""
    steps: list[Step] = []
    hooked: set = set()
    backward = torch.Tensor.backward

    def hooked_backward(self, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003
        stack = [self.grad_fn]
        while stack:
            fn = stack.pop()
            if fn is None or fn in hooked:
                continue
            hooked.add(fn)
            fn.register_prehook(lambda grads, fn=fn: steps.append((fn.name(), ())))
            fn.register_hook(lambda sent, grads, fn=fn: _sent(steps, fn, sent))
            stack.extend(f for f, _ in fn.next_functions)
        return backward(self, *args, **kwargs)

    monkeypatch.setattr(torch.Tensor, "backward", hooked_backward)
    exec(source, {})  # the program text is this file's own (the explorer never execs)
    return steps


def _sent(steps: list[Step], fn: object, sent: tuple) -> None:
    """A post-hook: fill in where the step just run sent gradients (its pre-hook's entry)."""
    pairs = zip(fn.next_functions, sent, strict=True)
    names = tuple(f.name() for (f, _), g in pairs if f is not None and g is not None)
    steps[-1] = (fn.name(), names)


def recorded(source: str) -> Document:
    document = Document.from_program(parse_percent(source))
    document.run_all()
    assert document.error is None, document.error
    return document


def shown_steps(document: Document) -> list[Step]:
    """The backward steps the timeline shows: the grad_fn run and, for each input edge it sends
    a gradient along, the grad_fn of the tensor at its other end (AccumulateGrad for a leaf)."""
    graph = document.graph
    steps: list[Step] = []
    for event in document.timeline:
        if isinstance(event, ev.BackwardStepped):
            name = ACCUMULATE if event.grad_fn == "AccumulateGrad" else event.grad_fn
            sent = [u for u, v, _ in event.edges if v == event.op_node]
            steps.append((name, tuple(_grad_fn_of(graph.nodes[u]) for u in sent)))
        elif isinstance(event, ev.GradAccumulated) and graph.nodes[event.leaf]["is_leaf"]:
            steps.append((ACCUMULATE, ()))
    return steps


def engine_steps(source: str) -> tuple[Document, list[str]]:
    """The program recorded, and the names of the grad_fns the engine ran meanwhile."""
    document = Document.from_program(parse_percent(source))
    names: list[str] = []

    def listen(event: object) -> None:
        if isinstance(event, BackwardStep):
            names.append(event.node.name())

    with observe(listen):
        document.run_all()
    assert document.error is None, document.error
    return document, names


def _grad_fn_of(attrs: dict) -> str:
    return attrs["grad_fn"] or ACCUMULATE


@pytest.mark.parametrize("source", PROGRAMS.values(), ids=PROGRAMS.keys())
def test_the_timeline_steps_through_what_torch_runs(source, monkeypatch):
    assert shown_steps(recorded(source)) == torch_steps(source, monkeypatch)


@pytest.mark.parametrize("source", PROGRAMS.values(), ids=PROGRAMS.keys())
def test_gradients_travel_along_edges_shown_at_that_step(source):
    document = recorded(source)
    replay = document.replay
    for index, event in enumerate(document.timeline):
        if isinstance(event, ev.BackwardStepped):
            replay.seek(index)
            assert replay.node_state(event.op_node).visible, (index, event)
            for edge, gradient in event.carried:
                assert replay.edge_state(edge).visible, (index, edge)
                assert replay.edge_state(edge).gradient is gradient


def test_regenerated_nodes_save_and_load(tmp_path):
    document = recorded(PROGRAMS["in-place on a view, then a sibling view"])
    path = tmp_path / "views.autograd.json"
    save_document(document, path)
    loaded = load_document(path)
    assert list(loaded.graph.nodes(data="op")) == list(document.graph.nodes(data="op"))
    assert shown_steps(loaded) == shown_steps(document)


INPUTS = {
    "one pass": X + "h = x * 2\ny = (h * h).sum()\ny.backward(inputs=[h])\n",
    "two passes": X
    + "h = x * 2\ny = (h * h).sum()\ny.backward(inputs=[h], retain_graph=True)\n"
    + "y.backward(inputs=[h])\n",
    "with the leaf": X + "h = x * 2\ny = (h * x).sum()\ny.backward(inputs=[h, x])\n",
}


@pytest.mark.parametrize("source", INPUTS.values(), ids=INPUTS.keys())
def test_backward_inputs_non_leaf_captures_its_grad(source):
    """torch accumulates into a non-leaf input's .grad; past it, gradient flows only towards the
    other inputs (the step of h's grad_fn carries the gradient arriving at it, and nothing on
    when x is not an input)."""
    document = recorded(source)
    namespace: dict = {}
    exec(source, namespace)
    graph = document.graph
    (x,) = named(graph, "x")
    (h,) = named(graph, "h")
    (maker,) = graph.predecessors(h)
    captured = [e for e in document.timeline if isinstance(e, ev.GradAccumulated) and e.leaf == h]
    replay = document.replay
    assert replay.node_state(h).grad.tolist() == namespace["h"].grad.tolist()
    assert replay.node_state(h).accumulation_count == len(captured)
    x_grad = namespace["x"].grad
    shown = replay.node_state(x).grad
    assert (shown is None) == (x_grad is None)
    if x_grad is None:
        steps = [e for e in document.timeline if isinstance(e, ev.BackwardStepped)]
        assert [e.edges for e in steps if e.op_node == maker] == [((maker, h, 0),)] * len(captured)
    else:
        assert shown.tolist() == x_grad.tolist()


INDEXES = {
    "[0, 1:]": ["getitem [0]", "getitem [1:]"],
    "[:, 1]": ["getitem [:, 1]"],
    "[1:]": ["getitem [1:]"],
    "[0][None]": ["getitem [0]", "getitem [None]"],
    "[..., None, 0]": ["getitem [:, None]", "getitem [:, :, 0]"],
    "[[1, 0]]": ["getitem [[1, 0]]"],
}


@pytest.mark.parametrize(("index", "titles"), INDEXES.items(), ids=INDEXES.keys())
def test_each_index_part_is_a_node_titled_by_its_part(index, titles):
    """One node per torch node, titled with the part of the index it applies (to its input)."""
    source = M + f"y = m * 2\nz = y{index}\n"
    document = recorded(source)
    namespace: dict = {}
    exec(source, namespace)
    graph = document.graph
    ops = [n for n, kind in graph.nodes(data="kind") if kind == "op"][2:]
    assert [op_title(graph.nodes[n]) for n in ops] == titles
    chain, fn = [], namespace["z"].grad_fn
    while fn.name() != "MulBackward0":
        chain.append(fn.name())
        fn = fn.next_functions[0][0]
    assert [graph.nodes[n]["grad_fn"] for n in ops] == chain[::-1]


def test_a_regenerated_view_is_titled_as_strided():
    document = recorded(PROGRAMS["in-place on a view, then a sibling view"])
    graph = document.graph
    titles = [op_title(graph.nodes[n]) for n, kind in graph.nodes(data="kind") if kind == "op"]
    assert titles[2:7] == ["getitem [0:2]", "mul_", "as_strided", "getitem [1:]", "getitem [1:]"]


def test_a_grad_copied_with_create_graph_is_titled_copy_():
    document = recorded(PROGRAMS["backward of a .grad made with create_graph"])
    graph = document.graph
    (grad,) = named(graph, "x.grad")
    (copy,) = [u for u in graph.predecessors(grad) if graph.nodes[u]["kind"] == "op"]
    assert op_title(graph.nodes[copy]) == "copy_"


SMALL_EXAMPLES = sorted(
    path
    for path in (Path(__file__).resolve().parents[2] / "resources" / "examples").glob("*.py")
    if path.stem not in ("big_mlp", "long_loop", "rnn_unrolled")
)


@pytest.mark.parametrize("path", SMALL_EXAMPLES, ids=[p.stem for p in SMALL_EXAMPLES])
def test_every_engine_step_of_the_examples_is_shown(path):
    document, names = engine_steps(path.read_text(encoding="utf-8"))
    assert [name for name, _ in shown_steps(document)] == names
