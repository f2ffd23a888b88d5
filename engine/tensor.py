"""The Tensor front end: a numpy array plus autograd state; operators dispatch into the op table.

Per-op cost matters (the app replays long programs), so Tensor uses __slots__, the dispatch
functions take fast paths for same-dtype operands, and observers cost one truthiness test.
"""

from __future__ import annotations

import numbers
import warnings
from typing import Any

import numpy as np

from engine import once, printing
from engine.checked import torch_method
from engine.data_attribute import delete_data, set_data
from engine.dtypes import FLOATING, DType
from engine.grad_attribute import NON_LEAF_GRAD, check_grad_assignment
from engine.graph import UIDS, Node, current_fn, named, note_detached, shared_counter, version
from engine.observe import LISTENERS, Detached, RequiresGradSet, emit
from engine.size import Size, _dim, _size
from engine.tensor_methods import TensorMethods, bind_dispatch, not_writable
from engine.view_meta import follow_bases, note_alias
from engine.view_meta import set_requires_grad as set_view_requires_grad

_ndarray = np.ndarray
_new = object.__new__
_next_uid = UIDS.__next__
NOT_LEAF = "you can only change requires_grad flags of leaf variables."
NOT_LEAF_FLAG = (
    f"{NOT_LEAF} If you want to use a computed variable in a subgraph that doesn't require "
    "differentiation use var_no_grad = var.detach()."
)


def wrap(array: np.ndarray, dtype: DType, vc: list | None = None) -> Tensor:
    """A new leaf Tensor around `array` (not copied). `vc` shares a version counter (views)."""
    t = _new(Tensor)
    t.array = array
    t._dtype = dtype
    t._rg = False
    t._grad = None
    t._fn = None
    t.uid = _next_uid()
    t._vc = vc
    t._acc = None
    t.detached_from = None
    t._base = None
    if vc is not None:
        note_alias(t, vc)
    return t


