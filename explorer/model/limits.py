"""Resource limits for user programs, checked before the work is done wherever possible.

Sizes are estimated from a call's arguments before the engine runs it (``torch.arange(10**12)``
is refused before numpy allocates anything), and checked again on what comes back. Time is
checked between statements, at each loop iteration and at each call.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

SEQUENCE_TYPES = (str, list, tuple, dict, bytes)
_ITEM_BYTES = {str: 1, bytes: 1, dict: 24}


@dataclass(frozen=True)
class Limits:
    """What one run of a program may use. Every limit has a clear error when exceeded."""

    max_tensor_elements: int = 10_000_000
    max_total_bytes: int = 1 << 30
    max_iterations: int = 1_000_000
    max_seconds: float = 30.0
    max_sequence_length: int = 1_000_000
    max_int_bits: int = 100_000
    max_output_chars: int = 2_000_000
    max_nesting: int = 100
    max_format_width: int = 10_000
    max_python_bytes: int = 1 << 29


class LimitExceeded(Exception):
    """A program asked for more than its Limits allow."""


def _numel(shape: tuple[int, ...]) -> int:
    return math.prod(int(size) for size in shape)


def _int_sizes(args: tuple) -> tuple[int, ...] | None:
    """The sizes of ``zeros(2, 3)`` or ``zeros((2, 3))``; None when they are not all ints."""
    if len(args) == 1 and isinstance(args[0], (list, tuple)):
        args = tuple(args[0])
    if all(isinstance(size, int) and not isinstance(size, bool) for size in args):
        return tuple(abs(size) for size in args)
    return None


def _arange_count(args: tuple, kwargs: dict) -> int | None:
    numbers = [arg for arg in args if isinstance(arg, (int, float))]
    start, end, step = 0, None, 1
    if len(numbers) == 1:
        end = numbers[0]
    elif len(numbers) >= 2:
        start, end = numbers[0], numbers[1]
        step = numbers[2] if len(numbers) > 2 else 1
    start, end = kwargs.get("start", start), kwargs.get("end", kwargs.get("stop", end))
    step = kwargs.get("step", step)
    values = (start, end, step)
    if not all(isinstance(v, (int, float)) and math.isfinite(v) for v in values) or not step:
        return None
    return max(0, math.ceil((end - start) / step))


def _nested_count(data: object, limit: int) -> int:
    """Leaf elements of nested lists/tuples, counting stops just past ``limit``."""
    count, stack = 0, [data]
    while stack and count <= limit:
        item = stack.pop()
        if not isinstance(item, (list, tuple)):
            count += 1
        elif item and not isinstance(item[0], (list, tuple)):
            count += len(item)
        else:
            stack.extend(item)
    return count


# How often a run calls its `pause` (between statements). A run on a worker thread sleeps there
# for a moment: CPython hands the GIL over only when the running thread lets go, and a thread that
# only waits for it (a GUI thread) can otherwise miss its turn for a second or more.
PAUSE_EVERY = 0.01


class Budget:
    """The running account of one program run against its Limits."""

    def __init__(
        self,
        limits: Limits,
        tensor_types: tuple[type, ...],
        pause: Callable[[], None] | None = None,
    ) -> None:
        self.limits = limits
        self.tensor_types = (*tensor_types, np.ndarray)
        self.deadline = time.monotonic() + limits.max_seconds
        self.pause = pause
        self.next_pause = time.monotonic() + PAUSE_EVERY
        self.iterations = 0
        self.total_bytes = 0
        self.output_chars = 0
        self.python_bytes = 0
        self._counted: set[int] = set()

    def tick(self) -> None:
        """Refuse to go on past the run time limit; call `pause` every PAUSE_EVERY seconds."""
        now = time.monotonic()
        if now > self.deadline:
            raise LimitExceeded(f"the program ran longer than {self.limits.max_seconds:g} s")
        if self.pause is not None and now >= self.next_pause:
            self.pause()
            self.next_pause = time.monotonic() + PAUSE_EVERY

    def count_iteration(self) -> None:
        """One more loop iteration."""
        self.iterations += 1
        if self.iterations > self.limits.max_iterations:
            raise LimitExceeded(
                f"more than {self.limits.max_iterations:,} loop iterations in one run"
            )
        self.tick()

    def check_loop_length(self, length: int) -> None:
        """Refuse a loop that cannot finish within the iteration limit."""
        if self.iterations + length > self.limits.max_iterations:
            raise LimitExceeded(
                f"a loop over {length:,} items would exceed the limit of "
                f"{self.limits.max_iterations:,} loop iterations"
            )

    def count_output(self, text: str) -> None:
        """Printed and displayed text."""
        self.output_chars += len(text)
        if self.output_chars > self.limits.max_output_chars:
            raise LimitExceeded(f"more than {self.limits.max_output_chars:,} characters of output")

    def _elements(self, count: int | None, what: str) -> None:
        if count is not None and count > self.limits.max_tensor_elements:
            raise LimitExceeded(
                f"{what} would have {count:,} elements; "
                f"the limit is {self.limits.max_tensor_elements:,} per tensor"
            )

    def _shape(self, value: object) -> tuple[int, ...] | None:
        return tuple(value.shape) if isinstance(value, self.tensor_types) else None

    def check_call(self, func: Callable, args: tuple, kwargs: dict) -> None:
        """Refuse a call whose result would be too large, before making it."""
        self.tick()
        name = getattr(func, "__name__", "")
        receiver = getattr(func, "__self__", None)
        if self._shape(receiver) is not None:
            args = (receiver, *args)
        self._elements(self._estimate(name, args, kwargs), f"{name}(...)")

    def _estimate(self, name: str, args: tuple, kwargs: dict) -> int | None:
        estimator = _ESTIMATORS.get(name)
        if estimator is not None:
            return estimator(self, args, kwargs)
        return self._broadcast(args)

    def _broadcast(self, args: tuple) -> int | None:
        shapes = [shape for shape in map(self._shape, args) if shape is not None]
        if len(shapes) < 2:
            return None
        try:
            return _numel(np.broadcast_shapes(*shapes))
        except ValueError:
            return None

    def _matmul(self, args: tuple, kwargs: dict) -> int | None:
        shapes = [shape for shape in map(self._shape, args) if shape is not None]
        if len(shapes) != 2 or not all(shapes):
            return None
        (left, right), batch = shapes, 1
        rows = left[-2] if len(left) > 1 else 1
        cols = right[-1] if len(right) > 1 else 1
        try:
            batch = _numel(np.broadcast_shapes(left[:-2], right[:-2]))
        except ValueError:
            return None
        return batch * rows * cols

    def _outer(self, args: tuple, kwargs: dict) -> int | None:
        shapes = [shape for shape in map(self._shape, args) if shape is not None]
        return math.prod(_numel(shape) for shape in shapes) if len(shapes) == 2 else None

    def _joined(self, args: tuple, kwargs: dict) -> int | None:
        items = args[0] if args and isinstance(args[0], (list, tuple)) else kwargs.get("tensors")
        if not isinstance(items, (list, tuple)):
            return None
        return sum(_numel(shape) for shape in map(self._shape, items) if shape is not None)

    def _repeat(self, args: tuple, kwargs: dict) -> int | None:
        shape = self._shape(args[0]) if args else None
        sizes = _int_sizes(args[1:]) if shape is not None else None
        return _numel(shape) * _numel(sizes) if sizes is not None else None

    def _literal(self, args: tuple, kwargs: dict) -> int | None:
        data = args[0] if args else kwargs.get("data")
        return _nested_count(data, self.limits.max_tensor_elements)

    def check_binop(self, op: type, left: object, right: object) -> None:
        """Refuse Python or tensor arithmetic whose result would be too large."""
        if isinstance(left, int) and isinstance(right, int):
            self._check_int_op(op, left, right)
        elif op.__name__ == "Mult":
            self._check_repeat(left, right)
            self._check_repeat(right, left)
        elif op.__name__ == "Mod" and isinstance(left, str):
            self.check_format_spec(left)
        if op.__name__ == "MatMult":
            self._elements(self._matmul((left, right), {}), "the @ product")
        else:
            self._elements(self._broadcast((left, right)), "the broadcast result")

    def _check_int_op(self, op: type, left: int, right: int) -> None:
        name, bits = op.__name__, 0
        if name == "Pow" and left not in (0, 1, -1):
            bits = left.bit_length() * max(right, 0)
        elif name == "LShift" and left:
            bits = left.bit_length() + max(right, 0)
        elif name == "Mult":
            bits = left.bit_length() + right.bit_length()
        if bits > self.limits.max_int_bits:
            raise LimitExceeded(f"an integer larger than {self.limits.max_int_bits:,} bits")

    def _check_repeat(self, sequence: object, count: object) -> None:
        if not (isinstance(sequence, SEQUENCE_TYPES) and isinstance(count, int)):
            return
        if len(sequence) * count > self.limits.max_sequence_length:
            raise LimitExceeded(
                f"a {type(sequence).__name__} of {len(sequence) * count:,} items; "
                f"the limit is {self.limits.max_sequence_length:,}"
            )

    def check_format_spec(self, spec: str) -> None:
        """Refuse format widths and precisions that would build huge strings."""
        if "*" in spec and "%" in spec:
            raise LimitExceeded("'*' widths in %-formatting are not supported")
        for digits in re.findall(r"\d+", spec):
            if len(digits) > 6 or int(digits) > self.limits.max_format_width:
                raise LimitExceeded(
                    f"a format width or precision of {digits}; "
                    f"the limit is {self.limits.max_format_width:,}"
                )

    def check_result(self, value: object) -> None:
        """Check what an operation produced and count the memory of new tensors."""
        if isinstance(value, self.tensor_types):
            self._count_tensor(value)
        elif isinstance(value, SEQUENCE_TYPES):
            self.check_length(value)
            if isinstance(value, tuple) and len(value) <= 64:
                for item in value:
                    if isinstance(item, self.tensor_types):
                        self._count_tensor(item)
        elif isinstance(value, int) and value.bit_length() > self.limits.max_int_bits:
            raise LimitExceeded(f"an integer larger than {self.limits.max_int_bits:,} bits")

    def count_built(self, value: object, before: int = 0) -> None:
        """Count a list, tuple, dict or string the program just built (or grew from `before`
        items) toward the bytes of Python containers built in the run, so that they, not only
        tensors, are bounded: 8 bytes a list or tuple item (a pointer), 24 a dict entry, 1 a
        character (the objects items point at are not counted: they are often shared)."""
        if isinstance(value, SEQUENCE_TYPES):
            size = (len(value) - before) * _ITEM_BYTES.get(type(value), 8)
            self.python_bytes += size
            if self.python_bytes > self.limits.max_python_bytes:
                raise LimitExceeded(
                    f"a {type(value).__name__} of {len(value):,} {_unit(value)} takes the lists, "
                    f"tuples, dicts and strings built in this run past "
                    f"{self.limits.max_python_bytes:,} bytes"
                )

    def count_nested(self, value: object) -> None:
        """`count_built` for a list of lists (``tensor.tolist()``): every level counts."""
        if isinstance(value, list) and value and isinstance(value[0], list):
            for item in value:
                self.count_nested(item)
        self.count_built(value)

    def check_length(self, value: object) -> None:
        """A Python string, list, tuple or dict within the sequence limit."""
        if len(value) > self.limits.max_sequence_length:
            raise LimitExceeded(
                f"a {type(value).__name__} of {len(value):,} items; "
                f"the limit is {self.limits.max_sequence_length:,}"
            )

    def _count_tensor(self, tensor: object) -> None:
        count = _numel(tensor.shape)
        self._elements(count, "a tensor")
        key = getattr(tensor, "uid", id(tensor))
        if key in self._counted:
            return
        self._counted.add(key)
        self.total_bytes += count * int(getattr(tensor, "itemsize", 4))
        if self.total_bytes > self.limits.max_total_bytes:
            raise LimitExceeded(
                f"the program's tensors take more than {self.limits.max_total_bytes:,} bytes"
            )


def _sized(budget: Budget, args: tuple, kwargs: dict) -> int | None:
    """``zeros(2, 3)``, ``zeros((2, 3))`` or ``zeros(size=(2, 3))``."""
    sizes = _int_sizes((kwargs["size"],) if "size" in kwargs else args)
    return _numel(sizes) if sizes is not None else None


def _first_sized(budget: Budget, args: tuple, kwargs: dict) -> int | None:
    """``full((2, 3), 7.0)``: the size is the first argument."""
    return _sized(budget, args[:1], kwargs)


def _new_sized(budget: Budget, args: tuple, kwargs: dict) -> int | None:
    """``t.new_zeros(2, 3)`` and ``t.expand(2, 3)``: sizes after the receiver."""
    return _sized(budget, args[1:], kwargs)


def _new_full(budget: Budget, args: tuple, kwargs: dict) -> int | None:
    return _sized(budget, args[1:2], kwargs)


def _steps(budget: Budget, args: tuple, kwargs: dict) -> int | None:
    steps = args[2] if len(args) > 2 else kwargs.get("steps", kwargs.get("num"))
    return steps if isinstance(steps, int) else None


def _eye(budget: Budget, args: tuple, kwargs: dict) -> int | None:
    sizes = [arg for arg in args[:2] if isinstance(arg, int)]
    return _numel(sizes) * (1 if len(sizes) == 2 else sizes[0]) if sizes else None


def _randint(budget: Budget, args: tuple, kwargs: dict) -> int | None:
    sizes = kwargs.get("size", next((a for a in args if isinstance(a, (list, tuple))), None))
    sizes = _int_sizes((sizes,)) if sizes is not None else None
    return _numel(sizes) if sizes is not None else None


def _arange(budget: Budget, args: tuple, kwargs: dict) -> int | None:
    return _arange_count(args, kwargs)


_ESTIMATORS: dict[str, Callable[[Budget, tuple, dict], int | None]] = {
    **dict.fromkeys(["zeros", "ones", "empty", "rand", "randn"], _sized),
    **dict.fromkeys(["full", "broadcast_to"], _first_sized),
    **dict.fromkeys(["new_zeros", "new_ones", "new_empty", "expand"], _new_sized),
    "new_full": _new_full,
    "arange": _arange,
    **dict.fromkeys(["linspace", "logspace"], _steps),
    "eye": _eye,
    "randint": _randint,
    "randperm": _first_sized,
    **dict.fromkeys(["repeat", "tile"], Budget._repeat),
    **dict.fromkeys(["tensor", "as_tensor", "array", "asarray"], Budget._literal),
    **dict.fromkeys(["matmul", "mm", "bmm", "mv", "__matmul__"], Budget._matmul),
    **dict.fromkeys(["outer", "ger", "kron"], Budget._outer),
    **dict.fromkeys(["cat", "concat", "concatenate", "stack", "hstack", "vstack"], Budget._joined),
}


def _unit(value: object) -> str:
    return "characters" if isinstance(value, str) else "items"
