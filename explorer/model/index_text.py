"""An index as the user writes it between brackets: `0`, `1:3`, `:, 1`, `None`, `...`."""

from __future__ import annotations

from numbers import Integral

INDEX_TEXT_LIMIT = 40


def index_text(index: object) -> str:
    """`[0, 1:]` for the index `(0, slice(1, None))`; long indexes end in `...]`."""
    parts = index if isinstance(index, tuple) else (index,)
    text = ", ".join(_part_text(part) for part in parts)
    if len(text) + 2 > INDEX_TEXT_LIMIT:
        text = text[: INDEX_TEXT_LIMIT - 5] + "..."
    return f"[{text}]"


def _part_text(part: object) -> str:
    if isinstance(part, slice):
        return _slice_text(part)
    if part is Ellipsis:
        return "..."
    if isinstance(part, Integral) and not isinstance(part, bool):
        return str(int(part))  # numpy integers too
    return repr(part)


def _slice_text(part: slice) -> str:
    start = "" if part.start is None else repr(part.start)
    stop = "" if part.stop is None else repr(part.stop)
    if part.step is None or part.step == 1:
        return f"{start}:{stop}"
    return f"{start}:{stop}:{part.step!r}"
