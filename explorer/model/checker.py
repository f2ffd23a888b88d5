"""The static allow-list: a cell is checked whole before any of it runs, as Python compiles a
cell before running it. Whatever is not listed here is refused with the construct's name."""

from __future__ import annotations

import ast

ALLOWED_MODULES = ("torch", "numpy", "math")
UNAVAILABLE_NAMES = frozenset(
    [
        "eval",
        "exec",
        "compile",
        "open",
        "getattr",
        "setattr",
        "delattr",
        "hasattr",
        "globals",
        "locals",
        "vars",
        "dir",
        "input",
        "breakpoint",
        "help",
        "exit",
        "quit",
        "type",
        "object",
        "super",
        "memoryview",
        "bytearray",
        "bytes",
        "classmethod",
        "staticmethod",
        "property",
        "id",
        "hash",
        "iter",
        "next",
        "callable",
        "issubclass",
        "format",
        "chr",
        "ord",
    ]
)
DESCRIPTIONS = {
    ast.Lambda: "lambda expressions",
    ast.FunctionDef: "function definitions (def)",
    ast.AsyncFunctionDef: "function definitions (async def)",
    ast.ClassDef: "class definitions",
    ast.While: "while loops (use a for loop over range(n))",
    ast.Try: "try statements",
    ast.TryStar: "try statements",
    ast.Raise: "raise statements",
    ast.Global: "global declarations",
    ast.Nonlocal: "nonlocal declarations",
    ast.Return: "return statements",
    ast.Yield: "yield expressions",
    ast.YieldFrom: "yield expressions",
    ast.Await: "await expressions",
    ast.SetComp: "set comprehensions",
    ast.Set: "set displays",
    ast.NamedExpr: "assignment expressions (:=)",
    ast.Match: "match statements",
    ast.AsyncFor: "async for loops",
    ast.AsyncWith: "async with statements",
}
ALLOWED_NODES = (
    ast.Module,
    ast.Expr,
    ast.Assign,
    ast.AugAssign,
    ast.AnnAssign,
    ast.For,
    ast.If,
    ast.With,
    ast.withitem,
    ast.Import,
    ast.ImportFrom,
    ast.alias,
    ast.Pass,
    ast.Break,
    ast.Continue,
    ast.Assert,
    ast.Delete,
    ast.Constant,
    ast.Name,
    ast.Attribute,
    ast.Subscript,
    ast.Slice,
    ast.Starred,
    ast.BinOp,
    ast.UnaryOp,
    ast.BoolOp,
    ast.Compare,
    ast.IfExp,
    ast.Call,
    ast.keyword,
    ast.JoinedStr,
    ast.FormattedValue,
    ast.List,
    ast.Tuple,
    ast.Dict,
    ast.ListComp,
    ast.GeneratorExp,
    ast.DictComp,
    ast.comprehension,
    ast.expr_context,
    ast.operator,
    ast.unaryop,
    ast.boolop,
    ast.cmpop,
)
CONSTANT_TYPES = (int, float, complex, str, bool, type(None), type(Ellipsis))


class Violation(Exception):
    """A construct the interpreter refuses; ``node`` says where."""

    def __init__(self, message: str, node: ast.AST | None) -> None:
        super().__init__(message)
        self.node = node


def check_tree(tree: ast.Module, max_nesting: int) -> None:
    """Raise Violation for the first refused construct, in source order."""
    stack: list[tuple[ast.AST, int, bool]] = [(tree, 0, False)]
    while stack:
        node, depth, in_loop = stack.pop()
        if depth > max_nesting:
            raise Violation(f"expressions nested deeper than {max_nesting} levels", node)
        if isinstance(node, (ast.Break, ast.Continue)) and not in_loop:
            raise Violation(f"'{type(node).__name__.lower()}' outside a for loop", node)
        _check_node(node)
        in_loop = in_loop or isinstance(node, ast.For)
        children = list(ast.iter_child_nodes(node))
        stack.extend((child, depth + 1, in_loop) for child in reversed(children))


def _check_node(node: ast.AST) -> None:
    if not isinstance(node, ALLOWED_NODES):
        description = DESCRIPTIONS.get(type(node), f"'{type(node).__name__}' constructs")
        raise Violation(f"{description} are not supported", node)
    checker = _CHECKS.get(type(node))
    if checker is not None:
        checker(node)


def _check_name(node: ast.Name) -> None:
    if node.id.startswith("__"):
        raise Violation(f"special names ('{node.id}') are not supported", node)
    if node.id in UNAVAILABLE_NAMES:
        raise Violation(f"'{node.id}' is not available in programs", node)


def _check_attribute(node: ast.Attribute) -> None:
    if node.attr.startswith("_"):
        raise Violation(f"private and special attributes ('{node.attr}') are not accessible", node)


def _check_constant(node: ast.Constant) -> None:
    if not isinstance(node.value, CONSTANT_TYPES):
        raise Violation(f"{type(node.value).__name__} literals are not supported", node)


def _check_module(name: str | None, node: ast.AST) -> None:
    root = (name or "").split(".")[0]
    if root not in ALLOWED_MODULES or (root != "torch" and name != root):
        raise Violation(
            f"importing '{name}' is not supported (only torch, numpy and math can be imported)",
            node,
        )


def _check_import(node: ast.Import) -> None:
    for alias in node.names:
        _check_module(alias.name, node)


def _check_import_from(node: ast.ImportFrom) -> None:
    if node.level:
        raise Violation("relative imports are not supported", node)
    _check_module(node.module, node)
    for alias in node.names:
        if alias.name == "*":
            raise Violation("'from ... import *' is not supported; name what you import", node)
        if alias.name.startswith("_"):
            raise Violation(f"importing private names ('{alias.name}') is not supported", node)


def _check_keyword(node: ast.keyword) -> None:
    if node.arg is not None and node.arg.startswith("__"):
        raise Violation(f"special keyword arguments ('{node.arg}') are not supported", node)


def _check_comprehension(node: ast.comprehension) -> None:
    if node.is_async:
        raise Violation("async comprehensions are not supported", node)
    targets = [node.target]
    while targets:
        target = targets.pop()
        if isinstance(target, (ast.Tuple, ast.List)):
            targets.extend(target.elts)
        elif not isinstance(target, ast.Name):
            raise Violation("a comprehension's loop variables must be names", target)


def _check_for(node: ast.For) -> None:
    if node.orelse:
        raise Violation("'else' clauses on for loops are not supported", node)


_CHECKS = {
    ast.Name: _check_name,
    ast.Attribute: _check_attribute,
    ast.Constant: _check_constant,
    ast.Import: _check_import,
    ast.ImportFrom: _check_import_from,
    ast.keyword: _check_keyword,
    ast.For: _check_for,
    ast.comprehension: _check_comprehension,
}
