"""The inspector: everything about the selected node at the cursor, in words and as a plot."""

from __future__ import annotations

from typing import Any

from PySide6 import QtCore, QtGui, QtWidgets

from explorer.qt.inspector_plot import QtValuePlot
from explorer.qt.inspector_text import fields, history_lines, torch_repr


class QtInspector(QtWidgets.QWidget):
    """Shows the selected node of a Document; refreshes when the cursor moves."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.document: Any = None
        self.node_id: str | None = None
        self.title = QtWidgets.QLabel("Click a node to inspect it", self)
        self.title.setStyleSheet("font-weight: bold; font-size: 11pt;")
        self.form = QtWidgets.QFormLayout()
        self.value_text = _mono_view(self)
        self.grad_text = _mono_view(self)
        self.plot = QtValuePlot(self)
        self.history = QtWidgets.QListWidget(self)
        self.history.setMaximumHeight(110)
        self.history.setWordWrap(True)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addLayout(self.form)
        self._sections: list[QtWidgets.QWidget] = []
        for caption, widget in (
            ("value", self.value_text),
            (".grad", self.grad_text),
            (None, self.plot),
            ("gradient history", self.history),
        ):
            if caption:
                label = QtWidgets.QLabel(caption, self)
                layout.addWidget(label)
                self._sections += [label, widget]
            layout.addWidget(widget, stretch=1 if widget is self.plot else 0)
        # Takes the free space when the plot is hidden, so that the rest stays at the top.
        layout.addStretch()

    def set_document(self, document: Any) -> None:
        """Follow ``document``; the selection is cleared."""
        if self.document is not None:
            self.document.events.cursor_moved.disconnect(self._on_cursor_moved)
            self.document.events.ran.disconnect(self._on_ran)
        self.document = document
        document.events.cursor_moved.connect(self._on_cursor_moved)
        document.events.ran.connect(self._on_ran)
        self.show_node(None)

    def _on_ran(self, *_: Any) -> None:
        keep = self.node_id if self.node_id in self.document.graph else None
        self.show_node(keep)

    def _on_cursor_moved(self, delta: Any) -> None:
        if self.node_id is not None and self.node_id in delta.nodes:
            self.show_node(self.node_id)

    def show_node(self, node_id: str | None) -> None:
        """Describe ``node_id`` (None shows the hint)."""
        self.node_id = node_id
        _clear_form(self.form)
        graph = self.document.graph if node_id is not None else None
        is_tensor = node_id is not None and graph.nodes[node_id].get("kind") != "op"
        for widget in self._sections:  # an op has no value, .grad or gradient history
            widget.setVisible(is_tensor)
        if node_id is None:
            self.title.setText("Click a node to inspect it")
            for view in (self.value_text, self.grad_text):
                view.setPlainText("")
            self.plot.clear()
            self.history.clear()
            return
        attrs, state = graph.nodes[node_id], self.document.replay.node_state(node_id)
        name = attrs.get("label") or attrs.get("op")
        self.title.setText(f"{node_id}: {name}" if name else node_id)
        for label, text in fields(graph, node_id, state):
            value = QtWidgets.QLabel(text, self)
            value.setWordWrap(True)
            value.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
            self.form.addRow(label, value)
        self._show_arrays(attrs, state)
        self.history.clear()
        self.history.addItems(history_lines(attrs, state))

    def _show_arrays(self, attrs: dict, state: Any) -> None:
        is_op = attrs.get("kind") == "op"
        value = None if is_op or not state.visible else state.value
        requires_grad = bool(getattr(state, "requires_grad", attrs.get("requires_grad")))
        value_text = torch_repr(attrs, value, attrs.get("grad_fn"), requires_grad)
        self.value_text.setPlainText(value_text)
        self.grad_text.setPlainText("—" if is_op else torch_repr(attrs, state.grad, None, False))
        self.plot.show_arrays(value, None if is_op else state.grad)

    def text(self) -> str:
        """Everything the inspector shows as text (for tests and copy)."""
        rows = [
            f"{self.form.itemAt(i, QtWidgets.QFormLayout.ItemRole.LabelRole).widget().text()}: "
            f"{self.form.itemAt(i, QtWidgets.QFormLayout.ItemRole.FieldRole).widget().text()}"
            for i in range(self.form.rowCount())
        ]
        history = [self.history.item(i).text() for i in range(self.history.count())]
        parts = [self.title.text(), *rows, self.value_text.toPlainText()]
        note = [self.plot.note.text()] if self.plot.note.text() else []
        return "\n".join([*parts, self.grad_text.toPlainText(), *note, *history])


def _mono_view(parent: QtWidgets.QWidget) -> QtWidgets.QPlainTextEdit:
    view = QtWidgets.QPlainTextEdit(parent)
    view.setReadOnly(True)
    view.setFont(QtGui.QFontDatabase.systemFont(QtGui.QFontDatabase.SystemFont.FixedFont))
    view.setMaximumHeight(70)
    view.setLineWrapMode(QtWidgets.QPlainTextEdit.LineWrapMode.WidgetWidth)
    return view


def _clear_form(form: QtWidgets.QFormLayout) -> None:
    while form.rowCount():
        form.removeRow(0)
