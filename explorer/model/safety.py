"""What a user program may touch: attribute reads and writes, calls, and the modules it imports.

Programs reach objects only through names the interpreter binds, literals, and the attribute
reads and calls allowed here, so these rules decide everything a program can do. Engine
objects (tensors, dtypes, grad_fn nodes) expose their public attributes; engine modules expose
engine functions, classes and submodules, never the modules they import (``numpy``, ``os``...).
Python values expose a short list of harmless methods; numpy arrays a short list of attributes.
"""

from __future__ import annotations

import math
import types
from collections.abc import Callable

import numpy as np


class Refused(Exception):
    """A construct or access the interpreter does not allow (reported as UnsupportedConstruct)."""


DENIED_MODULE_NAMES = frozenset(
    {"save", "load", "from_file", "hub", "jit", "compile", "utils", "library", "package"}
    | {"multiprocessing", "distributed", "onnx", "export", "observe", "cuda", "backends"}
)
WRITABLE_TENSOR_ATTRIBUTES = frozenset({"grad", "requires_grad", "data"})
PYTHON_METHODS: dict[type, frozenset[str]] = {
    str: frozenset(
        [
            "join",
            "split",
            "strip",
            "lstrip",
            "rstrip",
            "upper",
            "lower",
            "title",
            "capitalize",
            "replace",
            "startswith",
            "endswith",
            "count",
            "find",
            "isdigit",
            "isalpha",
            "isspace",
            "splitlines",
        ]
    ),
    list: frozenset(
        [
            "append",
            "extend",
            "pop",
            "index",
            "count",
            "insert",
            "copy",
            "reverse",
            "remove",
            "clear",
        ]
    ),
    tuple: frozenset({"index", "count"}),
    dict: frozenset(
        ["keys", "values", "items", "get", "update", "pop", "copy", "clear", "setdefault"]
    ),
    int: frozenset({"bit_length", "real", "imag"}),
    float: frozenset({"is_integer", "real", "imag"}),
    bool: frozenset(),
    complex: frozenset({"real", "imag", "conjugate"}),
}
ARRAY_ATTRIBUTES = frozenset(
    [
        "shape",
        "dtype",
        "ndim",
        "size",
        "T",
        "tolist",
        "item",
        "sum",
        "mean",
        "max",
        "min",
        "argmax",
        "argmin",
        "reshape",
        "astype",
        "copy",
        "flatten",
        "ravel",
        "transpose",
        "std",
        "var",
        "prod",
        "cumsum",
        "round",
        "any",
        "all",
        "squeeze",
    ]
)


class ModuleFacade:
    """An engine module as a program sees it: only the engine's own public names."""

    __slots__ = ("_module", "_name", "_root")

    def __init__(self, module: types.ModuleType, name: str, root: str) -> None:
        self._module, self._name, self._root = module, name, root

    def __repr__(self) -> str:
        return f"<module '{self._name}'>"

    def read(self, name: str) -> object:
        """The value of ``module.name`` if programs may use it."""
        try:
            value = getattr(self._module, name)
        except AttributeError:
            raise AttributeError(f"module '{self._name}' has no attribute '{name}'") from None
        if name in DENIED_MODULE_NAMES or not _from_package(value, self._root):
            raise Refused(f"'{self._name}.{name}' is not available in programs")
        if isinstance(value, types.ModuleType):
            return ModuleFacade(value, f"{self._name}.{name}", self._root)
        return value


class NamespaceFacade:
    """A fixed set of names standing in for a module (``numpy`` and ``math`` for literals)."""

    __slots__ = ("_name", "_names")

    def __init__(self, name: str, names: dict[str, object]) -> None:
        self._name, self._names = name, names

    def __repr__(self) -> str:
        return f"<module '{self._name}' (a safe subset)>"

    def read(self, name: str) -> object:
        """The value of ``facade.name``."""
        if name not in self._names:
            raise Refused(f"'{self._name}.{name}' is not available in programs")
        return self._names[name]


class Builtin:
    """A function the interpreter offers programs (``print``, ``len``, ``np.array``...)."""

    __slots__ = ("__name__", "function", "pytype")

    def __init__(self, name: str, function: Callable, pytype: type | None = None) -> None:
        self.__name__, self.function, self.pytype = name, function, pytype

    def __call__(self, *args: object, **kwargs: object) -> object:
        return self.function(*args, **kwargs)

    def __repr__(self) -> str:
        return f"<built-in function {self.__name__}>"


def _from_package(value: object, root: str) -> bool:
    """True for engine modules, engine functions and classes, engine objects and plain data."""
    if isinstance(value, (int, float, complex, str, type(None))):
        return True
    if isinstance(value, types.ModuleType):
        return value.__name__ == root or value.__name__.startswith(root + ".")
    owner = value if isinstance(value, type) or callable(value) else type(value)
    module = getattr(owner, "__module__", None) or ""
    return module == root or module.startswith(root + ".")


def read_only(value: object) -> object:
    """Numpy arrays reach programs as read-only views, so no write (``out=``, ``+=``) reaches
    memory the engine owns behind its back."""
    if type(value) is np.ndarray and value.flags.writeable:
        value = value.view()
        value.flags.writeable = False
    return value


def is_engine_object(value: object, root: str) -> bool:
    """True for instances of classes the engine defines (tensors, nodes, grad-mode managers)."""
    return _from_package(type(value), root)


