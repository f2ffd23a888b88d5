"""torch's Python argument parser, for torch's TypeErrors on the engine's functions and methods.

torch checks every call against the signatures of its overloads before running anything
(torch/csrc/utils/python_arg_parser.cpp). One overload: its error for the first wrong, missing or
extra argument. Several: the first that fits is taken; when none does and exactly one is
plausible by the number of arguments, that one's error; otherwise "received an invalid
combination of arguments" listing the overloads (engine.invalid_arguments).

Signatures are written as torch prints them, plus two marks that are not printed: `?` after a
type that also takes None, `[1]` after `tuple of ints` when a single int is also taken:
`"(Tensor input, tuple of ints[1]? dim, bool keepdim = False, *, torch.dtype? dtype = None)"`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from engine import tensor as _tensor  # partly made when engine.tensor imports this module
from engine.device_type import device
from engine.dtypes import FLOATING, DType
from engine.invalid_arguments import invalid_combination, type_name
from engine.signatures import HIDDEN as HIDDEN_OVERLOAD

_INTS = (int, np.integer)
_NUMBERS = (int, float, complex, np.number, np.bool_)


def _is_tensor(value: Any) -> bool:
    return isinstance(value, _tensor.Tensor)


def _is_scalar_tensor(value: Any, integral: bool) -> bool:
    """A 0-d tensor that does not require grad, which torch takes for a number argument."""
    if not _is_tensor(value) or value.array.ndim or value.requires_grad:
        return False
    return not integral or value.dtype.category != FLOATING


def _is_int(value: Any) -> bool:
    if type(value) is int:
        return True
    if isinstance(value, _INTS):
        return not isinstance(value, bool)
    return _is_scalar_tensor(value, integral=True)


def _is_float(value: Any) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) or _is_scalar_tensor(
        value, integral=False
    )


def _is_number(value: Any) -> bool:
    return isinstance(value, _NUMBERS) or _is_scalar_tensor(value, integral=False)


def _is_int_item(value: Any) -> bool:
    """An item torch takes in a tuple of ints: an int or bool, or an integral tensor of one
    element (of any number of dimensions)."""
    if isinstance(value, _INTS):
        return True
    return _is_tensor(value) and value.array.size == 1 and value.dtype.category != FLOATING


def _is_first_item(value: Any) -> bool:
    """torch chooses an overload by a tuple's first item, and refuses a bool there."""
    return _is_int_item(value) and not isinstance(value, (bool, np.bool_))


def first_non_int(items: Any) -> int:
    """The index of the first item of a tuple of ints that is not an int (bools pass), or -1."""
    for i, item in enumerate(items):
        if not _is_int_item(item):
            return i
    return -1


def _is_int_list(value: Any) -> bool:
    if not isinstance(value, (tuple, list)):
        return False
    return not value or (_is_first_item(value[0]) and first_non_int(value) < 0)


def _is_one_int(value: Any) -> bool:
    """What a `tuple of ints[1]` takes for a single int (`x.sum(torch.tensor([0]))`)."""
    return _is_int(value) or (_is_tensor(value) and _is_first_item(value))


_CHECKS: dict[str, Callable[[Any], bool]] = {
    "Tensor": _is_tensor,
    "int": _is_int,
    "float": _is_float,
    "bool": lambda value: value is True or value is False,
    "Number": _is_number,
    "torch.dtype": lambda value: isinstance(value, DType),
    "str": lambda value: isinstance(value, str),
    "torch.memory_format": lambda value: False,  # the engine has no memory formats
    "torch.device": lambda value: isinstance(value, (str, device)) or _is_int(value),
    "tuple of ints": _is_int_list,
    "tuple of Tensors": lambda value: (
        isinstance(value, (tuple, list)) and all(map(_is_tensor, value))
    ),
}


class Param:
    """One parameter of a signature: `type name` or `type name = default`."""

    __slots__ = (
        "type_name",
        "name",
        "position",
        "optional",
        "allow_none",
        "keyword_only",
        "fits",
        "accepts",
    )

    def __init__(
        self, text: str, position: int, keyword_only: bool, numbers_as_tensors: bool
    ) -> None:
        text, _, default = text.partition(" = ")
        self.position = position
        kind, _, self.name = text.rpartition(" ")
        self.allow_none = kind.endswith("?") or default == "None"
        self.type_name = kind.replace("?", "").replace("[1]", "")
        self.optional = bool(default)
        self.keyword_only = keyword_only
        fits = _CHECKS[self.type_name]
        if "[1]" in kind:
            fits = _either(fits, _is_one_int)
        if self.type_name == "Tensor" and numbers_as_tensors:
            fits = _either(fits, _is_number)
        self.fits = fits
        self.accepts = _either(_is_none, fits) if self.allow_none else fits

    def failure(self, value: Any) -> int | None:
        """None when `value` fits; else -1, or the index of a bad item of a tuple of ints (torch
        looks at the first item only when choosing the overload, at the rest when converting)."""
        if self.type_name == "tuple of ints" and isinstance(value, (tuple, list)):
            return None if not value or _is_first_item(value[0]) else 0
        return None if self.fits(value) else -1


