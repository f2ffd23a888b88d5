"""Where an edge bends so that it does not run through a node it does not join.

Edges are drawn as two straight segments, start → middle → end. In a layered layout a tensor used
several layers further down (a loop's `for xi in X` rows, an input used late) would be drawn
straight through the nodes between, so that it reads as a chain through them. `detours` gives
such an edge a middle point just beside the first node in its way, on the side that keeps the
whole path clear of every other node, by the smallest offset that does.
"""

from __future__ import annotations

import numpy as np

MAX_ROUTED_EDGES = 300  # larger graphs are drawn straight (the cost grows with edges x nodes)
CLEARANCE = 0.15  # layout units (neighbouring nodes of a layer are 1 apart)
OFFSETS = (0.3, -0.3, 0.5, -0.5, 0.8, -0.8)  # beside an obstacle, tried in this order


def detours(xy: np.ndarray, src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """Per edge (node indices `src` → `dst` into the positions `xy`), the (x, y) of its middle
    point; NaN where the straight edge clears every other node (or no detour does)."""
    middles = np.full((len(src), 2), np.nan)
    if len(xy) < 3 or not len(src):
        return middles
    order = np.argsort(xy[:, 1], kind="stable")
    ys = xy[order, 1]
    for j, (s, d) in enumerate(zip(src.tolist(), dst.tolist(), strict=True)):
        a, b = xy[s], xy[d]
        low, high = sorted((a[1], b[1]))
        first, last = np.searchsorted(ys, (low - CLEARANCE, high + CLEARANCE))
        near = order[first:last]
        points = xy[near[(near != s) & (near != d)]]
        if len(points):
            middle = _detour(a, b, points)
            if middle is not None:
                middles[j] = middle
    return middles


def _detour(a: np.ndarray, b: np.ndarray, points: np.ndarray) -> np.ndarray | None:
    """A middle point for a → b clear of `points`, beside the obstacle nearest to `a`; None if
    the straight path is clear or no offset clears it."""
    segment = b - a
    length2 = max(float(segment @ segment), 1e-24)
    t = np.clip((points - a) @ segment / length2, 0.0, 1.0)
    distance = np.hypot(*(points - (a + t[:, None] * segment)).T)
    blocked = distance < CLEARANCE
    if not blocked.any():
        return None
    at = a + float(t[blocked].min()) * segment
    normal = np.array((-segment[1], segment[0])) / np.sqrt(length2)
    for offset in OFFSETS:
        middle = at + normal * offset
        if _clear(a, middle, points) and _clear(middle, b, points):
            return middle
    return None


def _clear(p: np.ndarray, q: np.ndarray, points: np.ndarray) -> bool:
    """Whether the segment p–q stays CLEARANCE away from every one of `points`."""
    segment = q - p
    length2 = float(segment @ segment)
    t = np.clip((points - p) @ segment / length2, 0.0, 1.0) if length2 else np.zeros(len(points))
    return bool((np.hypot(*(points - (p + t[:, None] * segment)).T) >= CLEARANCE).all())
