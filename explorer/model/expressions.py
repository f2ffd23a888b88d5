"""Expressions of the allowed subset: each node kind has one small method ``_<NodeName>``."""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable
from typing import Any

import numpy as np

from explorer.model.limits import SEQUENCE_TYPES, Budget
from explorer.model.pyfunctions import Generated, bounded
from explorer.model.safety import Builtin, Refused, check_callable, read_attribute, read_only

BINARY: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
    ast.MatMult: operator.matmul,
    ast.LShift: operator.lshift,
    ast.RShift: operator.rshift,
    ast.BitAnd: operator.and_,
    ast.BitOr: operator.or_,
    ast.BitXor: operator.xor,
}
IN_PLACE: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: operator.iadd,
    ast.Sub: operator.isub,
    ast.Mult: operator.imul,
    ast.Div: operator.itruediv,
    ast.FloorDiv: operator.ifloordiv,
    ast.Mod: operator.imod,
    ast.Pow: operator.ipow,
    ast.MatMult: operator.imatmul,
    ast.LShift: operator.ilshift,
    ast.RShift: operator.irshift,
    ast.BitAnd: operator.iand,
    ast.BitOr: operator.ior,
    ast.BitXor: operator.ixor,
}
UNARY = {ast.USub: operator.neg, ast.UAdd: operator.pos, ast.Invert: operator.invert}
COMPARE: dict[type, Callable[[Any, Any], Any]] = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.Is: operator.is_,
    ast.IsNot: operator.is_not,
    ast.In: lambda left, right: left in right,
    ast.NotIn: lambda left, right: left not in right,
}
CONVERSIONS = {ord("s"): str, ord("r"): repr, ord("a"): ascii}
_HANDS_BACK = frozenset({"get", "pop", "setdefault", "__getitem__"})  # list/dict methods


class ObserverError(Exception):
    """The observer failed (a bug in the app, not in the program); ``__cause__`` says how."""


class Located(Exception):
    """An error raised while evaluating ``node`` (the innermost node that failed)."""

    def __init__(self, error: Exception, node: ast.AST) -> None:
        super().__init__(error, node)
        self.error, self.node = error, node


def _plain(value: object) -> object:
    """Builtins standing for Python types (``float``) are passed on as the types themselves."""
    return value.pytype if isinstance(value, Builtin) and value.pytype is not None else value


