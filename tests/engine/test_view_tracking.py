"""A view's requires_grad and grad_fn follow its root base as torch's do; in-place changes of
views made in no_grad mode or of views that require grad are refused with torch's texts.

Each case is run with torch and with the engine, and what it observes is compared."""

import pytest

import engine

torch = pytest.importorskip("torch")


def outcome(f):
    """What `f()` gives: its value, or the type and text of what it raises."""
    try:
        return f()
    except Exception as exc:  # noqa: BLE001 - the exception is the observation
        return (type(exc).__name__, str(exc))


def fn_name(t):
    return outcome(lambda: None if t.grad_fn is None else t.grad_fn.name())


def next_names(t):
    return [None if n is None else n.name() for n, _ in t.grad_fn.next_functions]


def sibling_after_inplace(L):
    x = L.tensor([1.0, 2.0], requires_grad=True)
    d = L.ones(2, 2)
    w, u = d[1], d[0]
    u.mul_(x)
    y = w * 2
    y.sum().backward()
    return [w.requires_grad, w.is_leaf, fn_name(w), fn_name(d), fn_name(y), next_names(y)]


def sibling_through_operator(L):
    x = L.tensor([1.0, 2.0], requires_grad=True)
    d = L.ones(2, 2)
    w = d[1]
    d[0].mul_(x)
    y = w + w
    y.sum().backward()
    return [fn_name(y), next_names(y), x.grad.tolist()]


def squeezed_view_after_inplace_on_its_view(L):
    x = L.tensor([1.0, 2.0], requires_grad=True)
    d = L.ones(2, 2)
    w = d.squeeze()
    w[0].mul_(x[0])
    (w**3).sum().backward()
    return [w.requires_grad, fn_name(w), fn_name(d), x.grad.tolist()]


def view_after_base_inplace(L):
    x = L.tensor([1.0, 2.0], requires_grad=True)
    d = L.ones(2)
    w = d[0:1]
    d.mul_(x)
    return [w.requires_grad, fn_name(w), fn_name(w + 1), next_names(w)]


def base_requires_grad_later(L):
    a = L.ones(2)
    w = a[0:1]
    a.requires_grad_()
    y = w * 2
    y.sum().backward()
    return [w.requires_grad, w.is_leaf, fn_name(w), next_names(y), a.grad]


def base_changed_then_requires_grad(L):
    a = L.ones(2)
    w = a[0:1]
    a.add_(1)
    a.requires_grad_()
    return [w.requires_grad, fn_name(w), next_names(w)]


def base_detached_after_change(L):
    x = L.ones(2, requires_grad=True)
    b = x * 1
    v = b[0:1]
    b.detach_()
    b.add_(1)
    return [v.requires_grad, fn_name(v), next_names(v)]


def base_stops_requiring_grad(L):
    a = L.ones(2)
    w = a[0:1]
    a.requires_grad_()
    flags = [w.requires_grad, outcome(lambda: w.requires_grad_(False) is w), w.requires_grad]
    a.requires_grad_(False)
    return [*flags, w.requires_grad]


def view_made_to_require_grad(L):
    a = L.ones(2)
    v = a[0:1]
    v.requires_grad_()
    return [v.requires_grad, v.is_leaf, outcome(lambda: v.add_(1)), outcome(lambda: v.mul_(2))]


def view_made_to_require_grad_then_base_changed(L):
    a = L.ones(2)
    v = a[0:1]
    v.requires_grad_()
    a.add_(1)
    x = L.ones(2, requires_grad=True)
    flags = [a.requires_grad, fn_name(v), v.requires_grad]
    a.mul_(x)
    return [*flags, fn_name(v), v.requires_grad, a.tolist()]


def view_flag_cleared(L):
    a = L.ones(2)
    v = a[0:1]
    v.requires_grad_()
    v.requires_grad_(False)
    return [v.requires_grad, outcome(lambda: v.add_(1).tolist())]


def setitem_on_view_made_to_require_grad(L):
    a = L.ones(2)
    v = a[0:2]
    v.requires_grad_()

    def assign():
        v[0] = 5.0

    return [outcome(assign), a.tolist()]


def no_grad_view_after_base_detached(L):
    x = L.tensor([1.0, 2.0], requires_grad=True)
    b = x * 1
    with L.no_grad():
        s = b[0:1]
    b.detach_()
    return [
        s.requires_grad,
        fn_name(s),
        outcome(lambda: s.add_(x[0:1])),
        outcome(lambda: s.add_(1).tolist()),
    ]


def no_grad_view_of_plain_tensor(L):
    a = L.ones(2)
    x = L.ones(1, requires_grad=True)
    with L.no_grad():
        s = a[0:1]
    return [s.requires_grad, outcome(lambda: s.add_(x)), outcome(lambda: s.mul_(3).tolist())]


