"""torch's "received an invalid combination of arguments" text, when no overload of a function
fits a call (torch/csrc/utils/invalid_arguments.cpp, followed step by step: it re-reads the
printed overloads roughly, splitting them at ", ", so `*` and the empty `()` count as arguments and
`bool keepdim = False` is named `False`; that decides the "didn't match because" lines).
"""

from __future__ import annotations

from typing import Any

from engine.dtypes import DType


def type_name(value: Any) -> str:
    """The type name torch's argument errors give `value` (CPython's tp_name)."""
    from engine.hooks import type_name as tp_name  # engine.hooks needs a finished engine.tensor

    return "torch.dtype" if isinstance(value, DType) else tp_name(value)


def invalid_combination(name: str, options: list[str], args: tuple, kwargs: dict) -> str:
    """torch's "received an invalid combination of arguments" text (format_invalid_args).
    torch holds the keywords in a C++ unordered_map, which lists a few of them last given first."""
    keywords = dict(reversed(list(kwargs.items())))
    text = f"{name}() received an invalid combination of arguments - got "
    if len(options) == 1:
        return text + _one_option(options[0], args, keywords)
    text += _described(args, keywords) + ", but expected one of:\n"
    for printed in options:
        option = _Option(printed)
        text += f" * {printed}\n"
        if option.count_matches(args, keywords):
            unmatched = option.unmatched_keywords(keywords)
            if unmatched:
                text += "      didn't match because some of the keywords were incorrect: "
                text += ", ".join(unmatched) + "\n"
            else:
                text += "      didn't match because some of the arguments have invalid types: "
                text += option.marked(args, keywords) + "\n"
    return text


def _one_option(printed: str, args: tuple, keywords: dict) -> str:
    option = _Option(printed)
    unmatched = option.unmatched_keywords(keywords)
    if unmatched:
        return "got unrecognized keyword arguments: " + ", ".join(unmatched)
    if option.count_matches(args, keywords):
        given = option.marked(args, keywords)
    else:
        given = _described(args, keywords)
    return f"{given}, but expected {printed}"


def _described(args: tuple, keywords: dict) -> str:
    """torch's `_argDesc`: `(Tensor, int, keepdim=bool)`, keywords after a lone `(`."""
    parts = [type_name(a) for a in args] + [f"{k}={type_name(v)}" for k, v in keywords.items()]
    text = "".join(f"{part}, " for part in parts)
    return f"({text[:-2] if args else text})"


class _Option:
    """An overload as invalid_arguments.cpp re-reads its printed form: split at ", " (so `*`
    and the empty `()` count as arguments, and `bool keepdim = False` is named `False`)."""

    def __init__(self, printed: str) -> None:
        self.arguments = []
        for part in printed[1:-1].split(", "):
            kind, _, name = part.rpartition(" ")
            self.arguments.append((name, kind))

    def count_matches(self, args: tuple, keywords: dict) -> bool:
        return len(args) + len(keywords) == len(self.arguments)

    def unmatched_keywords(self, keywords: dict) -> list[str]:
        names = [name for name, _ in self.arguments[max(len(self.arguments) - len(keywords), 0) :]]
        return [key for key in keywords if key not in names]

    def marked(self, args: tuple, keywords: dict) -> str:
        """torch's `_formattedArgDesc`: each type, between `!` where it does not match."""
        values = list(args) + list(keywords.values())
        parts = []
        for i, value in enumerate(values):
            name, kind = self.arguments[i] if i < len(self.arguments) else ("", "")
            text = _element_types(value)
            if i >= len(args):
                text = f"{name}={text}"
            parts.append(text if _option_type_matches(kind, value) else f"!{text}!")
        text = "".join(f"{part}, " for part in parts)
        return f"({text[:-2] if args else text})"


def _option_type_matches(kind: str, value: Any) -> bool:
    accepted = {"float": ("float", "int", "long"), "int": ("int", "long")}.get(kind, (kind,))
    return type_name(value) in accepted


def _element_types(value: Any) -> str:
    """`tuple of (int, int)`, `tuple of (int,)`, `list of [int]`, or the type's name."""
    if not isinstance(value, (tuple, list)):
        return type_name(value)
    inner = ", ".join(type_name(item) for item in value)
    if isinstance(value, tuple):
        return f"{type_name(value)} of ({inner}{',' if len(value) == 1 else ''})"
    return f"{type_name(value)} of [{inner}]"
