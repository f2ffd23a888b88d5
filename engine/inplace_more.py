"""In-place `clamp_`, `relu_`, `abs_`, `neg_`, `exp_`, `sqrt_`, `fill_` and `copy_`, on
engine.inplace's checks and rebase.

Each changes the tensor's own array, bumps its version counter and, with grad mode on and an
input requiring grad, gives it torch's node for the op (ClampBackward1, ReluBackward0, AbsBackward0,
FillBackward2/3, CopyBackwards) whose first edge leads to the tensor's old history.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from engine import dtypes, ops
from engine.dispatch import _as_array, _cast, _promoted, _save, _scalar, grad_node
from engine.grad_mode import STATE
from engine.graph import UIDS, Node, note_mutation
from engine.inplace import (
    changed,
    check_no_partial_overlap,
    check_target,
    same_data,
    writable_target,
    written_rule,
)
from engine.ops import Op
from engine.ops_math import ABS, CLAMP, CLAMP_TENSOR, RELU, SQRT
from engine.ops_views import rebase
from engine.tensor import Tensor, wrap

FILL_SCALAR = Op("fill_", "FillBackward2", None, lambda B, g, s, a: (B.zeros_like(g),))
FILL_TENSOR = Op(
    "fill_", "FillBackward3", None, lambda B, g, s, a: (B.zeros_like(g), B.sum_to(g, ()))
)
COPY = Op("copy_", "CopyBackwards", None, lambda B, g, s, a: (B.zeros_like(g), g))


def _changed_in_place(
    name: str,
    t: Tensor,
    op: Op,
    attrs: Any,
    inputs: tuple,
    new: Any,
    args: tuple,
    expanded_target: bool = False,
) -> Tensor:
    """Write `new` into `t` and record `op` (inputs: `t` first, then other Tensors or None).
    The node saves `t`'s old values for input 0 (torch's original self) and `t` for OUT.
    `expanded_target`: the op may write into elements sharing memory (torch's fill_), with the
    overlap error at backward where torch has it (inplace.written_rule)."""
    wants_grad = any(type(x) is Tensor and x._rg for x in inputs)
    check_target(t, wants_grad)
    target = writable_target(t.array, check_overlap=not expanded_target)
    if expanded_target:
        op = written_rule(op, t, t.array)
    before = t.array.copy()
    recording = STATE.enabled and wants_grad and op.grad_fn is not None
    edges = [grad_node(x) if type(x) is Tensor else None for x in inputs] if recording else ()
    target[...] = new
    note_mutation(t)
    if recording:
        node = object.__new__(Node)
        node.uid = next(UIDS)
        node.op = op
        node.attrs = attrs
        node.next_nodes = tuple(edges)
        node.meta = tuple((x.array.shape, x.dtype) if type(x) is Tensor else None for x in inputs)
        _save(node, op.saves, (wrap(before, t.dtype), *inputs[1:]), t)
        rebase(t, node)
    return changed(name, t, args, before)


# C++'s names for the integral types, as clamp_'s cast check prints them
_CPP_NAMES = {
    "bool": "bool",
    "uint8": "unsigned char",
    "int8": "signed char",
    "int16": "short int",
    "int32": "int",
    "int64": "long int",
}


def _check_result_type(t: Tensor, dt: dtypes.DType) -> None:
    """torch's refusal of a result `t` cannot hold (a float result into an integer tensor)."""
    if dt is not t.dtype and (dt.category == dtypes.FLOATING) != (
        t.dtype.category == dtypes.FLOATING
    ):
        raise RuntimeError(
            f"result type {dtypes.SCALAR_NAMES[dt]} can't be cast to the desired output type "
            f"{_CPP_NAMES[t.dtype.name]}"
        )


def clamp_(t: Tensor, low: Any = None, high: Any = None) -> Tensor:
    """Limit `t`'s values to [low, high] in place (bounds numbers or Tensors)."""
    if low is None and high is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    dt = t.dtype
    for bound in (low, high):
        if bound is not None:
            dt = dtypes.promote_types(
                dt, _promoted(t, bound if type(bound) is Tensor else _scalar(bound))
            )
    _check_result_type(t, dt)
    if type(low) is Tensor or type(high) is Tensor:
        bounds = tuple(_cast(b.array, dt) if type(b) is Tensor else b for b in (low, high))
        ops.broadcast_shapes(t.array.shape, *[np.shape(b) for b in bounds if b is not None])
        new = CLAMP_TENSOR.forward(_cast(t.array, dt), *bounds)
        inputs, op = (t, low, high), CLAMP_TENSOR
    else:
        bounds = tuple(None if b is None else _scalar(b) for b in (low, high))
        new = CLAMP.forward(_cast(t.array, dt), bounds)
        inputs, op = (t,), CLAMP
    return _changed_in_place(
        "clamp_", t, op, bounds, inputs, _as_array(new, t.dtype), (t, low, high)
    )


def relu_(t: Tensor) -> Tensor:
    """max(t, 0) in place; the gradient at 0 is 0 (ReluBackward0, saving the result)."""
    if t.dtype is dtypes.bool_:
        raise RuntimeError("Boolean inputs not supported for relu")
    return _changed_in_place("relu_", t, RELU, None, (t,), RELU.forward(t.array, None), (t,))


def abs_(t: Tensor) -> Tensor:
    """|t| in place; the gradient is sign(old t) (AbsBackward0, saving the old values)."""
    if t.dtype is dtypes.bool_:
        raise NotImplementedError("\"abs_cpu\" not implemented for 'Bool'")
    return _changed_in_place("abs_", t, ABS, None, (t,), ABS.forward(t.array, None), (t,))


# in place, a function torch computes in floats refuses a tensor that cannot hold its result
_UNARY = {"neg_": (ops.NEG, False), "exp_": (ops.EXP, True), "sqrt_": (SQRT, True)}


def unary_(name: str, t: Tensor) -> Tensor:
    """neg_, exp_ or sqrt_ of `t` (NegBackward0; ExpBackward0 and SqrtBackward0 save the new
    values)."""
    op, float_valued = _UNARY[name]
    if float_valued and t.dtype.category != dtypes.FLOATING:
        raise RuntimeError(
            "result type Float can't be cast to the desired output type "
            f"{dtypes.SCALAR_NAMES[t.dtype]}"
        )
    new = _as_array(op.forward(t.array, None), t.dtype)
    return _changed_in_place(name, t, op, None, (t,), new, (t,))


def fill_(t: Tensor, value: Any) -> Tensor:
    """Every element set to `value`: a number, or a 0-d Tensor whose gradient is the sum."""
    if type(value) is Tensor:
        if value.array.ndim:
            raise RuntimeError(
                "fill_ only supports 0-dimension value tensor but got tensor with "
                f"{value.array.ndim} dimensions."
            )
        new = np.broadcast_to(value.array.astype(t.dtype.np), t.array.shape)
        args = (t, value)
        return _changed_in_place("fill_", t, FILL_TENSOR, None, args, new, args, True)
    number = _scalar(value)
    new = np.asarray(number).astype(t.dtype.np)
    return _changed_in_place("fill_", t, FILL_SCALAR, None, (t,), new, (t, value), True)


def copy_(t: Tensor, src: Tensor) -> Tensor:
    """`src`'s values (broadcast, converted to t's dtype) written into `t`; the gradient goes
    to `src`, none to t's old values."""
    if type(src) is not Tensor:  # a number (the argument parser let only those through)
        number = _scalar(src)
        src = wrap(np.asarray(number, dtypes.scalar_dtype(number).np), dtypes.scalar_dtype(number))
    shape = ops.broadcast_shapes(t.array.shape, src.array.shape)
    if shape != t.array.shape:
        raise RuntimeError(
            f"output with shape {list(t.array.shape)} doesn't match the broadcast shape "
            f"{list(shape)}"
        )
    if same_data(t.array, src.array):  # torch's kernel returns at once; autograd still records
        return _changed_in_place("copy_", t, COPY, None, (t, src), t.array.copy(), (t, src), True)
    check_no_partial_overlap(t.array, src.array)
    new = np.broadcast_to(src.array, t.array.shape).astype(t.dtype.np)
    return _changed_in_place("copy_", t, COPY, None, (t, src), new, (t, src))
