"""The timeline bar: transport through the document, and playback that drops frames."""

from __future__ import annotations

import pytest

from explorer.qt.timeline_bar import QtTimelineBar
from tests.qt.fake_document import FakeDocument


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def bar(qtbot):
    clock = FakeClock()
    bar = QtTimelineBar(clock=clock)
    qtbot.addWidget(bar)
    bar.set_document(FakeDocument(40))
    return bar


def test_buttons_and_slider_move_the_document_cursor(bar):
    document = bar.document
    bar.next()
    bar.next()
    assert document.replay.index == 1
    bar.last()
    assert document.replay.index == 39 and bar.slider.value() == 39
    bar.previous()
    assert document.replay.index == 38
    bar.slider.setValue(5)
    assert document.replay.index == 5
    bar.first()
    assert document.replay.index == -1
    assert "before the first of 40" in bar.position.text()


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
    assert bar.document.replay.index == 39
    assert not bar.is_playing()


def test_play_at_the_end_restarts_from_the_beginning(bar):
    bar.last()
    bar.toggle_play()
    assert bar.document.replay.index == -1
    bar.toggle_play()
    assert not bar.is_playing()
