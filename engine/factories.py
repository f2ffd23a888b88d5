"""Tensor factories (`tensor`, `arange`, `zeros`, `ones`, `full`, `*_like`, `linspace`, `eye`,
`rand`, `randn`, `randint`), with torch's dtypes.

Each factory makes a new leaf, reports OpRan (args = its Python arguments) and, when asked for
`requires_grad=True`, RequiresGradSet right after it. Values of `arange`/`linspace` come from
`engine.creation` (bit-exact with torch).
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

from engine import creation, dtypes, once, random
from engine.dtypes import FLOATING, INTEGER, DType
from engine.grad_mode import STATE
from engine.observe import LISTENERS, OpRan, RequiresGradSet, emit
from engine.tensor import TO_SCALAR_WARNING, Tensor, wrap

# torch.tensor(..., dtype=float) and the like: Python's types name torch's dtypes.
PYTHON_TYPES = {float: dtypes.float64, int: dtypes.int64, bool: dtypes.bool_}
NESTING = (list, tuple, range, str)  # what torch reads as a nesting level (str: an error)
NOT_FLOATING = tuple(d for d in dtypes.ALL if d.category != FLOATING)
LINSPACE_SIGNATURES = "".join(
    f" * ({a} start, {b} end, int steps, *, Tensor out = None, torch.dtype dtype = None, "
    "torch.layout layout = None, torch.device device = None, bool pin_memory = False, "
    "bool requires_grad = False)\n"
    for a, b in (
        ("Tensor", "Tensor"),
        ("Number", "Tensor"),
        ("Tensor", "Number"),
        ("Number", "Number"),
    )
)
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


def tensor(data: Any, *, dtype: DType | None = None, requires_grad: bool = False) -> Tensor:
    """A new leaf from nested sequences of numbers, a numpy array or a tensor (copied)."""
    dtype = dtype_arg(dtype, "tensor")
    if isinstance(data, Tensor):
        warnings.warn(COPY_CONSTRUCT, UserWarning, stacklevel=2)
        array, inferred = data.array.copy(), data.dtype
    elif isinstance(data, (np.ndarray, np.generic)):
        array = np.array(data)
        inferred = dtypes.from_numpy(array.dtype)
    elif isinstance(data, str):
        raise TypeError("new(): invalid data type 'str'")
    else:
        array, inferred = _from_nested(data, dtype)
    dtype = dtype or inferred
    with np.errstate(all="ignore"):
        array = array.astype(dtype.np)
    return _made("tensor", (data,), array, dtype, requires_grad)


def _from_nested(data: Any, dtype: DType | None) -> tuple[np.ndarray, DType]:
    """torch's reading of nested sequences: the shape from the first elements, the dtype from
    all of them (unless `dtype` is given), then every element checked and converted."""
    shape = _nested_shape(data)
    target = dtype or _infer_dtype(data)
    level = [data]
    for dim, length in enumerate(shape if math.prod(shape) else ()):
        for x in level:
            if not isinstance(x, NESTING):
                raise TypeError("not a sequence")
            if len(x) != length:
                raise ValueError(
                    f"expected sequence of length {length} at dim {dim} (got {len(x)})"
                )
        level = [item for x in level for item in x]
    values = [_leaf_number(x, target) for x in level] if math.prod(shape) else []
    if any(isinstance(x, Tensor) and x._rg for x in level):
        once.warn(TO_SCALAR_WARNING, stacklevel=3)
    if target.category == INTEGER:
        return np.array(values, np.int64).astype(target.np).reshape(shape), target
    return np.array(values, target.np if target is dtypes.bool_ else np.float64).reshape(
        shape
    ), target


def _nested_shape(data: Any) -> list[int]:
    """The shape torch reads from the first element at each depth."""
    shape, first = [], data
    while isinstance(first, NESTING):
        if isinstance(first, str):
            raise ValueError("too many dimensions 'str'")
        shape.append(len(first))
        if not first:
            break
        first = first[0]
    return shape


def _infer_dtype(data: Any) -> DType:
    """torch's dtype of nested data: all elements' promoted (an empty sequence counts as float)."""
    inferred, level = None, [data]
    while level:
        following = []
        for x in level:
            if isinstance(x, NESTING) and not isinstance(x, str):
                following.extend(x)
                found = None if len(x) else dtypes.DEFAULT_FLOAT
            else:
                found = _leaf_dtype(x)
            if found is not None:
                inferred = found if inferred is None else dtypes.promote_types(inferred, found)
        level = following
    return inferred or dtypes.DEFAULT_FLOAT


def _leaf_dtype(x: Any) -> DType:
    """torch's dtype of one element: a numpy scalar's or tensor's own, else the Python type's."""
    if isinstance(x, Tensor):
        return x.dtype
    if isinstance(x, np.generic):
        return dtypes.from_numpy(x.dtype)
    if isinstance(x, bool):
        return dtypes.bool_
    if isinstance(x, (int, float)):
        return dtypes.int64 if isinstance(x, int) else dtypes.DEFAULT_FLOAT
    if isinstance(x, str):
        raise TypeError("new(): invalid data type 'str'")
    raise RuntimeError(f"Could not infer dtype of {type(x).__name__}")


def _leaf_number(x: Any, dtype: DType) -> bool | int | float:
    """One element as a Python number for `dtype`, with torch's errors for what does not fit."""
    if isinstance(x, Tensor):
        if x.array.size != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        x = x.item()
    elif isinstance(x, np.generic):
        x = x.item()
    if not isinstance(x, (int, float)):
        if dtype.category == FLOATING:
            raise TypeError(f"must be real number, not {type(x).__name__}")
        raise TypeError(f"'{type(x).__name__}' object cannot be interpreted as an integer")
    if dtype.category == FLOATING:
        return x
    if dtype is dtypes.bool_:
        return bool(x)
    if isinstance(x, int) and not -(1 << 63) <= x <= creation.INT64_MAX:
        raise ValueError("Overflow when unpacking long long")
    return int(creation.checked_scalar(x, dtype.name, dtype.name))


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
    dtype = (
        dtype_arg(dtype, "arange")
        or dtypes.BY_NUMPY[np.dtype(creation.arange_dtype(start, end, step))]
    )
    _check_kernel("arange_cpu", dtype, dtypes.bool_)
    array = creation.arange_values(start, end, step, dtype.name)
    return _made("arange", args, array, dtype, requires_grad)


