"""Programs: percent scripts and notebooks split into cells that know their file lines."""

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from explorer.model.program import (
    Cell,
    Program,
    ProgramError,
    load_program,
    parse_ipynb,
    parse_percent,
)

SCRIPT = """import torch
x = torch.ones(2)
# %% [markdown]
# Some *text*

# %% Title of a cell
y = x * 2
y
#%%
print(y)"""


def test_code_before_the_first_marker_is_a_cell():
    program = parse_percent(SCRIPT)
    assert [cell.kind for cell in program.cells] == ["code", "markdown", "code", "code"]
    assert program.cells[0].source == "import torch\nx = torch.ones(2)\n"
    assert program.cells[0].first_line == 1


def test_cells_know_their_first_line_in_the_file():
    program = parse_percent(SCRIPT)
    assert [cell.first_line for cell in program.cells] == [1, 4, 7, 10]
    assert program.cells[2].source_line(8) == "y"


def test_markdown_cells_are_kept_but_not_run():
    program = parse_percent(SCRIPT)
    assert program.cells[1].source == "# Some *text*\n\n"
    assert [index for index, _ in program.code_cells] == [0, 2, 3]


@pytest.mark.parametrize("marker", ["# %% [md]", "# %% [raw]", "#%% [markdown]"])
def test_other_non_code_markers(marker):
    assert parse_percent(f"{marker}\n# text\n").cells[0].kind == "markdown"


def test_the_seed_round_trips_exactly(seed_dir):
    text = (seed_dir / "autograd_basics.py").read_text()
    assert parse_percent(text).to_percent() == text


@given(
    st.lists(
        st.sampled_from(["# %%", "# %% [markdown]", "#%%", "x = 1", "", "# note", "  # %%", "\r"]),
        max_size=12,
    ),
    st.sampled_from(["\n", "\r\n"]),
    st.booleans(),
)
def test_percent_text_round_trips_exactly(lines, newline, final_newline):
    text = newline.join(lines) + (newline if final_newline and lines else "")
    assert parse_percent(text).to_percent() == text


def test_a_built_program_writes_percent_text_that_parses_back():
    program = Program((Cell("x = 1\n"), Cell("Title", kind="markdown"), Cell("x")))
    again = parse_percent(program.to_percent())
    assert [cell.kind for cell in again.cells] == ["code", "markdown", "code"]
    assert again.cells[1].source == "# Title\n\n"
    assert again.cells[2].source.strip() == "x"


def test_notebook_code_and_markdown_cells():
    notebook = {
        "cells": [
            {"cell_type": "markdown", "source": ["# Title"]},
            {"cell_type": "code", "source": ["import torch\n", "torch.ones(2)"]},
        ]
    }
    program = parse_ipynb(json.dumps(notebook))
    assert [cell.kind for cell in program.cells] == ["markdown", "code"]
    assert program.cells[1].source == "import torch\ntorch.ones(2)"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"cells": [', "line 1, column 12"),
        ("[]", "no 'cells' list"),
        ('{"cells": [3]}', "cell 1 is not an object"),
        ('{"cells": [{"cell_type": "code", "source": 5}]}', "'source'"),
    ],
)
def test_bad_notebooks_are_named_clearly(text, expected):
    with pytest.raises(ProgramError) as caught:
        parse_ipynb(text)
    assert expected in str(caught.value)
    assert caught.value.kind == "NotebookFormatError"


def test_load_program_reads_both_formats(tmp_path):
    (tmp_path / "a.py").write_text("# %%\nx = 1\n")
    (tmp_path / "b.ipynb").write_text(json.dumps({"cells": [{"cell_type": "code", "source": "x"}]}))
    assert load_program(tmp_path / "a.py").cells[0].source == "x = 1\n"
    assert load_program(tmp_path / "b.ipynb").cells[0].source == "x"


@pytest.mark.parametrize(
    ("content", "kind"), [(None, "FileNotFoundError"), (b"\xff\xfe", "UnicodeDecodeError")]
)
def test_load_program_errors_are_program_errors(tmp_path, content, kind):
    path = tmp_path / "p.py"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(ProgramError) as caught:
        load_program(path)
    assert caught.value.kind == kind
    assert "p.py" in str(caught.value)


def test_program_error_text():
    error = ProgramError("RuntimeError", "boom", 2, 12, 5, "y.backward()")
    assert str(error) == "RuntimeError: boom (cell 3, line 12, col 5)"
    assert error.traceback_text().splitlines()[-1] == "RuntimeError: boom"
    assert "y.backward()" in error.traceback_text()
