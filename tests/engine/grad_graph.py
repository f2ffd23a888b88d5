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
