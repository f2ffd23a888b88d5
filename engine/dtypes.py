"""dtype objects (`engine.float32` prints as `torch.float32`) and PyTorch's type promotion.

Promotion follows torch's `result_type`: operands fall into three tiers (tensors with dim > 0,
0-dim tensors, Python scalars); a lower tier only changes the result when it belongs to a higher
category (bool < integer < floating). Python floats count as the default dtype (float32).
"""

from __future__ import annotations

import numpy as np

# Categories, ordered: a higher category wins across tiers.
BOOL, INTEGER, FLOATING = 0, 1, 2
# Tiers of an operand in promotion.
DIM_TENSOR, ZERO_DIM_TENSOR, SCALAR = 0, 1, 2


class DType:
    """A tensor element type. Compared by identity; `np` is the numpy dtype behind it."""

    __slots__ = ("name", "np", "category", "itemsize", "legacy_name")

    def __init__(self, name: str, category: int, legacy_name: str) -> None:
        self.name = name
        self.np = np.dtype(name)
        self.category = category
        self.itemsize = self.np.itemsize
        self.legacy_name = legacy_name

    @property
    def is_floating_point(self) -> bool:
        """True for float16, float32 and float64."""
        return self.category == FLOATING

    def __repr__(self) -> str:
        return f"torch.{self.name}"

    def __reduce__(self) -> str:
        return self.name


float16 = DType("float16", FLOATING, "HalfTensor")
float32 = DType("float32", FLOATING, "FloatTensor")
float64 = DType("float64", FLOATING, "DoubleTensor")
uint8 = DType("uint8", INTEGER, "ByteTensor")
int8 = DType("int8", INTEGER, "CharTensor")
int16 = DType("int16", INTEGER, "ShortTensor")
int32 = DType("int32", INTEGER, "IntTensor")
int64 = DType("int64", INTEGER, "LongTensor")
bool_ = DType("bool", BOOL, "BoolTensor")

ALL = (float16, float32, float64, uint8, int8, int16, int32, int64, bool_)
BY_NUMPY = {d.np: d for d in ALL}
DEFAULT_FLOAT = float32

# torch's C++ type names, used in a few error messages ("found Float and Long").
SCALAR_NAMES = {
    float16: "Half",
    float32: "Float",
    float64: "Double",
    uint8: "Byte",
    int8: "Char",
    int16: "Short",
    int32: "Int",
    int64: "Long",
    bool_: "Bool",
}


def type_string(dtype: DType) -> str:
    """torch's `Tensor.toString()` of a CPU tensor of `dtype`, as its messages name it:
    `torch.FloatTensor`; bool has no legacy class name."""
    return "CPUBoolType" if dtype is bool_ else "torch." + dtype.legacy_name


def from_numpy(np_dtype: np.dtype) -> DType:
    """Return the DType for a numpy dtype; raise TypeError for types torch does not have here."""
    try:
        return BY_NUMPY[np.dtype(np_dtype)]
    except KeyError:
        raise TypeError(f"can't convert np.ndarray of type {np.dtype(np_dtype)}.") from None


def scalar_dtype(value: bool | int | float) -> DType:
    """The dtype a Python scalar takes as an operand: bool, int64 or the default float."""
    if isinstance(value, bool):
        return bool_
    if isinstance(value, int):
        return int64
    return DEFAULT_FLOAT


def promote_types(a: DType, b: DType) -> DType:
    """torch.promote_types: the smallest dtype both values fit in (int64 + float32 is float32)."""
    if a is b:
        return a
    if a.category != b.category:
        return a if a.category > b.category else b
    if a.category == FLOATING:
        return a if a.itemsize >= b.itemsize else b
    return BY_NUMPY[np.promote_types(a.np, b.np)]


def _combine(higher: DType | None, lower: DType | None) -> DType | None:
    """torch's combine_categories: the lower tier matters only if its category is higher."""
    if higher is None:
        return lower
    if lower is None or higher.category == FLOATING:
        return higher
    if higher is bool_ or lower.category == FLOATING:
        return promote_types(higher, lower)
    return higher


_cache: dict[tuple, DType] = {}


def result_type(operands: tuple[tuple[DType, int], ...]) -> DType:
    """Promote `(dtype, tier)` pairs the way torch.result_type does; results are cached."""
    found = _cache.get(operands)
    if found is not None:
        return found
    per_tier: list[DType | None] = [None, None, None]
    for dtype, tier in operands:
        current = per_tier[tier]
        per_tier[tier] = dtype if current is None else promote_types(current, dtype)
    result = _combine(per_tier[DIM_TENSOR], _combine(per_tier[ZERO_DIM_TENSOR], per_tier[SCALAR]))
    _cache[operands] = result
    return result
