"""Opening and saving documents for the window: the core does the work, this adds dialogs' glue."""

from __future__ import annotations

from pathlib import Path

from PySide6 import QtCore

from explorer.fileformat import GRAPH_SUFFIX, FileFormatError, is_graph_file
from explorer.model.document import Document
from explorer.model.program import ProgramError

OPEN_FILTER = "Autograd Explorer files (*.json *.py *.ipynb);;All files (*)"
SAVE_FILTER = "Autograd Explorer document (*.autograd.json)"
MAX_RECENT = 8
EXAMPLES_DIR = Path(__file__).resolve().parents[2] / "resources" / "examples"
SEED_EXAMPLE = EXAMPLES_DIR / "seed_autograd_basics.py"
OPEN_ERRORS = (FileFormatError, ProgramError, OSError, UnicodeDecodeError, ValueError)
# Graphs with more nodes than this are laid out off the GUI thread (the seed has a few dozen;
# the 1,000-node example lays out in ~50 ms, the 10,000-node one in ~0.5 s).
BACKGROUND_LAYOUT_ABOVE = 2000


def save_path_for(document: Document) -> str:
    """Where Save writes without asking: the document's own graph file, else ''."""
    path = str(document.path or "")
    return path if is_graph_file(path) else ""


def suggested_save_path(document: Document) -> str:
    """A default for Save As: next to the source, with the graph suffix."""
    path = str(document.path or "untitled.py")
    if is_graph_file(path):
        return path
    for suffix in (".py", ".ipynb"):
        if path.endswith(suffix):
            return path[: -len(suffix)] + GRAPH_SUFFIX
    return path + GRAPH_SUFFIX


def example_paths() -> list[Path]:
    """Every example program shipped in resources/examples, seed first."""
    paths = sorted(EXAMPLES_DIR.glob("*.py"))
    return sorted(paths, key=lambda p: p != SEED_EXAMPLE)


def example_title(path: Path) -> str:
    """``seed_autograd_basics.py`` -> ``Seed autograd basics``."""
    return path.stem.replace("_", " ").capitalize()


def recent_files(settings: QtCore.QSettings) -> list[str]:
    """The recently opened files, newest first, that still exist."""
    value = settings.value("recent_files", [])
    paths = [value] if isinstance(value, str) else list(value or [])
    return [p for p in paths if Path(p).exists()]


def remember_recent(settings: QtCore.QSettings, path: str) -> None:
    """Put ``path`` at the front of the recent files."""
    path = str(Path(path).resolve())
    paths = [path] + [p for p in recent_files(settings) if p != path]
    settings.setValue("recent_files", paths[:MAX_RECENT])