def read_attribute(value: object, name: str, root: str) -> object:
    """``value.name`` under the rules in the module docstring."""
    if name.startswith("_"):
        raise Refused(f"private and special attributes ('{name}') are not accessible")
    if isinstance(value, (ModuleFacade, NamespaceFacade)):
        return value.read(name)
    if isinstance(value, type):
        raise Refused(f"attributes of classes ('{value.__name__}.{name}') are not accessible")
    kind = type(value)
    if kind in PYTHON_METHODS:
        return _python_attribute(value, name)
    if isinstance(value, (np.ndarray, np.generic)):
        return _array_attribute(value, name)
    if not _from_package(kind, root):
        raise Refused(f"attributes of '{kind.__name__}' objects are not accessible")
    result = getattr(value, name)
    if isinstance(result, types.ModuleType) or not _callable_allowed(result, root):
        raise Refused(f"'{kind.__name__}.{name}' is not accessible")
    return result


def _python_attribute(value: object, name: str) -> object:
    if name not in PYTHON_METHODS[type(value)]:
        message = f"'{type(value).__name__}.{name}' is not available in programs"
        if not hasattr(value, name):
            message = f"'{type(value).__name__}' object has no attribute '{name}'"
            raise AttributeError(message)
        raise Refused(message)
    return getattr(value, name)


def _array_attribute(value: object, name: str) -> object:
    if name not in ARRAY_ATTRIBUTES:
        raise Refused(f"'{name}' of numpy arrays is not accessible (allowed: shape, dtype, ...)")
    return getattr(value, name)


def _callable_allowed(value: object, root: str) -> bool:
    if isinstance(value, Builtin) or not callable(value):
        return True
    owner = getattr(value, "__self__", None)
    if owner is not None and not isinstance(owner, types.ModuleType):
        array_like = isinstance(owner, (np.ndarray, np.generic))
        return array_like or _from_package(type(owner), root) or type(owner) in PYTHON_METHODS
    return _from_package(value, root)


def check_callable(value: object, root: str) -> None:
    """Refuse calling anything but engine functions, methods and the interpreter's builtins."""
    if not callable(value):
        raise TypeError(f"'{type(value).__name__}' object is not callable")
    if isinstance(value, np.ndarray) or not _callable_allowed(value, root):
        name = getattr(value, "__name__", type(value).__name__)
        raise Refused(f"calling '{name}' is not allowed")


def write_attribute(target: object, name: str, value: object, root: str) -> None:
    """``target.name = value``: only ``grad``, ``requires_grad`` and ``data`` of tensors."""
    check_attribute_writable(target, name, root)
    setattr(target, name, value)


def check_attribute_writable(target: object, name: str, root: str) -> None:
    """Refuse ``target.name = ...`` unless it is a tensor's grad, requires_grad or data."""
    if name.startswith("_"):
        raise Refused(f"private and special attributes ('{name}') are not accessible")
    writable = _from_package(type(target), root) and not isinstance(target, type)
    if not writable or name not in WRITABLE_TENSOR_ATTRIBUTES:
        kind = "module" if isinstance(target, (ModuleFacade, NamespaceFacade)) else type(target)
        raise Refused(
            f"assigning to attribute '{name}' of '{getattr(kind, '__name__', kind)}' objects "
            f"is not supported "
            f"(only a tensor's grad, requires_grad and data)"
        )


def check_item_target(target: object, root: str) -> None:
    """``target[i] = value`` and ``del target[i]``: lists, dicts and engine tensors."""
    if isinstance(target, (list, dict)):
        return
    if isinstance(target, type) or not _from_package(type(target), root):
        raise Refused(f"item assignment to '{type(target).__name__}' objects is not supported")


MATH_NAMES = [
    "pi",
    "e",
    "tau",
    "inf",
    "nan",
    "sqrt",
    "exp",
    "log",
    "log2",
    "log10",
    "sin",
    "cos",
    "tan",
    "tanh",
    "atan",
    "atan2",
    "floor",
    "ceil",
    "fabs",
    "isnan",
    "isinf",
    "isfinite",
    "hypot",
]
NUMPY_FUNCTIONS = [
    "array",
    "asarray",
    "zeros",
    "ones",
    "arange",
    "linspace",
    "eye",
    "sqrt",
    "exp",
    "log",
    "sin",
    "cos",
    "tanh",
    "abs",
    "sum",
    "mean",
    "maximum",
    "minimum",
    "allclose",
    "isclose",
    "isnan",
    "isinf",
    "isfinite",
    "dot",
    "matmul",
]
NUMPY_CONSTANTS = [
    "float16",
    "float32",
    "float64",
    "int8",
    "int16",
    "int32",
    "int64",
    "uint8",
    "bool_",
    "pi",
    "e",
    "inf",
    "nan",
]


def math_facade() -> NamespaceFacade:
    """``import math``: constants and scalar functions only."""
    names = {}
    for name in MATH_NAMES:
        value = getattr(math, name)
        names[name] = Builtin(name, value) if callable(value) else value
    return NamespaceFacade("math", names)


def numpy_facade() -> NamespaceFacade:
    """``import numpy as np``: enough to write literals and small arrays, nothing that does I/O."""
    names: dict[str, object] = {name: Builtin(name, getattr(np, name)) for name in NUMPY_FUNCTIONS}
    for name in NUMPY_CONSTANTS:
        value = getattr(np, name)
        names[name] = Builtin(name, value, value) if isinstance(value, type) else value
    return NamespaceFacade("numpy", names)