def dtype_arg(dtype: Any, fn: str) -> DType | None:
    """torch's `dtype=` argument: a dtype, or Python's float, int or bool (float64, int64, bool)."""
    if dtype is None or isinstance(dtype, DType):
        return dtype
    if isinstance(dtype, type) and dtype in PYTHON_TYPES:
        return PYTHON_TYPES[dtype]
    raise TypeError(f"{fn}(): argument 'dtype' must be torch.dtype, not {type(dtype).__name__}")


def _is_int(x: Any) -> bool:
    if isinstance(x, Tensor):
        return x.array.ndim == 0 and x.dtype.category != FLOATING
    return isinstance(x, (int, np.integer))


def size_arg(size: tuple, fn: str, varargs: bool = True) -> tuple[int, ...]:
    """A size given as ints, as one sequence of ints or (`varargs` False) only as a sequence,
    with torch's TypeErrors for anything else."""
    if varargs and len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = size[0]
    elif varargs and len(size) > 1 and not _is_int(size[0]):
        raise TypeError(f"{fn}() takes 1 positional argument but {len(size)} were given")
    elif not varargs or (len(size) == 1 and (isinstance(size[0], bool) or not _is_int(size[0]))):
        size = size[0]
    if not isinstance(size, (tuple, list)):
        raise TypeError(
            f"{fn}(): argument 'size' (position 1) must be tuple of ints, not {type(size).__name__}"
        )
    for i, x in enumerate(size):
        if not _is_int(x):
            _size_element_error(fn, i, x)
    return tuple(int(n) for n in size)


