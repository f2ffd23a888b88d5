"""A helper for tests comparing autograd graphs with torch's."""


def grad_fn_names(t) -> list[str]:
    """Every grad_fn name reachable from `t`, depth first ("None" for an edge to nothing).

    Works alike on engine and torch tensors, so the two graphs can be compared as lists."""
    names, stack = [], [t.grad_fn]
    while stack:
        node = stack.pop()
        names.append("None" if node is None else node.name())
        if node is not None:
            stack += [n for n, _ in reversed(node.next_functions)]
    return names


def nodes_in_creation_order(grads) -> list[tuple[str, str]]:
    """(path of next_functions indices from a gradient, name) of the nodes of `grads`' graphs,
    oldest first: by torch's `_sequence_nr()` or the engine's `uid`. Leaves' AccumulateGrad
    nodes are left out (torch makes them when first needed)."""
    paths: dict[str, object] = {}
    stack = [(f"g{i}", g.grad_fn) for i, g in enumerate(grads) if g is not None]
    while stack:
        path, fn = stack.pop()
        if fn is None or any(seen is fn for seen in paths.values()):
            continue
        paths[path] = fn
        stack.extend((path + str(i), f) for i, (f, _) in enumerate(fn.next_functions))
    nodes = sorted(paths.items(), key=lambda item: _creation_number(item[1]))
    return [(path, fn.name()) for path, fn in nodes if "AccumulateGrad" not in fn.name()]


def _creation_number(fn) -> int:
    return fn._sequence_nr() if hasattr(fn, "_sequence_nr") else fn.uid


def nested_graph(fn, depth: int):
    """The graph under grad_fn `fn` as nested [name, [children]] lists, cut to names at `depth`
    (None for an edge to nothing)."""
    if fn is None:
        return None
    if depth == 0:
        return fn.name()
    return [fn.name(), [nested_graph(n, depth - 1) for n, _ in fn.next_functions]]
