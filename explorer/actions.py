"""The action registry: every command the app offers, Qt-free.

An :class:`Action` is an id, a title, a shortcut and a callback. Menus, toolbars and keyboard
shortcuts are all built from a registry, so a command is defined once. Callbacks receive the
current document; front ends register their own view actions (zoom, open a file dialog) as
closures next to the document-level actions defined here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

Callback = Callable[[Any], None]


@dataclass(frozen=True)
class Action:
    """One command: ``callback(document)`` runs it; ``menu`` says where it is listed."""

    id: str
    title: str
    shortcut: str
    callback: Callback
    menu: str = ""


class ActionRegistry:
    """Actions by id, kept in registration order (which is also menu order)."""

    def __init__(self) -> None:
        self._actions: dict[str, Action] = {}

    def register(self, action: Action) -> Action:
        """Add ``action``; an id may only be registered once."""
        if action.id in self._actions:
            raise ValueError(f"action {action.id!r} is already registered")
        self._actions[action.id] = action
        return action

    def get(self, action_id: str) -> Action:
        """The action registered under ``action_id``."""
        return self._actions[action_id]

    def __iter__(self) -> Iterator[Action]:
        return iter(self._actions.values())

    def __len__(self) -> int:
        return len(self._actions)

    def menus(self) -> list[str]:
        """Menu names in order of first appearance."""
        return list(dict.fromkeys(a.menu for a in self._actions.values() if a.menu))


def step_first(document: Any) -> None:
    """Move the cursor before the first event."""
    document.seek(-1)


def step_last(document: Any) -> None:
    """Move the cursor to the last event."""
    document.seek(len(document.replay.timeline) - 1)


def step_next(document: Any) -> None:
    """Move the cursor one event forward (stays at the last event)."""
    last = len(document.replay.timeline) - 1
    document.seek(min(document.replay.index + 1, last))


def step_previous(document: Any) -> None:
    """Move the cursor one event back (stays before the first event)."""
    document.seek(max(document.replay.index - 1, -1))


def document_actions() -> ActionRegistry:
    """A registry holding the document-level actions every front end offers."""
    registry = ActionRegistry()
    for action in (
        Action("timeline.first", "First Event", "Home", step_first, "Timeline"),
        Action("timeline.previous", "Previous Event", "Left", step_previous, "Timeline"),
        Action("timeline.next", "Next Event", "Right", step_next, "Timeline"),
        Action("timeline.last", "Last Event", "End", step_last, "Timeline"),
    ):
        registry.register(action)
    return registry
