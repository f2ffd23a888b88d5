"""The Python built-in functions programs may call, each bounded by the run's Budget.

Anything that consumes an iterable first checks its length, so ``sum(range(10**12))`` is
refused at once instead of running for hours inside one C call.
"""

from __future__ import annotations

from collections.abc import Callable

from explorer.model.limits import Budget, LimitExceeded
from explorer.model.safety import Builtin, Refused


class Generated:
    """A generator expression's values, computed eagerly under the Budget; iterable once, as a
    generator is. Its class is named ``generator`` so error messages read as Python's."""

    __slots__ = ("_items", "length")

    def __init__(self, values: list) -> None:
        self._items, self.length = iter(values), len(values)

    def __iter__(self) -> Generated:
        return self

    def __next__(self) -> object:
        return next(self._items)

    def __repr__(self) -> str:
        return "<generator object <genexpr>>"


Generated.__name__ = Generated.__qualname__ = "generator"


def bounded(budget: Budget, value: object) -> object:
    """``value`` if it is a sized iterable within the sequence limit, else an error."""
    if isinstance(value, Generated):
        return value
    try:
        length = len(value)
    except TypeError:
        iter(value)
        raise TypeError(
            f"'{type(value).__name__}' objects cannot be consumed here; "
            "use a range, list, tuple, dict, str or tensor"
        ) from None
    except OverflowError:
        length = budget.limits.max_sequence_length + 1
    if length > budget.limits.max_sequence_length:
        raise LimitExceeded(
            f"iterating over {length:,} items; the limit is {budget.limits.max_sequence_length:,}"
        )
    return value


def make_builtins(budget: Budget, emit: Callable[[str], None]) -> dict[str, Builtin]:
    """The builtins of one run; ``emit`` receives printed text."""

    def each(function: Callable) -> Callable:
        def call(*args: object, **kwargs: object) -> object:
            if len(args) == 1 and not isinstance(args[0], (int, float, complex)):
                bounded(budget, args[0])
            return function(*args, **kwargs)

        return call

    def all_bounded(function: Callable) -> Callable:
        def call(*args: object) -> object:
            return function(*(bounded(budget, arg) for arg in args))

        return call

    def print_(*args: object, **kwargs: object) -> None:
        refuse_unknown_keywords("print", {"sep", "end", "flush"}, kwargs)
        sep, end = kwargs.get("sep", " "), kwargs.get("end", "\n")
        if not isinstance(sep, (str, type(None))) or not isinstance(end, (str, type(None))):
            raise TypeError("sep and end must be None or a string")
        sep = " " if sep is None else sep
        emit(sep.join(str(arg) for arg in args) + ("\n" if end is None else end))

    def isinstance_(value: object, classes: object) -> bool:
        if not isinstance(classes, (type, tuple)):
            raise TypeError("isinstance() arg 2 must be a type or tuple of types")
        return isinstance(value, classes)

    functions: dict[str, Callable] = {
        "print": print_,
        "len": len,
        "range": range,
        "abs": abs,
        "round": round,
        "divmod": divmod,
        "repr": repr,
        "isinstance": isinstance_,
        "min": each(min),
        "max": each(max),
        "sum": each(sum),
        "any": each(any),
        "all": each(all),
        "sorted": lambda items, reverse=False: sorted(bounded(budget, items), reverse=reverse),
        "enumerate": lambda iterable, start=0: list(enumerate(bounded(budget, iterable), start)),
        "zip": lambda *iterables: list(all_bounded(zip)(*iterables)),
        "reversed": lambda sequence: list(reversed(bounded(budget, sequence))),
    }
    result = {name: Builtin(name, function) for name, function in functions.items()}
    for kind in (float, int, bool, str):
        result[kind.__name__] = Builtin(kind.__name__, kind, kind)
    for kind in (list, tuple, dict):
        result[kind.__name__] = Builtin(kind.__name__, each(kind), kind)
    return result


def refuse_unknown_keywords(name: str, allowed: set[str], kwargs: dict) -> None:
    """Refuse keyword arguments a builtin does not support here (``print(file=...)``)."""
    unknown = set(kwargs) - allowed
    if unknown:
        raise Refused(f"{name}({sorted(unknown)[0]}=...) is not supported")
