"""Running programs as a notebook does: outputs, the observer, errors that name cell and line."""

import pytest

import engine
from explorer.model import limits
from explorer.model.interpreter import Limits, RunResult, run_program
from explorer.model.program import Cell, Program, load_program, parse_percent


def run(text: str, **options) -> RunResult:
    return run_program(parse_percent(text), **options)


class Recorder:
    """An observer that writes down every call."""

    def __init__(self) -> None:
        self.calls: list[tuple] = []
        self.events: list[object] = []

    def cell_started(self, index):
        self.calls.append(("cell_started", index))

    def name_bound(self, name, value):
        self.calls.append(("name_bound", name))

    def printed(self, text):
        self.calls.append(("printed", text))

    def displayed(self, text):
        self.calls.append(("displayed", text))

    def error_raised(self, cell, line, col, message):
        self.calls.append(("error_raised", cell, line, col, message))

    def on_engine_event(self, event):
        self.events.append(event)


def test_the_seed_transcript_is_byte_for_byte_pytorchs(seed_dir):
    result = run_program(load_program(seed_dir / "autograd_basics.py"))
    assert result.error is None
    assert result.transcript() == (seed_dir / "autograd_basics.expected.txt").read_text()


def test_the_seed_with_real_torch_gives_the_same_transcript(seed_dir):
    torch = pytest.importorskip("torch")
    result = run_program(load_program(seed_dir / "autograd_basics.py"), torch_module=torch)
    assert result.transcript() == (seed_dir / "autograd_basics.expected.txt").read_text()


def test_observer_sees_cells_names_prints_displays_and_engine_events():
    observer = Recorder()
    run("# %%\nimport torch\n# %%\nx = torch.arange(3.0)\nprint('hi')\nx\n", observer=observer)
    assert observer.calls == [
        ("cell_started", 0),
        ("name_bound", "torch"),
        ("cell_started", 1),
        ("name_bound", "x"),
        ("printed", "hi\n"),
        ("displayed", "tensor([0., 1., 2.])"),
    ]
    assert [type(event).__name__ for event in observer.events] == ["OpRan"]


def test_only_the_last_expression_statement_is_displayed_and_a_semicolon_hides_it():
    assert run("1\n2\n").transcript() == "2\n"
    assert run("x = 1\n").transcript() == ""
    assert run("3;  # quiet\n").transcript() == ""
    assert run("None\n").transcript() == ""


def test_markdown_cells_do_not_run_and_upto_cell_stops_early():
    text = "# %%\nprint(1)\n# %% [markdown]\n# print(2)\n# %%\nprint(3)\n"
    assert run(text).transcript() == "1\n3\n"
    assert run(text, upto_cell=1).transcript() == "1\n"


def test_an_error_stops_the_run_and_keeps_what_came_before():
    observer = Recorder()
    text = (
        "# %%\nimport torch\nprint('before')\n# %%\nx = torch.ones(2)\nx.backward()\n"
        "print('after')\n"
    )
    result = run(text, observer=observer)
    assert result.transcript() == "before\n"
    assert result.error.kind == "RuntimeError"
    assert result.error.message == "grad can be implicitly created only for scalar outputs" or (
        "does not require grad" in result.error.message
    )
    assert (result.error.cell, result.error.line, result.error.col) == (1, 6, 1)
    assert observer.calls[-1][:4] == ("error_raised", 1, 6, 1)
    assert result.error.source_line == "x.backward()"
    assert result.namespace["x"] is not None


def test_errors_point_at_the_failing_sub_expression():
    result = run("x = 1\ny = [1, 2] + (x + 'a')\n")
    assert result.error.kind == "TypeError"
    assert (result.error.line, result.error.col) == (2, 15)


def test_syntax_errors_name_the_file_line():
    result = run("# %%\nx = 1\n# %%\nx = (\n")
    assert result.error.kind == "SyntaxError"
    assert result.error.cell == 1
    assert result.error.line == 4


def test_assignment_forms():
    text = (
        "a, *b = [1, 2, 3]\n(c, d), e = (4, 5), 6\nf = g = 7\nh = [0, 0]\nh[1] = 9\nh[0] += 2\n"
        "n: int = 3\nd2 = {'k': 1, **{'j': 2}}\ndel d2['k']\nprint(a, b, c, d, e, f, g, h, n, d2)\n"
    )
    assert run(text).transcript() == "1 [2, 3] 4 5 6 7 7 [2, 9] 3 {'j': 2}\n"


def test_unpacking_errors_use_pythons_messages():
    assert run("a, b = [1, 2, 3]").error.message == "too many values to unpack (expected 2)"
    assert run("a, b, c = [1]").error.message == "not enough values to unpack (expected 3, got 1)"


