"""Tensor methods and module functions checked by torch's argument parser (engine.arguments).

`@torch_method` wraps a Tensor method for `t.name(...)` (signatures.METHODS); `torch_function`
wraps the same code as `torch.name(...)` (signatures.FUNCTIONS, the tensor first as `input`).
Each wrapper is a plain function: in the class dict Python binds it without a descriptor call.

The check costs little on the common path: a call without keywords whose argument types
(engine.arguments.call_key) fitted before is let through after one set lookup, the key computed
inline for up to two arguments. Calls with keywords are parsed and passed on as the parser bound
them (`x.view(size=(2, 3))` runs as `view((2, 3))`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from engine import signatures
from engine.arguments import Arguments

_NUMPY_NAMES = (("axis", "dim"), ("keepdims", "keepdim"))  # torch takes numpy's names for these


def numpy_names(arguments: Arguments) -> Callable[[dict], dict]:
    """The keywords of a call with numpy's names (`axis=`, `keepdims=`) given torch's, for the
    parameters `arguments` has (a name given both ways stays, for torch's error)."""
    params = {p.name for signature in arguments.signatures for p in signature.params}
    aliases = [(numpy, torch) for numpy, torch in _NUMPY_NAMES if torch in params]

    def renamed(kwargs: dict) -> dict:
        for numpy, torch in aliases:
            if numpy in kwargs and torch not in kwargs:
                kwargs = {torch if k == numpy else k: v for k, v in kwargs.items()}
        return kwargs

    return renamed


def _arguments(name: str, table: dict) -> Arguments | None:
    texts = table.get(name)
    if texts is None:
        return None
    return Arguments(name, *texts, numbers_as_tensors=name in signatures.NUMBERS_AS_TENSORS)


def torch_method(fn: Callable, name: str | None = None) -> Callable:
    """`fn` as the Tensor method `name` (its own name by default) checked by torch's signatures
    for it; a method torch has no signatures for here keeps Python's own argument errors."""
    name = name or fn.__name__
    arguments = _arguments(name, signatures.METHODS)
    if arguments is None:
        fn.__qualname__ = name  # Python's argument errors then read `name() ...`
        return fn
    accepted, check, parse = arguments.accepted, arguments.check, arguments.parse
    int_sequences = arguments.int_sequences
    renamed = numpy_names(arguments)

    @functools.wraps(fn)
    def method(self: Any, *args: Any, **kwargs: Any) -> Any:
        if kwargs:
            args, kwargs = parse(args, renamed(kwargs))
            return fn(self, *args, **kwargs)
        n = len(args)
        if n == 0:
            if () in accepted:
                return fn(self)
        elif n == 1:
            key = type(args[0])
            if key in accepted:
                return fn(self, args[0])
            if key in int_sequences:
                for item in args[0]:  # call_key's test for a sequence of plain ints, inline
                    if type(item) is not int:
                        break
                else:
                    return fn(self, args[0])
        elif n == 2 and (type(args[0]), type(args[1])) in accepted:
            return fn(self, args[0], args[1])
        check(args)
        return fn(self, *args)

    method.__qualname__ = name
    return method


def torch_function(fn: Callable, name: str | None = None) -> Callable:
    """`fn` (a method's code, or a function whose first parameter is torch's `input`) as the
    module function `torch.name` checked by torch's signatures for it."""
    name = name or fn.__name__
    return checked_function(_arguments(name, signatures.FUNCTIONS), fn)


def checked_function(arguments: Arguments, fn: Callable) -> Callable:
    """`fn` as a module function whose calls are checked by `arguments` first."""
    accepted, check, parse = arguments.accepted, arguments.check, arguments.parse
    renamed = numpy_names(arguments)

    @functools.wraps(fn)
    def function(*args: Any, **kwargs: Any) -> Any:
        if kwargs:
            args, kwargs = parse(args, renamed(kwargs))
            return fn(*args, **kwargs)
        n = len(args)
        if n == 1:
            if type(args[0]) in accepted:
                return fn(args[0])
        elif n == 2 and (type(args[0]), type(args[1])) in accepted:
            return fn(args[0], args[1])
        check(args)
        return fn(*args)

    function.__qualname__ = arguments.name
    return function
