"""`matmul` with an operand of three or more dimensions, composed as ATen's `_matmul_impl` does.

Either the larger operand's batch is folded into its rows and one `mm`/`mv` runs (when the
smaller operand requires grad, or the fold needs no copy), or both are broadcast, flattened to
one batch dimension and multiplied with `bmm`. `reshape` is a view when the strides allow it
(ViewBackward0) and otherwise a contiguous copy (CloneBackward0 then UnsafeViewBackward0), so the
graph has torch's nodes in torch's order.
"""

from __future__ import annotations

import math

import numpy as np

from engine import dtypes, view_meta
from engine.backends import ext
from engine.dispatch import _finish
from engine.dispatch import reshape as dispatch_reshape
from engine.graph import shared_counter
from engine.ops import VIEW, Op
from engine.ops_linalg import mm, mv
from engine.ops_shape import clone, squeeze, transpose, unsqueeze
from engine.shapes import inferred_shape, shape_argument, view_of
from engine.tensor import Tensor, wrap

BMM = Op(
    "bmm",
    "BmmBackward0",
    np.matmul,
    lambda B, g, s, a: (
        g @ ext(B).permute(s[1], (0, 2, 1)),
        ext(B).permute(s[0], (0, 2, 1)) @ g,
    ),
    (0, 1),
)
UNSAFE_VIEW = Op("_unsafe_view", "UnsafeViewBackward0", VIEW.forward, VIEW.backward)
RESHAPE_ALIAS = Op("reshape", "ReshapeAliasBackward0", VIEW.forward, VIEW.backward)


def bmm(a: Tensor, b: Tensor) -> Tensor:
    """Batched matrix product of two 3-D tensors with the same batch size."""
    for name, x in (("batch1", a), ("batch2", b)):
        if x.array.ndim != 3:
            raise RuntimeError(f"{name} must be a 3D tensor")
    (n, _, k), (n2, k2, _) = a.array.shape, b.array.shape
    if (n2, k2) != (n, k):
        raise RuntimeError(
            "Expected size for first two dimensions of batch2 tensor to be: "
            f"[{n}, {k}] but got: [{n2}, {k2}]."
        )
    if a.array.size and b.array.size:  # torch runs no kernel, and checks no dtype, for empties
        if a.dtype is dtypes.bool_:
            raise NotImplementedError("\"bmm\" not implemented for 'Bool'")
        if a.dtype is not b.dtype:
            raise RuntimeError(
                "expected scalar type "
                f"{dtypes.SCALAR_NAMES[a.dtype]} but found {dtypes.SCALAR_NAMES[b.dtype]}"
            )
    out = wrap(np.matmul(a.array, b.array).astype(b.dtype.np, copy=False), b.dtype)
    return _finish(BMM, out, (a, b), None, (a, b))


def unsafe_view(a: Tensor, shape: tuple) -> Tensor:
    """A reshape that torch does not track as a view (UnsafeViewBackward0)."""
    out = wrap(a.array.reshape(shape), a.dtype)
    return _finish(UNSAFE_VIEW, out, (a,), (tuple(shape), a.array.shape), (a, shape))


def torch_reshape(a: Tensor, shape: tuple, view_op: Op = VIEW) -> Tensor:
    """torch's reshape: a view of a contiguous tensor (`view_op`, ViewBackward0), an alias when
    the strides allow one (ReshapeAliasBackward0), else a contiguous copy (clone then
    _unsafe_view)."""
    given = shape_argument(shape)
    if a.array.flags.c_contiguous:
        return dispatch_reshape(view_op, a, given)
    shape = inferred_shape(given, a.array.size)
    result = view_of(a.array, shape)
    if result is None:
        return unsafe_view(clone(a), shape)
    out = wrap(result, a.dtype, shared_counter(a))
    view_meta.set_base(out, a)
    return _finish(RESHAPE_ALIAS, out, (a,), (shape, a.array.shape), (a, given))