class ExpressionEvaluator:
    """Evaluates expression nodes against ``namespace`` and ``builtins``."""

    def __init__(self, root: str, budget: Budget, builtins: dict[str, Builtin]) -> None:
        self.root = root
        self.budget = budget
        self.builtins = builtins
        self.namespace: dict[str, object] = {}
        self.scopes: list[dict[str, object]] = []  # comprehensions' own variables

    def value(self, node: ast.expr) -> object:
        """The value of an expression; errors come out as Located at the innermost node."""
        try:
            return getattr(self, "_" + type(node).__name__)(node)
        except (Located, ObserverError):
            raise
        except Exception as error:
            raise Located(error, node) from None

    def _Constant(self, node: ast.Constant) -> object:
        return node.value

    def _name(self, node: ast.Name) -> object:
        for scope in reversed(self.scopes):
            if node.id in scope:
                return scope[node.id]
        if node.id in self.namespace:
            return self.namespace[node.id]
        if node.id in self.builtins:
            return self.builtins[node.id]
        raise NameError(f"name '{node.id}' is not defined")

    _Name = _name

    def _Attribute(self, node: ast.Attribute) -> object:
        return read_only(read_attribute(self.value(node.value), node.attr, self.root))

    def _index(self, node: ast.expr) -> object:
        if isinstance(node, ast.Slice):
            parts = (node.lower, node.upper, node.step)
            return slice(*(None if part is None else self.value(part) for part in parts))
        if isinstance(node, ast.Tuple):
            return tuple(self._index(element) for element in node.elts)
        return self.value(node)

    def _Subscript(self, node: ast.Subscript) -> object:
        index = self._index(node.slice)
        result = self.value(node.value)[index]
        self.budget.check_result(result)
        if isinstance(index, slice):
            self.budget.count_built(result)
        return read_only(result)

    def _Slice(self, node: ast.Slice) -> object:
        return self._index(node)

    def _binary(self, op: ast.operator, left: object, right: object, in_place=False) -> object:
        self.budget.check_binop(type(op), left, right)
        in_place = in_place and not isinstance(left, np.ndarray)
        before = len(left) if in_place and isinstance(left, SEQUENCE_TYPES) else 0
        result = (IN_PLACE if in_place else BINARY)[type(op)](left, right)
        self.budget.check_result(result)
        self.budget.count_built(result, before)
        return read_only(result)

    def _BinOp(self, node: ast.BinOp) -> object:
        return self._binary(node.op, self.value(node.left), self.value(node.right))

    def _UnaryOp(self, node: ast.UnaryOp) -> object:
        operand = self.value(node.operand)
        if isinstance(node.op, ast.Not):
            return not operand
        result = UNARY[type(node.op)](operand)
        self.budget.check_result(result)
        return read_only(result)

    def _BoolOp(self, node: ast.BoolOp) -> object:
        is_and = isinstance(node.op, ast.And)
        result: object = None
        for operand in node.values:
            result = self.value(operand)
            if bool(result) != is_and:
                return result
        return result

    def _Compare(self, node: ast.Compare) -> object:
        left, result = self.value(node.left), True
        for op, comparator in zip(node.ops, node.comparators, strict=True):
            right = self.value(comparator)
            self.budget.check_binop(type(op), left, right)
            result = COMPARE[type(op)](left, right)
            if comparator is not node.comparators[-1] and not result:
                return result
            left = right
        return result

    def _IfExp(self, node: ast.IfExp) -> object:
        return self.value(node.body if self.value(node.test) else node.orelse)

    def _elements(self, nodes: list[ast.expr]) -> list[object]:
        items: list[object] = []
        for element in nodes:
            if isinstance(element, ast.Starred):
                items.extend(bounded(self.budget, self.value(element.value)))
            else:
                items.append(self.value(element))
        self.budget.check_length(items)
        return items

    def _List(self, node: ast.List) -> list:
        result = self._elements(node.elts)
        self.budget.count_built(result)
        return result

    def _Tuple(self, node: ast.Tuple) -> tuple:
        result = tuple(self._elements(node.elts))
        self.budget.count_built(result)
        return result

    def _Dict(self, node: ast.Dict) -> dict:
        result: dict = {}
        for key, item in zip(node.keys, node.values, strict=True):
            if key is None:
                result.update(self._mapping(self.value(item)))
            else:
                result[self.value(key)] = self.value(item)
        self.budget.count_built(result)
        return result

    def _mapping(self, value: object) -> dict:
        if not isinstance(value, dict):
            raise TypeError(f"'{type(value).__name__}' object is not a mapping")
        return value

    def _Call(self, node: ast.Call) -> object:
        function = self.value(node.func)
        args = [_plain(item) for item in self._elements(node.args)]
        kwargs: dict[str, object] = {}
        for keyword in node.keywords:
            if keyword.arg is None:
                kwargs.update(self._keywords(self.value(keyword.value)))
            else:
                kwargs[keyword.arg] = _plain(self.value(keyword.value))
        return self.call(function, tuple(args), kwargs)

    def _keywords(self, value: object) -> dict:
        mapping = self._mapping(value)
        if not all(isinstance(key, str) and not key.startswith("__") for key in mapping):
            raise Refused("keyword arguments from ** must be plain names")
        return {key: _plain(item) for key, item in mapping.items()}

    def call(self, function: object, args: tuple, kwargs: dict) -> object:
        """Call ``function`` after the safety and size checks; check what it returns."""
        check_callable(function, self.root)
        self.budget.check_call(function, args, kwargs)
        receiver = getattr(function, "__self__", None)
        grows = isinstance(receiver, (list, dict))
        before = len(receiver) if grows else 0
        result = function(*args, **kwargs)
        self.budget.check_result(result)
        if grows:
            self.budget.check_length(receiver)
            self.budget.count_built(receiver, before)
        self._count_call_result(function, receiver, args, result)
        return read_only(result)

    def _count_call_result(self, function: object, receiver: object, args: tuple, result) -> None:  # noqa: ANN001
        """Count what a call built: a new container, not one it handed back from its inputs."""
        if not isinstance(result, SEQUENCE_TYPES) or result is receiver:
            return
        if isinstance(receiver, (list, dict)) and function.__name__ in _HANDS_BACK:
            return
        if any(result is arg for arg in args):
            return
        self.budget.count_nested(result)

    def _JoinedStr(self, node: ast.JoinedStr) -> str:
        result = "".join(str(self.value(part)) for part in node.values)
        self.budget.check_result(result)
        self.budget.count_built(result)
        return result

    def _FormattedValue(self, node: ast.FormattedValue) -> str:
        value = self.value(node.value)
        if node.conversion in CONVERSIONS:
            value = CONVERSIONS[node.conversion](value)
        spec = str(self.value(node.format_spec)) if node.format_spec is not None else ""
        self.budget.check_format_spec(spec)
        return format(value, spec)

    # comprehensions ---------------------------------------------------------------------------
    def loop_items(self, items: object, what: str) -> object:
        """``items`` if a loop over it fits the iteration limit (it must have a length)."""
        if isinstance(items, Generated):
            length = items.length
        else:
            try:
                length = len(items)
            except TypeError:
                iter(items)
                raise TypeError(
                    f"{what} needs a sized iterable (range, list, tuple, dict, str or tensor)"
                ) from None
            except OverflowError:
                length = self.budget.limits.max_iterations + 1
        self.budget.check_loop_length(length)
        return items

    def _ListComp(self, node: ast.ListComp) -> list:
        results: list = []

        def add() -> None:
            results.append(self.value(node.elt))
            self.budget.check_length(results)

        self._comprehend(node.generators, add)
        self.budget.count_built(results)
        return results

    def _GeneratorExp(self, node: ast.GeneratorExp) -> Generated:
        return Generated(self._ListComp(node))

    def _DictComp(self, node: ast.DictComp) -> dict:
        results: dict = {}

        def add() -> None:
            results[self.value(node.key)] = self.value(node.value)
            self.budget.check_length(results)

        self._comprehend(node.generators, add)
        self.budget.count_built(results)
        return results

    def _comprehend(self, generators: list[ast.comprehension], emit: Callable[[], None]) -> None:
        """Run ``emit`` for each combination of the generators' items, in a scope of its own.
        The first iterable is evaluated outside that scope, as Python does."""
        first = self.loop_items(self.value(generators[0].iter), "a comprehension")
        self.scopes.append({})
        try:
            self._generate(generators, 0, first, emit)
        finally:
            self.scopes.pop()

    def _generate(self, generators: list, at: int, items: object, emit: Callable) -> None:
        generator = generators[at]
        for item in items:
            self.budget.count_iteration()
            self._bind_local(generator.target, item)
            if not all(self.value(condition) for condition in generator.ifs):
                continue
            if at + 1 == len(generators):
                emit()
            else:
                inner = self.value(generators[at + 1].iter)
                self._generate(generators, at + 1, self.loop_items(inner, "a comprehension"), emit)

    def _bind_local(self, target: ast.expr, value: object) -> None:
        if isinstance(target, ast.Name):
            self.scopes[-1][target.id] = value
        elif isinstance(target, (ast.Tuple, ast.List)):
            items = list(bounded(self.budget, value))
            expected = len(target.elts)
            if len(items) > expected:
                raise ValueError(f"too many values to unpack (expected {expected})")
            if len(items) < expected:
                raise ValueError(
                    f"not enough values to unpack (expected {expected}, got {len(items)})"
                )
            for element, item in zip(target.elts, items, strict=True):
                self._bind_local(element, item)
        else:
            raise Refused("a comprehension's loop variables must be names")
