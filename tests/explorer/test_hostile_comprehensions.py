"""Comprehensions run under the same allow-list and limits as the rest of a program."""

import time

import pytest

import engine
from explorer.model.interpreter import run_program
from explorer.model.limits import Limits
from explorer.model.program import parse_percent
from tests.explorer.test_hostile import REFUSED_WITHIN

UNSUPPORTED, LIMIT = "UnsupportedConstruct", "LimitExceeded"
T = "import torch\n"
CORPUS = [
    ("[c for c in ().__class__.__bases__]", UNSUPPORTED, "special attributes"),
    ("[x.__class__ for x in [1]]", UNSUPPORTED, "__class__"),
    ("[x for x in [1] if x.__class__]", UNSUPPORTED, "__class__"),
    ("[getattr(x, 'real') for x in [1]]", UNSUPPORTED, "'getattr' is not available"),
    ("[f for f in [open]]", UNSUPPORTED, "'open' is not available"),
    ("[f('PATH', 'w') for f in [print]]", None, ""),
    ("[lambda: 1 for x in range(2)]", UNSUPPORTED, "lambda"),
    ("[(y := x) for x in [1]]", UNSUPPORTED, ":="),
    ("{x for x in [1]}", UNSUPPORTED, "set comprehensions"),
    ("[x for x.real in [1]]", UNSUPPORTED, "loop variables must be names"),
    ("x = [0]\n[1 for x[0] in [[1]]]", UNSUPPORTED, "loop variables must be names"),
    ("[x async for x in [1]]", None, ""),
    ("[iter(x) for x in [[1]]]", UNSUPPORTED, "'iter'"),
    ("[x for x in (y for y in range(10**12))]", LIMIT, "loop over"),
    ("sum(x for x in range(10**12))", LIMIT, "loop over"),
    ("[x for x in range(10**6) for y in range(10**6)]", LIMIT, "loop"),
    ("[[0] * 10**10 for x in [1]]", LIMIT, "list of"),
    (T + "[torch.arange(10**12) for i in range(2)]", LIMIT, "elements"),
    (T + "[torch.ones(3).__class__ for i in range(2)]", UNSUPPORTED, "__class__"),
    (T + "[m.system for m in [torch]]", "AttributeError", "system"),
    ("g = (x for x in [1])\ng.gi_frame", UNSUPPORTED, "'generator' objects"),
    ("g = (x for x in [1])\ng.send(None)", UNSUPPORTED, "'generator' objects"),
    ("[__import__('os') for x in [1]]", UNSUPPORTED, "__import__"),
]


@pytest.mark.parametrize(("source", "kind", "fragment"), CORPUS)
def test_hostile_comprehensions_are_refused_fast(tmp_path, source, kind, fragment):
    target = tmp_path / "pwned"
    original_tensor = engine.tensor
    started = time.monotonic()
    result = run_program(parse_percent(source.replace("PATH", str(target))))
    assert time.monotonic() - started < REFUSED_WITHIN
    assert not target.exists() and engine.tensor is original_tensor
    if kind is None:
        assert result.error is None or result.error.kind in (UNSUPPORTED, "SyntaxError")
        return
    assert result.error is not None, result.transcript()
    assert (result.error.kind, fragment in result.error.message) == (kind, True), result.error


def test_comprehension_iterations_count_towards_the_loop_limit():
    source = "for i in range(6):\n    pass\n[x for x in range(5)]\n"
    result = run_program(parse_percent(source), limits=Limits(max_iterations=10))
    assert result.error.kind == LIMIT and "loop" in result.error.message


def test_an_endless_comprehension_stops_at_the_time_limit():
    source = "[i for a in range(1000) for b in range(1000) for i in range(1000)]"
    limits = Limits(max_seconds=0.2, max_iterations=10**9)
    started = time.monotonic()
    result = run_program(parse_percent(source), limits=limits)
    assert time.monotonic() - started < REFUSED_WITHIN
    assert result.error.kind == LIMIT and "ran longer" in result.error.message
