"""The code editor: Python highlighting, a line-number gutter, and the error line marked."""

from __future__ import annotations

import keyword
import re

from PySide6 import QtCore, QtGui, QtWidgets

GUTTER_BG = QtGui.QColor("#f1f3f5")
ERROR_BG = QtGui.QColor("#ffe3e3")
CELL_BG = QtGui.QColor("#fff9db")
STATEMENT_BG = QtGui.QColor("#ffe066")
CELL_MARKER = re.compile(r"^# %%.*$")


def _format(colour: str, bold: bool = False, italic: bool = False) -> QtGui.QTextCharFormat:
    fmt = QtGui.QTextCharFormat()
    fmt.setForeground(QtGui.QColor(colour))
    if bold:
        fmt.setFontWeight(QtGui.QFont.Weight.Bold)
    fmt.setFontItalic(italic)
    return fmt


class QtPythonHighlighter(QtGui.QSyntaxHighlighter):
    """Keywords, builtins, numbers, strings, comments and ``# %%`` cell markers."""

    RULES = (
        (re.compile(r"\b(" + "|".join(keyword.kwlist) + r")\b"), _format("#7048e8", bold=True)),
        (re.compile(r"\b(print|len|range|True|False|None|torch)\b"), _format("#1864ab")),
        (re.compile(r"\b\d+(\.\d*)?([eE][-+]?\d+)?\b"), _format("#c2255c")),
        (re.compile(r"\b[a-zA-Z_]\w*(?=\()"), _format("#0b7285")),
        (re.compile(r"(\"[^\"\n]*\"|'[^'\n]*')"), _format("#2b8a3e")),
        (re.compile(r"#.*$"), _format("#868e96", italic=True)),
    )
    MARKER = _format("#e8590c", bold=True)

    def highlightBlock(self, text: str) -> None:  # noqa: N802 (Qt API)
        if CELL_MARKER.match(text):
            self.setFormat(0, len(text), self.MARKER)
            return
        for pattern, fmt in self.RULES:
            for match in pattern.finditer(text):
                self.setFormat(match.start(), match.end() - match.start(), fmt)


class QtLineNumbers(QtWidgets.QWidget):
    """The gutter beside a QtCodeEditor."""

    def __init__(self, editor: QtCodeEditor) -> None:
        super().__init__(editor)
        self.editor = editor

    def sizeHint(self) -> QtCore.QSize:  # noqa: N802 (Qt API)
        return QtCore.QSize(self.editor.gutter_width(), 0)

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt API)
        self.editor.paint_gutter(event)


