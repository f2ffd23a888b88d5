"""clamp_min / clamp_max by a number or a Tensor (torch's ClampMinBackward0/1 and
ClampMaxBackward0/1 rows) and their front end; the in-place forms are in engine.inplace_pow_clamp.
"""

from __future__ import annotations

from typing import Any

from engine.dispatch import _as_array, _cast, _finish, _promoted, _scalar
from engine.ops import Op
from engine.ops_clamp import CLAMP_MIN, _clamp_forward, _clamp_tensor_forward, check_bool_clamp
from engine.tensor import Tensor, wrap

CLAMP_MAX = Op(
    "clamp_max",
    "ClampMaxBackward0",
    lambda x, a: _clamp_forward(x, (None, a[0])),
    lambda B, g, s, a: (B.where(s[0] <= a[0], g, 0.0),),
    (0,),
)
CLAMP_MIN_TENSOR = Op(
    "clamp_min",
    "ClampMinBackward1",
    lambda x, low: _clamp_tensor_forward(x, low, None),
    lambda B, g, s, a: (B.where(s[0] >= s[1], g, 0.0), B.where(s[0] < s[1], g, 0.0)),
    (0, 1),
)
CLAMP_MAX_TENSOR = Op(
    "clamp_max",
    "ClampMaxBackward1",
    lambda x, high: _clamp_tensor_forward(x, None, high),
    lambda B, g, s, a: (B.where(s[0] <= s[1], g, 0.0), B.where(s[0] > s[1], g, 0.0)),
    (0, 1),
)
# by a number, by a Tensor
BOUND_ROWS = {
    "clamp_min": (CLAMP_MIN, CLAMP_MIN_TENSOR),
    "clamp_max": (CLAMP_MAX, CLAMP_MAX_TENSOR),
}


def clamp_bound(name: str, a: Tensor, bound: Any) -> Tensor:
    """clamp_min (`name`) or clamp_max of `a` by a number or a Tensor (broadcast together)."""
    by_number, by_tensor = BOUND_ROWS[name]
    if type(bound) is not Tensor:
        number = _scalar(bound)
        dt = _promoted(a, number)
        check_bool_clamp(a, (number, None) if name == "clamp_min" else (None, number))
        out = wrap(_as_array(by_number.forward(_cast(a.array, dt), (number,)), dt), dt)
        return _finish(by_number, out, (a,), (number,), (a, bound))
    dt = _promoted(a, bound)
    values = by_tensor.forward(_cast(a.array, dt), _cast(bound.array, dt))
    out = wrap(_as_array(values, dt), dt)
    return _finish(by_tensor, out, (a, bound), None, (a, bound))