def no_grad_view_made_to_require_grad(L):
    b = L.ones(2, requires_grad=True)
    with L.no_grad():
        s = b[0:1]
    flags = [outcome(lambda: s.requires_grad_(False) is s), s.requires_grad, s.is_leaf]
    s.requires_grad_()
    return [*flags, outcome(lambda: s.add_(1))]


def no_grad_view_given_its_own_flag_gets_grad(L):
    b = L.ones(2, requires_grad=True)
    with L.no_grad():
        s = b[0:1]
    s.requires_grad_()
    y = s * 2
    y.sum().backward()
    return [next_names(y), s.grad.tolist(), b.grad]


def view_of_no_grad_view_of_plain_tensor(L):
    a = L.ones(2)
    x = L.ones(1, requires_grad=True)
    with L.no_grad():
        s = a[0:2]
    w = s[0:1]
    return [fn_name(w), outcome(lambda: w.add_(x))]


def view_of_no_grad_view(L):
    b = L.ones(2, requires_grad=True) * 1
    x = L.ones(1, requires_grad=True)
    with L.no_grad():
        s = b[0:2]
    w = s[0:1]
    flags = [fn_name(w), outcome(lambda: w.add_(x))]
    b.mul_(2)
    return [*flags, fn_name(w)]


def view_of_no_grad_view_after_detach(L):
    b = L.ones(2, requires_grad=True) * 1
    with L.no_grad():
        s = b[0:2]
    w = s[0:1]
    b.detach_()
    return [w.requires_grad, fn_name(w), outcome(lambda: w.add_(1))]


def no_grad_view_setitem_after_detach(L):
    x = L.ones(2, requires_grad=True)
    b = x * 1
    with L.no_grad():
        s = b[0:2]
    b.detach_()

    def assign(value):
        s[0] = value
        return s.tolist()

    return [outcome(lambda: assign(x[0])), outcome(lambda: assign(3.0))]


def empty_view_inplace(L):
    x = L.zeros(2, 0, requires_grad=True)
    b = x * 1
    v = b.unsqueeze(0)
    v.div_(2)
    y = (L.zeros(1, 0, requires_grad=True) * 1).t()
    y.zero_()
    return [fn_name(b), fn_name(v), fn_name(y), v._version]


def requires_grad_of_a_changed_no_grad_view(L):
    b = L.ones(2, requires_grad=True) * 1
    with L.no_grad():
        s = b[0:1]
    b.mul_(2)
    return [outcome(lambda: s.requires_grad_(True) is s), outcome(lambda: s.is_leaf)]


def requires_grad_attribute_of_a_non_leaf(L):
    y = L.ones(2, requires_grad=True) * 2

    def assign(value):
        y.requires_grad = value

    return [outcome(lambda: assign(True)), outcome(lambda: assign(False))]


def zero_dim_setitem(L):
    x = L.tensor(1.0, requires_grad=True)
    u = x * 1
    u[...] = 2.0
    u.backward()
    return [fn_name(u), next_names(u), x.grad.item()]


CASES = [
    sibling_after_inplace,
    sibling_through_operator,
    squeezed_view_after_inplace_on_its_view,
    view_after_base_inplace,
    base_requires_grad_later,
    base_changed_then_requires_grad,
    base_detached_after_change,
    base_stops_requiring_grad,
    view_made_to_require_grad,
    view_made_to_require_grad_then_base_changed,
    view_flag_cleared,
    setitem_on_view_made_to_require_grad,
    no_grad_view_after_base_detached,
    no_grad_view_of_plain_tensor,
    no_grad_view_made_to_require_grad,
    no_grad_view_given_its_own_flag_gets_grad,
    view_of_no_grad_view_of_plain_tensor,
    view_of_no_grad_view,
    view_of_no_grad_view_after_detach,
    no_grad_view_setitem_after_detach,
    empty_view_inplace,
    zero_dim_setitem,
    requires_grad_of_a_changed_no_grad_view,
    requires_grad_attribute_of_a_non_leaf,
]


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.__name__)
def test_views_follow_their_base_as_in_torch(case):
    assert outcome(lambda: case(engine)) == outcome(lambda: case(torch))


SETITEM_CASES = {
    "u[:] = w": (slice(None), "w"),
    "u[0:9] = w": (slice(0, 9), "w"),
    "u[-2:] = w": (slice(-2, None), "w"),
    "u[...] = w": (Ellipsis, "w"),
    "u[:, :] = w": ((slice(None), slice(None)), "w"),
    "u[:] = 3.": (slice(None), 3.0),
    "u[...] = 3.": (Ellipsis, 3.0),
    "u[..., 0:2] = 3.": ((Ellipsis, slice(0, 2)), 3.0),
    "u[:] = w * ones(2, 2)": (slice(None), "w2d"),
    "u[...] = w[0]": (Ellipsis, "w0"),
    "u[u > 0] = .5": ("mask", 0.5),
    "u[u > 0] = w[0]": ("mask", "w0"),
    "u[[0, 1]] = w": ([0, 1], "w"),
    "u[:, [0]] = 1.": ((slice(None), [0]), 1.0),
    "u[0, [0]] = 1.": ((0, [0]), 1.0),
    "u[0] = w": (0, "w"),
    "u[None] = w": (None, "w"),
}


