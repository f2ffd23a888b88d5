"""Run a Program cell by cell, as a notebook would, without ever handing it to Python to run.

Each code cell is parsed with ``ast``, checked whole against the allow-list (checker.py), then
its statements are interpreted one by one (evaluator.py) under the run's Limits. The name
``torch`` is bound (by the program's own ``import torch``) to the embedded engine. A failing
statement stops the run; everything before it stays in the result and with the observer.

The observer, if given, is called with ``cell_started(index)``,
``statement_started(cell, first_line, last_line)`` (before each statement, at any depth, and
before each pass of a ``for`` loop; 1-based lines of the program's percent text, a compound
statement's header only), ``name_bound(name, value)``, ``printed(text)``, ``displayed(text)``,
``error_raised(cell, line, col, message)``, and ``on_engine_event(event)``, which is registered
with ``engine.observe.observe`` for the run.
A method the observer lacks is skipped. An exception raised by the observer is not a program
error: it leaves ``run_program`` as ObserverError.
"""

from __future__ import annotations

import ast
import contextlib
import importlib
import types
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import engine
from engine import once
from explorer.model.checker import Violation, check_tree
from explorer.model.display import display_text
from explorer.model.evaluator import Evaluator
from explorer.model.expressions import Located, ObserverError
from explorer.model.limits import Budget, LimitExceeded, Limits
from explorer.model.program import Cell, Program, ProgramError, source_lines
from explorer.model.pyfunctions import make_builtins
from explorer.model.safety import Refused

__all__ = ["CellOutput", "Limits", "ObserverError", "ProgramError", "RunResult", "run_program"]


@dataclass(frozen=True)
class CellOutput:
    """What one code cell showed: printed text and warnings, then its ``Out`` display."""

    cell: int
    text: str


@dataclass
class RunResult:
    """The outputs of the cells that ran, the error that stopped the run (or None), the names."""

    outputs: list[CellOutput]
    error: ProgramError | None = None
    namespace: dict[str, object] = field(default_factory=dict)

    def transcript(self) -> str:
        """The notebook transcript: every cell's output in order (the error is not included)."""
        return "".join(output.text for output in self.outputs)


def run_program(
    program: Program,
    *,
    limits: Limits | None = None,
    observer: object | None = None,
    upto_cell: int | None = None,
    torch_module: types.ModuleType | None = None,
    pause: Callable[[], None] | None = None,
) -> RunResult:
    """Interpret ``program``'s code cells (up to and including ``upto_cell``); ``pause`` is
    called between statements every `limits.PAUSE_EVERY` seconds."""
    run = _Run(program, limits or Limits(), observer, torch_module or engine, pause)
    return run.run(upto_cell)


