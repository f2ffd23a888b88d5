"""Tensor factories (`tensor`, `arange`, `zeros`, `ones`, `full`, `*_like`, `linspace`, `eye`,
`rand`, `randn`, `randint`), with torch's dtypes.

Each factory makes a new leaf, reports OpRan (args = its Python arguments) and, when asked for
`requires_grad=True`, RequiresGradSet right after it. Values of `arange`/`linspace` come from
`engine.creation` (bit-exact with torch).
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from engine import creation, dtypes, random
from engine.dtypes import FLOATING, DType
from engine.grad_mode import STATE
from engine.observe import LISTENERS, OpRan, RequiresGradSet, emit
from engine.tensor import Tensor, wrap

FACTORY_INT_GRAD = "Only Tensors of floating point and complex dtype can require gradients"
COPY_CONSTRUCT = (
    "To copy construct from a tensor, it is recommended to use sourceTensor.detach().clone() or "
    "sourceTensor.detach().clone().requires_grad_(True), rather than torch.tensor(sourceTensor)."
)


def _made(op: str, args: tuple, array: np.ndarray, dtype: DType, requires_grad: bool) -> Tensor:
    if requires_grad and dtype.category != FLOATING:
        raise RuntimeError(FACTORY_INT_GRAD)
    out = wrap(array, dtype)
    out._rg = bool(requires_grad)
    if LISTENERS:
        emit(OpRan(op, args, out, STATE.enabled))
        if requires_grad:
            emit(RequiresGradSet(out, True))
    return out


def tensor(data: Any, dtype: DType | None = None, requires_grad: bool = False) -> Tensor:
    """A new leaf from nested lists of numbers, a numpy array or a tensor (copied)."""
    if isinstance(data, Tensor):
        warnings.warn(COPY_CONSTRUCT, UserWarning, stacklevel=2)
        array = data.array.copy()
        inferred = data.dtype
    elif isinstance(data, (np.ndarray, np.generic)):
        array = np.array(data)
        inferred = dtypes.from_numpy(array.dtype)
    else:
        array, inferred = _from_nested(data, dtype)
    dtype = dtype or inferred
    return _made("tensor", (data,), array.astype(dtype.np), dtype, requires_grad)


def _from_nested(data: Any, dtype: DType | None) -> tuple[np.ndarray, DType]:
    """Check a nested sequence level by level (no recursion) and infer torch's dtype; the array
    is built in `dtype` if given (Python floats straight to float64, not through float32)."""
    level = [data]
    shape = []
    while level and all(isinstance(x, (list, tuple)) for x in level):
        length = len(level[0])
        for x in level:
            if len(x) != length:
                raise ValueError(
                    f"expected sequence of length {length} at dim {len(shape)} (got {len(x)})"
                )
        shape.append(length)
        level = [item for x in level for item in x]
    values = [_leaf_value(x) for x in level]
    inferred = dtypes.DEFAULT_FLOAT if not level else _leaf_dtype(level[0])
    for x in level[1:]:
        inferred = dtypes.promote_types(inferred, _leaf_dtype(x))
    return np.array(values, dtype=(dtype or inferred).np).reshape(shape), inferred


def _leaf_dtype(x: Any) -> DType:
    """torch's dtype of one element: a numpy scalar's or tensor's own, else the Python type's."""
    if isinstance(x, Tensor):
        return x.dtype
    if isinstance(x, np.generic):
        return dtypes.from_numpy(x.dtype)
    if isinstance(x, bool):
        return dtypes.bool_
    return dtypes.int64 if isinstance(x, int) else dtypes.DEFAULT_FLOAT


def _leaf_value(x: Any) -> bool | int | float:
    if isinstance(x, Tensor) and x.array.size == 1:
        return x.item()
    if isinstance(x, (bool, int, float, np.number, np.bool_)):
        return x.item() if isinstance(x, np.generic) else x
    if isinstance(x, (list, tuple)):
        raise ValueError("expected a sequence of numbers, got a ragged nesting")
    raise TypeError(f"new(): invalid data type '{type(x).__name__}'")


def arange(
    start: float,
    end: float | None = None,
    step: float = 1,
    *,
    dtype: DType | None = None,
    requires_grad: bool = False,
) -> Tensor:
    """Values from `start` up to (not including) `end` by `step`; float32 if any is a float."""
    args = (start,) if end is None else (start, end) if step == 1 else (start, end, step)
    if end is None:
        start, end = 0, start
    dtype = dtype or dtypes.BY_NUMPY[np.dtype(creation.arange_dtype(start, end, step))]
    array = creation.arange_values(start, end, step, dtype.name)
    return _made("arange", args, array, dtype, requires_grad)


def _shape(size: tuple) -> tuple[int, ...]:
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    return tuple(int(n) for n in size)


def zeros(*size: Any, dtype: DType | None = None, requires_grad: bool = False) -> Tensor:
    """A tensor of zeros (float32 unless `dtype`)."""
    dtype = dtype or dtypes.DEFAULT_FLOAT
    return _made("zeros", size, np.zeros(_shape(size), dtype.np), dtype, requires_grad)


def ones(*size: Any, dtype: DType | None = None, requires_grad: bool = False) -> Tensor:
    """A tensor of ones (float32 unless `dtype`)."""
    dtype = dtype or dtypes.DEFAULT_FLOAT
    return _made("ones", size, np.ones(_shape(size), dtype.np), dtype, requires_grad)


def full(
    size: Any, fill_value: Any, *, dtype: DType | None = None, requires_grad: bool = False
) -> Tensor:
    """A tensor filled with `fill_value`; the dtype is inferred from it (bool, int64, float32)."""
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.item()
    dtype = dtype or dtypes.scalar_dtype(fill_value)
    array = np.full(_shape((size,)), fill_value, dtype.np)
    return _made("full", (size, fill_value), array, dtype, requires_grad)


def zeros_like(t: Tensor, *, dtype: DType | None = None, requires_grad: bool = False) -> Tensor:
    """Zeros with `t`'s shape and dtype (never requires grad unless asked)."""
    dtype = dtype or t.dtype
    return _made("zeros_like", (t,), np.zeros(t.array.shape, dtype.np), dtype, requires_grad)


