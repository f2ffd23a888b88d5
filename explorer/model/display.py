"""A cell's ``Out``: the ``text/plain`` display IPython and Jupyter give a value.

``repr`` for most values; ``None`` is not shown. Plain tuples, lists and dicts go through
IPython's pretty-printer (``IPython.lib.pretty``), ported here: a container stays on one line
when it fits in 79 columns and holds no multi-line item, else it breaks one item per line, the
items after the first indented by the width of the opening bracket, and the continuation lines
of a multi-line item indented by the same amount. Past 1,000 items a container ends in ``...``.
The algorithm (groups, breakables, the queue that breaks outer groups first) follows IPython's
line for line so that the breaking decisions match in every case.
"""

from __future__ import annotations

import io
import re
from collections import deque

MAX_WIDTH = 79
MAX_SEQ_LENGTH = 1000
_DEFAULT_REPR = re.compile(r"<(?P<name>[\w.]+) object at (?P<address>0x[0-9a-f]+)>\Z")


def display_text(value: object) -> str | None:
    """The text a notebook shows for ``value`` as a cell's last expression, or None."""
    if value is None:
        return None
    return pretty(value)


def pretty(value: object, max_width: int = MAX_WIDTH) -> str:
    """IPython's ``pretty(value)`` for the types a program can produce."""
    output = io.StringIO()
    printer = _Printer(output, max_width)
    printer.pretty(value)
    printer.flush()
    return output.getvalue()


class _Text:
    def __init__(self) -> None:
        self.parts: list[str] = []
        self.width = 0

    def output(self, stream: io.StringIO, output_width: int) -> int:
        stream.write("".join(self.parts))
        return output_width + self.width

    def add(self, text: str) -> None:
        self.parts.append(text)
        self.width += len(text)


class _Group:
    def __init__(self, depth: int) -> None:
        self.depth = depth
        self.breakables: deque[_Breakable] = deque()
        self.want_break = False


class _Breakable:
    def __init__(self, printer: _Printer) -> None:
        self.width = 1
        self.printer = printer
        self.indentation = printer.indentation
        self.group = printer.group_stack[-1]
        self.group.breakables.append(self)

    def output(self, stream: io.StringIO, output_width: int) -> int:
        self.group.breakables.popleft()
        if self.group.want_break:
            stream.write("\n" + " " * self.indentation)
            return self.indentation
        if not self.group.breakables:
            self.printer.queue.remove(self.group)
        stream.write(" ")
        return output_width + 1


class _GroupQueue:
    def __init__(self, root: _Group) -> None:
        self.levels: list[list[_Group]] = []
        self.enqueue(root)

    def enqueue(self, group: _Group) -> None:
        while group.depth > len(self.levels) - 1:
            self.levels.append([])
        self.levels[group.depth].append(group)

    def dequeue(self) -> _Group | None:
        """The outermost group with breakables, marked to break (IPython's ``deq``)."""
        for level in self.levels:
            for index, group in enumerate(reversed(level)):
                if group.breakables:
                    # IPython deletes by the reversed index; kept so that choices match.
                    del level[index]
                    group.want_break = True
                    return group
            for group in level:
                group.want_break = True
            del level[:]
        return None

    def remove(self, group: _Group) -> None:
        if group in self.levels[group.depth]:
            self.levels[group.depth].remove(group)