def _is_none(value: Any) -> bool:
    return value is None


def _either(first: Callable[[Any], bool], second: Callable[[Any], bool]) -> Callable[[Any], bool]:
    return lambda value: first(value) or second(value)


class Signature:
    """One overload: its parameters and torch's parse of a call against them."""

    def __init__(self, name: str, text: str, numbers_as_tensors: bool = False) -> None:
        self.name = name
        self.text = text.replace("?", "").replace("[1]", "")
        self.params: list[Param] = []
        keyword_only = False
        for part in text[1:-1].split(", ") if text != "()" else ():
            if part == "*":
                keyword_only = True
            else:
                position = len(self.params)
                self.params.append(Param(part, position, keyword_only, numbers_as_tensors))
        self.min_args = sum(not p.optional for p in self.params)
        self.max_args = len(self.params)
        self.max_pos_args = sum(not p.keyword_only for p in self.params)
        self.varargs = self.max_pos_args == 1 and self.params[0].type_name == "tuple of ints"

    def fits_positionally(self, args: tuple) -> bool:
        """Whether a call without keywords surely fits (all of torch's checks pass)."""
        if self.varargs and len(args) > 1:  # reshape(2, 3) as reshape((2, 3))
            return _is_int(args[0]) and first_non_int(args) < 0
        if self.varargs and args and _is_int(args[0]):
            return True
        if not self.min_args <= len(args) <= self.max_pos_args:
            return False
        pairs = zip(self.params, args, strict=False)  # optional parameters may be left out
        return all(param.accepts(value) for param, value in pairs)

    def types_decide(self, args: tuple) -> bool:
        """Whether every call with these argument types (call_key) fits as this one does: not
        when a tensor stands where a number or int is expected (its size and dtype count)."""
        if self.varargs and args and not isinstance(args[0], (tuple, list)):
            return not any(map(_is_tensor, args))
        for param, value in zip(self.params, args, strict=False):
            items = value if isinstance(value, (tuple, list)) else (value,)
            if param.type_name != "Tensor" and any(map(_is_tensor, items)):
                return False
        return True

    def fits(self, args: tuple, kwargs: dict) -> list | None:
        """The call's values by parameter when it fits this overload, else None (torch's
        FunctionSignature::parse)."""
        return self._parse(args, kwargs, False)

    def check(self, args: tuple, kwargs: dict) -> list:
        """The call's values by parameter; torch's TypeError for the first thing not fitting."""
        return self._parse(args, kwargs, True)

    def _parse(self, args: tuple, kwargs: dict, raise_error: bool) -> list | None:
        if len(args) > self.max_pos_args and not self.varargs:
            return self._extra_args(len(args)) if raise_error else None
        position, remaining, bound = 0, len(kwargs), []
        for i, param in enumerate(self.params):
            if position < len(args):
                if param.keyword_only:
                    return self._extra_args(len(args)) if raise_error else None
                value, keyword = args[position], False
            else:
                value, keyword = kwargs.get(param.name, _MISSING), True
            if (value is _MISSING and param.optional) or (value is None and param.allow_none):
                pass
            elif value is _MISSING:
                return self._missing(i) if raise_error else None
            elif (failed := param.failure(value)) is not None:
                if self.varargs and not keyword and _is_int(args[0]):
                    bound.append((param, args))  # reshape(2, 3) as reshape((2, 3))
                    position = len(args)
                    continue
                if not raise_error:
                    return None
                if self.varargs and not keyword and len(args) > 1:
                    self._extra_args(len(args))
                self._wrong_type(param, value, position, keyword, failed)
            bound.append((param, value))
            if not keyword:
                position += 1
            elif value is not _MISSING:
                remaining -= 1
        if remaining > 0:
            return self._extra_kwargs(kwargs, len(args)) if raise_error else None
        return bound

    def _extra_args(self, given: int) -> bool:
        low, high = self.min_args, self.max_pos_args
        if low != high:
            raise TypeError(
                f"{self.name}() takes from {low} to {high} positional arguments but {given} "
                "were given"
            )
        raise TypeError(
            f"{self.name}() takes {high} positional argument{'' if high == 1 else 's'} but "
            f"{given} {'was' if given == 1 else 'were'} given"
        )

    def _missing(self, index: int) -> bool:
        names = [f'"{p.name}"' for p in self.params[index:] if not p.optional]
        plural = "s" if len(names) == 1 else ""  # sic: torch's grammar
        raise TypeError(
            f"{self.name}() missing {len(names)} required positional argument{plural}: "
            + ", ".join(names)
        )

    def _wrong_type(self, param: Param, value: Any, position: int, keyword: bool, failed: int):
        prefix = f"{self.name}(): argument '{param.name}'"
        if keyword:
            raise TypeError(f"{prefix} must be {param.type_name}, not {type_name(value)}")
        prefix += f" (position {position + 1}) must be {param.type_name}"
        if failed >= 0:
            item = type_name(value[failed])
            raise TypeError(f"{prefix}, but found element of type {item} at pos {failed}")
        raise TypeError(f"{prefix}, not {type_name(value)}")

    def _extra_kwargs(self, kwargs: dict, positional: int) -> bool:
        names = [p.name for p in self.params]
        for key in kwargs:
            if key not in names:
                raise TypeError(f"{self.name}() got an unexpected keyword argument '{key}'")
            if names.index(key) < positional:
                raise TypeError(f"{self.name}() got multiple values for argument '{key}'")
        raise TypeError("invalid keyword arguments")


