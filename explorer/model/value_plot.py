"""What the inspector plots for a tensor: finite values to scale, NaN and infinities marked.

A plot of ``[-inf, 0, 1.39]`` must not turn -inf into -3.4e38: that hides the other bars and the
infinity itself. So ranges come from the finite values alone; an infinity is drawn as a bar
clipped at the edge of that range, and a NaN, which has no size, as a mark on the baseline (for
an image: a mark on its cell). Pure functions of numpy arrays; the Qt inspector draws what they
return.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

NONFINITE_KINDS = ("+inf", "-inf", "NaN")
# Share of the finite span left free above and below the bars.
PAD = 0.12
# Least share of the finite span kept on the side of 0 where an infinity's clipped bar goes.
INF_ROOM = 0.3
# Non-finite elements named by index in a note; the rest are counted.
NOTE_INDICES = 3


@dataclass(frozen=True)
class Bars:
    """One array as bars at ``x`` (element i at i + offset): the finite ones with their heights,
    the others as positions per kind (only kinds present)."""

    x: np.ndarray
    heights: np.ndarray
    nonfinite: dict[str, np.ndarray]


def nonfinite_masks(array: np.ndarray) -> dict[str, np.ndarray]:
    """Masks (shaped like ``array``) of its +inf, -inf and NaN elements; only kinds present."""
    values = np.asarray(array, dtype=float)
    masks = {"+inf": values == np.inf, "-inf": values == -np.inf, "NaN": np.isnan(values)}
    return {kind: mask for kind, mask in masks.items() if mask.any()}


def bars(array: np.ndarray, offset: float = 0.0) -> Bars:
    """``array`` flattened into bars, its non-finite elements kept apart by kind."""
    values = np.asarray(array, dtype=float).ravel()
    x = np.arange(len(values)) + offset
    finite = np.isfinite(values)
    masks = nonfinite_masks(values)
    return Bars(x[finite], values[finite], {kind: x[mask] for kind, mask in masks.items()})


def y_range(series: Sequence[Bars]) -> tuple[float, float]:
    """The y range for ``series``: the finite heights and the baseline 0, padded, with room on
    the side where an infinity's clipped bar goes; (-1, 1) when every finite height is 0."""
    heights = np.concatenate([np.zeros(1), *(s.heights for s in series)])
    lo, hi = float(heights.min()), float(heights.max())
    if lo == hi:
        return -1.0, 1.0
    span = hi - lo
    kinds = {kind for s in series for kind in s.nonfinite}
    if "+inf" in kinds:
        hi = max(hi, INF_ROOM * span)
    if "-inf" in kinds:
        lo = min(lo, -INF_ROOM * span)
    pad = PAD * (hi - lo)
    return lo - pad, hi + pad


def edge(kind: str, limits: tuple[float, float]) -> float:
    """Where a non-finite bar of ``kind`` ends: the top or bottom of ``limits``, 0 for NaN."""
    return {"+inf": limits[1], "-inf": limits[0]}.get(kind, 0.0)


def finite_levels(array: np.ndarray) -> tuple[float, float]:
    """Colour levels for an image of ``array``: its finite minimum and maximum, widened when
    they are equal; (0, 1) when nothing is finite."""
    values = np.asarray(array, dtype=float)
    finite = values[np.isfinite(values)]
    if not finite.size:
        return 0.0, 1.0
    lo, hi = float(finite.min()), float(finite.max())
    return (lo - 0.5, hi + 0.5) if lo == hi else (lo, hi)


def index_ticks(levels: Sequence[tuple[float, float]]) -> list[tuple[float, float]]:
    """The tick levels ``(spacing, offset)`` of an axis of element indices: only those whose
    ticks all fall on whole numbers (spacing a whole number of at least 1), one tick per index
    when none is left; coarser levels are kept, so a long axis still shows every 10th or 100th."""
    kept = [
        (float(round(spacing)), float(round(offset)))
        for spacing, offset in levels
        if spacing >= 1 - 1e-9 and _whole(spacing) and _whole(offset)
    ]
    return kept or ([(1.0, 0.0)] if levels else [])


def _whole(number: float) -> bool:
    return abs(number - round(number)) < 1e-9


def nonfinite_note(name: str, array: np.ndarray | None) -> str:
    """``value: -inf at [0]; NaN at [1, 2], [3, 0] and 4 more`` ("" when all is finite)."""
    if array is None:
        return ""
    parts = [_where(kind, mask) for kind, mask in nonfinite_masks(array).items()]
    return f"{name}: {'; '.join(parts)}" if parts else ""


def _where(kind: str, mask: np.ndarray) -> str:
    if mask.ndim == 0:
        return kind
    where = [
        "[" + ", ".join(str(int(i)) for i in index) + "]"
        for index in zip(*np.nonzero(mask), strict=True)
    ]
    more = len(where) - NOTE_INDICES
    tail = f" and {more} more" if more > 0 else ""
    return f"{kind} at {', '.join(where[:NOTE_INDICES])}{tail}"