class Tensor(TensorMethods):
    """A PyTorch-like tensor: `array` holds the values (shared); `.data` is a detached alias."""

    __slots__ = (
        "array",
        "_dtype",
        "_rg",
        "_grad",
        "_fn",
        "uid",
        "_vc",
        "_acc",
        "detached_from",
        "_base",
        "__weakref__",
    )
    __hash__ = object.__hash__

    # ---- shape and type ----

    @property
    def dtype(self) -> DType:
        """The element type (read-only, as in torch)."""
        return self._dtype

    dtype = dtype.setter(not_writable("dtype"))

    @property
    def shape(self) -> Size:
        """The shape as a torch.Size."""
        return _size(self.array.shape)

    shape = shape.setter(not_writable("shape"))

    @torch_method
    def size(self, dim: int | None = None) -> Size | int:
        """The shape, or the length of one dimension."""
        if dim is None:
            return _size(self.array.shape)
        return self.array.shape[_dim(dim, self.array.ndim)]

    def dim(self) -> int:
        """The number of dimensions."""
        return self.array.ndim

    @property
    def ndim(self) -> int:
        """The number of dimensions."""
        return self.array.ndim

    ndim = ndim.setter(not_writable("ndim"))

    def numel(self) -> int:
        """The number of elements."""
        return self.array.size

    def is_floating_point(self) -> bool:
        """True for float16/32/64 tensors."""
        return self.dtype.category == FLOATING

    @property
    def _version(self) -> int:
        return version(self)

    # ---- autograd state ----

    @property
    def requires_grad(self) -> bool:
        """Whether gradients are computed for this tensor."""
        return self._rg

    @requires_grad.setter
    def requires_grad(self, value: bool) -> None:
        if type(value) is not bool:
            raise RuntimeError("requires_grad must be a bool")
        if self._fn is not None:  # torch's setter refuses non-leaves either way
            raise RuntimeError(NOT_LEAF if value else NOT_LEAF_FLAG)
        self._set_requires_grad(
            value, "only Tensors of floating point and complex dtype can require gradients"
        )

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        """Set requires_grad in place and return self."""
        if type(requires_grad) is not bool:
            raise TypeError(
                "requires_grad_(): argument 'requires_grad' (position 1) must be bool, not "
                f"{type(requires_grad).__name__}"
            )
        self._set_requires_grad(
            requires_grad, "only Tensors of floating point dtype can require gradients"
        )
        return self

    def _set_requires_grad(self, value: bool, int_message: str) -> None:
        if self._fn is not None:  # torch reads the grad_fn stored, not one a view would regenerate
            if not value:
                raise RuntimeError(NOT_LEAF_FLAG)
            return
        if value and self.dtype.category != FLOATING:
            raise RuntimeError(int_message)
        if self._base is None:
            if self._rg is not value:
                self._rg = value
                follow_bases(self)
        else:
            set_view_requires_grad(self, value)
        if LISTENERS:
            emit(RequiresGradSet(self, self._rg))

    @property
    def grad_fn(self) -> Node | None:
        """The node that made this tensor (None for a leaf)."""
        return named(current_fn(self))

    grad_fn = grad_fn.setter(not_writable("grad_fn"))

    @property
    def is_leaf(self) -> bool:
        """True unless the tensor was computed by a recorded op."""
        return (self._fn if self._base is None else current_fn(self)) is None

    is_leaf = is_leaf.setter(not_writable("is_leaf"))

    @property
    def grad(self) -> Tensor | None:
        """The accumulated gradient (a non-leaf's is None, with a warning, unless assigned)."""
        if self._grad is None and self._fn is not None and not hooks.retains_grad(self):
            warnings.warn(NON_LEAF_GRAD, UserWarning, stacklevel=2)
        return self._grad

    @grad.setter
    def grad(self, value: Tensor | None) -> None:
        if value is not None:
            check_grad_assignment(self, value)
        self._grad = value

    # ---- detaching ----

    def detach(self) -> Tensor:
        """A new leaf sharing values and version counter, cut from the graph."""
        out = wrap(self.array, self.dtype, shared_counter(self))
        out.detached_from = self
        if LISTENERS:
            emit(Detached(self, out, False))
        return out

    def detach_(self) -> Tensor:
        """Cut this tensor from the graph in place; it becomes a leaf that does not require grad."""
        if self._base is not None:
            raise RuntimeError(DETACH_VIEW)
        if self._fn is not None:
            note_detached(self)
        self._fn = None
        if self._rg:
            self._rg = False
            follow_bases(self)
        if LISTENERS:
            emit(Detached(self, self, True))
        return self

    @property
    def data(self) -> Tensor:
        """A detached alias with its own version counter (changes through it go unnoticed)."""
        out = wrap(self.array, self.dtype)
        out.detached_from = self
        if LISTENERS:
            emit(Detached(self, out, False))
        return out

    data = data.setter(set_data).deleter(delete_data)

    # ---- conversion ----

    def item(self) -> bool | int | float:
        """The single value as a Python number."""
        if self.array.size != 1:
            raise RuntimeError(
                f"a Tensor with {self.array.size} elements cannot be converted to Scalar"
            )
        return self.array.item()

    def tolist(self) -> Any:
        """Nested Python lists of Python numbers (a number for a 0-d tensor)."""
        return self.array.tolist()

    def numpy(self) -> np.ndarray:
        """The numpy array (shared); refused while the tensor requires grad."""
        if self._rg:
            raise RuntimeError(
                "Can't call numpy() on Tensor that requires grad. "
                "Use tensor.detach().numpy() instead."
            )
        return self.array

    def __float__(self) -> float:
        if self.array.size != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        if self._rg:
            once.warn(TO_SCALAR_WARNING, stacklevel=2)
        return float(self.array.item())

    def __int__(self) -> int:
        if self.array.size != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        return int(self.array.item())

    def __bool__(self) -> bool:
        if self.array.size != 1:
            amount = "no values" if self.array.size == 0 else "more than one value"
            raise RuntimeError(f"Boolean value of Tensor with {amount} is ambiguous")
        return bool(self.array.item())

    def __abs__(self) -> Tensor:
        return self.abs()

    def __index__(self) -> int:
        if self.dtype.category == FLOATING or self.array.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self.array.item())

    # ---- printing ----

    def __repr__(self) -> str:
        try:
            fn = current_fn(self)
            name = None if fn is None else fn.display_name
        except RuntimeError:  # a view that may not get history after its base changed in place
            name = "Invalid"
        suffixes = printing.repr_suffixes(self.array.shape, self.dtype.name, name, self._rg)
        return printing.format_tensor(self.array, self.dtype.name, suffixes)

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        if self.array.ndim == 0:
            return self.array.item().__format__(spec)
        if spec:
            raise TypeError("unsupported format string passed to Tensor.__format__")
        return repr(self)

    # ---- containers ----

    def __len__(self) -> int:
        if self.array.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.array.shape[0]

    def __iter__(self):
        if self.array.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        from engine.multi_output import unbind  # the op modules sit above this one

        return iter(unbind(self, 0, (self,)))

    def __contains__(self, element: Any) -> bool:
        """torch's `(element == self).any()`, for a Tensor or a number only."""
        if not isinstance(element, (Tensor, numbers.Number)):
            raise RuntimeError(
                "Tensor.__contains__ only supports Tensor or scalar, but you passed in a "
                f"{type(element)}."
            )
        return bool((element == self).any().item())

    # ---- backward ----

    def backward(
        self,
        gradient: Tensor | None = None,
        retain_graph: bool | None = None,
        create_graph: bool = False,
        inputs: Any = None,
    ) -> None:
        """Accumulate d(self)/d(leaf) into every leaf's `.grad` (see engine.autograd.backward)."""
        from engine import autograd

        autograd.backward(self, gradient, retain_graph, create_graph, inputs)

    def __getitem__(self, index: Any) -> Tensor:
        return getitem(self, index)

    # ---- in-place ----

    def zero_(self) -> Tensor:
        """Fill with zeros in place (a non-leaf's grad_fn becomes ZeroBackward0)."""
        return inplace.zero_(self)

    def add_(self, other: Any, alpha: Any = 1) -> Tensor:
        """self += alpha * other, in place."""
        return inplace.binary_("add_", self, other, alpha)

    def sub_(self, other: Any, alpha: Any = 1) -> Tensor:
        """self -= alpha * other, in place."""
        return inplace.binary_("sub_", self, other, alpha)

    def mul_(self, other: Any) -> Tensor:
        """self *= other, in place."""
        return inplace.binary_("mul_", self, other)

    def div_(self, other: Any) -> Tensor:
        """self /= other, in place."""
        return inplace.binary_("div_", self, other)

    def __iadd__(self, other: Any) -> Tensor:
        return inplace.binary_("add_", self, other)

    def __isub__(self, other: Any) -> Tensor:
        return inplace.binary_("sub_", self, other)

    def __imul__(self, other: Any) -> Tensor:
        return inplace.binary_("mul_", self, other)

    def __itruediv__(self, other: Any) -> Tensor:
        return inplace.binary_("div_", self, other)

    def __setitem__(self, index: Any, value: Any) -> None:
        setitem.setitem(self, index, value)

    # ---- hooks ----

    def register_hook(self, hook: Any) -> Any:
        """Call `hook(grad)` on the gradient flowing into this tensor; returns a handle."""
        return hooks.register_hook(self, hook)

    def retain_grad(self) -> None:
        """Make backward fill `.grad` of this non-leaf tensor."""
        hooks.retain_grad(self)

    @property
    def retains_grad(self) -> bool:
        """True for a non-leaf after `retain_grad()`."""
        return hooks.retains_grad(self)


DETACH_VIEW = (
    "Can't detach views in-place. Use detach() instead. If you are using DistributedDataParallel "
    "(DDP) for training, and gradient_as_bucket_view is set as True, gradients are views of DDP "
    "buckets, and hence detach_() cannot be called on these gradients. To fix this error, please "
    "refer to the Optimizer.zero_grad() function in torch/optim/optimizer.py as the solution."
)
TO_SCALAR_WARNING = (
    "Converting a tensor with requires_grad=True to a scalar may lead to unexpected behavior.\n"
    "Consider using tensor.detach() first."
)


# The dispatch functions need Tensor and wrap, defined above; methods look them up at call time.
from engine import hooks, inplace, setitem  # noqa: E402
from engine.indexing import getitem  # noqa: E402

bind_dispatch()