def setitem_case(L, index, value):
    x = L.tensor([[1.0, -2.0], [3.0, 4.0]], requires_grad=True)
    w = L.tensor([5.0, 6.0], requires_grad=True)
    u = x * 2
    values = {"w": w, "w0": w[0], "w2d": w * L.ones(2, 2)}
    u[u > 0 if index == "mask" else index] = values.get(value, value)
    fn = u.grad_fn
    (u * u).sum().backward()
    edge = fn.next_functions[0][0]
    return [fn.name(), edge.name(), x.grad.tolist(), None if w.grad is None else w.grad.tolist()]


@pytest.mark.parametrize("case", SETITEM_CASES, ids=str)
def test_setitem_node_is_torchs(case):
    """A write the index makes no view for is torch's copy_/fill_/index_put_ on the tensor itself
    (CopyBackwards, FillBackward3, IndexPutBackward0), else CopySlices."""
    index, value = SETITEM_CASES[case]
    assert setitem_case(engine, index, value) == setitem_case(torch, index, value)


def leaf_setitem(L, index):
    x = L.zeros(2, 1, requires_grad=True)

    def assign():
        x[x > 0 if index == "mask" else index] = 5.0

    return outcome(assign)


@pytest.mark.parametrize(
    "index", [(Ellipsis, slice(0, 1)), slice(None), Ellipsis, "mask", 0, None], ids=str
)
def test_setitem_on_a_leaf_names_a_view_only_when_the_index_makes_one(index):
    assert leaf_setitem(engine, index) == leaf_setitem(torch, index)


def chain(fn):
    """The names along the last edge of each node from `fn` (the value's path in setitem)."""
    names = []
    while fn is not None:
        names.append(fn.name())
        fn = fn.next_functions[-1][0] if fn.next_functions else None
    return names


VALUE_PATHS = {
    "u[:] = w": (slice(None), (2,)),
    "u[:] = w (1, 2)": (slice(None), (1, 2)),
    "u[:] = w (1, 2, 2)": (slice(None), (1, 2, 2)),
    "u[u > 0] = w (1, 1)": ("mask", (1, 1)),
    "u[[0, 1]] = w (1,)": ([0, 1], (1,)),
    "u[0, :] = w": ((0, slice(None)), (2,)),
    "u[0] = w (1, 2)": (0, (1, 2)),
    "u[0] = w (1,)": (0, (1,)),
}


def value_path(L, index, shape):
    x = L.ones(2, 2, requires_grad=True)
    w = L.full(shape, 3.0, requires_grad=True)
    u = x * 1
    u[u > 0 if index == "mask" else index] = w
    names = chain(u.grad_fn)
    (u * u).sum().backward()
    return [names, x.grad.tolist(), w.grad.tolist()]


@pytest.mark.parametrize("case", VALUE_PATHS, ids=str)
def test_setitem_value_is_viewed_and_expanded_as_in_torch(case):
    index, shape = VALUE_PATHS[case]
    assert value_path(engine, index, shape) == value_path(torch, index, shape)


SECOND_BACKWARD = ["t[...] = x[0]", "t[:] = x[0:1]", "t[t > 0] = x[0]", "t[[0, 1]] = x[0]"]
SECOND_BACKWARD += ["t[1:] = x[0]", "t.mul_(x)", "t.add_(x)", "t[1:].add_(x[1:])"]


def backward_twice(L, write):
    x = L.tensor([1.5, -2.0, 3.0, 0.5], requires_grad=True)
    t = L.ones(4) * 1
    {
        "t[...] = x[0]": lambda: t.__setitem__(Ellipsis, x[0]),
        "t[:] = x[0:1]": lambda: t.__setitem__(slice(None), x[0:1]),
        "t[t > 0] = x[0]": lambda: t.__setitem__(t > 0, x[0]),
        "t[[0, 1]] = x[0]": lambda: t.__setitem__([0, 1], x[0]),
        "t[1:] = x[0]": lambda: t.__setitem__(slice(1, None), x[0]),
        "t.mul_(x)": lambda: t.mul_(x),
        "t.add_(x)": lambda: t.add_(x),
        "t[1:].add_(x[1:])": lambda: t[1:].add_(x[1:]),
    }[write]()
    t.sum().backward()
    return [outcome(lambda: t.sum().backward()), x.grad.tolist()]


@pytest.mark.parametrize("write", SECOND_BACKWARD)
def test_a_second_backward_through_a_write_raises_as_in_torch(write):
    """torch's CopySlices and IndexPutBackward0 free what they hold; fill_ and copy_ hold
    nothing."""
    assert backward_twice(engine, write) == backward_twice(torch, write)
