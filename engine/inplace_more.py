"""In-place `clamp_`, `relu_`, `abs_`, one-tensor math (`neg_`, `exp_`, `sin_`, ...),
roundings (`floor_`, `ceil_`, `round_`), `fill_` and `copy_`, on engine.inplace's checks and rebase.

Each changes the tensor's own array, bumps its version counter and, with grad mode on and an
input requiring grad, gives it torch's node for the op (ClampBackward1, ReluBackward0, AbsBackward0,
SinBackward0, FillBackward2/3, CopyBackwards) whose first edge leads to the tensor's old history.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from engine import dtypes, ops
from engine.dispatch import _as_array, _cast, _promoted, _save, _scalar, grad_node
from engine.grad_mode import STATE
from engine.graph import UIDS, Node, note_mutation
from engine.inplace import (
    _original_self,
    changed,
    check_no_partial_overlap,
    check_target,
    same_data,
    writable_target,
    written_rule,
)
from engine.ops import Op
from engine.ops_clamp import check_bool_clamp
from engine.ops_math import ABS, CLAMP, CLAMP_TENSOR, COS, RELU, SIGMOID, SIGN, SIN, SQRT, TANH
from engine.ops_more import CEIL, FLOOR, ROUND, ROUND_DECIMALS
from engine.ops_views import rebase
from engine.tensor import Tensor, wrap

FILL_SCALAR = Op("fill_", "FillBackward2", None, lambda B, g, s, a: (B.zeros_like(g),))
FILL_TENSOR = Op(
    "fill_", "FillBackward3", None, lambda B, g, s, a: (B.zeros_like(g), B.sum_to(g, ()))
)
COPY = Op("copy_", "CopyBackwards", None, lambda B, g, s, a: (B.zeros_like(g), g))


def changed_in_place(
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
    The node saves `t`'s old values for input 0 (torch's `self.clone()` of the original self,
    whose gradient under create_graph goes to t's old history) and `t` for OUT.
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
        original = _original_self(t, before, edges[0]) if 0 in op.saves else None
        _save(node, op.saves, (original, *inputs[1:]), t)
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


def check_result_type(t: Tensor, dt: dtypes.DType, number_bounds: bool = True) -> None:
    """torch's refusal of a result `t` cannot hold (a float result into an integer or bool
    tensor, an integer one into a bool tensor), as clamp_ prints it: the C++ type name of `t`
    for number bounds, torch's scalar name for tensor bounds."""
    floating = dtypes.FLOATING
    if (dt.category == floating and t.dtype.category != floating) or (
        t.dtype is dtypes.bool_ and dt is not dtypes.bool_
    ):
        to = _CPP_NAMES[t.dtype.name] if number_bounds else dtypes.SCALAR_NAMES[t.dtype]
        raise RuntimeError(
            f"result type {dtypes.SCALAR_NAMES[dt]} can't be cast to the desired output type {to}"
        )


def check_bound_shapes(t: Tensor, bounds: tuple) -> None:
    """Tensor bounds must broadcast to `t`'s shape (torch's two messages)."""
    shape = ops.broadcast_shapes(
        t.array.shape, *[b.array.shape for b in bounds if type(b) is Tensor]
    )
    if shape != t.array.shape:
        raise RuntimeError(
            f"output with shape {list(t.array.shape)} doesn't match the broadcast shape "
            f"{list(shape)}"
        )


def clamp_(t: Tensor, low: Any = None, high: Any = None, name: str = "clamp_") -> Tensor:
    """Limit `t`'s values to [low, high] in place (bounds numbers or Tensors); `name` is clip_
    for that alias."""
    if low is None and high is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    check_target(t, any(type(x) is Tensor and x._rg for x in (t, low, high)))
    by_tensor = type(low) is Tensor or type(high) is Tensor
    dt = t.dtype
    for bound in (low, high):
        if bound is not None:
            dt = dtypes.promote_types(
                dt, _promoted(t, bound if type(bound) is Tensor else _scalar(bound))
            )
    check_result_type(t, dt, not by_tensor)
    if by_tensor:
        check_bound_shapes(t, (low, high))
        bounds = tuple(_cast(b.array, dt) if type(b) is Tensor else b for b in (low, high))
        new = CLAMP_TENSOR.forward(_cast(t.array, dt), *bounds)
        inputs, op = (t, low, high), CLAMP_TENSOR
    else:
        bounds = tuple(None if b is None else _scalar(b) for b in (low, high))
        check_bool_clamp(t, bounds)
        new = CLAMP.forward(_cast(t.array, dt), bounds)
        inputs, op = (t,), CLAMP
    return changed_in_place(name, t, op, bounds, inputs, _as_array(new, t.dtype), (t, low, high))


