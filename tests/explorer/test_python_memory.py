"""Python lists, tuples, dicts and strings a program builds count against a run's memory."""

import pytest

from explorer.model.interpreter import run_program
from explorer.model.limits import Limits
from explorer.model.program import parse_percent

SMALL = Limits(max_python_bytes=80_000)  # 10,000 list items


def run(source: str, limits: Limits = SMALL):
    return run_program(parse_percent(source), limits=limits)


@pytest.mark.parametrize(
    "source",
    [
        "x = [[0] * 1000 for i in range(11)]",
        "x = []\nfor i in range(11):\n    x.append([0] * 1000)",
        "x = []\nfor i in range(11):\n    x += [0] * 1000",
        "x = []\nfor i in range(11):\n    x.extend(list(range(1000)))",
        "a = [0] * 1000\nx = [a[:] for i in range(11)]",
        "x = {i: i for i in range(5000)}",
        "x = ''\nfor i in range(11):\n    x = x + 'y' * 8000",
        "import torch\nt = torch.zeros(100, 100)\nx = [t.tolist() for i in range(2)]",
    ],
)
def test_building_past_the_limit_stops_with_what_and_where(source):
    result = run(source)
    assert result.error is not None and result.error.kind == "LimitExceeded", result.error
    assert "past 80,000 bytes" in result.error.message
    assert result.error.cell == 0 and result.error.line is not None


@pytest.mark.parametrize(
    "source",
    [
        "s = ''\nfor i in range(5000):\n    s += 'x'",  # growth is counted, not every copy
        "d = {'k': [0] * 5000}\nfor i in range(100):\n    v = d.get('k')",  # handed back
        "a = [0] * 5000\nfor i in range(100):\n    b = a[0]",
        "x = [0] * 5000\nfor i in range(100):\n    x[0] = i",
    ],
)
def test_reading_and_growing_in_place_stay_within_the_limit(source):
    assert run(source).error is None


def test_the_default_limit_allows_ordinary_programs():
    source = "import torch\nlog = []\nfor i in range(10**4):\n    log.append(f'step {i}')\n"
    assert run(source, Limits()).error is None
