"""Undoable user edits, applied only through the Document."""

from __future__ import annotations

from typing import Any

from PySide6 import QtGui

Position = tuple[float, float]


class QtMoveNodeCommand(QtGui.QUndoCommand):
    """Dragging a node: redo puts it at ``end``, undo back at ``start``."""

    def __init__(self, document: Any, node_id: str, start: Position, end: Position) -> None:
        super().__init__(f"Move {node_id}")
        self.document, self.node_id = document, node_id
        self.start, self.end = tuple(start), tuple(end)

    def redo(self) -> None:
        self.document.move_node(self.node_id, self.end)

    def undo(self) -> None:
        self.document.move_node(self.node_id, self.start)
