"""The tree-walking evaluator: statements and expressions of the allowed subset of Python.

Every operator, call and attribute access goes through the Budget (sizes, time) and the safety
rules (what may be read, written and called) before Python or the engine does the work.
"""

from __future__ import annotations

import ast
import contextlib
import importlib
import types
from typing import Protocol

from explorer.model.expressions import ExpressionEvaluator, Located, ObserverError
from explorer.model.limits import Budget
from explorer.model.pyfunctions import bounded
from explorer.model.safety import (
    Builtin,
    ModuleFacade,
    NamespaceFacade,
    Refused,
    check_attribute_writable,
    check_item_target,
    is_engine_object,
    math_facade,
    numpy_facade,
    read_attribute,
    write_attribute,
)


class Hooks(Protocol):
    """What the evaluator reports to the run that owns it."""

    def bind(self, name: str, value: object) -> None: ...
    def statement_started(self, node: ast.stmt) -> None: ...
    def after_statement(self, node: ast.stmt) -> None: ...


class LoopControl(Exception):
    """``break`` (``stop`` True) or ``continue`` leaving a loop body."""

    def __init__(self, stop: bool) -> None:
        super().__init__(stop)
        self.stop = stop


class Evaluator(ExpressionEvaluator):
    """Runs the statements of checked cells against one namespace."""

    def __init__(
        self,
        torch_module: types.ModuleType,
        budget: Budget,
        builtins: dict[str, Builtin],
        hooks: Hooks,
    ) -> None:
        super().__init__(torch_module.__name__, budget, builtins)
        self.torch_module = torch_module
        self.hooks = hooks
        self._modules = {"numpy": numpy_facade(), "math": math_facade()}

    # statements -----------------------------------------------------------------------------
    def run_block(self, body: list[ast.stmt]) -> None:
        """Run statements in order."""
        for statement in body:
            self.run_statement(statement)

    def run_statement(self, node: ast.stmt) -> object:
        """Run one statement; an expression statement returns its value."""
        self.budget.tick()
        self.hooks.statement_started(node)
        try:
            return getattr(self, "_" + type(node).__name__)(node)
        except (Located, LoopControl, ObserverError):
            raise
        except Exception as error:
            raise Located(error, node) from None
        finally:
            self.hooks.after_statement(node)

    def _Expr(self, node: ast.Expr) -> object:
        return self.value(node.value)

    def _Assign(self, node: ast.Assign) -> None:
        value = self.value(node.value)
        for target in node.targets:
            self.assign(target, value)

    def _AnnAssign(self, node: ast.AnnAssign) -> None:
        if node.value is not None:
            self.assign(node.target, self.value(node.value))

    def _AugAssign(self, node: ast.AugAssign) -> None:
        target, right = node.target, self.value(node.value)
        if isinstance(target, ast.Name):
            result = self._binary(node.op, self._name(target), right, in_place=True)
            self.assign_name(target.id, result)
        elif isinstance(target, ast.Subscript):
            owner, index = self.value(target.value), self._index(target.slice)
            check_item_target(owner, self.root)
            owner[index] = self._binary(node.op, owner[index], right, in_place=True)
        else:
            owner = self.value(target.value)
            check_attribute_writable(owner, target.attr, self.root)
            current = read_attribute(owner, target.attr, self.root)
            result = self._binary(node.op, current, right, in_place=True)
            write_attribute(owner, target.attr, result, self.root)

    def _For(self, node: ast.For) -> None:
        items = self.loop_items(self.value(node.iter), "a for loop")
        for position, item in enumerate(items):
            self.budget.count_iteration()
            if position:  # the loop's line again: it binds the next item
                self.hooks.statement_started(node)
            self.assign(node.target, item)
            try:
                self.run_block(node.body)
            except LoopControl as control:
                if control.stop:
                    break

    def _If(self, node: ast.If) -> None:
        self.run_block(node.body if self.value(node.test) else node.orelse)

    def _With(self, node: ast.With) -> None:
        with contextlib.ExitStack() as stack:
            for item in node.items:
                manager = self.value(item.context_expr)
                if not is_engine_object(manager, self.root) or isinstance(manager, type):
                    raise Refused(
                        "only the engine's context managers (torch.no_grad(), "
                        "torch.enable_grad(), torch.set_grad_enabled(b)) work with 'with'"
                    )
                entered = stack.enter_context(manager)
                if item.optional_vars is not None:
                    self.assign(item.optional_vars, entered)
            self.run_block(node.body)

    def _Import(self, node: ast.Import) -> None:
        for alias in node.names:
            module = self._module(alias.name)
            if alias.asname:
                self.assign_name(alias.asname, module)
            else:
                top = alias.name.split(".")[0]
                self.assign_name(top, self._module(top))

    def _ImportFrom(self, node: ast.ImportFrom) -> None:
        module = self._module(node.module or "")
        for alias in node.names:
            try:
                value = module.read(alias.name)
            except AttributeError:
                raise ImportError(
                    f"cannot import name '{alias.name}' from '{node.module}'"
                ) from None
            self.assign_name(alias.asname or alias.name, value)

    def _Pass(self, node: ast.Pass) -> None:
        return None

    def _Break(self, node: ast.Break) -> None:
        raise LoopControl(stop=True)

    def _Continue(self, node: ast.Continue) -> None:
        raise LoopControl(stop=False)

    def _Assert(self, node: ast.Assert) -> None:
        if not self.value(node.test):
            raise AssertionError(self.value(node.msg) if node.msg is not None else "")

    def _Delete(self, node: ast.Delete) -> None:
        for target in node.targets:
            if isinstance(target, ast.Name):
                self._name(target)
                del self.namespace[target.id]
            elif isinstance(target, ast.Subscript):
                owner = self.value(target.value)
                check_item_target(owner, self.root)
                del owner[self._index(target.slice)]
            else:
                raise Refused("only names and items can be deleted")

    # binding --------------------------------------------------------------------------------
    def assign_name(self, name: str, value: object) -> None:
        """Bind ``name`` and tell the run."""
        self.namespace[name] = value
        self.hooks.bind(name, value)

    def assign(self, target: ast.expr, value: object) -> None:
        """Assign to a name, an unpacking, an item or a tensor attribute."""
        if isinstance(target, ast.Name):
            self.assign_name(target.id, value)
        elif isinstance(target, (ast.Tuple, ast.List)):
            self._unpack(target.elts, value)
        elif isinstance(target, ast.Subscript):
            owner, index = self.value(target.value), self._index(target.slice)
            check_item_target(owner, self.root)
            grows = isinstance(owner, (list, dict))
            before = len(owner) if grows else 0
            owner[index] = value
            if grows:  # a new key, or a slice replaced by more items
                self.budget.check_length(owner)
                self.budget.count_built(owner, before)
        elif isinstance(target, ast.Attribute):
            write_attribute(self.value(target.value), target.attr, value, self.root)
        else:
            raise Refused(f"assigning to {type(target).__name__} is not supported")

    def _unpack(self, targets: list[ast.expr], value: object) -> None:
        items = list(bounded(self.budget, value))
        starred = [i for i, target in enumerate(targets) if isinstance(target, ast.Starred)]
        if not starred and len(items) != len(targets):
            if len(items) > len(targets):
                raise ValueError(f"too many values to unpack (expected {len(targets)})")
            raise ValueError(
                f"not enough values to unpack (expected {len(targets)}, got {len(items)})"
            )
        if starred:
            at, after = starred[0], len(targets) - starred[0] - 1
            if len(items) < len(targets) - 1:
                raise ValueError(
                    f"not enough values to unpack (expected at least {len(targets) - 1}, "
                    f"got {len(items)})"
                )
            middle = items[at : len(items) - after]
            items = [*items[:at], middle, *items[len(items) - after :]]
            targets = [*targets[:at], targets[at].value, *targets[at + 1 :]]
        for target, item in zip(targets, items, strict=True):
            self.assign(target, item)

    # modules --------------------------------------------------------------------------------
    def _module(self, dotted: str) -> ModuleFacade | NamespaceFacade:
        """The facade a program gets for ``import <dotted>``."""
        if dotted in self._modules:
            return self._modules[dotted]
        parts = dotted.split(".")
        module: ModuleFacade = ModuleFacade(self.torch_module, "torch", self.root)
        for depth, part in enumerate(parts[1:], start=1):
            module = self._submodule(module, part, ".".join(parts[: depth + 1]))
        return module

    def _submodule(self, module: ModuleFacade, part: str, dotted: str) -> ModuleFacade:
        try:
            value = module.read(part)
        except AttributeError:
            engine_name = self.root + dotted[len("torch") :]
            try:
                value = ModuleFacade(importlib.import_module(engine_name), dotted, self.root)
            except ImportError:
                raise ModuleNotFoundError(
                    f"No module named '{dotted}' (the engine does not provide it)"
                ) from None
        if not isinstance(value, ModuleFacade):
            raise ModuleNotFoundError(f"No module named '{dotted}'")
        return value
