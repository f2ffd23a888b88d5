"""Notebook (.ipynb) programs: errors and warnings name the cell and the line within it;
print options a program sets end with its run."""

import json

import pytest

from explorer.model.interpreter import run_program
from explorer.model.program import load_program, parse_percent


def notebook(tmp_path, *sources: str):
    cells = [{"cell_type": "markdown", "source": ["# A title\n"]}]
    cells += [{"cell_type": "code", "source": source.splitlines(True)} for source in sources]
    path = tmp_path / "program.ipynb"
    path.write_text(json.dumps({"cells": cells, "nbformat": 4, "nbformat_minor": 5}))
    return load_program(path)


def test_an_error_names_the_notebook_cell_and_the_line_within_it(tmp_path):
    program = notebook(tmp_path, "import torch\nx = torch.ones(2)\n", "y = x * 2\nz = y + q\n")
    error = run_program(program).error
    assert (error.cell, error.line, error.col) == (2, 2, 9)
    assert str(error) == "NameError: name 'q' is not defined (cell 3, line 2, col 9)"
    assert error.source_line == "z = y + q"


def test_a_syntax_error_names_the_cell_and_line(tmp_path):
    error = run_program(notebook(tmp_path, "x = 1\n", "y = 2\nz = (\n")).error
    assert (error.kind, error.cell, error.line) == ("SyntaxError", 2, 2)


def test_ipython_magics_are_refused_by_name(tmp_path):
    error = run_program(notebook(tmp_path, "import torch\n%matplotlib inline\n")).error
    assert error.kind == "SyntaxError" and "magics" in error.message
    assert (error.cell, error.line, error.col) == (1, 2, 1)


def test_print_options_set_by_a_program_end_with_its_run():
    torch = pytest.importorskip("torch")
    program = parse_percent(
        "import torch\ntorch.set_printoptions(precision=1)\nprint(torch.ones(1) / 3)\n"
    )
    assert run_program(program, torch_module=torch).transcript() == "tensor([0.3])\n"
    assert str(torch.ones(1) / 3) == "tensor([0.3333])"
