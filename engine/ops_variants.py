"""Op rows for the same ops with other inputs: rules that compute no gradient for an input that
needs none, and rules that see inputs of two dtypes in the gradient's dtype (engine.dispatch
picks them when it records a node)."""

from __future__ import annotations

from typing import Any

import numpy as np

from engine.backends import NUMPY
from engine.ops import DIV, MUL, SUB, Op, div_grad_other


# `x * 2`, `x / 2`, `x - 1`, `x * data`: torch's generated code computes no gradient for an input
# that needs none (a number, a tensor without requires_grad); these rows' rules compute only the
# other input's, saving up to three numpy calls per backward step.
def _div_other_only(B, g, s, a):
    return None, div_grad_other(g, s)


_SELF_ONLY = {
    MUL: Op("mul", "MulBackward0", np.multiply, lambda B, g, s, a: (g * s[1], None), (0, 1)),
    DIV: Op("div", "DivBackward0", DIV.forward, lambda B, g, s, a: (g / s[1], None), (0, 1)),
    SUB: Op("sub", "SubBackward0", np.subtract, lambda B, g, s, a: (g, None)),
}
_OTHER_ONLY = {
    MUL: Op("mul", "MulBackward0", np.multiply, lambda B, g, s, a: (None, g * s[0]), (0, 1)),
    DIV: Op("div", "DivBackward0", DIV.forward, _div_other_only, (0, 1)),
    SUB: Op("sub", "SubBackward0", np.subtract, lambda B, g, s, a: (None, -g)),
}


_PROMOTING: dict[Op, Op] = {}


def promoting(op: Op) -> Op:
    """`op` for inputs of two dtypes: its rule sees the saved arrays in the gradient's dtype.
    torch computes `grad * other` for an int64 `other` and a float32 `grad` in float32, where
    numpy would widen to float64 and round twice."""
    row = _PROMOTING.get(op)
    if row is None:
        rule = op.backward

        def backward(B, g, s, a):
            if B is NUMPY:
                s = tuple([_as_dtype_of(v, g) for v in s])
            return rule(B, g, s, a)

        row = _PROMOTING[op] = Op(op.name, op.grad_fn, op.forward, backward, op.saves)
    return row


def _as_dtype_of(value: Any, g: np.ndarray) -> Any:
    """`value` as `g`'s dtype; bool arrays stay (numpy widens nothing for them, and a rule
    may need to see a bool, as pow's does)."""
    if value.__class__ is np.ndarray and value.dtype != g.dtype and value.dtype != np.bool_:
        return value.astype(g.dtype)
    return value


def self_only(op: Op) -> Op:
    """The row recording `op` when only its first input needs a gradient."""
    return _SELF_ONLY.get(op, op)


def other_only(op: Op) -> Op:
    """The row recording `op` when only its second input needs a gradient."""
    return _OTHER_ONLY.get(op, op)