def _size_element_error(fn: str, i: int, x: Any) -> None:
    kind = type(x).__name__
    if not i:
        raise TypeError(
            f"{fn}(): argument 'size' (position 1) must be tuple of ints, but found element of "
            f"type {kind} at pos 0"
        )
    raise TypeError(
        f"{fn}(): argument 'size' failed to unpack the object at pos {i + 1} with error "
        f'"type must be tuple of ints,but got {kind}"'
    )


def _new_shape(size: tuple, fn: str, dtype: DType, varargs: bool = True) -> tuple[int, ...]:
    """The checked shape of a new tensor: torch's errors for negative or too large sizes."""
    shape = size_arg(size, fn, varargs)
    negative = [n for n in shape if n < 0]
    if negative and fn == "zeros":
        raise RuntimeError("zeros: Dimension size must be non-negative.")
    if negative:
        raise RuntimeError(
            f"Trying to create tensor with negative dimension {negative[0]}: {list(shape)}"
        )
    creation.check_storage(shape, dtype.itemsize)
    return shape


def size_keyword(sizes: tuple, size: Any, fn: str) -> tuple:
    """The sizes given positionally, or torch's `size=` keyword as one positional tuple."""
    if size is None:
        return sizes
    if sizes:
        raise TypeError(f"{fn}() got multiple values for argument 'size'")
    return (size,)


def _check_kernel(kernel: str, dtype: DType, *refused: DType) -> None:
    """torch's NotImplementedError for a creation kernel that has no `dtype` version."""
    if dtype in refused:
        raise NotImplementedError(
            f"\"{kernel}\" not implemented for '{dtypes.SCALAR_NAMES[dtype]}'"
        )


def zeros(
    *sizes: Any, size: Any = None, dtype: DType | None = None, requires_grad: bool = False
) -> Tensor:
    """A tensor of zeros (float32 unless `dtype`)."""
    size = size_keyword(sizes, size, "zeros")
    dtype = dtype_arg(dtype, "zeros") or dtypes.DEFAULT_FLOAT
    array = np.zeros(_new_shape(size, "zeros", dtype), dtype.np)
    return _made("zeros", size, array, dtype, requires_grad)


def ones(
    *sizes: Any, size: Any = None, dtype: DType | None = None, requires_grad: bool = False
) -> Tensor:
    """A tensor of ones (float32 unless `dtype`)."""
    size = size_keyword(sizes, size, "ones")
    dtype = dtype_arg(dtype, "ones") or dtypes.DEFAULT_FLOAT
    array = np.ones(_new_shape(size, "ones", dtype), dtype.np)
    return _made("ones", size, array, dtype, requires_grad)


def full(
    size: Any, fill_value: Any, *, dtype: DType | None = None, requires_grad: bool = False
) -> Tensor:
    """A tensor filled with `fill_value`; the dtype is inferred from it (bool, int64, float32)."""
    value = _fill_number(fill_value)
    dtype = dtype_arg(dtype, "full") or dtypes.scalar_dtype(value)
    shape = _new_shape((size,), "full", dtype, varargs=False)
    array = np.full(shape, _fill_scalar(value, dtype, math.prod(shape)), dtype.np)
    return _made("full", (size, fill_value), array, dtype, requires_grad)


def _fill_number(value: Any, fn: str = "full") -> bool | int | float:
    if isinstance(value, Tensor) and value.array.ndim == 0:
        return value.item()
    if isinstance(value, np.generic):
        value = value.item()
    if not isinstance(value, (int, float)):
        raise TypeError(
            f"{fn}(): argument 'fill_value' (position 2) must be Number, not {type(value).__name__}"
        )
    return value


def _fill_scalar(value: bool | int | float, dtype: DType, numel: int) -> np.ndarray:
    """`value` converted to `dtype` as torch's fill does: out-of-range values are errors, except
    for float16 tensors of one element, which round to inf as a plain cast does."""
    if isinstance(value, int) and value >= 1 << 64:
        raise OverflowError("int too big to convert")
    if isinstance(value, int) and value < -(1 << 63):
        raise OverflowError("can't convert negative int to unsigned")
    if not (dtype is dtypes.float16 and numel == 1):
        creation.checked_scalar(value, dtype.name, creation.CPP_TYPE_NAMES.get(dtype.name, ""))
    if dtype.category == INTEGER:
        value = int(value)
    with np.errstate(all="ignore"):
        return np.asarray(value).astype(dtype.np)


