"""`autograd-explorer render`: the scene without a display, at the event the timeline shows."""

import pytest
from PySide6 import QtGui

from explorer.cli import main

SEED = "resources/examples/seed_autograd_basics.py"


@pytest.fixture
def seed(request):
    return str(request.config.rootpath / SEED)


def test_png_at_an_event_has_the_requested_size(qapp, tmp_path, seed):
    out = tmp_path / "seed.png"
    assert main(["render", seed, "-o", str(out), "--at", "71", "--size", "640x400"]) == 0
    image = QtGui.QImage(str(out))
    assert (image.width(), image.height()) == (640, 400)


def test_svg_names_the_event_in_its_caption(qapp, tmp_path, seed):
    out = tmp_path / "seed.svg"
    assert main(["render", seed, "-o", str(out), "--at", "1"]) == 0
    assert "event 1 / " in out.read_text()


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        (["-o", "out.gif"], "must end in .png or .svg"),
        (["-o", "out.png", "--at", "0"], "has events 1 to"),
        (["-o", "out.png", "--at", "100000"], "has events 1 to"),
    ],
)
def test_bad_requests_give_one_line(qapp, tmp_path, seed, capsys, arguments, expected):
    arguments = [str(tmp_path / a) if a.startswith("out.") else a for a in arguments]
    assert main(["render", seed, *arguments]) == 1
    err = capsys.readouterr().err
    assert expected in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_a_bad_size_is_a_usage_error(seed):
    with pytest.raises(SystemExit) as exit_info:
        main(["render", seed, "-o", "out.png", "--size", "huge"])
    assert exit_info.value.code == 2