class _Printer:
    def __init__(self, output: io.StringIO, max_width: int) -> None:
        self.output = output
        self.max_width = max_width
        self.output_width = 0
        self.buffer_width = 0
        self.buffer: deque[_Text | _Breakable] = deque()
        root = _Group(0)
        self.group_stack = [root]
        self.queue = _GroupQueue(root)
        self.indentation = 0
        self.stack: list[int] = []

    def _break_one_group(self, group: _Group) -> None:
        while group.breakables:
            self._output_first()
        while self.buffer and isinstance(self.buffer[0], _Text):
            self._output_first()

    def _output_first(self) -> None:
        item = self.buffer.popleft()
        self.output_width = item.output(self.output, self.output_width)
        self.buffer_width -= item.width

    def _break_outer_groups(self) -> None:
        while self.max_width < self.output_width + self.buffer_width:
            group = self.queue.dequeue()
            if group is None:
                return
            self._break_one_group(group)

    def text(self, text: str) -> None:
        if not self.buffer:
            self.output.write(text)
            self.output_width += len(text)
            return
        last = self.buffer[-1]
        if not isinstance(last, _Text):
            last = _Text()
            self.buffer.append(last)
        last.add(text)
        self.buffer_width += len(text)
        self._break_outer_groups()

    def _newline(self) -> None:
        self.output.write("\n" + " " * self.indentation)
        self.output_width = self.indentation
        self.buffer_width = 0

    def breakable(self) -> None:
        if self.group_stack[-1].want_break:
            self.flush()
            self._newline()
            return
        self.buffer.append(_Breakable(self))
        self.buffer_width += 1
        self._break_outer_groups()

    def break_(self) -> None:
        group = self.queue.dequeue()
        if group is not None:
            self._break_one_group(group)
        self.flush()
        self._newline()

    def begin_group(self, indent: int = 0, opening: str = "") -> None:
        if opening:
            self.text(opening)
        group = _Group(self.group_stack[-1].depth + 1)
        self.group_stack.append(group)
        self.queue.enqueue(group)
        self.indentation += indent

    def end_group(self, dedent: int = 0, closing: str = "") -> None:
        self.indentation -= dedent
        group = self.group_stack.pop()
        if not group.breakables:
            self.queue.remove(group)
        if closing:
            self.text(closing)

    def flush(self) -> None:
        for item in self.buffer:
            self.output_width += item.output(self.output, self.output_width)
        self.buffer.clear()
        self.buffer_width = 0

    def pretty(self, value: object) -> None:
        cycle = id(value) in self.stack
        self.stack.append(id(value))
        self.begin_group()
        try:
            self._dispatch(value, cycle)
        finally:
            self.end_group()
            self.stack.pop()

    def _dispatch(self, value: object, cycle: bool) -> None:
        for cls in type(value).__mro__:
            if cls is tuple:
                return self._sequence(value, "(", ")", cycle)
            if cls is list:
                return self._sequence(value, "[", "]", cycle)
            if cls is dict:
                return self._dict(value, cycle)
            if cls is not object and callable(cls.__dict__.get("__repr__")):
                break
        return self._repr(value)

    def _items(self, items: object):
        for index, item in enumerate(items):
            if index >= MAX_SEQ_LENGTH:
                self.text(",")
                self.breakable()
                self.text("...")
                return
            yield index, item

    def _sequence(self, value, opening: str, closing: str, cycle: bool) -> None:
        if cycle:
            return self.text(opening + "..." + closing)
        self.begin_group(len(opening), opening)
        for index, item in self._items(value):
            if index:
                self.text(",")
                self.breakable()
            self.pretty(item)
        if len(value) == 1 and isinstance(value, tuple):
            self.text(",")
        self.end_group(len(opening), closing)

    def _dict(self, value: dict, cycle: bool) -> None:
        if cycle:
            return self.text("{...}")
        self.begin_group(1, "{")
        for index, key in self._items(value.keys()):
            if index:
                self.text(",")
                self.breakable()
            self.pretty(key)
            self.text(": ")
            self.pretty(value[key])
        self.end_group(1, "}")

    def _repr(self, value: object) -> None:
        self.begin_group()
        for index, line in enumerate(_repr_text(value).splitlines()):
            if index:
                self.break_()
            self.text(line)
        self.end_group()


def _repr_text(value: object) -> str:
    """``repr(value)``, but as IPython shows objects whose class has Python's default repr:
    ``<MulBackward0 at 0x...>`` without " object". The engine's grad_fns, grad-mode managers
    and hook handles write that default repr out (torch's classes have no repr of their own)."""
    text = repr(value)
    if type(value).__module__.startswith("engine"):
        default = _DEFAULT_REPR.match(text)
        if default:
            return f"<{default['name']} at {default['address']}>"
    return text