def _contiguous(a: Tensor) -> Tensor:
    return a if a.array.flags.c_contiguous else clone(a)


def _m_t(a: Tensor) -> Tensor:
    return transpose(a, -2, -1)


def _should_fold(a: Tensor, b: Tensor) -> bool:
    """ATen's should_fold: one `mm`/`mv` over the larger operand's folded batch."""
    larger = a.array.ndim >= b.array.ndim
    t1 = a.array if larger else np.swapaxes(b.array, -1, -2)
    small = b if larger else a
    if not (t1.ndim >= 3 and small.array.ndim <= 2):
        return False
    if small._rg:
        return True
    if a.array.ndim == 2:
        return False
    if t1.size == 0:
        return True
    shape, strides = t1.shape, t1.strides
    return all(strides[i] == strides[i + 1] * shape[i + 1] for i in range(t1.ndim - 2))


def _fold(a: Tensor, b: Tensor) -> Tensor:
    transpose_back = b.array.ndim > a.array.ndim
    t1 = _m_t(b) if transpose_back else a
    t2 = b if not transpose_back else (a.t() if a.array.ndim == 2 else a)
    sizes = t1.array.shape
    out_shape = sizes[:-1]
    folded = torch_reshape(t1, (math.prod(out_shape), sizes[-1]))
    if t2.array.ndim == 1:
        return unsafe_view(mv(folded, t2), out_shape)
    out = unsafe_view(mm(folded, t2), (*out_shape, t2.array.shape[1]))
    return _contiguous(_m_t(out)) if transpose_back else out


def _batch_shape(a: tuple, b: tuple) -> tuple:
    try:
        return np.broadcast_shapes(a, b)
    except ValueError:
        n = max(len(a), len(b))
        a, b = (1,) * (n - len(a)) + a, (1,) * (n - len(b)) + b
        i = next(i for i in range(n) if a[i] != b[i] and 1 not in (a[i], b[i]))
        raise RuntimeError(
            f"The size of tensor a ({a[i]}) must match the size of tensor b ({b[i]}) "
            f"at non-singleton dimension {i}"
        ) from None


def _batched(a: Tensor, b: Tensor) -> Tensor:
    sa, sb = a.array.shape, b.array.shape
    n, m1 = (sa[-2] if len(sa) > 1 else 1), sa[-1]
    m2, p = (sb[-2], sb[-1]) if len(sb) > 1 else (sb[0], 1)
    batch1, batch2 = sa[: max(len(sa) - 2, 0)], sb[: max(len(sb) - 2, 0)]
    if len(sa) == 3 and len(sb) == 3 and batch1[0] != batch2[0]:
        if batch1[0] == 1 and a._rg:
            return batched_matmul(squeeze(a, 0), b)
        if batch2[0] == 1 and b._rg:
            return batched_matmul(a, squeeze(b, 0))
    batch = _batch_shape(batch1, batch2)
    count = math.prod(batch)
    left = torch_reshape(a.expand(*batch, n, m1), (count, n, m1))
    vector = len(sb) == 1
    right = b.expand(*batch, m2) if vector else b.expand(*batch, m2, p)
    if vector:
        right = unsqueeze(torch_reshape(right, (count, m2)), 2)
    else:
        right = torch_reshape(right, (count, m2, p))
    out_shape = batch + ((n,) if len(sa) > 1 else ()) + ((p,) if len(sb) > 1 else ())
    out = bmm(left, right)
    return unsafe_view(squeeze(out, -1) if vector else out, out_shape)


def batched_matmul(a: Tensor, b: Tensor) -> Tensor:
    """`a @ b` when either has three or more dimensions (or after a squeeze, two)."""
    from engine.ops_linalg import matmul

    if a.array.ndim <= 2 and b.array.ndim <= 2:
        return matmul(a, b)
    if _should_fold(a, b):
        return _fold(a, b)
    return _batched(a, b)
