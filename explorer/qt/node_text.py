"""The words drawn on and around graph nodes: labels, tooltips, badges. Pure functions of state."""

from __future__ import annotations

from typing import Any

import numpy as np

from engine.printing import format_array_compact
from explorer.model.events import GradAccumulated
from explorer.model.graph import op_title

LABEL_CHARS = 28


def compact(array: np.ndarray | None, dtype: str, max_chars: int = LABEL_CHARS) -> str:
    """A one-line summary of ``array`` (``None`` when there is none)."""
    if array is None:
        return "None"
    return format_array_compact(np.asarray(array), dtype, max_chars)


def shape_text(shape: Any) -> str:
    """``[4]``, ``[2, 3]`` or ``[]`` for a scalar: torch.Size's contents."""
    return "[" + ", ".join(str(s) for s in (shape or [])) + "]"


def tensor_title(attrs: dict[str, Any]) -> str:
    """The tensor's name (if it has one) and shape."""
    label = attrs.get("label")
    return f"{label} {shape_text(attrs.get('shape'))}" if label else shape_text(attrs.get("shape"))


Pair = tuple[np.ndarray | None, np.ndarray | None]


def accumulation(event: Any, node_id: str) -> Pair | None:
    """(before, after) of ``node_id``'s .grad when ``event`` is accumulating into it."""
    if isinstance(event, GradAccumulated) and event.leaf == node_id:
        return event.before, event.after
    return None


def grad_line(attrs: dict[str, Any], state: Any, pair: Pair | None = None) -> str | None:
    """``grad …`` for a tensor holding a .grad; ``grad before → after`` while it accumulates."""
    dtype = attrs.get("dtype", "float32")
    if pair is not None:
        return f"grad {compact(pair[0], dtype, 18)} → {compact(pair[1], dtype, 18)}"
    if state.grad is None:
        return None
    return f"grad {compact(state.grad, dtype)}"


def node_lines(attrs: dict[str, Any], state: Any, pair: Pair | None = None) -> tuple[str, ...]:
    """The label lines drawn beside a node when zoomed in enough to read them."""
    if attrs.get("kind") == "op":
        grad_fn = attrs.get("grad_fn")
        return (op_title(attrs), grad_fn) if grad_fn and state.active else (op_title(attrs),)
    lines = [tensor_title(attrs)]
    if state.value is not None:
        lines.append(compact(state.value, attrs.get("dtype", "float32")))
    grad = grad_line(attrs, state, pair)
    if grad:
        lines.append(grad)
    return tuple(lines)


def badge_text(state: Any) -> str | None:
    """``×N`` when a leaf's .grad holds N backward() contributions since its last zero_()."""
    count = getattr(state, "accumulation_count", 0) or 0
    return f"×{count}" if count > 1 else None


def tooltip(node_id: str, attrs: dict[str, Any], state: Any) -> str:
    """Hover text: everything the label shows, unabridged enough to read without zooming."""
    head = f"{node_id}: " + (op_title(attrs) if attrs.get("kind") == "op" else tensor_title(attrs))
    lines = [head]
    if attrs.get("grad_fn"):
        lines.append(f"grad_fn={attrs['grad_fn']}")
    if attrs.get("kind") != "op":
        dtype = attrs.get("dtype", "float32")
        lines.append(f"requires_grad={attrs.get('requires_grad')} is_leaf={attrs.get('is_leaf')}")
        lines.append(f"value {compact(state.value, dtype, 60)}")
        lines.append(f"grad {compact(state.grad, dtype, 60)}")
    badge = badge_text(state)
    if badge:
        lines.append(f"accumulated {badge} without zero_()")
    return "\n".join(lines)
