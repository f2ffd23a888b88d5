"""Programs: PyTorch-style Python in notebook cells, read from percent scripts or ``.ipynb`` files.

A percent script splits into cells at lines starting with ``# %%`` (``#%%`` too); a marker that
names ``[markdown]``, ``[md]`` or ``[raw]`` starts a cell that is kept but never run. Code before
the first marker is a cell of its own. Each cell keeps its marker line verbatim, so
``parse_percent(text).to_percent() == text`` for every text.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

_LINE_BREAK = re.compile(r"\r\n|\r|\n")

CellKind = Literal["code", "markdown"]
MAX_PROGRAM_BYTES = 5 * 1024 * 1024
_MARKER = r"#\s?%%"
_NOT_CODE = ("[markdown]", "[md]", "[raw]")


class ProgramError(Exception):
    """A problem with a program: reading it, refusing it, or a statement that failed.

    ``kind`` is the error type's name (``RuntimeError``, ``UnsupportedConstruct``,
    ``LimitExceeded``, ...). ``cell`` is the 0-based index into ``Program.cells``; ``line`` is
    the 1-based line in the file; ``col`` is 1-based. Any of the three may be None.
    ``str(error)`` is ``Kind: message (cell N, line L, col C)`` with N counted from 1.
    """

    def __init__(
        self,
        kind: str,
        message: str,
        cell: int | None = None,
        line: int | None = None,
        col: int | None = None,
        source_line: str = "",
    ) -> None:
        super().__init__(kind, message, cell, line, col)
        self.kind = kind
        self.message = message
        self.cell = cell
        self.line = line
        self.col = col
        self.source_line = source_line

    def where(self) -> str:
        """``cell 3, line 12, col 5`` (only the parts that are known)."""
        parts = []
        if self.cell is not None:
            parts.append(f"cell {self.cell + 1}")
        if self.line is not None:
            parts.append(f"line {self.line}")
        if self.col is not None:
            parts.append(f"col {self.col}")
        return ", ".join(parts)

    def headline(self) -> str:
        """``Kind: message``, the last line of a notebook traceback."""
        return f"{self.kind}: {self.message}" if self.message else self.kind

    def traceback_text(self) -> str:
        """What a notebook shows for the error: where, the source line, then ``Kind: message``."""
        lines = [f"Error in {self.where()}:"] if self.where() else []
        if self.source_line.strip():
            lines.append("    " + self.source_line.strip())
        lines.append(self.headline())
        return "\n".join(lines) + "\n"

    def __str__(self) -> str:
        where = self.where()
        return f"{self.headline()} ({where})" if where else self.headline()


def source_lines(text: str) -> list[str]:
    """Split ``text`` into lines exactly where Python's tokenizer does (``ast`` line numbers)."""
    return _LINE_BREAK.split(text)


@dataclass(frozen=True)
class Cell:
    """One notebook cell. ``first_line`` is the file line (1-based) of the first source line.

    ``header`` is the marker line that opened the cell, with its line ending, exactly as in the
    file ("" for code before the first marker; None for cells not read from a percent file).
    """

    source: str
    first_line: int = 1
    kind: CellKind = "code"
    header: str | None = None

    def source_line(self, line: int) -> str:
        """The text of file line ``line`` if it belongs to this cell, else ""."""
        lines = source_lines(self.source)
        index = line - self.first_line
        return lines[index] if 0 <= index < len(lines) else ""


@dataclass(frozen=True)
class Program:
    """A sequence of cells; only code cells run."""

    cells: tuple[Cell, ...] = ()

    @property
    def code_cells(self) -> list[tuple[int, Cell]]:
        """(index, cell) for every code cell."""
        return [(index, cell) for index, cell in enumerate(self.cells) if cell.kind == "code"]

    def to_percent(self) -> str:
        """The program as a percent script; exactly the text it was parsed from, if it was."""
        return "".join(_percent_piece(cell, index) for index, cell in enumerate(self.cells))


def _percent_piece(cell: Cell, index: int) -> str:
    if cell.header is not None:
        return cell.header + cell.source
    header = "# %%\n" if cell.kind == "code" else "# %% [markdown]\n"
    source = cell.source if cell.kind == "code" else _as_comment(cell.source)
    source = source if source.endswith("\n") or not source else source + "\n"
    return ("\n" if index else "") + header + source


def _as_comment(text: str) -> str:
    return "".join(f"# {line}".rstrip() + "\n" for line in text.splitlines())


def _is_marker(line: str) -> bool:
    return re.match(_MARKER, line) is not None


def _marker_kind(line: str) -> CellKind:
    rest = line.split("%%", 1)[1].lower()
    return "markdown" if any(tag in rest for tag in _NOT_CODE) else "code"


def _lines(text: str) -> list[str]:
    """Lines with their endings, split only at "\\n" as Python's parser counts lines."""
    parts = text.split("\n")
    return [part + "\n" for part in parts[:-1]] + ([parts[-1]] if parts[-1] else [])


def parse_percent(text: str) -> Program:
    """Split a Jupyter percent script into cells (see the module docstring)."""
    cells: list[Cell] = []
    header, kind, body, first_line = "", "code", [], 1
    for number, line in enumerate(_lines(text), start=1):
        if not _is_marker(line):
            body.append(line)
            continue
        if header or body:
            cells.append(Cell("".join(body), first_line, kind, header))
        header, kind, body, first_line = line, _marker_kind(line), [], number + 1
    if header or body:
        cells.append(Cell("".join(body), first_line, kind, header))
    return Program(tuple(cells))


def parse_ipynb(text: str) -> Program:
    """The code and markdown cells of a Jupyter notebook (nbformat 4 JSON)."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        message = f"not a notebook: {error.msg} at line {error.lineno}, column {error.colno}"
        raise ProgramError("NotebookFormatError", message) from None
    raw_cells = document.get("cells") if isinstance(document, dict) else None
    if not isinstance(raw_cells, list):
        raise ProgramError("NotebookFormatError", "not a notebook: no 'cells' list")
    return Program(tuple(_notebook_cell(raw, index) for index, raw in enumerate(raw_cells)))


def _notebook_cell(raw: object, index: int) -> Cell:
    if not isinstance(raw, dict):
        raise ProgramError("NotebookFormatError", f"cell {index + 1} is not an object", index)
    source = raw.get("source", "")
    if isinstance(source, list) and all(isinstance(part, str) for part in source):
        source = "".join(source)
    if not isinstance(source, str):
        message = f"cell {index + 1}: 'source' must be a string or a list of strings"
        raise ProgramError("NotebookFormatError", message, index)
    kind: CellKind = "code" if raw.get("cell_type") == "code" else "markdown"
    return Cell(source, 1, kind)


def load_program(path: str | Path) -> Program:
    """Read a ``.ipynb`` notebook or a percent script (any other suffix).

    Raises ProgramError for a missing, unreadable, oversized, non-UTF-8 or malformed file.
    """
    path = Path(path)
    try:
        if path.stat().st_size > MAX_PROGRAM_BYTES:
            raise ProgramError("ProgramTooLarge", f"{path}: larger than {MAX_PROGRAM_BYTES} bytes")
        data = path.read_bytes()
    except OSError as error:
        raise ProgramError(type(error).__name__, f"{path}: {error.strerror or error}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        message = f"{path}: not UTF-8 text ({error.reason} at byte {error.start})"
        raise ProgramError("UnicodeDecodeError", message) from None
    return parse_ipynb(text) if path.suffix.lower() == ".ipynb" else parse_percent(text)
