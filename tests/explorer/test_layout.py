"""Layout: deterministic, layered top-down or left-right, fixed positions kept, fast enough."""

import time

import networkx as nx
import pytest

from explorer.model.layout import ALGORITHMS, compute_layout, layers


def chain_graph(n_ops: int, fan: int = 2) -> nx.MultiDiGraph:
    """t0 -> op0 -> t1 -> op1 -> ..., each op also taking a fresh leaf weight."""
    graph = nx.MultiDiGraph()
    graph.add_node("t0", kind="tensor")
    tensor_count = 1
    previous = "t0"
    for i in range(n_ops):
        op = f"op{i}"
        graph.add_node(op, kind="op")
        graph.add_edge(previous, op, kind="data", input_nr=0)
        for j in range(1, fan):
            weight = f"t{tensor_count}"
            tensor_count += 1
            graph.add_node(weight, kind="tensor")
            graph.add_edge(weight, op, kind="data", input_nr=j)
        previous = f"t{tensor_count}"
        tensor_count += 1
        graph.add_node(previous, kind="tensor")
        graph.add_edge(op, previous, kind="data", input_nr=0)
    return graph


def seed_like_graph() -> nx.MultiDiGraph:
    graph = nx.MultiDiGraph()
    for node in ("t0", "op0", "t1", "op1", "t2", "t3", "op2"):
        graph.add_node(node)
    graph.add_edge("t0", "op0")
    graph.add_edge("t0", "op0")
    graph.add_edge("op0", "t1")
    graph.add_edge("t1", "op1")
    graph.add_edge("op1", "t2")
    graph.add_edge("t2", "t3")
    graph.add_edge("t3", "op2")
    graph.add_edge("t0", "op2")
    return graph


def test_layers_put_inputs_above_their_ops():
    graph = seed_like_graph()
    positions = compute_layout(graph)
    for u, v in graph.edges():
        assert positions[u][1] > positions[v][1]


def test_left_right_runs_along_x():
    graph = seed_like_graph()
    positions = compute_layout(graph, direction="LR")
    for u, v in graph.edges():
        assert positions[u][0] < positions[v][0]


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_every_algorithm_is_deterministic_and_places_every_node(algorithm):
    graph = chain_graph(20)
    first = compute_layout(graph, algorithm)
    assert set(first) == set(graph)
    assert compute_layout(graph.copy(), algorithm) == first


def test_fixed_positions_are_kept():
    graph = chain_graph(10)
    fixed = {"op3": (100.0, -7.5), "gone": (1.0, 1.0)}
    positions = compute_layout(graph, fixed=fixed)
    assert positions["op3"] == (100.0, -7.5)
    assert "gone" not in positions
    spring = compute_layout(graph, "spring", fixed=fixed)
    assert spring["op3"] == (100.0, -7.5)


def test_positions_do_not_depend_on_what_is_revealed():
    """The whole run is laid out once; revealing nodes never moves anything already placed."""
    graph = chain_graph(50)
    positions = compute_layout(graph)
    prefix_ids = list(graph)[:30]
    assert {n: positions[n] for n in prefix_ids} == {
        n: compute_layout(graph)[n] for n in prefix_ids
    }


def test_crossing_reduction_untangles_a_swapped_pair():
    graph = nx.MultiDiGraph()
    graph.add_nodes_from(["a", "b", "c", "d"])
    graph.add_edge("a", "d")
    graph.add_edge("b", "c")
    positions = compute_layout(graph)
    assert (positions["a"][0] < positions["b"][0]) == (positions["d"][0] < positions["c"][0])


def test_cycles_from_hand_edited_files_still_lay_out():
    graph = nx.MultiDiGraph()
    graph.add_edge("a", "b")
    graph.add_edge("b", "a")
    assert len(layers(graph)) == 2


def test_unknown_algorithm_is_refused():
    with pytest.raises(ValueError, match="unknown layout"):
        compute_layout(chain_graph(2), "banana")


def test_ten_thousand_nodes_within_ten_times_multipartite():
    graph = chain_graph(3400)
    assert graph.number_of_nodes() > 10_000
    start = time.perf_counter()
    compute_layout(graph)
    ours = time.perf_counter() - start
    reference = nx.Graph()
    for depth, layer in enumerate(layers(graph)):
        reference.add_nodes_from(layer, subset=depth)
    start = time.perf_counter()
    nx.multipartite_layout(reference)
    theirs = time.perf_counter() - start
    assert ours < max(10 * theirs, 2.0)


def test_an_input_made_early_but_used_late_sits_just_above_its_use():
    graph = nx.MultiDiGraph()
    graph.add_nodes_from(["a", "op0", "b", "op1", "c", "late", "op2", "d"])
    graph.add_edges_from([("a", "op0"), ("op0", "b"), ("b", "op1"), ("op1", "c")])
    graph.add_edges_from([("c", "op2"), ("late", "op2"), ("op2", "d")])
    depth = {node: number for number, layer in enumerate(layers(graph)) for node in layer}
    assert depth["late"] == depth["op2"] - 1 == depth["c"]
    assert depth["a"] == 0