class QtCodeEditor(QtWidgets.QPlainTextEdit):
    """A plain-text Python editor; ``mark_error(line, message)`` flags a 1-based line."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        font = QtGui.QFontDatabase.systemFont(QtGui.QFontDatabase.SystemFont.FixedFont)
        self.setFont(font)
        self.setLineWrapMode(QtWidgets.QPlainTextEdit.LineWrapMode.NoWrap)
        self.setTabStopDistance(4 * self.fontMetrics().horizontalAdvance(" "))
        self.highlighter = QtPythonHighlighter(self.document())
        self.gutter = QtLineNumbers(self)
        self.error_line: int | None = None
        self.error_message = ""
        self.current_lines: tuple[int, int] | None = None
        self.statement_lines: tuple[int, int] | None = None
        self.blockCountChanged.connect(self._update_margins)
        self.updateRequest.connect(self._scroll_gutter)
        self._update_margins()

    def gutter_width(self) -> int:
        """Pixels for the line numbers plus the error marker."""
        digits = len(str(max(1, self.blockCount())))
        return 14 + self.fontMetrics().horizontalAdvance("9") * max(digits, 2)

    def _update_margins(self, *_: object) -> None:
        self.setViewportMargins(self.gutter_width(), 0, 0, 0)

    def _scroll_gutter(self, rect: QtCore.QRect, dy: int) -> None:
        if dy:
            self.gutter.scroll(0, dy)
        else:
            self.gutter.update(0, rect.y(), self.gutter.width(), rect.height())

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt API)
        super().resizeEvent(event)
        rect = self.contentsRect()
        self.gutter.setGeometry(rect.left(), rect.top(), self.gutter_width(), rect.height())

    def paint_gutter(self, event: QtGui.QPaintEvent) -> None:
        """Draw line numbers for the visible blocks, the error line in red, ▶ at the statement."""
        painter = QtGui.QPainter(self.gutter)
        painter.fillRect(event.rect(), GUTTER_BG)
        block = self.firstVisibleBlock()
        top = self.blockBoundingGeometry(block).translated(self.contentOffset()).top()
        height = self.fontMetrics().height()
        while block.isValid() and top <= event.rect().bottom():
            number = block.blockNumber() + 1
            text, colour = self._gutter_label(number)
            painter.setPen(colour)
            painter.drawText(
                0,
                int(top),
                self.gutter.width() - 4,
                height,
                QtCore.Qt.AlignmentFlag.AlignRight,
                text,
            )
            block = block.next()
            top += self.blockBoundingRect(block).height() if block.isValid() else height

    def _gutter_label(self, number: int) -> tuple[str, QtGui.QColor]:
        if number == self.error_line:
            return f"● {number}", QtGui.QColor("#e03131")
        if self.statement_lines is not None and number == self.statement_lines[0]:
            return f"▶ {number}", QtGui.QColor("#862e9c")
        return str(number), QtGui.QColor("#868e96")

    def mark_error(self, line: int | None, message: str = "") -> None:
        """Highlight 1-based ``line`` with ``message`` as its tooltip; None clears the mark."""
        self.error_line, self.error_message = line, message
        self._show_marks()

    def mark_current(
        self, lines: tuple[int, int] | None, statement: tuple[int, int] | None = None
    ) -> None:
        """Shade the 1-based ``(first, last)`` lines of the cell that produced the timeline's
        current event, mark the ``statement`` lines inside it more strongly, and scroll them
        into view; None clears the marks."""
        if (lines, statement) == (self.current_lines, self.statement_lines):
            return
        self.current_lines, self.statement_lines = lines, statement
        self._show_marks()
        if lines is not None and self._fits(*lines):
            self._scroll_to(*lines)
        elif statement is not None or lines is not None:
            self._scroll_to(*(statement or lines))

    def _show_marks(self) -> None:
        selections = []
        if self.current_lines is not None:
            first, last = self.current_lines
            selections += [self._line_selection(n, CELL_BG) for n in range(first, last + 1)]
        if self.statement_lines is not None:
            first, last = self.statement_lines
            selections += [self._line_selection(n, STATEMENT_BG) for n in range(first, last + 1)]
        if self.error_line is not None:
            selections.append(self._line_selection(self.error_line, ERROR_BG, self.error_message))
        self.setExtraSelections([s for s in selections if s is not None])
        self.gutter.update()

    def _line_selection(self, line: int, colour: QtGui.QColor, tip: str = ""):
        if not 1 <= line <= self.blockCount():
            return None
        selection = QtWidgets.QTextEdit.ExtraSelection()
        selection.format.setBackground(colour)
        selection.format.setProperty(QtGui.QTextFormat.Property.FullWidthSelection, True)
        if tip:
            selection.format.setToolTip(tip)
        selection.cursor = QtGui.QTextCursor(self.document().findBlockByNumber(line - 1))
        return selection

    def lines_shown(self) -> int:
        """How many whole lines the viewport shows."""
        return max(1, self.viewport().height() // max(1, self.fontMetrics().height()))

    def _fits(self, first: int, last: int) -> bool:
        return last - first + 2 <= self.lines_shown()

    def _scroll_to(self, first: int, last: int) -> None:
        """Bring lines first..last into view (without moving the text cursor)."""
        bar = self.verticalScrollBar()
        top = bar.value()
        if first - 1 < top or last > top + self.lines_shown():
            bar.setValue(max(0, first - 2))

    def first_visible_line(self) -> int:
        """The 1-based line at the top of the viewport."""
        return self.firstVisibleBlock().blockNumber() + 1

    def current_line(self) -> int:
        """The 1-based line of the text cursor."""
        return self.textCursor().blockNumber() + 1
