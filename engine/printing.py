"""PyTorch-exact tensor printing, from numpy arrays.

`format_tensor` reproduces `repr(torch_tensor)` (torch 2.13) character for character, under the
print options of `set_printoptions` (`OPTIONS`): one element formatter per tensor (int, fixed or
scientific mode, a shared width), the 1-D line layout, the n-D recursion with blank lines between
blocks, summarisation past `threshold` elements, and the suffix wrapping rule. `repr_suffixes`
builds the suffix list torch would add.
`format_array_compact` is our own short one-line form for graph labels.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

PREFIX = "tensor("
PROFILES = {
    "default": {"precision": 4, "threshold": 1000, "edgeitems": 3, "linewidth": 80},
    "short": {"precision": 2, "threshold": 1000, "edgeitems": 2, "linewidth": 80},
    "full": {"precision": 4, "threshold": math.inf, "edgeitems": 3, "linewidth": 80},
}


@dataclass
class PrintOptions:
    """torch's PRINT_OPTS; `sci_mode` None chooses per tensor."""

    precision: int = 4
    threshold: float = 1000
    edgeitems: int = 3
    linewidth: int = 80
    sci_mode: bool | None = None


OPTIONS = PrintOptions()


def set_printoptions(
    precision: int | None = None,
    threshold: float | None = None,
    edgeitems: int | None = None,
    linewidth: int | None = None,
    profile: str | None = None,
    sci_mode: bool | None = None,
) -> None:
    """torch.set_printoptions: a profile first, then each option given; sci_mode always."""
    if profile in PROFILES:
        for name, value in PROFILES[profile].items():
            setattr(OPTIONS, name, value)
    given = {"precision": precision, "threshold": threshold, "edgeitems": edgeitems}
    given["linewidth"] = linewidth
    for name, value in given.items():
        if value is not None:
            setattr(OPTIONS, name, value)
    OPTIONS.sci_mode = sci_mode


FLOAT_DTYPES = frozenset({"float16", "float32", "float64"})
# dtypes torch never names in a non-empty tensor's repr (the default float dtype, int64, bool).
IMPLICIT_DTYPES = frozenset({"float32", "int64", "bool"})


def format_tensor(array: np.ndarray, dtype: str, suffixes: list[str]) -> str:
    """Return exactly what `repr` of the equivalent torch tensor prints.

    `array` holds the values (any shape, 0-d included), `dtype` names the tensor's dtype
    ("float32", "int64", "bool", ...), `suffixes` come from `repr_suffixes`.
    """
    array = np.asarray(array)
    body = tensor_body(array, dtype, indent=len(PREFIX))
    return add_suffixes(PREFIX + body, suffixes, indent=len(PREFIX))


def repr_suffixes(
    shape: tuple, dtype: str, grad_fn_name: str | None, requires_grad: bool
) -> list[str]:
    """Return torch's repr suffixes, in order: `size=` (empty tensors, or `edgeitems=0`), `dtype=`,
    `grad_fn=` or `requires_grad=`."""
    shape = tuple(int(d) for d in shape)
    suffixes = []
    if math.prod(shape) == 0:
        if len(shape) != 1:
            suffixes.append(f"size={shape}")
        if dtype != "float32":
            suffixes.append(f"dtype=torch.{dtype}")
    else:
        if not OPTIONS.edgeitems:  # torch shows the shape when it shows no edge items
            suffixes.append(f"size={shape}")
        if dtype not in IMPLICIT_DTYPES:
            suffixes.append(f"dtype=torch.{dtype}")
    if grad_fn_name is not None:
        suffixes.append(f"grad_fn=<{grad_fn_name}>")
    elif requires_grad:
        suffixes.append("requires_grad=True")
    return suffixes


def add_suffixes(text: str, suffixes: list[str], indent: int) -> str:
    """Append `, suffix` items and the closing parenthesis, wrapping as torch does.

    torch's running line length starts two characters too long (`len - rfind + 1`); kept on purpose.
    """
    parts = [text]
    line_len = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        if line_len + len(suffix) + 2 > OPTIONS.linewidth:
            parts.append(",\n" + " " * indent + suffix)
            line_len = indent + len(suffix)
        else:
            parts.append(", " + suffix)
            line_len += len(suffix) + 2
    parts.append(")")
    return "".join(parts)


def tensor_body(array: np.ndarray, dtype: str, indent: int) -> str:
    """Return the bracketed values part of the repr (torch's `_tensor_str`)."""
    if array.size == 0:
        return "[]"
    summarize = array.size > OPTIONS.threshold
    kept = summarized_values(array) if summarize else array
    formatter = Formatter.build(kept, dtype)
    return _nested_str(array, indent, summarize, formatter)


def summarized_values(array: np.ndarray) -> np.ndarray:
    """Return the elements a summarised print shows: 3 edge items per long dimension."""
    if array.ndim == 0:
        return array
    if array.ndim > 1 and OPTIONS.edgeitems < 0:
        raise RuntimeError("stack expects a non-empty TensorList")  # torch's, from its stack
    index = np.ix_(*(_kept_indices(n) for n in array.shape))
    return array[index]


def _kept_indices(n: int) -> np.ndarray:
    """Positions shown along a dim of `n`: torch's `[:edge]` and `[-edge:]` slices when
    `n > 2 * edge` (Python's slices, which a negative edgeitems turns into long ones)."""
    edge, positions = OPTIONS.edgeitems, np.arange(n)
    if n > 2 * edge:
        return np.concatenate([positions[:edge], positions[-edge:]])
    return positions


