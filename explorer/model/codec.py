"""JSON-ready encoding of arrays, timeline events and the graph, and their checked decoding.

Arrays are kept once in a table and referenced as `{"array": k}`. An array is
`{"dtype": "float32", "shape": [4], "data": [0.0, 1.0, "nan", "inf"]}` (floats as exact decimal
numbers, non-finite values as the strings "nan", "inf", "-inf") or, above DATA_LIMIT elements,
`{"dtype", "shape", "base64"}` holding the little-endian bytes. Decoding checks every field and
raises FileFormatError naming the JSON path of what is wrong.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import math
from collections.abc import Callable

import numpy as np

from explorer.model import events as ev
from explorer.model.arrays import DTYPES, ArrayStore

DATA_LIMIT = 1024
_NONFINITE = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}


class FileFormatError(ValueError):
    """A graph file that cannot be read: the message names the problem and where it is."""


def fail(path: str, message: str) -> FileFormatError:
    """A FileFormatError located at a JSON path."""
    return FileFormatError(f"{path}: {message}")


# -- arrays --------------------------------------------------------------------------------------


class ArrayTable:
    """Collects arrays for writing, each distinct array object once, in first-use order."""

    def __init__(self) -> None:
        self._index: dict[int, int] = {}
        self.arrays: list[np.ndarray] = []

    def ref(self, array: np.ndarray) -> dict[str, int]:
        """A reference to `array`, adding it to the table the first time."""
        key = id(array)
        if key not in self._index:
            self._index[key] = len(self.arrays)
            self.arrays.append(array)
        return {"array": self._index[key]}

    def encoded(self) -> list[dict]:
        """The table as JSON-ready dicts."""
        return [encode_array(a) for a in self.arrays]


def encode_array(array: np.ndarray) -> dict:
    """One array as a JSON-ready dict (see the module docstring)."""
    out: dict = {"dtype": str(array.dtype), "shape": list(array.shape)}
    if array.size > DATA_LIMIT:
        little = array.astype(array.dtype.newbyteorder("<"), copy=False)
        out["base64"] = base64.b64encode(little.tobytes()).decode("ascii")
    elif array.dtype.kind == "f":
        out["data"] = [_float(float(v)) for v in array.ravel()]
    else:
        out["data"] = array.ravel().tolist()
    return out


def _float(value: float) -> float | str:
    if math.isfinite(value):
        return value
    return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")


def decode_array(raw: object, path: str, store: ArrayStore) -> np.ndarray:
    """Check and decode one encoded array."""
    raw = expect(raw, dict, path)
    dtype = expect(raw.get("dtype"), str, f"{path}.dtype")
    if dtype not in DTYPES:
        raise fail(f"{path}.dtype", f"unknown dtype {dtype!r}")
    shape = expect(raw.get("shape"), list, f"{path}.shape")
    if not all(isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in shape):
        raise fail(f"{path}.shape", "expected a list of non-negative integers")
    if "base64" in raw:
        flat = _from_base64(raw["base64"], dtype, f"{path}.base64")
    else:
        flat = _from_data(expect(raw.get("data"), list, f"{path}.data"), dtype, f"{path}.data")
    if flat.size != math.prod(shape):
        raise fail(path, f"{flat.size} values do not fill shape {shape}")
    return store.freeze(flat.reshape(shape))


def _from_base64(text: object, dtype: str, path: str) -> np.ndarray:
    try:
        data = base64.b64decode(expect(text, str, path), validate=True)
    except (binascii.Error, ValueError) as error:
        raise fail(path, f"bad base64 ({error})") from None
    little = np.dtype(dtype).newbyteorder("<")
    if len(data) % little.itemsize:
        raise fail(path, "byte count is not a whole number of values")
    return np.frombuffer(data, dtype=little).astype(dtype)


def _from_data(values: list, dtype: str, path: str) -> np.ndarray:
    kind = np.dtype(dtype).kind
    if kind == "f":
        numbers = [_NONFINITE.get(v, v) if isinstance(v, str) else v for v in values]
        allowed = (int, float)
    elif kind == "b":
        numbers, allowed = values, (bool,)
    else:
        numbers, allowed = values, (int,)
    for i, v in enumerate(numbers):
        if not isinstance(v, allowed) or (kind != "b" and isinstance(v, bool)):
            raise fail(f"{path}[{i}]", f"expected a {dtype} value, got {v!r}")
    try:
        with np.errstate(over="raise"):
            return np.array(numbers, dtype=dtype)
    except (OverflowError, FloatingPointError):
        raise fail(path, f"a value is out of range for {dtype}") from None


# -- events --------------------------------------------------------------------------------------


def encode_event(event: ev.Event, table: ArrayTable) -> dict:
    """One event as a JSON-ready dict with a "type" key."""
    out: dict = {"type": type(event).__name__}
    for field in dataclasses.fields(event):
        out[field.name] = _encode_value(getattr(event, field.name), table)
    return out


def _encode_value(value: object, table: ArrayTable) -> object:
    if isinstance(value, np.ndarray):
        return table.ref(value)
    if isinstance(value, tuple):
        return [_encode_value(v, table) for v in value]
    return value


def decode_event(raw: object, path: str, arrays: list[np.ndarray]) -> ev.Event:
    """Check and decode one event."""
    raw = expect(raw, dict, path)
    name = expect(raw.get("type"), str, f"{path}.type")
    cls = ev.EVENT_TYPES.get(name)
    if cls is None:
        raise fail(f"{path}.type", f"unknown event type {name!r}")
    fields = dataclasses.fields(cls)
    extra = set(raw) - {"type"} - {f.name for f in fields}
    if extra:
        raise fail(path, f"unknown field {sorted(extra)[0]!r} in {name}")
    values = {}
    for field in fields:
        if field.name not in raw:
            raise fail(f"{path}.{field.name}", f"missing field of {name}")
        decode = FIELD_DECODERS[field.type]
        values[field.name] = decode(raw[field.name], f"{path}.{field.name}", arrays)
    _check_pairs(name, values, path)
    return cls(**values)


PAIRED = {
    "OpRan": ("outputs", "values", "requires_grad"),
    "BackwardStepped": ("edges", "gradients"),
}


def _check_pairs(name: str, values: dict, path: str) -> None:
    lengths = {len(values[f]) for f in PAIRED.get(name, ())}
    if len(lengths) > 1:
        raise fail(path, f"{' / '.join(PAIRED[name])} of {name} differ in length")


def expect(value: object, kind: type | tuple, path: str) -> object:
    """`value` if it has JSON type `kind` (bools are not ints here), else FileFormatError."""
    ok = isinstance(value, kind) and not (isinstance(value, bool) and bool not in _kinds(kind))
    if not ok:
        raise fail(path, f"expected {_kind_name(kind)}, got {_json_name(value)}")
    return value


def _kinds(kind: type | tuple) -> tuple:
    return kind if isinstance(kind, tuple) else (kind,)


def _kind_name(kind: type | tuple) -> str:
    names = {
        str: "a string",
        int: "an integer",
        bool: "a boolean",
        list: "a list",
        dict: "an object",
    }
    names[float] = "a number"
    names[type(None)] = "null"
    return " or ".join(names.get(k, k.__name__) for k in _kinds(kind))


def _json_name(value: object) -> str:
    names = {bool: "a boolean", str: "a string", int: "an integer", float: "a number"}
    names.update({list: "a list", dict: "an object", type(None): "null"})
    return names.get(type(value), type(value).__name__)


def _scalar(kind: type | tuple) -> Callable:
    return lambda raw, path, arrays: expect(raw, kind, path)


def _array(raw: object, path: str, arrays: list[np.ndarray]) -> np.ndarray:
    ref = expect(raw, dict, path)
    index = expect(ref.get("array"), int, f"{path}.array")
    if not 0 <= index < len(arrays):
        raise fail(f"{path}.array", f"no array {index} in the array table")
    return arrays[index]


def _optional(decode: Callable) -> Callable:
    return lambda raw, path, arrays: None if raw is None else decode(raw, path, arrays)


def _tuple_of(decode: Callable) -> Callable:
    def decode_all(raw: object, path: str, arrays: list[np.ndarray]) -> tuple:
        items = expect(raw, list, path)
        return tuple(decode(item, f"{path}[{i}]", arrays) for i, item in enumerate(items))

    return decode_all


def _edge(raw: object, path: str, arrays: list[np.ndarray]) -> ev.Edge:
    items = expect(raw, list, path)
    if len(items) != 3:
        raise fail(path, "an edge is [source, target, key]")
    u, v = (expect(x, str, f"{path}[{i}]") for i, x in enumerate(items[:2]))
    return (u, v, expect(items[2], int, f"{path}[2]"))


FIELD_DECODERS: dict[str, Callable] = {
    "str": _scalar(str),
    "int": _scalar(int),
    "bool": _scalar(bool),
    "str | None": _scalar((str, type(None))),
    "np.ndarray": _array,
    "np.ndarray | None": _optional(_array),
    "tuple[str, ...]": _tuple_of(_scalar(str)),
    "tuple[bool, ...]": _tuple_of(_scalar(bool)),
    "tuple[np.ndarray, ...]": _tuple_of(_array),
    "tuple[Edge, ...]": _tuple_of(_edge),
    "Edge": _edge,
}
