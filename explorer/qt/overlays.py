"""The labels laid over the graph canvas: the caption (top left) and the legend (bottom)."""

from __future__ import annotations

from PySide6 import QtCore, QtWidgets

LEGEND_HTML = (
    '<span style="color:#4c78a8">●</span>&nbsp;tensor &nbsp; '
    '<span style="color:#b0b0b0">●</span>&nbsp;no&nbsp;grad &nbsp; '
    '<span style="color:#f2a65a">■</span>&nbsp;op &nbsp; '
    '<span style="color:#c9b3e6">■</span>&nbsp;op&nbsp;in&nbsp;no_grad &nbsp; '
    '<span style="color:#ffd43b">●</span>&nbsp;active &nbsp; '
    '<span style="color:#e45756">●</span>&nbsp;NaN/inf &nbsp; '
    '<span style="color:#e8702a">━</span>&nbsp;gradient&nbsp;flowing &nbsp; '
    '<span style="color:#d9534f">╌</span>&nbsp;detach'
)


def overlay_label(parent: QtWidgets.QWidget, style: str) -> QtWidgets.QLabel:
    """A label over ``parent`` on a translucent white ground that lets clicks through."""
    label = QtWidgets.QLabel(parent)
    label.setStyleSheet(f"background: rgba(255,255,255,200); padding: 2px 4px; {style}")
    label.setAttribute(QtCore.Qt.WidgetAttribute.WA_TransparentForMouseEvents)
    return label


def fit_label(label: QtWidgets.QLabel, width: int) -> None:
    """Size ``label`` to its text on one line, or wrapped to ``width`` when that is narrower."""
    label.setWordWrap(False)
    hint = label.sizeHint()
    if hint.width() > width > 0:
        label.setWordWrap(True)
        label.resize(width, label.heightForWidth(width))
    else:
        label.resize(hint)