@dataclass(frozen=True)
class Formatter:
    """One element formatter per tensor: a mode and a width shared by every element."""

    floating: bool
    int_mode: bool
    sci_mode: bool
    width: int

    @classmethod
    def build(cls, values: np.ndarray, dtype: str) -> Formatter:
        """Choose mode and width from `values` (all elements, or the summarised ones)."""
        if dtype not in FLOAT_DTYPES:
            width = max([1] + [len(str(v)) for v in values.ravel().tolist()])
            return cls(False, True, False, width)
        flat = values.ravel()
        finite = flat[np.isfinite(flat) & (flat != 0)]
        if finite.size == 0:
            return cls(True, True, False, 1)
        int_mode = bool(np.all(finite == np.ceil(finite)))
        sci_mode = OPTIONS.sci_mode
        if sci_mode is None:
            sci_mode = _wants_sci(np.abs(finite.astype(np.float64)))
        texts = [_number_text(v, int_mode, sci_mode) for v in finite.tolist()]
        extra = 1 if int_mode and not sci_mode else 0
        return cls(True, int_mode, sci_mode, max([1] + [len(t) + extra for t in texts]))

    def format(self, value: float | int | bool) -> str:
        """Format one element, right-aligned to the shared width."""
        if not self.floating:
            text = str(value)
        else:
            text = _number_text(value, self.int_mode, self.sci_mode)
            if self.int_mode and not self.sci_mode and math.isfinite(value):
                text += "."
        return text.rjust(self.width)


def _wants_sci(magnitudes: np.ndarray) -> bool:
    largest, smallest = float(magnitudes.max()), float(magnitudes.min())
    return largest / smallest > 1000.0 or largest > 1.0e8 or smallest < 1.0e-4


def _number_text(value: float, int_mode: bool, sci_mode: bool) -> str:
    if sci_mode:
        return f"{value:.{OPTIONS.precision}e}"
    if int_mode:
        return f"{value:.0f}"
    return f"{value:.{OPTIONS.precision}f}"


def _nested_str(array: np.ndarray, indent: int, summarize: bool, formatter: Formatter) -> str:
    if array.ndim == 0:
        return formatter.format(array.item())
    if array.ndim == 1:
        return _vector_str(array, indent, summarize, formatter)
    if summarize and not OPTIONS.edgeitems:
        return "[...]"
    rows = _edge_split(array, summarize)
    parts = [
        "..." if row is None else _nested_str(row, indent + 1, summarize, formatter) for row in rows
    ]
    return "[" + ("," + "\n" * (array.ndim - 1) + " " * (indent + 1)).join(parts) + "]"


def _edge_split(array: np.ndarray, summarize: bool) -> list[np.ndarray | None]:
    """Sub-arrays along the first axis; None marks the elided middle."""
    n, edge = array.shape[0], OPTIONS.edgeitems
    if summarize and n > 2 * edge:
        return [*array[:edge], None, *array[-edge:]]
    return list(array)


def _vector_str(array: np.ndarray, indent: int, summarize: bool, formatter: Formatter) -> str:
    per_line = max(1, int(math.floor((OPTIONS.linewidth - indent) / (formatter.width + 2))))
    if summarize and not OPTIONS.edgeitems:
        items = ["..."]
    else:
        items = [
            " ..." if row is None else formatter.format(row.item())
            for row in _edge_split(array, summarize)
        ]
    lines = [", ".join(items[i : i + per_line]) for i in range(0, len(items), per_line)]
    return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


def format_array_compact(array: np.ndarray, dtype: str, max_chars: int = 40) -> str:
    """Return a short one-line summary of `array` for graph labels (our own format, not torch's).

    Tries, in order, the first that fits in `max_chars`: every value on one line with torch's
    number style but no padding (`28.`, `[0., 4., 8., 12.]`, `[[1, 2], [3, 4]]`); for a vector,
    the first and last values around an ellipsis, styled from the values shown
    (`[0., 1., …, 999.]`); otherwise a count and the mean (`[…1000 values, mean 499.5]`).
    """
    array = np.asarray(array)
    if array.size == 0:
        return "[]"
    if 3 * array.size - 1 <= max_chars:  # each value takes at least one character and ", "
        full = _compact_nested(array, Formatter.build(array, dtype))
        if len(full) <= max_chars:
            return full
    if array.ndim == 1:
        for k in (3, 2, 1):
            text = _compact_edges(array, dtype, k)
            if len(text) <= max_chars:
                return text
    return f"[…{array.size} values, mean {_mean_text(array)}]"


def _compact_nested(array: np.ndarray, formatter: Formatter) -> str:
    if array.ndim == 0:
        return formatter.format(array.item()).strip()
    return "[" + ", ".join(_compact_nested(row, formatter) for row in array) + "]"


def _compact_edges(array: np.ndarray, dtype: str, k: int) -> str:
    shown = np.concatenate([array[:k], array[-k:]])
    formatter = Formatter.build(shown, dtype)
    texts = [formatter.format(v).strip() for v in shown.tolist()]
    return "[" + ", ".join([*texts[:k], "…", *texts[k:]]) + "]"


def _mean_text(array: np.ndarray) -> str:
    with np.errstate(all="ignore"):
        mean = float(np.mean(array, dtype=np.float64))
    return f"{mean:.4g}"
