"""A view's `_base` is its root base, and a view of a view inherits how its base was made (in
no_grad mode, or as one of several outputs), compared with torch itself."""

import pytest

import engine

torch = pytest.importorskip("torch")


def _views(T):
    b = T.arange(6.0).requires_grad_() * 1
    m = b.view(2, 3)
    return b, {
        "b[1:][0:1]": b[1:][0:1],
        "b.view(2, 3)[0]": m[0],
        "b.view(2, 3).t()": m.t(),
        "b.expand(2, 6)[0]": b.expand(2, 6)[0],
        "row of b.view(2, 3)": list(m)[1],
        "b.view(2, 3).reshape(3, 2)": m.reshape(3, 2),
        "b.view(2, 3).unsqueeze(0)[0][1]": m.unsqueeze(0)[0][1],
        "split of b.view(2, 3)": m.split(1, 1)[2],
    }


@pytest.mark.parametrize("name", list(_views(engine)[1]))
def test_base_of_a_view_of_a_view_is_the_root(name):
    for T in (engine, torch):
        b, views = _views(T)
        assert views[name]._base is b


def _in_place(make):
    def program(T):
        try:
            make(T)
        except RuntimeError as exc:
            return str(exc)
        return "no error"

    return program


def _no_grad_view_then_view(T):
    b = T.ones(4, requires_grad=True) * 1
    with T.no_grad():
        v = b[1:]
    v[1:].mul_(2)


def _view_of_no_grad_view_made_later(T):
    b = T.ones(4, requires_grad=True) * 1
    with T.no_grad():
        v = b[1:]
    w = v.view(3, 1)
    b.add_(1)
    return w.grad_fn


def _no_grad_view_of_a_row(T):
    b = T.ones(2, 2, requires_grad=True) * 1
    row = list(b)[0]
    with T.no_grad():
        v = row[1:]
    v.mul_(2)


def _row_of_a_no_grad_view(T):
    b = T.ones(2, 2, requires_grad=True) * 1
    with T.no_grad():
        v = b.view(2, 2)
    list(v)[0].mul_(2)


def _view_of_a_split(T):
    b = T.ones(4, requires_grad=True) * 1
    b.split(2)[1].view(2, 1).zero_()


PROGRAMS = {
    "view of a no_grad view, in place": _in_place(_no_grad_view_then_view),
    "view of a no_grad view, base changed": _in_place(_view_of_no_grad_view_made_later),
    "no_grad view of a row, in place": _in_place(_no_grad_view_of_a_row),
    "row of a no_grad view, in place": _in_place(_row_of_a_no_grad_view),
    "view of a split, in place": _in_place(_view_of_a_split),
}


@pytest.mark.parametrize("name", PROGRAMS)
def test_creation_meta_propagates_as_torch(name):
    assert PROGRAMS[name](engine) == PROGRAMS[name](torch)
