"""The timeline bar on a real Document: transport through the document, and playback that drops
frames (a fake clock; the bar is ticked by hand, never by its timer)."""

from __future__ import annotations

import pytest

from explorer.qt.timeline_bar import QtTimelineBar

LOOP = """# %%
import torch
x = torch.ones(2, requires_grad=True)
for i in range(6):
    x = x * 2
x.sum().backward()
"""


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def bar(qtbot, make_document):
    bar = QtTimelineBar(clock=FakeClock())
    qtbot.addWidget(bar)
    bar.set_document(make_document(LOOP))
    bar.first()
    return bar


def test_the_program_gives_enough_events(bar):
    assert bar.last_index >= 20


def test_buttons_and_slider_move_the_document_cursor(bar):
    document, last = bar.document, bar.last_index
    bar.next()
    bar.next()
    assert document.replay.index == 1
    bar.last()
    assert document.replay.index == last and bar.slider.value() == last
    bar.previous()
    assert document.replay.index == last - 1
    bar.slider.setValue(5)
    assert document.replay.index == 5
    bar.first()
    assert document.replay.index == -1
    assert f"before the first of {last + 1}" in bar.position.text()


def test_playback_follows_the_clock_and_drops_frames_when_behind(bar):
    bar.toggle_play()
    assert bar.is_playing()
    speed = int(bar.speed.currentText().split()[0])
    bar.clock.now += 1.0 / speed
    bar.tick()
    assert bar.document.replay.index == 0
    assert bar.frames_dropped == 0
    bar.clock.now += 5.0 / speed  # drawing fell 5 events behind: skip, do not queue
    bar.tick()
    assert bar.document.replay.index == 5
    assert bar.frames_dropped == 4
    bar.clock.now += 1000.0
    bar.tick()
    assert bar.document.replay.index == bar.last_index
    assert not bar.is_playing()


def test_play_at_the_end_restarts_from_the_beginning(bar):
    bar.last()
    bar.toggle_play()
    assert bar.document.replay.index == -1
    bar.toggle_play()
    assert not bar.is_playing()