class _Run:
    def __init__(
        self, program: Program, limits: Limits, observer: object, torch_module, pause
    ) -> None:
        self.program = program
        self.observer = observer
        self.torch_module = torch_module
        tensor_type = getattr(torch_module, "Tensor", None)
        tensor_types = (tensor_type,) if isinstance(tensor_type, type) else ()
        self.budget = Budget(limits, tensor_types, pause)
        builtins = make_builtins(self.budget, self._print)
        self.evaluator = Evaluator(torch_module, self.budget, builtins, self)
        self.cell_index = 0
        self.cell: Cell = Cell("")
        self.text: list[str] = []
        self.caught: list[warnings.WarningMessage] = []
        self.seen_warnings: set[tuple] = set()
        self.statement: ast.stmt | None = None

    # observer -------------------------------------------------------------------------------
    def _notify(self, method: str, *args: object) -> None:
        callback = getattr(self.observer, method, None)
        if callback is None:
            return
        try:
            callback(*args)
        except Exception as error:
            raise ObserverError(f"observer.{method} failed: {error!r}") from error

    def _on_engine_event(self, event: object) -> None:
        self._notify("on_engine_event", event)

    def bind(self, name: str, value: object) -> None:
        """Called by the evaluator for every name bound."""
        self._notify("name_bound", name, value)

    def _print(self, text: str) -> None:
        if self.caught and self.statement is not None:
            self.after_statement(self.statement)
        self.budget.count_output(text)
        self.text.append(text)
        self._notify("printed", text)

    def statement_started(self, node: ast.stmt) -> None:
        """Called by the evaluator before each statement and each pass of a for loop."""
        self.statement = node
        first = self.cell.first_line - 1
        last = _header_end(node)
        self._notify("statement_started", self.cell_index, first + node.lineno, first + last)

    def after_statement(self, node: ast.stmt) -> None:
        """Show the warnings a statement raised, once per cell line, as a notebook does."""
        self.statement = None
        while self.caught:
            caught = self.caught.pop(0)
            if issubclass(caught.category, RuntimeWarning):
                continue  # numpy's floating-point warnings; PyTorch is silent about inf and nan
            line = self.cell.first_line + node.lineno - 1
            key = (self.cell_index, line, caught.category, str(caught.message))
            if key not in self.seen_warnings:
                self.seen_warnings.add(key)
                where = f"cell {self.cell_index + 1}, line {line}"
                self._print(f"{where}: {caught.category.__name__}: {caught.message}\n")

    # running --------------------------------------------------------------------------------
    def run(self, upto_cell: int | None) -> RunResult:
        outputs: list[CellOutput] = []
        error = None
        with self._environment():
            for index, cell in self.program.code_cells:
                if upto_cell is not None and index > upto_cell:
                    break
                error = self._run_cell(index, cell)
                outputs.append(CellOutput(index, "".join(self.text)))
                if error is not None:
                    self._notify("error_raised", index, error.line, error.col, error.headline())
                    break
        return RunResult(outputs, error, dict(self.evaluator.namespace))

    @contextlib.contextmanager
    def _environment(self) -> Iterator[None]:
        with contextlib.ExitStack() as stack:
            self.caught = stack.enter_context(warnings.catch_warnings(record=True))
            warnings.simplefilter("always")
            if self.torch_module is engine:
                once.forget()  # every run reads like a fresh kernel: once-only warnings again
            set_printoptions = getattr(self.torch_module, "set_printoptions", None)
            if set_printoptions is not None:  # a program's print options end with its run
                stack.callback(set_printoptions, profile="default")
            enable_grad = getattr(self.torch_module, "enable_grad", None)
            if enable_grad is not None:
                stack.enter_context(enable_grad())
            observe = _observe_function(self.torch_module)
            if observe is not None and hasattr(self.observer, "on_engine_event"):
                stack.enter_context(observe(self._on_engine_event))
            yield

    def _run_cell(self, index: int, cell: Cell) -> ProgramError | None:
        self.cell_index, self.cell, self.text = index, cell, []
        self._notify("cell_started", index)
        try:
            tree = _parse(cell.source, self.budget.limits.max_nesting)
            for position, statement in enumerate(tree.body):
                value = self.evaluator.run_statement(statement)
                if position == len(tree.body) - 1 and _displays(statement, cell.source):
                    self._display(value)
        except ObserverError:
            raise
        except Located as located:
            return self._error(located.error, located.node)
        except Violation as violation:
            return self._error(violation, violation.node)
        except SyntaxError as error:
            return self._error(error, None)
        except Exception as error:
            return self._error(error, None)
        return None

    def _display(self, value: object) -> None:
        text = display_text(value)
        if text is not None:
            self.budget.count_output(text)
            self.text.append(text + "\n")
            self._notify("displayed", text)

    def _error(self, error: BaseException, node: ast.AST | None) -> ProgramError:
        kind, message = _describe(error)
        line = col = None
        if node is not None and hasattr(node, "lineno"):
            text = source_lines(self.cell.source)[node.lineno - 1].encode("utf-8")
            line, col = node.lineno, len(text[: node.col_offset].decode("utf-8", "replace")) + 1
        elif isinstance(error, SyntaxError):
            line, col = error.lineno, error.offset
        if line is not None:
            line += self.cell.first_line - 1
        source = self.cell.source_line(line) if line is not None else ""
        return ProgramError(kind, message, self.cell_index, line, col, source)


def _parse(source: str, max_nesting: int) -> ast.Module:
    try:
        tree = ast.parse(source)
    except (RecursionError, MemoryError):
        raise LimitExceeded("the cell is nested too deeply to parse") from None
    except SyntaxError as error:
        line = source_lines(source)[(error.lineno or 1) - 1].lstrip()
        if line[:1] in ("%", "!"):
            error.msg = "IPython magics and shell commands (% and !) are not supported"
            error.offset = 1 + len(source_lines(source)[error.lineno - 1]) - len(line)
        raise
    check_tree(tree, max_nesting)
    return tree


def _header_end(node: ast.stmt) -> int:
    """The last line of a statement, or of a compound statement's header (not its body)."""
    if isinstance(node, (ast.For, ast.AsyncFor)):
        return node.iter.end_lineno
    if isinstance(node, (ast.If, ast.While)):
        return node.test.end_lineno
    if isinstance(node, (ast.With, ast.AsyncWith)):
        return max(item.context_expr.end_lineno for item in node.items)
    if hasattr(node, "body"):
        return node.lineno
    return node.end_lineno


def _displays(statement: ast.stmt, source: str) -> bool:
    """An expression statement ending the cell shows its value unless followed by ``;``."""
    if not isinstance(statement, ast.Expr):
        return False
    lines = source_lines(source)
    last = lines[statement.end_lineno - 1].encode("utf-8")[statement.end_col_offset :]
    rest = last.decode("utf-8", "replace") + "\n" + "\n".join(lines[statement.end_lineno :])
    code = "\n".join(line.split("#")[0] for line in rest.split("\n"))
    return not code.strip().startswith(";")


def _describe(error: BaseException) -> tuple[str, str]:
    if isinstance(error, (Refused, Violation)):
        return "UnsupportedConstruct", str(error)
    if isinstance(error, LimitExceeded):
        return "LimitExceeded", str(error)
    if isinstance(error, RecursionError):
        return "LimitExceeded", "the expression is nested too deeply"
    if isinstance(error, SyntaxError):
        return "SyntaxError", error.msg
    return type(error).__name__, str(error)


def _observe_function(torch_module: types.ModuleType):
    try:
        module = importlib.import_module(f"{torch_module.__name__}.observe")
    except ImportError:
        return None
    return getattr(module, "observe", None)
