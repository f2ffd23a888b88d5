"""The command line: the seed transcript byte for byte, and one-line errors for bad input."""

import subprocess
import sys

import pytest

from explorer.cli import main


@pytest.fixture
def seed_program(seed_dir):
    return seed_dir / "autograd_basics.py"


@pytest.fixture
def expected_transcript(seed_dir):
    return (seed_dir / "autograd_basics.expected.txt").read_text()


def test_run_prints_the_seed_transcript_byte_for_byte(capsys, seed_program, expected_transcript):
    assert main(["run", str(seed_program)]) == 0
    assert capsys.readouterr().out == expected_transcript


def test_python_dash_m_explorer_is_the_same_command(seed_program, expected_transcript):
    completed = subprocess.run(
        [sys.executable, "-m", "explorer", "run", str(seed_program)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert completed.returncode == 0
    assert completed.stdout == expected_transcript


def _one_line_error(capsys) -> str:
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    return lines[0]


def test_run_keeps_output_before_a_failing_statement(tmp_path, capsys):
    program = tmp_path / "fails.py"
    program.write_text("# %%\nimport torch\nprint('before')\ntorch.ones(2) @ torch.ones(3)\n")
    assert main(["run", str(program)]) == 1
    captured = capsys.readouterr()
    assert captured.out == "before\n"
    assert "RuntimeError" in captured.err
    assert "line 4" in captured.err


def test_run_shows_a_failing_program_as_a_notebook_does(tmp_path, capsys):
    program = tmp_path / "fails.py"
    program.write_text(
        "# %%\nimport torch\nx = torch.ones(2)\n# %%\nprint('second')\ny = x @ torch.ones(3)\n"
    )
    assert main(["run", str(program)]) == 1
    lines = capsys.readouterr().err.splitlines()
    assert lines[:2] == ["Error in cell 2, line 6, col 5:", "    y = x @ torch.ones(3)"]
    assert lines[2].startswith("RuntimeError: inconsistent tensor size")
    assert len(lines) == 3


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("x = (\n", ["Error in cell 1, line 1, col 5:", "    x = (", "SyntaxError: "]),
        ("import os\n", ["Error in cell 1, line 1, col 1:", "    import os", "Unsupported"]),
    ],
)
def test_run_shows_where_a_refused_program_fails(tmp_path, capsys, source, expected):
    program = tmp_path / "refused.py"
    program.write_text(source)
    assert main(["run", str(program)]) == 1
    lines = capsys.readouterr().err.splitlines()
    assert lines[:2] == expected[:2]
    assert lines[2].startswith(expected[2])


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("missing.py", None, "No such file"),
        ("broken.autograd.json", '{"format": "autograd-explorer",\n "version": }', "line 2"),
        ("future.autograd.json", '{"format": "autograd-explorer", "version": 999}', "version"),
        ("binary.py", b"\xff\xfe\x00", "UTF-8"),
    ],
)
def test_bad_files_give_one_line_and_exit_non_zero(tmp_path, capsys, name, content, expected):
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content)
    assert main(["check", str(path)]) == 1
    assert expected in _one_line_error(capsys)


def test_check_refuses_a_hostile_program(tmp_path, capsys):
    program = tmp_path / "hostile.py"
    program.write_text("import os\nos.remove('x')\n")
    assert main(["check", str(program)]) == 1
    assert "import" in _one_line_error(capsys)


def test_export_dot_and_json_then_check_the_json(tmp_path, capsys, seed_program):
    dot, graph_file = tmp_path / "seed.dot", tmp_path / "seed.autograd.json"
    assert main(["export", str(seed_program), "--format", "dot", "-o", str(dot)]) == 0
    assert dot.read_text().lstrip().startswith("digraph")
    assert "detach" in dot.read_text()
    assert main(["export", str(seed_program), "--format", "json", "-o", str(graph_file)]) == 0
    assert main(["check", str(graph_file)]) == 0
    assert "ok" in capsys.readouterr().out


def test_unknown_arguments_are_a_usage_error(seed_program):
    with pytest.raises(SystemExit) as exit_info:
        main(["export", str(seed_program), "--format", "gif", "-o", "x"])
    assert exit_info.value.code == 2
