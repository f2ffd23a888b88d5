"""The Qt binding itself: a release that mis-counts references to None crashes long sessions."""

import sys

import pytest
from PySide6 import QtGui


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="None is immortal from Python 3.12 on")
def test_calls_returning_nothing_keep_none_alive(qapp):
    image = QtGui.QImage(8, 8, QtGui.QImage.Format.Format_ARGB32)
    painter = QtGui.QPainter(image)
    before = sys.getrefcount(None)
    for _ in range(1000):
        painter.drawLine(0, 0, 5, 5)
    after = sys.getrefcount(None)
    painter.end()
    assert after - before > -100, "this PySide6 release releases None on every void call"
