"""Where the graph view looks and how big its markers are: pure functions of sizes in pixels.

``fit_range`` frames a graph the way a reader wants it: the whole graph, as long as neighbouring
layers stay READABLE_PX apart (or the axes are stretched by at most MAX_STRETCH); a taller or
wider one (an unrolled loop of thousands of layers) fits its narrow side and shows the top, or
the left, or the region around an anchor (the node the cursor is at), instead of squashing
everything into a line.
``marker_scale`` shrinks node markers to dots when nodes are dense on screen, so a zoomed-out
graph shows its structure instead of overlapping discs, reading the typical distance between
neighbours that ``neighbour_spacing`` measures.
"""

from __future__ import annotations

import numpy as np

# A fit squeezes the long axis of a graph down to this many pixels per layout unit (a tensor's
# three label lines between neighbouring layers), or to the other axis's scale over
# MAX_STRETCH if that is less, and no further.
READABLE_PX = 48.0
MAX_STRETCH = 2.5
# A fit never zooms in further than this many pixels per layout unit (neighbours are 1 apart).
MAX_SCALE = 160.0
# Pixels kept free around a fitted graph: left, right (room for labels), top, bottom; more at
# the top and bottom when overlays (caption, legend) are taller.
MARGINS_PX = (30.0, 150.0, 30.0, 30.0)
# Marker scales from full size down to dots, and the share of the gap between neighbours a
# marker may cover.
MARKER_SCALES = (1.0, 0.6, 0.35, 0.2)
MARKER_FILL = 0.75

Range = tuple[tuple[float, float], tuple[float, float]]


def fit_range(
    xy: np.ndarray,
    view_px: tuple[float, float],
    anchor: tuple[float, float] | None = None,
    overlays_px: tuple[float, float] = (0.0, 0.0),
) -> Range:
    """The (x, y) ranges in layout units that frame the points ``xy`` in a view of ``view_px``.

    Layered graphs grow downwards (y decreasing) or rightwards, so "the top" is the largest y and
    "the left" the smallest x; an ``anchor`` replaces them as the centre of the long axis.
    ``overlays_px`` are the heights of what covers the top and the bottom of the view."""
    width, height = max(view_px[0], 1.0), max(view_px[1], 1.0)
    margins = _margins(width, height, overlays_px)
    free = np.array([width - margins[0] - margins[1], height - margins[2] - margins[3]])
    lo, hi = xy.min(axis=0), xy.max(axis=0)
    extent = hi - lo
    with np.errstate(divide="ignore"):
        scale = np.where(extent > 1e-9, free / np.maximum(extent, 1e-300), np.inf)
    scale = np.minimum(scale, MAX_SCALE)
    long_axis = int(np.argmin(scale))  # the axis along which the graph is squeezed most
    scale[long_axis] = max(scale[long_axis], min(READABLE_PX, scale[1 - long_axis] / MAX_STRETCH))
    return _axis_range(lo, hi, scale, margins, long_axis, anchor, (width, height))


def _axis_range(lo, hi, scale, margins, long_axis, anchor, size) -> Range:
    ranges = []
    for axis in (0, 1):
        span = size[axis] / scale[axis]
        before = margins[0] if axis == 0 else margins[3]  # left, or bottom, in pixels
        after = margins[1] if axis == 0 else margins[2]
        first = lo[axis] - before / scale[axis]  # the range starting at the low end
        last = hi[axis] + after / scale[axis] - span  # the range ending at the high end
        if last <= first or axis != long_axis:  # it fits: centre it
            start = (first + last) / 2
        elif anchor is not None:
            start = float(np.clip(anchor[axis] - span / 2, first, last))
        else:  # the top of a tall graph (y decreases downwards), the left of a wide one
            start = last if axis == 1 else first
        ranges.append((float(start), float(start + span)))
    return ranges[0], ranges[1]


def _margins(width: float, height: float, overlays: tuple[float, float]):
    left, right, top, bottom = MARGINS_PX
    top, bottom = max(top, overlays[0] + 16), max(bottom, overlays[1] + 16)
    return left, min(right, 0.25 * width), min(top, 0.2 * height), min(bottom, 0.2 * height)


def marker_scale(gap_px: float, full_size: float) -> float:
    """The largest of MARKER_SCALES at which a marker of ``full_size`` pixels covers at most
    MARKER_FILL of ``gap_px``, the on-screen distance between neighbouring nodes."""
    for scale in MARKER_SCALES:
        if full_size * scale <= MARKER_FILL * gap_px:
            return scale
    return MARKER_SCALES[-1]


def pan_to_show(
    view_range: Range,
    view_px: tuple[float, float],
    point: tuple[float, float],
    margins_px: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0),
) -> Range | None:
    """A range of the same size as ``view_range`` that shows ``point``, or None when it already
    does. ``point`` counts as shown when it lies ``margins_px`` (left, right, top, bottom; at most
    a third of the view each) inside the edges of a view of ``view_px`` pixels. Only the axes along
    which it is hidden move, and they put it in the middle of the free area: the view does not
    chase a moving point one step at a time."""
    left, right, top, bottom = margins_px
    ranges, moved = [], False
    for axis, (before_px, after_px) in enumerate(((left, right), (bottom, top))):
        lo, hi = view_range[axis]
        per_px = (hi - lo) / max(view_px[axis], 1.0)
        third = (hi - lo) / 3
        first = lo + min(before_px * per_px, third)
        last = hi - min(after_px * per_px, third)
        shift = 0.0 if first <= point[axis] <= last else point[axis] - (first + last) / 2
        moved = moved or shift != 0.0
        ranges.append((float(lo + shift), float(hi + shift)))
    return (ranges[0], ranges[1]) if moved else None


def neighbour_spacing(xy: np.ndarray, src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """Typical (dx, dy) between neighbours: medians over edges and over nodes sharing a row or
    a column (inf along an axis where nothing has a neighbour)."""
    gaps = []
    for axis in (0, 1):
        other = xy[:, 1 - axis]
        order = np.lexsort((xy[:, axis], other))
        same_line = np.diff(other[order]) == 0
        along = np.diff(xy[order, axis])[same_line]
        values = np.abs(np.concatenate((along, xy[src, axis] - xy[dst, axis])))
        values = values[values > 1e-9]
        gaps.append(float(np.median(values)) if len(values) else np.inf)
    return np.array(gaps)