_MISSING = object()


class Arguments:
    """The overloads of one torch function or method (PythonArgParser)."""

    def __init__(self, name: str, *signatures: str, numbers_as_tensors: bool = False) -> None:
        self.name = name
        shown = [text for text in signatures if text != HIDDEN_OVERLOAD]
        self.signatures = [Signature(name, text, numbers_as_tensors) for text in shown]
        self.only_one = len(signatures) == 1
        # call_key()s of positional calls known to fit; a method without arguments takes ()
        self.accepted: set = set() if self.signatures else {()}
        # tuple/list types of which a lone argument fits whenever its items are plain ints
        self.int_sequences: set[type] = set()

    def check(self, args: tuple) -> None:
        """Return if a call without keywords fits an overload; else raise torch's TypeError."""
        key = call_key(args)
        if key in self.accepted:
            return
        for signature in self.signatures:
            if signature.fits_positionally(args):
                if signature.types_decide(args):
                    self.accepted.add(key)
                    if len(args) == 1 and key == (type(args[0]), int):
                        self.int_sequences.add(type(args[0]))
                return
        self.bind(args, {})

    def parse(self, args: tuple, kwargs: dict) -> tuple[tuple, dict]:
        """The call as the implementing function takes it: the values of the leading positional
        parameters given, then the others given by torch's names (`x.view(size=(2, 3))` is
        `view((2, 3))`, `torch.dot(input=x, tensor=y)` is `dot(x, tensor=y)`); torch's TypeError
        when the call fits no overload."""
        positional, keywords = [], {}
        for param, value in self.bind(args, kwargs):
            if value is _MISSING:
                continue
            if param.keyword_only or keywords or len(positional) < param.position:
                keywords[param.name] = value
            else:
                positional.append(value)
        return tuple(positional), keywords

    def named(self, args: tuple, kwargs: dict) -> dict:
        """The call's values by the names the overload it fits gives them (those given only);
        torch's TypeError when it fits none."""
        return {
            param.name: value for param, value in self.bind(args, kwargs) if value is not _MISSING
        }

    def bind(self, args: tuple, kwargs: dict) -> list:
        """(parameter, value) pairs of the overload the call fits; torch's TypeError if none."""
        if not self.signatures:
            if args or kwargs:
                self._no_arguments(args, kwargs)
            return []
        if self.only_one:
            bound = self.signatures[0].check(args, kwargs)
        else:
            for signature in self.signatures:
                bound = signature.fits(args, kwargs)
                if bound is not None:
                    break
            else:
                self._no_overload(args, kwargs)
        for param, value in bound:
            if param.type_name == "tuple of ints" and isinstance(value, (tuple, list)):
                self._unpack(param, value)
        return bound

    def _no_arguments(self, args: tuple, kwargs: dict) -> None:
        """Python's errors for torch's methods that take no arguments (C's METH_NOARGS)."""
        if kwargs:
            raise TypeError(f"TensorBase.{self.name}() takes no keyword arguments")
        raise TypeError(f"TensorBase.{self.name}() takes no arguments ({len(args)} given)")

    def _no_overload(self, args: tuple, kwargs: dict) -> None:
        count = len(args) + len(kwargs)
        plausible = [s for s in self.signatures if s.min_args <= count <= s.max_args]
        if len(plausible) == 1:
            plausible[0].check(args, kwargs)
        options = [s.text for s in self.signatures]
        raise TypeError(invalid_combination(self.name, options, args, kwargs))

    def _unpack(self, param: Param, values: tuple | list) -> None:
        """torch's error converting a tuple of ints whose first item was an int."""
        failed = first_non_int(values)
        if failed >= 0:
            raise TypeError(
                f"{self.name}(): argument '{param.name}' failed to unpack the object at pos "
                f'{failed + 1} with error "type must be tuple of ints,but got '
                f'{type_name(values[failed])}"'
            )


def call_key(args: tuple) -> Any:
    """What decides whether a positional call fits, once one like it did: its arguments' types,
    with a tuple's or list's items' types. One argument's key is its own (`int`), several
    arguments' the tuple of theirs, none's `()`. A sequence's key is `(type, int)` when its
    items are all plain ints, whatever their number (engine.checked tests that inline)."""
    if len(args) == 1:
        return _argument_key(args[0])
    return tuple(map(_argument_key, args))


def _argument_key(value: Any) -> Any:
    if not isinstance(value, (tuple, list)):
        return type(value)
    if all(type(item) is int for item in value):
        return (type(value), int)
    return (type(value), *map(type, value))
