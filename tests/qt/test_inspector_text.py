"""The inspector's next_functions line: as recorded, or guessed for files written before."""

import networkx as nx

from explorer.qt.inspector_text import next_functions


def graph_with_mul(**recorded) -> nx.MultiDiGraph:
    graph = nx.MultiDiGraph()
    graph.add_node("t0", kind="tensor", requires_grad=True, grad_fn=None)
    graph.add_node(
        "op0",
        kind="op",
        op="mul",
        grad_fn="MulBackward0",
        args=[{"tensor": "t0"}, {"const": "2"}],
        **recorded,
    )
    graph.add_edge("t0", "op0", kind="data", input_nr=0)
    return graph


def test_recorded_entries_are_printed_as_torch_prints_them():
    graph = graph_with_mul(next_functions=[["AccumulateGrad", 0], [None, 0]])
    assert next_functions(graph, "op0") == "((<AccumulateGrad object>, 0), (None, 0))"


def test_a_single_entry_keeps_the_tuple_comma():
    graph = graph_with_mul(next_functions=[["AccumulateGrad", 0]])
    assert next_functions(graph, "op0") == "((<AccumulateGrad object>, 0),)"


def test_a_file_without_them_gets_them_from_the_operands():
    assert next_functions(graph_with_mul(), "op0") == "((<AccumulateGrad object>, 0), (None, 0))"
