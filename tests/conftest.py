"""Test-wide set-up: Qt must never need a display, so the platform is fixed before any Qt import."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

SEED_DIR = Path(__file__).resolve().parents[2] / "shared" / "seed"


@pytest.fixture
def seed_dir() -> Path:
    """`../shared/seed`: the notebook this product grew from and what PyTorch prints for it."""
    if not SEED_DIR.is_dir():
        pytest.skip("../shared/seed is not beside this checkout")
    return SEED_DIR