def zeros_like(t: Tensor, *, dtype: DType | None = None, requires_grad: bool = False) -> Tensor:
    """Zeros with `t`'s shape and dtype (never requires grad unless asked)."""
    dtype = dtype_arg(dtype, "zeros_like") or t.dtype
    return _made("zeros_like", (t,), np.zeros(t.array.shape, dtype.np), dtype, requires_grad)


def ones_like(t: Tensor, *, dtype: DType | None = None, requires_grad: bool = False) -> Tensor:
    """Ones with `t`'s shape and dtype (never requires grad unless asked)."""
    dtype = dtype_arg(dtype, "ones_like") or t.dtype
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
    if not _is_int(steps):
        kinds = ", ".join(type(v).__name__ for v in (start, end, steps))
        raise TypeError(
            f"linspace() received an invalid combination of arguments - got ({kinds}), but "
            f"expected one of:\n{LINSPACE_SIGNATURES}"
        )
    dtype = dtype_arg(dtype, "linspace") or dtypes.DEFAULT_FLOAT
    _check_kernel("linspace_cpu", dtype, dtypes.bool_)
    array = creation.linspace_values(start, end, int(steps), dtype.name)
    return _made("linspace", (start, end, steps), array, dtype, requires_grad)


def eye(
    n: int, m: int | None = None, *, dtype: DType | None = None, requires_grad: bool = False
) -> Tensor:
    """An n x m identity matrix (m defaults to n)."""
    dtype = dtype_arg(dtype, "eye") or dtypes.DEFAULT_FLOAT
    if not _is_int(n):
        raise TypeError(f"eye(): argument 'n' (position 1) must be int, not {type(n).__name__}")
    for name, value in (("n", n), ("m", m)):
        if value is not None and value < 0:
            raise RuntimeError(f"{name} must be greater or equal to 0, got {value}")
    args = (n,) if m is None else (n, m)
    array = np.eye(int(n), int(n if m is None else m), dtype=dtype.np)
    return _made("eye", args, array, dtype, requires_grad)


def rand(
    *sizes: Any, size: Any = None, dtype: DType | None = None, requires_grad: bool = False
) -> Tensor:
    """Uniform values in [0, 1) from the default generator (torch's stream, bit for bit)."""
    size = size_keyword(sizes, size, "rand")
    dtype = dtype_arg(dtype, "rand") or dtypes.DEFAULT_FLOAT
    shape = _new_shape(size, "rand", dtype)
    _check_kernel("check_uniform_bounds", dtype, *NOT_FLOATING)
    return _made("rand", size, random.rand(shape, dtype.name), dtype, requires_grad)


def randn(
    *sizes: Any, size: Any = None, dtype: DType | None = None, requires_grad: bool = False
) -> Tensor:
    """Standard normal values from the default generator (torch's stream)."""
    size = size_keyword(sizes, size, "randn")
    dtype = dtype_arg(dtype, "randn") or dtypes.DEFAULT_FLOAT
    shape = _new_shape(size, "randn", dtype)
    _check_kernel("normal_kernel_cpu", dtype, *NOT_FLOATING)
    return _made("randn", size, random.randn(shape, dtype.name), dtype, requires_grad)


def randint(low: int, high: Any = None, size: Any = None, *, dtype: DType | None = None) -> Tensor:
    """int64 values in [low, high) (`randint(high, size)` means low = 0)."""
    args = (low, high, size)
    if size is None:
        low, high, size = 0, low, high
        args = (high, size)
    dtype = dtype_arg(dtype, "randint") or dtypes.int64
    shape = _new_shape((size,), "randint", dtype, varargs=False)
    array = random.randint(int(low), int(high), shape).astype(dtype.np)
    return _made("randint", args, array, dtype, False)


def manual_seed(seed: int) -> random.Generator:
    """Seed the default generator; returns it (torch's Generator object)."""
    return random.manual_seed(seed)
