"""`t[index] = value`: the basic index parts select a view as `t[index]` does (with its errors),
tensor and list parts follow torch's `index_put_` rules, and a tensor with history gets
CopySlices (engine.ops_views.rebase) whose edges lead to its old history and to `value`.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from engine import creation, dtypes, hooks, ops
from engine.dispatch import _scalar, grad_node, save_unread_inputs
from engine.grad_mode import STATE, no_grad
from engine.graph import (
    UIDS,
    CopyBackwards,
    CopySlices,
    FillBackward3,
    IndexPutBackward0,
    Node,
    note_mutation,
)
from engine.indexing import advanced_index, getitem, index_tensors, sliced
from engine.inplace import (
    changed,
    check_no_partial_overlap,
    check_target,
    has_internal_overlap,
    same_data,
    writable_target,
    written_rule,
)
from engine.observe import muted
from engine.ops_views import positions, rebase
from engine.shapes import expanded_shape
from engine.tensor import Tensor, wrap
from engine.view_meta import check_rebase, creation_meta

COPY_ = ops.Op("copy_", "CopyBackwards", None, lambda B, g, s, a: (None, g))
EXPANDED_INDEX_PUT = (
    "Use of index_put_ on expanded tensors is deprecated. Please clone() the tensor before "
    "performing this operation. This also applies to advanced indexing e.g. tensor[indices] = "
    "tensor"
)
EXPANDED_MASKED_FILL = (
    "Use of masked_fill_ on expanded tensors is deprecated. Please clone() the tensor before "
    "performing this operation. This also applies to advanced indexing e.g. tensor[mask] = scalar"
)


def setitem(t: Tensor, index: Any, value: Any) -> None:
    """`t[index] = value`: a tensor with history gets CopySlices (old history plus `value`).

    As torch's setitem: the value is converted first, `x[False] = v` does nothing, the basic
    parts make a view (getitem's checks); without tensor or list parts the value is copied into
    it (torch's copy_), else written like torch's index_put_ (the leaf check first).
    """
    if type(value) is not Tensor:
        value = _assigned_number(t, value)
    if index is False:
        return
    is_tensor = type(value) is Tensor
    requires_grad = t._rg or (is_tensor and value._rg)
    with no_grad(), muted():
        view, advanced = sliced(wrap(t.array, t.dtype), index)
    through_view = view._base is not None
    if advanced:
        check_target(t, requires_grad, through_view)
        write = _advanced_region(view.array, advanced, value)
    else:
        write = _basic_region(view.array, value)
        if requires_grad and STATE.enabled and creation_meta(t):
            with muted():  # torch writes through the view the index makes, and names it
                check_rebase(getitem(t, index) if through_view else t, indirect=False)
        check_target(t, requires_grad, through_view)
    before = t.array.copy()
    node = None
    if STATE.enabled and requires_grad:
        source = _passed_on(value, advanced, view.array.shape) if is_tensor else None
        node = object.__new__(Node)
        node.uid = next(UIDS)
        node.op = written_rule(COPY_, t, view.array)
        node.attrs = None
        node.next_nodes = (None, grad_node(source) if is_tensor else None)
        node.meta = (None, (source.array.shape, value.dtype) if is_tensor else None)
        node.saved = node.versions = node.arrays = ()
        save_unread_inputs(node, index_tensors(advanced))
    region = write(value.array if is_tensor else value)
    note_mutation(t)
    if node is not None:
        node_class = CopySlices if through_view else _own_node(advanced, value, t.array.shape)
        rebase(t, node, positions(t.array, view.array)[region], node_class)
    changed("__setitem__", t, (t, index, value), before)


def _passed_on(value: Tensor, advanced: list, shape: tuple) -> Tensor:
    """`value` as torch's setitem passes it to its op, recorded when it requires grad (events
    muted: torch does it inside setitem): without leading 1s for index_put_ (ViewBackward0);
    for a copy into `shape` of another shape, viewed without them and expanded to `shape`
    (ViewBackward0, ExpandBackward0), unless it is 0-d (a fill)."""
    given = value.array.shape
    stripped = _without_leading_ones(given)
    if not value._rg:
        return value
    with muted():
        if advanced:
            return value if stripped == given else value.view(stripped)
        if given == shape or not given:
            return value
        viewed = value.view(stripped)
        return viewed if stripped == shape else viewed.expand(shape)


def _without_leading_ones(shape: tuple) -> tuple:
    while shape and shape[0] == 1:
        shape = shape[1:]
    return shape


def _own_node(advanced: list, value: Any, shape: tuple) -> type:
    """The node of torch's op on the tensor itself, when the index makes no view: index_put_,
    or copy_to's fill_ (a 0-d value into a tensor of another shape), else copy_."""
    if advanced:
        return IndexPutBackward0
    if np.ndim(_value_array(value)) == 0 and shape != ():
        return FillBackward3
    return CopyBackwards


def _assigned_number(t: Tensor, value: Any) -> Any:
    """A Python number to assign, refused (torch's texts) when the tensor's dtype cannot hold it."""
    if not isinstance(value, (int, float, np.number, np.bool_)):
        raise TypeError(f"can't assign a {hooks.type_name(value)} to a torch.{t.dtype.legacy_name}")
    value = _scalar(value)
    if type(value) is int and not -(1 << 63) <= value < 1 << 63:
        raise ValueError("Overflow when unpacking long long")
    c_type = _C_TYPE_NAMES.get(t.dtype)
    if c_type is not None:
        creation.checked_scalar(value, t.dtype.name, c_type)
    if t.dtype.category == dtypes.INTEGER and type(value) is int:
        return np.asarray(value).astype(t.dtype.np)
    return value


_C_TYPE_NAMES = {
    dtypes.uint8: "uint8_t",
    dtypes.int8: "int8_t",
    dtypes.int16: "int16_t",
    dtypes.int32: "int",
    dtypes.int64: "int64_t",
    dtypes.float32: "float",
}


def _basic_region(region: np.ndarray, value: Any) -> Any:
    """The view written by a basic index, checked as torch's copy_ checks it; returns the
    function that writes the values (and gives the written part of the view)."""
    if type(value) is Tensor and same_data(region, value.array):
        return _write_nothing  # torch's copy_ returns early: source and target are one memory
    if type(value) is Tensor:
        expanded_shape(_without_leading_ones(value.array.shape), region.shape, value.dtype)
    target = writable_target(region)
    if type(value) is Tensor:
        check_no_partial_overlap(region, value.array)

    def write(values: Any) -> Any:
        target[...] = values
        return Ellipsis

    return write


def _write_nothing(values: Any) -> Any:
    return Ellipsis


def _advanced_region(view: np.ndarray, advanced: list, value: Any) -> Any:
    """The elements of `view` written by the tensor, list and bool parts, with torch's
    index_put_ checks and warnings in its order; returns the function that writes the values
    (and gives the written part of the view)."""
    mask = _masked_fill(advanced, value)
    if has_internal_overlap(view):
        warnings.warn(EXPANDED_INDEX_PUT, UserWarning, stacklevel=4)
        if mask:
            warnings.warn(EXPANDED_MASKED_FILL, UserWarning, stacklevel=4)
    if type(value) is Tensor:
        check_no_partial_overlap(view, value.array)
    index = advanced_index(view.shape, advanced)
    if type(value) is Tensor and not mask:
        _check_index_put(view, index, value)
    target = writable_target(view, check_overlap=False)

    def write(values: Any) -> Any:
        target[index] = np.reshape(values, _without_leading_ones(np.shape(values)))
        return index

    return write


def _masked_fill(advanced: list, value: Any) -> bool:
    """torch's index_put_ becomes masked_fill_ for one mask and a value of one element (a bool
    scalar is no mask: torch indexes with a long tensor of one or no zero for it)."""
    if len(advanced) != 1 or np.size(_value_array(value)) != 1:
        return False
    _, array, part = advanced[0]
    scalar = isinstance(part, (bool, np.bool_)) or (type(part) is Tensor and part.array.ndim == 0)
    return (array.dtype == np.bool_ or array.dtype == np.uint8) and not scalar


def _check_index_put(view: np.ndarray, index: tuple, value: Tensor) -> None:
    """torch's index_put_: the value must broadcast to the indexing result and have its dtype."""
    shape = view[index].shape
    given = _without_leading_ones(value.array.shape)
    try:
        fits = np.broadcast_shapes(given, shape) == shape
    except ValueError:
        fits = False
    if not fits:
        raise RuntimeError(
            f"shape mismatch: value tensor of shape {list(given)} cannot be broadcast to "
            f"indexing result of shape {list(shape)}"
        )
    dtype = dtypes.from_numpy(view.dtype)
    if value.dtype is not dtype:
        names = dtypes.SCALAR_NAMES
        raise RuntimeError(
            "Index put requires the source and destination dtypes match, got "
            f"{names[dtype]} for the destination and {names[value.dtype]} for the source."
        )


def _value_array(value: Any) -> Any:
    return value.array if type(value) is Tensor else value
