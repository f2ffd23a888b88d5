"""Test-wide set-up: Qt must never need a display, so the platform is fixed before any Qt import."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