def test_control_flow_and_builtins():
    text = (
        "total = 0\nfor i in range(10):\n    if i % 2:\n        continue\n    elif i > 6:\n"
        "        break\n    else:\n        total += i\n"
        "print(total, len([1, 2]), abs(-2), min(3, 1), max([4, 5]), sum([1, 2]),"
        " round(2.567, 2), isinstance(1.0, float), 1 < 2 < 3,"
        " not 0, 1 if 0 else 2, list(enumerate('ab')), list(zip([1], [2])))\n"
    )
    assert run(text).transcript() == (
        "12 2 2 1 5 3 2.57 True True True 2 [(0, 'a'), (1, 'b')] [(1, 2)]\n"
    )


def test_print_separators_and_f_strings():
    text = "x = 0.5\nprint('a', 'b', sep='-', end='!\\n')\nprint(f'{x:.3f}|{x!r}|{\"s\"!s:>3}|{x}')"
    assert run(text).transcript() == "a-b!\n0.500|0.5|  s|0.5\n"


def test_imports_bind_the_engine_and_safe_subsets():
    text = (
        "import torch as T\nfrom torch import arange, ones as O\nimport numpy as np\nimport math\n"
        "print(T.arange(2.0), arange(2), O(1), np.array([1.0, 2.0]).sum(), math.pi)\n"
    )
    assert run(text).transcript() == "tensor([0., 1.]) tensor([0, 1]) tensor([1.]) 3.0 " + (
        f"{__import__('math').pi}\n"
    )


def test_a_missing_engine_name_is_an_import_error():
    result = run("from torch import no_such_thing")
    assert result.error.kind == "ImportError"
    assert "no_such_thing" in result.error.message
    assert run("import torch.no_such_module").error.kind == "ModuleNotFoundError"


@pytest.mark.parametrize(
    "imports",
    [
        "import torch.nn.functional as F",
        "from torch.nn import functional as F",
        "import torch.nn as nn\nF = nn.functional",
    ],
)
def test_torch_nn_functional_can_be_imported(imports):
    text = f"import torch\n{imports}\nF.relu(torch.tensor([-1., 2.]))"
    assert run(text).transcript() == "tensor([0., 2.])\n"


def test_no_grad_blocks_restore_grad_mode_even_after_an_error():
    text = "import torch\nwith torch.no_grad():\n    y = torch.ones(2, requires_grad=True) * 2\ny"
    assert run(text).transcript() == "tensor([2., 2.])\n"
    failing = "import torch\nwith torch.no_grad():\n    1 / 0\n"
    assert run(failing).error.kind == "ZeroDivisionError"
    assert engine.is_grad_enabled()


def test_grad_mode_switched_off_by_a_program_is_restored_after_the_run():
    run("import torch\ntorch.set_grad_enabled(False)\n")
    assert engine.is_grad_enabled()


def test_tensor_attributes_that_may_be_written():
    text = "import torch\nx = torch.ones(2, requires_grad=True)\nx.grad = None\nx.requires_grad\n"
    assert run(text).transcript() == "True\n"


def test_engine_warnings_are_shown_once_per_line_like_a_notebook():
    text = (
        "import torch\nx = torch.tensor(2.0, requires_grad=True)\n"
        "for i in range(3):\n    v = float(x)\nprint(v)\n"
    )
    transcript = run(text).transcript()
    assert transcript.count("UserWarning: Converting a tensor with requires_grad=True") == 1
    assert transcript.startswith("cell 1, line 4: UserWarning:")
    assert transcript.endswith("2.0\n")


def test_warnings_torch_gives_once_per_process_come_again_in_every_run():
    text = "import torch\nx = torch.ones(3)\nx.T\n"
    first, second = run(text).transcript(), run(text).transcript()
    assert first == second
    assert "UserWarning: The use of `x.T` on tensors of dimension other than 2" in second


def test_limits_are_configurable():
    assert run("for i in range(11):\n    pass", limits=Limits(max_iterations=10)).error.kind == (
        "LimitExceeded"
    )
    assert run("for i in range(10):\n    pass", limits=Limits(max_iterations=10)).error is None


def test_run_time_limit_is_checked_between_statements():
    result = run("x = 0\nfor i in range(10**6):\n    x += 1", limits=Limits(max_seconds=0.05))
    assert result.error.kind == "LimitExceeded"
    assert "ran longer than" in result.error.message


def test_observer_failures_are_not_program_errors():
    class Broken:
        def printed(self, text):
            raise KeyError("bug in the app")

    from explorer.model.interpreter import ObserverError

    with pytest.raises(ObserverError):
        run("print(1)", observer=Broken())


@pytest.mark.parametrize("source", ["\rA", "x = 1\r\ny\n", "x = 1\ry"])
def test_errors_after_carriage_returns_name_the_right_line(source):
    error = run_program(Program((Cell(source),))).error
    assert error.kind == "NameError"
    assert error.source_line.strip() in {"A", "y"}


def test_a_run_pauses_between_statements_when_asked(monkeypatch):
    monkeypatch.setattr(limits, "PAUSE_EVERY", 0.0)
    pauses = []
    result = run_program(
        parse_percent("x = 1\nfor i in range(3):\n    x = x + i\n"), pause=lambda: pauses.append(1)
    )
    assert result.error is None and result.namespace["x"] == 4
    assert len(pauses) >= 4  # every statement, the loop's included