def ones_like(t: Tensor, *, dtype: DType | None = None, requires_grad: bool = False) -> Tensor:
    """Ones with `t`'s shape and dtype (never requires grad unless asked)."""
    dtype = dtype or t.dtype
    return _made("ones_like", (t,), np.ones(t.array.shape, dtype.np), dtype, requires_grad)


def linspace(
    start: float,
    end: float,
    steps: int,
    *,
    dtype: DType | None = None,
    requires_grad: bool = False,
) -> Tensor:
    """`steps` evenly spaced values from `start` to `end` inclusive (float32 by default)."""
    dtype = dtype or dtypes.DEFAULT_FLOAT
    array = creation.linspace_values(start, end, int(steps), dtype.name)
    return _made("linspace", (start, end, steps), array, dtype, requires_grad)


def eye(
    n: int, m: int | None = None, *, dtype: DType | None = None, requires_grad: bool = False
) -> Tensor:
    """An n x m identity matrix (m defaults to n)."""
    dtype = dtype or dtypes.DEFAULT_FLOAT
    args = (n,) if m is None else (n, m)
    array = np.eye(n, n if m is None else m, dtype=dtype.np)
    return _made("eye", args, array, dtype, requires_grad)


def rand(*size: Any, dtype: DType | None = None, requires_grad: bool = False) -> Tensor:
    """Uniform values in [0, 1) from the default generator (torch's stream, bit for bit)."""
    dtype = dtype or dtypes.DEFAULT_FLOAT
    array = random.rand(_shape(size), dtype.name)
    return _made("rand", size, array, dtype, requires_grad)


def randn(*size: Any, dtype: DType | None = None, requires_grad: bool = False) -> Tensor:
    """Standard normal values from the default generator (torch's stream)."""
    dtype = dtype or dtypes.DEFAULT_FLOAT
    array = random.randn(_shape(size), dtype.name)
    return _made("randn", size, array, dtype, requires_grad)


def randint(low: int, high: Any = None, size: Any = None, *, dtype: DType | None = None) -> Tensor:
    """int64 values in [low, high) (`randint(high, size)` means low = 0)."""
    args = (low, high, size)
    if size is None:
        low, high, size = 0, low, high
        args = (high, size)
    dtype = dtype or dtypes.int64
    array = random.randint(int(low), int(high), _shape((size,))).astype(dtype.np)
    return _made("randint", args, array, dtype, False)


def manual_seed(seed: int) -> random.Generator:
    """Seed the default generator; returns it (torch's Generator object)."""
    return random.manual_seed(seed)
