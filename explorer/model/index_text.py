"""An index as the user writes it between brackets: `0`, `1:`, `:, 1`, `None`, `...`, `labels`.

An indexing op node is titled with the part of the index that node applies, written as an index
of the node's own input. torch applies `y[0, 1:]` part by part, so it is two nodes: `[0]` on `y`,
then `[1:]` on the `y[0]` that made (not `[:, 1:]`: `y[0]` has no second dimension left);
`y[..., None, 0]` is `[:, None]` then `[:, :, 0]`, one `:` per dimension before the part.
Slices read as written (`1:`, not the `1:3` they resolve to). A tensor reads as its name when it
has one (`labels`), else as its values cut short (`tensor([0, 1])`, `tensor([[True, ...], ...])`);
a list as `[0, 2]`, a range as `range(2)`. Long indexes end in `...]`.
"""

from __future__ import annotations

from collections.abc import Callable
from numbers import Integral

import numpy as np

from engine import Tensor

INDEX_TEXT_LIMIT = 40
PART_LIMIT = 28  # a tensor or list part's values; the index as a whole keeps INDEX_TEXT_LIMIT
_ITEMS = (4, 3, 2, 1)  # values shown per dimension, fewest tried last

NameOf = Callable[[Tensor], str]


def index_text(index: object, name_of: NameOf | None = None) -> str:
    """`[0, 1:]` for the index `(0, slice(1, None))`; `name_of(tensor)` names a tensor part
    ("" when it has no name, then its values are shown)."""
    parts = index if isinstance(index, tuple) else (index,)
    text = ", ".join(_part_text(part, name_of or _unnamed) for part in parts)
    if len(text) + 2 > INDEX_TEXT_LIMIT:
        text = text[: INDEX_TEXT_LIMIT - 5] + "..."
    return f"[{text}]"


def _unnamed(tensor: Tensor) -> str:
    return ""


def _part_text(part: object, name_of: NameOf) -> str:
    if isinstance(part, slice):
        return _slice_text(part, name_of)
    if part is Ellipsis:
        return "..."
    if isinstance(part, Tensor):
        return name_of(part) or _tensor_text(part)
    if isinstance(part, range):
        return _range_text(part)
    if isinstance(part, list | tuple | np.ndarray):
        return _fitted(lambda items: _values_text(part, items, name_of))
    return _scalar_text(part)


def _scalar_text(value: object) -> str:
    if isinstance(value, Integral) and not isinstance(value, bool | np.bool_):
        return str(int(value))  # numpy integers too
    return repr(value)


def _slice_text(part: slice, name_of: NameOf) -> str:
    start = "" if part.start is None else _part_text(part.start, name_of)
    stop = "" if part.stop is None else _part_text(part.stop, name_of)
    if part.step is None:
        return f"{start}:{stop}"
    return f"{start}:{stop}:{_part_text(part.step, name_of)}"


def _range_text(part: range) -> str:
    """`range(2)`, `range(1, 3)`, `range(0, 6, 2)`: the shortest way to write it."""
    if part.step != 1:
        return f"range({part.start}, {part.stop}, {part.step})"
    if part.start != 0:
        return f"range({part.start}, {part.stop})"
    return f"range({part.stop})"


def _tensor_text(tensor: Tensor) -> str:
    """A nameless tensor's values as torch prints them, on one line and cut short."""
    array = tensor.array
    head = array[(slice(0, _ITEMS[0] + 1),) * array.ndim]  # enough to tell that more follow
    values = head.tolist()
    return _fitted(lambda items: f"tensor({_values_text(values, items, _unnamed)})")


def _fitted(render: Callable[[int], str]) -> str:
    """`render(items)` for the most items per dimension that fits in PART_LIMIT."""
    for items in _ITEMS[:-1]:
        text = render(items)
        if len(text) <= PART_LIMIT:
            return text
    return render(_ITEMS[-1])


def _values_text(values: object, items: int, name_of: NameOf) -> str:
    """Nested values as `[0, 1, ...]`, at most `items` of them per level (nesting is as deep as
    the tensor has dimensions or the user nested the list)."""
    if isinstance(values, Tensor):
        return _part_text(values, name_of)
    if not isinstance(values, list | tuple | np.ndarray):
        return _scalar_text(values)
    shown = [_values_text(value, items, name_of) for value in values[:items]]
    if len(values) > items:
        shown.append("...")
    opening, closing = "()" if isinstance(values, tuple) else "[]"
    return opening + ", ".join(shown) + closing
