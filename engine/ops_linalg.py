"""Op table rows for matrix products (mm, mv, bmm, matmul, outer), with their front-end functions.

`matmul` dispatches on the dimensions the way torch does, so its graph has torch's nodes:
1-D @ 1-D is dot, 2-D @ 2-D is mm, 2-D @ 1-D is mv, and 1-D @ 2-D is unsqueeze, mm, squeeze
(SqueezeBackward4). Higher dimensions follow ATen's `_matmul_impl` (engine.ops_batched).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from engine import dtypes, ops
from engine.backends import ext
from engine.dispatch import _as_array, _finish
from engine.ops import Op
from engine.ops_shape import SQUEEZE_MATMUL, squeeze, unsqueeze
from engine.tensor import Tensor, wrap


def _column_major(matrix: Any) -> bool:
    """Whether a matrix is laid out by columns (strides (1, rows)): a transposed contiguous
    one, for which torch's mm_mat1_backward / mm_mat2_backward give a transposed gradient."""
    array = matrix.array if type(matrix) is Tensor else matrix
    size = array.itemsize
    return array.strides[0] == size and array.strides[1] == array.shape[0] * size


def _mm_backward(B, g, s, attrs):
    """torch's mm_mat1_backward and mm_mat2_backward: grad @ b.T and a.T @ grad, computed as
    (b @ grad.T).T and (grad.T @ a).T for an input laid out by columns (TBackward0s)."""
    a, b = s
    t = ext(B).t
    grad_b = t(t(g) @ a) if _column_major(b) else t(a) @ g  # torch's order: mat2, then self
    grad_a = t(b @ t(g)) if _column_major(a) else g @ t(b)
    return grad_a, grad_b


MM = Op("mm", "MmBackward0", np.matmul, _mm_backward, (0, 1))
MV = Op(
    "mv",
    "MvBackward0",
    np.matmul,
    lambda B, g, s, a: (ext(B).outer(g, s[1]), ext(B).t(s[0]) @ g),
    (0, 1),
)


def _same_dtype(a: Tensor, b: Tensor) -> None:
    if a.dtype is not b.dtype:
        raise RuntimeError(
            "expected m1 and m2 to have the same dtype, but got: "
            f"{_c_name(a.dtype)} != {_c_name(b.dtype)}"
        )
    _not_bool(a, b, "addmm_impl_cpu_")


def _not_bool(a: Tensor, b: Tensor, kernel: str) -> None:
    """torch's CPU matrix kernels have no bool version; an empty operand runs no kernel (the
    result is empty, or zeros when the summed dimension is empty)."""
    if a.dtype is dtypes.bool_ and a.array.size and b.array.size:
        raise NotImplementedError(f"\"{kernel}\" not implemented for 'Bool'")


def _c_name(dt: dtypes.DType) -> str:
    """The C type name torch prints in matmul dtype errors (float, double, long int, ...)."""
    return {"float32": "float", "float64": "double", "int64": "long int", "int32": "int"}.get(
        dt.name, dt.name
    )


def dot(a: Tensor, b: Tensor) -> Tensor:
    """Inner product of two 1-D tensors of the same dtype: torch checks the dimensions, then
    the dtypes, then the sizes."""
    if a.array.ndim != 1 or b.array.ndim != 1:
        raise RuntimeError(
            f"1D tensors expected, but got {a.array.ndim}D and {b.array.ndim}D tensors"
        )
    if a.dtype is not b.dtype:
        names = dtypes.SCALAR_NAMES
        raise RuntimeError(
            "dot : expected both vectors to have same dtype, but found "
            f"{names[a.dtype]} and {names[b.dtype]}"
        )
    if a.array.shape != b.array.shape:
        n, m = a.array.shape[0], b.array.shape[0]
        raise RuntimeError(
            f"inconsistent tensor size, expected tensor [{n}] and src [{m}] to have the same "
            f"number of elements, but got {n} and {m} elements respectively"
        )
    if a.dtype is dtypes.bool_:
        raise NotImplementedError("\"dot\" not implemented for 'Bool'")
    out = wrap(_as_array(np.dot(a.array, b.array), a.dtype), a.dtype)
    return _finish(ops.DOT, out, (a, b), None, (a, b))


def mm(a: Tensor, b: Tensor) -> Tensor:
    """The matrix product of two 2-D tensors."""
    if a.array.ndim != 2:
        raise RuntimeError("self must be a matrix")
    if b.array.ndim != 2:
        raise RuntimeError("mat2 must be a matrix")
    (n, k), (k2, m) = a.array.shape, b.array.shape
    if k != k2:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({n}x{k} and {k2}x{m})")
    _same_dtype(a, b)
    out = wrap(np.matmul(a.array, b.array), a.dtype)
    return _finish(MM, out, (a, b), None, (a, b))


def mv(a: Tensor, v: Tensor) -> Tensor:
    """The product of a 2-D tensor and a 1-D tensor."""
    if a.array.ndim != 2 or v.array.ndim != 1:
        raise RuntimeError(
            f"vector + matrix @ vector expected, got 1, {a.array.ndim}, {v.array.ndim}"
        )
    if a.array.shape[1] != v.array.shape[0]:
        n, k = a.array.shape
        raise RuntimeError(
            f"size mismatch, got input ({n}), mat ({n}x{k}), vec ({v.array.shape[0]})"
        )
    if a.dtype is not v.dtype:
        names = (dtypes.SCALAR_NAMES[d] for d in (v.dtype, a.dtype, v.dtype))
        raise RuntimeError(
            "addmv input tensors must have the same dtype, but got {}, {}, and {}".format(*names)
        )
    _not_bool(a, v, "addmv_impl_cpu")
    out = wrap(np.matmul(a.array, v.array), a.dtype)
    return _finish(MV, out, (a, v), None, (a, v))


def matmul(a: Tensor, b: Any) -> Tensor:
    """`a @ b`, with torch's graph for each case of dimensions."""
    if type(b) is not Tensor:
        raise TypeError(f"unsupported operand type(s) for @: 'Tensor' and '{type(b).__name__}'")
    da, db = a.array.ndim, b.array.ndim
    if da == 0 or db == 0:
        raise RuntimeError(
            f"both arguments to matmul need to be at least 1D, but they are {da}D and {db}D"
        )
    if da == 1 and db == 1:
        return dot(a, b)
    if da == 2 and db == 1:
        return mv(a, b)
    if da == 2 and db == 2:
        return mm(a, b)
    if da == 1 and db == 2:
        return squeeze(mm(unsqueeze(a, 0), b), 0, SQUEEZE_MATMUL)
    from engine.ops_batched import batched_matmul

    return batched_matmul(a, b)


def outer(a: Tensor, b: Tensor) -> Tensor:
    """The outer product of two 1-D tensors: `a.reshape(-1, 1) * b`, as torch computes it."""
    for name, x in (("self", a), ("vec2", b)):
        if x.array.ndim != 1:
            raise RuntimeError(f"outer: Expected 1-D argument {name}, but got {x.array.ndim}-D")
    return a.reshape(-1, 1) * b
