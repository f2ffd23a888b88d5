"""Generated programs, mixing allowed and refused constructs, only ever end in our own errors."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from explorer.model.interpreter import Limits, RunResult, run_program
from explorer.model.program import ProgramError, parse_percent

SMALL = Limits(max_seconds=2.0, max_iterations=2_000, max_tensor_elements=100_000)
STATEMENTS = [
    "import torch",
    "import numpy as np",
    "import os",
    "x = torch.arange(4.0, requires_grad=True)",
    "x = torch.ones(2, 3)",
    "y = x * x",
    "y = 2 * torch.dot(x, x)",
    "y.sum().backward()",
    "y.backward()",
    "x.grad",
    "x.grad.zero_()",
    "z = x.detach()",
    "print(x, y, sep=', ')",
    "for i in range(3):\n    y = y * 2",
    "for v in x:\n    print(v)",
    "with torch.no_grad():\n    x -= 1",
    "f = lambda: 0",
    "x.__class__",
    "open('f')",
    "torch.ones(2) @ torch.ones(3)",
    "x[0] = 1.0",
    "a, b = x",
    "del x",
    "x.requires_grad = True",
    "x.grad = None",
    "print(f'{y:.2f}')",
    "while True:\n    pass",
    "[0] * 10**12",
    "torch.arange(10**12)",
    "if x.sum() > 0:\n    print('pos')\nelse:\n    print('neg')",
    "np.array([1.0, 2.0]) + 1",
    "x.T",
    "x.shape, x.dtype, x.is_leaf, x.grad_fn",
]
TOKENS = [
    "x",
    "y",
    "torch",
    "print",
    "len",
    "np",
    "1",
    "2.5",
    "'s'",
    "None",
    "True",
    "(",
    ")",
    "[",
    "]",
    ",",
    ".",
    "+",
    "-",
    "*",
    "/",
    "**",
    "@",
    "==",
    "<",
    "=",
    ":",
    "grad",
    "sum",
    "backward",
    "__class__",
    "T",
    "shape",
    "range",
    "for",
    "in",
    "if",
    "lambda",
    "not",
    "and",
    " ",
    "\n",
    "    ",
    "{",
    "}",
    "f'{x}'",
    "#",
    ";",
    "import",
    "as",
    "from",
    "with",
    "del",
]


def _run_checked(text: str) -> RunResult:
    result = run_program(parse_percent(text), limits=SMALL)
    assert isinstance(result, RunResult)
    assert result.error is None or isinstance(result.error, ProgramError)
    if result.error is not None:
        assert result.error.kind and isinstance(result.error.message, str)
        assert str(result.error).startswith(result.error.kind)
    return result


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(STATEMENTS), min_size=1, max_size=8), st.booleans())
def test_statement_mixes_end_in_program_errors_only(statements, split_cells):
    separator = "\n# %%\n" if split_cells else "\n"
    _run_checked("import torch\n" + separator.join(statements))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(TOKENS), max_size=30))
def test_token_soup_ends_in_program_errors_only(tokens):
    _run_checked(
        "import torch\nx = torch.ones(3, requires_grad=True)\ny = x * 2\n" + "".join(tokens)
    )


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=60))
def test_arbitrary_text_ends_in_program_errors_only(text):
    _run_checked(text)
