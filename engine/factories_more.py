"""More creation functions: `full_like`, `rand_like`, `randn_like` (the default generator's
streams, as torch after manual_seed), `as_tensor` and `from_numpy` (sharing a numpy array's
memory, as torch does)."""

from __future__ import annotations

from typing import Any

import numpy as np

from engine import devices, dtypes, random
from engine.dtypes import DType
from engine.factories import (
    NOT_FLOATING,
    _check_kernel,
    _fill_number,
    _fill_scalar,
    _made,
    dtype_arg,
    tensor,
)
from engine.tensor import Tensor

_NUMPY_DTYPES = {d.np: d for d in dtypes.ALL}


def full_like(
    input: Tensor,  # noqa: A002 (torch's names)
    fill_value: Any,
    *,
    dtype: DType | None = None,
    requires_grad: bool = False,
) -> Tensor:
    """`fill_value` in `input`'s shape and dtype (the value converted to it)."""
    value = _fill_number(fill_value, "full_like")
    dtype = dtype_arg(dtype, "full_like") or input.dtype
    filled = _fill_scalar(value, dtype, input.array.size)
    array = np.full(input.array.shape, filled, dtype.np)
    return _made("full_like", (input, fill_value), array, dtype, requires_grad)


def rand_like(
    input: Tensor,  # noqa: A002
    *,
    dtype: DType | None = None,
    requires_grad: bool = False,
) -> Tensor:
    """Uniform values in [0, 1) in `input`'s shape and (floating) dtype."""
    dtype = dtype_arg(dtype, "rand_like") or input.dtype
    _check_kernel("check_uniform_bounds", dtype, *NOT_FLOATING)
    array = random.rand(input.array.shape, dtype.name)
    return _made("rand_like", (input,), array, dtype, requires_grad)


def randn_like(
    input: Tensor,  # noqa: A002
    *,
    dtype: DType | None = None,
    requires_grad: bool = False,
) -> Tensor:
    """Standard normal values in `input`'s shape and (floating) dtype."""
    dtype = dtype_arg(dtype, "randn_like") or input.dtype
    _check_kernel("normal_kernel_cpu", dtype, *NOT_FLOATING)
    array = random.randn(input.array.shape, dtype.name)
    return _made("randn_like", (input,), array, dtype, requires_grad)


def from_numpy(array: Any) -> Tensor:
    """A tensor sharing `array`'s memory: writes to either show in the other."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(array).__name__})")
    dtype = _NUMPY_DTYPES.get(array.dtype)
    if dtype is None:
        raise TypeError(
            f"can't convert np.ndarray of type numpy.{array.dtype.name}. The only supported "
            "types are: float64, float32, float16, complex64, complex128, int64, int32, int16, "
            "int8, uint64, uint32, uint16, uint8, and bool."
        )
    return _made("from_numpy", (array,), array, dtype, False)


def as_tensor(data: Any, *, dtype: DType | None = None, device: Any = None) -> Tensor:
    """`data` as a tensor without a copy where it can be: a tensor of the dtype asked is
    returned itself (another dtype is converted, in the graph), a numpy array shared; the
    device can only be the cpu."""
    devices.names_cpu_index(device)
    dtype = dtype_arg(dtype, "as_tensor")
    if isinstance(data, Tensor):
        return data if dtype is None else data.to(dtype)
    if isinstance(data, np.ndarray) and (dtype is None or dtype.np == data.dtype):
        return from_numpy(data)
    return tensor(data, dtype=dtype)
