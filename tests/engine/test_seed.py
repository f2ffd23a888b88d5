"""The seed notebook run on the engine, cell by cell, against PyTorch's transcript.

Test-only helper: the trusted seed file is run with Python's exec (never done in engine/ or
explorer/, where the interpreter walks the ast instead). `import torch` is answered with `engine`.
The last expression statement of a cell is shown as a notebook shows it (its repr, unless None).
IPython breaks a long tuple over several lines; that layout is the interpreter's job, so such a
display is compared after joining its lines (see `_one_line`).
"""

from __future__ import annotations

import ast
import builtins
import contextlib
import io
import re

import engine

_MULTILINE_TUPLE = re.compile(r",\n ")


def _cells(text: str) -> list[str]:
    """The code cells of a percent-format file."""
    chunks = re.split(r"^# %%.*$", text, flags=re.MULTILINE)
    headers = re.findall(r"^# %%.*$", text, flags=re.MULTILINE)
    return [
        body for header, body in zip(headers, chunks[1:], strict=True) if "[markdown]" not in header
    ]


def _importer(name, *args, **kwargs):
    if name == "torch":
        return engine
    return builtins.__import__(name, *args, **kwargs)


def _run_cell(source: str, namespace: dict) -> str:
    """Run one cell; return what it printed plus its displayed value."""
    tree = ast.parse(source)
    last = tree.body[-1] if tree.body and isinstance(tree.body[-1], ast.Expr) else None
    body = ast.Module(body=tree.body[:-1] if last else tree.body, type_ignores=[])
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(body, "<cell>", "exec"), namespace)
        if last is not None:
            value = eval(compile(ast.Expression(last.value), "<cell>", "eval"), namespace)
            if value is not None:
                print(repr(value))
    return out.getvalue()


def _one_line(text: str) -> str:
    """IPython's multi-line tuple display, joined back into the plain repr."""
    return _MULTILINE_TUPLE.sub(", ", text)


def run_seed(path) -> str:
    """The seed's transcript as produced by the engine."""
    namespace = {"__builtins__": {**vars(builtins), "__import__": _importer}}
    return "".join(_run_cell(cell, namespace) for cell in _cells(path.read_text()))


def test_seed_transcript_matches_pytorch(seed_dir):
    produced = run_seed(seed_dir / "autograd_basics.py")
    expected = (seed_dir / "autograd_basics.expected.txt").read_text()
    produced_lines = produced.splitlines()
    expected_lines = expected.splitlines()
    # Every line but the last display (a 3-line IPython tuple) is compared exactly.
    assert produced_lines[:-1] == expected_lines[:-3]
    # The last display: IPython's layout is the interpreter's; compare it joined into one line.
    assert produced_lines[-1] == _one_line("\n".join(expected_lines[-3:]))