def relu_(t: Tensor) -> Tensor:
    """max(t, 0) in place; the gradient at 0 is 0 (ReluBackward0, saving the result)."""
    if t.dtype is dtypes.bool_:
        raise RuntimeError("Boolean inputs not supported for relu")
    return changed_in_place("relu_", t, RELU, None, (t,), RELU.forward(t.array, None), (t,))


def abs_(t: Tensor) -> Tensor:
    """|t| in place; the gradient is sign(old t) (AbsBackward0, saving the old values)."""
    if t.dtype is dtypes.bool_:
        raise NotImplementedError("\"abs_cpu\" not implemented for 'Bool'")
    return changed_in_place("abs_", t, ABS, None, (t,), ABS.forward(t.array, None), (t,))


# in place, a function torch computes in floats refuses a tensor that cannot hold its result
_UNARY = {
    "neg_": (ops.NEG, False),
    "sign_": (SIGN, False),
    **{
        f"{op.name}_": (op, True)
        for op in (ops.EXP, SQRT, SIN, COS, TANH, SIGMOID, ops.LOG, ops.RECIPROCAL)
    },
}


def unary_(name: str, t: Tensor) -> Tensor:
    """neg_, sign_, or a float-valued function of `t` in place (exp_, sqrt_, sin_, cos_,
    tanh_, sigmoid_, log_, reciprocal_), with the node of the out-of-place op (SinBackward0
    saving the old values, TanhBackward0 the new ones, as torch's)."""
    op, float_valued = _UNARY[name]
    if float_valued and t.dtype.category != dtypes.FLOATING:
        raise RuntimeError(
            "result type Float can't be cast to the desired output type "
            f"{dtypes.SCALAR_NAMES[t.dtype]}"
        )
    new = _as_array(op.forward(t.array, None), t.dtype)
    return changed_in_place(name, t, op, None, (t,), new, (t,))


_ROUNDINGS = {"floor_": FLOOR, "ceil_": CEIL, "round_": ROUND}


def rounding_(name: str, t: Tensor, decimals: Any = None) -> Tensor:
    """floor_, ceil_ or round_ (to `decimals` places when given) in place: zero gradients;
    integer tensors keep their values, bool ones are refused (as torch.floor refuses them)."""
    op = _ROUNDINGS[name]
    if t.dtype is dtypes.bool_ or (decimals is not None and t.dtype.category != dtypes.FLOATING):
        kernel = "round_cpu" if decimals else f"{op.name}_vml_cpu"
        raise NotImplementedError(
            f"\"{kernel}\" not implemented for '{dtypes.SCALAR_NAMES[t.dtype]}'"
        )
    if decimals is not None:
        op = ROUND_DECIMALS
    new = t.array if t.dtype.category != dtypes.FLOATING else op.forward(t.array, decimals)
    args = (t,) if decimals is None else (t, decimals)
    return changed_in_place(name, t, op, decimals, (t,), _as_array(new, t.dtype), args)


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
        return changed_in_place("fill_", t, FILL_TENSOR, None, args, new, args, True)
    number = _scalar(value)
    new = np.asarray(number).astype(t.dtype.np)
    return changed_in_place("fill_", t, FILL_SCALAR, None, (t,), new, (t, value), True)


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
        return changed_in_place("copy_", t, COPY, None, (t, src), t.array.copy(), (t, src), True)
    check_no_partial_overlap(t.array, src.array)
    new = np.broadcast_to(src.array, t.array.shape).astype(t.dtype.np)
    return changed_in_place("copy_", t, COPY, None, (t, src), new, (t, src))
