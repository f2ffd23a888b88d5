"""A cell's Out as IPython shows it: repr, None hidden, containers broken past 79 columns."""

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import engine as torch
from explorer.model.display import display_text, pretty

try:
    from IPython.lib.pretty import pretty as ipython_pretty
except ImportError:
    ipython_pretty = None


class MultiLine:
    """Stands in for a multi-line tensor repr."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return self.text


MATRIX = MultiLine("tensor([[1., 1.],\n        [1., 1.]])")


def test_none_is_not_shown_and_other_values_are_their_repr():
    assert display_text(None) is None
    assert display_text(3) == "3"
    assert display_text("a") == "'a'"


def test_a_tuple_that_fits_stays_on_one_line():
    assert pretty((1, 2)) == "(1, 2)"
    assert pretty((1,)) == "(1,)"
    assert pretty(()) == "()"
    assert pretty(["x" * 73]) == "['" + "x" * 73 + "']"


def test_79_columns_fit_and_80_break():
    assert pretty(("x" * 73,)) == "('" + "x" * 73 + "',)"
    assert pretty(("x" * 36, "y" * 35)) == f"('{'x' * 36}', '{'y' * 35}')"
    assert pretty(("x" * 36, "y" * 36)) == f"('{'x' * 36}',\n '{'y' * 36}')"


def test_a_multi_line_item_breaks_the_tuple_and_its_lines_are_indented():
    assert pretty((MATRIX, MultiLine("tensor([0., 0.])"))) == (
        "(tensor([[1., 1.],\n         [1., 1.]]),\n tensor([0., 0.]))"
    )


def test_dicts_and_nesting():
    assert pretty({"a": 1, "b": [1, 2]}) == "{'a': 1, 'b': [1, 2]}"
    nested = {"key": ("a" * 40, "b" * 40)}
    assert pretty(nested) == "{'key': ('" + "a" * 40 + "',\n  '" + "b" * 40 + "')}"


def test_long_containers_end_in_dots_and_cycles_are_marked():
    assert pretty(list(range(1001))).endswith(" 999,\n ...]")
    cyclic = [1]
    cyclic.append(cyclic)
    assert pretty(cyclic) == "[1, [...]]"


def test_tuple_subclasses_with_their_own_repr_use_it():
    assert pretty(torch.Size([2, 3])) == "torch.Size([2, 3])"


def test_the_seed_last_cell():
    x = torch.arange(4.0).requires_grad_(True)
    o = x * x * x
    o.sum().backward()
    assert pretty((x, o, x.grad)) == (
        "(tensor([0., 1., 2., 3.], requires_grad=True),\n"
        " tensor([ 0.,  1.,  8., 27.], grad_fn=<MulBackward0>),\n"
        " tensor([ 0.,  3., 12., 27.]))"
    )


LEAVES = st.one_of(
    st.integers(-(10**6), 10**6),
    st.text("ab \n", max_size=30),
    st.builds(MultiLine, st.text("xy\n", min_size=1, max_size=40)),
)
VALUES = st.recursive(
    LEAVES,
    lambda children: st.one_of(
        st.lists(children, max_size=6),
        st.lists(children, max_size=6).map(tuple),
        st.dictionaries(st.text("k", min_size=1, max_size=30), children, max_size=4),
    ),
    max_leaves=25,
)


@pytest.mark.skipif(ipython_pretty is None, reason="IPython is not installed")
@settings(max_examples=300, deadline=None)
@given(VALUES)
def test_same_text_as_ipython(value):
    assert pretty(value) == ipython_pretty(value)


def _objects(lib):
    """Objects whose class has Python's default repr in torch, as a cell shows them."""
    x = lib.ones(2, requires_grad=True)
    y = x * 2
    return {
        "grad_fn": y.grad_fn,
        "next_functions": y.grad_fn.next_functions,
        "no_grad": lib.no_grad(),
        "hook handle": y.register_hook(lambda g: g),
        "list of grad_fns": [y.grad_fn, (y * 3).grad_fn],
    }


@pytest.mark.parametrize("name", list(_objects(torch)))
def test_engine_objects_are_shown_as_a_notebook_shows_torchs(name):
    real_torch = pytest.importorskip("torch")
    if ipython_pretty is None:
        pytest.skip("IPython is not installed")
    without_addresses = re.compile(r"0x[0-9a-f]+")
    ours = pretty(_objects(torch)[name])
    theirs = ipython_pretty(_objects(real_torch)[name])
    assert without_addresses.sub("0x", ours) == without_addresses.sub("0x", theirs)
