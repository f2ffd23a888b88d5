"""torch's signatures for the Tensor methods and module functions the engine has, as torch 2.13
prints them, plus engine.arguments' unprinted marks (`?`: None is taken too; `[1]`: a single int
is taken for the tuple). tests/engine/test_argument_texts.py checks them against torch's errors.

`METHODS[name]` are the overloads of `t.name(...)` (none: it takes no arguments); a method missing
here keeps Python's own argument errors. `FUNCTIONS[name]` are those of `torch.name(...)`, where
the tensor is `input`.
"""

from __future__ import annotations

# A deprecated overload torch neither shows nor (here) takes; the others are then not its only one.
HIDDEN = "(hidden)"
_OUT = "*, Tensor out = None"
_DIV = (
    "(Tensor other)",
    "(Tensor other, *, str? rounding_mode)",
    "(Number other, *, str? rounding_mode)",
)
_DIMS = "tuple of ints[1]? dim, bool keepdim = False, *, torch.dtype? dtype = None"
_ANY_DIMS = "tuple of ints? dim = None, bool keepdim = False"
_AMAX = "tuple of ints[1]? dim = [], bool keepdim = False"
_ARGMAX = "int? dim = None, bool keepdim = False"
_SOFTMAX = "int dim, torch.dtype? dtype = None"
_TO = "bool non_blocking = False, bool copy = False, *, torch.memory_format? memory_format = None"
_CLOSE = "Tensor other, float rtol = 1e-05, float atol = 1e-08, bool equal_nan = False"
_CLAMP = ("Tensor? min = None, Tensor? max = None", "Number? min = None, Number? max = None")
_OTHER = {
    "dot": "tensor",
    "mm": "mat2",
    "bmm": "mat2",
    "mv": "vec",
    "matmul": "other",
    "outer": "vec2",
    "maximum": "other",
    "minimum": "other",
    "equal": "other",
    "type_as": "other",
    "expand_as": "other",
    "reshape_as": "other",
}
_METHODS_ONLY = ("type_as", "expand_as", "reshape_as")  # no torch.<name> function
_COMPARE = ("eq", "ne", "lt", "le", "gt", "ge")
_VAR = (
    "tuple of ints[1]? dim, bool unbiased = True, bool keepdim = False",
    "tuple of ints[1]? dim = None, *, Number? correction = None, bool keepdim = False",
    "bool unbiased = True",
)
_VAR_OUT = (f", {_OUT}", f", {_OUT[3:]}", "")  # where torch prints `out` in var/std
_UNARY = ("sin", "cos", "tanh", "sigmoid", "sqrt", "abs", "sign", "square", "neg", "exp", "log")
_IN_PLACE = (
    *("relu_", "abs_", "neg_", "exp_", "sqrt_", "sin_", "cos_", "tanh_", "sigmoid_", "log_"),
    *("reciprocal_", "floor_", "ceil_", "square_"),
)  # sign_ has no torch.sign_
_NO_ARGUMENTS = (
    *_UNARY,
    *("relu", "reciprocal", "t", "logical_not", "isnan", "isinf", "isfinite"),
    *("floor", "ceil"),
    *_IN_PLACE,
    "sign_",
)
_CONVERSIONS = ("clone", "float", "double", "long", "int", "bool", "half")

METHODS: dict[str, tuple[str, ...]] = {
    "add": ("(Tensor other, *, Number alpha = 1)", HIDDEN),
    "sub": ("(Tensor other, *, Number alpha = 1)", HIDDEN),
    "mul": ("(Tensor other)",),
    "div": _DIV,
    "pow": ("(Tensor exponent)", "(Number exponent)"),
    "remainder": ("(Tensor other)", "(Number other)"),
    "floor_divide": ("(Tensor other)", "(Number other)"),
    "max": ("()", "(Tensor other)", "(int dim, bool keepdim = False)"),
    "min": ("()", "(Tensor other)", "(int dim, bool keepdim = False)"),
    "sum": ("(*, torch.dtype? dtype = None)", f"({_DIMS})"),
    "mean": ("(*, torch.dtype? dtype = None)", f"({_DIMS})"),
    "amax": (f"({_AMAX})",),
    "amin": (f"({_AMAX})",),
    "argmax": (f"({_ARGMAX})",),
    "argmin": (f"({_ARGMAX})",),
    "any": ("()", f"({_ANY_DIMS})", "(int dim, bool keepdim = False)"),
    "all": ("()", f"({_ANY_DIMS})", "(int dim, bool keepdim = False)"),
    "softmax": (f"({_SOFTMAX})",),
    "log_softmax": (f"({_SOFTMAX})",),
    "clamp": tuple(f"({bounds})" for bounds in _CLAMP),
    "clip": tuple(f"({bounds})" for bounds in _CLAMP),
    "clamp_min": ("(Tensor min)", "(Number min)"),
    "clamp_max": ("(Tensor max)", "(Number max)"),
    "isclose": (f"({_CLOSE})",),
    "allclose": (f"({_CLOSE})",),
    "transpose": ("(int dim0, int dim1)",),
    "permute": ("(tuple of ints dims)",),
    "unsqueeze": ("(int dim)",),
    "squeeze": ("()", "(int dim)", "(tuple of ints dim)"),
    "flatten": ("(int start_dim = 0, int end_dim = -1)",),
    "reshape": ("(tuple of ints shape)",),
    "view": ("(torch.dtype dtype)", "(tuple of ints size)"),
    "expand": ("(tuple of ints size, *, bool implicit = False)",),
    "size": ("(int? dim = None)",),  # Tensor.size is in engine.tensor
    "to": (
        f"(torch.device? device = None, torch.dtype? dtype = None, {_TO})",
        f"(torch.dtype dtype, {_TO})",
        f"(Tensor tensor, {_TO})",
    ),
    **{name: (f"(Tensor {other})",) for name, other in _OTHER.items()},
    **{name: ("(Tensor other)", "(Number other)") for name in _COMPARE},
    "where": ("(Tensor condition, Tensor other)", "(Tensor condition, Number other)"),
    "logsumexp": ("(tuple of ints[1] dim, bool keepdim = False)",),
    "prod": (
        "(*, torch.dtype? dtype = None)",
        "(int dim, bool keepdim = False, *, torch.dtype? dtype = None)",
    ),
    **{name: ("(int dim, *, torch.dtype? dtype = None)",) for name in ("cumsum", "cumprod")},
    "flip": ("(tuple of ints dims)",),
    "unbind": ("(int dim = 0)",),
    "chunk": ("(int chunks, int dim = 0)",),
    "var": tuple(f"({overload})" for overload in _VAR),
    "std": tuple(f"({overload})" for overload in _VAR),
    "round": ("()", "(*, int decimals)"),
    "round_": ("()", "(*, int decimals)"),
    "pow_": ("(Tensor exponent)", "(Number exponent)"),
    "clamp_min_": ("(Tensor min)", "(Number min)"),
    "clamp_max_": ("(Tensor max)", "(Number max)"),
    "clip_": tuple(f"({bounds})" for bounds in _CLAMP),
    "clamp_": tuple(f"({bounds})" for bounds in _CLAMP),
    "fill_": ("(Tensor value)", "(Number value)"),
    "copy_": ("(Tensor other, bool non_blocking = False)", HIDDEN),
    **{name: () for name in _NO_ARGUMENTS},  # C methods without arguments
    **{name: ("(*, torch.memory_format? memory_format = None)",) for name in _CONVERSIONS},
}

FUNCTIONS: dict[str, tuple[str, ...]] = {
    "add": ("(Tensor input, Tensor other, *, Number alpha = 1, Tensor out = None)", HIDDEN),
    "sub": ("(Tensor input, Tensor other, *, Number alpha = 1, Tensor out = None)", HIDDEN),
    "mul": (f"(Tensor input, Tensor other, {_OUT})",),
    "div": (
        f"(Tensor input, Tensor other, {_OUT})",
        "(Tensor input, Tensor other, *, str? rounding_mode, Tensor out = None)",
        "(Tensor input, Number other, *, str? rounding_mode)",
    ),
    "max": (
        f"(Tensor input, {_OUT})",
        f"(Tensor input, Tensor other, {_OUT})",
        "(Tensor input, int dim, bool keepdim = False, *, tuple of Tensors out = None)",
    ),
    "min": (
        f"(Tensor input, {_OUT})",
        f"(Tensor input, Tensor other, {_OUT})",
        "(Tensor input, int dim, bool keepdim = False, *, tuple of Tensors out = None)",
    ),
    "sum": (
        "(Tensor input, *, torch.dtype? dtype = None)",
        f"(Tensor input, {_DIMS}, Tensor out = None)",
    ),
    "mean": (
        "(Tensor input, *, torch.dtype? dtype = None, Tensor out = None)",
        f"(Tensor input, {_DIMS}, Tensor out = None)",
    ),
    "amax": (f"(Tensor input, {_AMAX}, {_OUT})",),
    "amin": (f"(Tensor input, {_AMAX}, {_OUT})",),
    "argmax": (f"(Tensor input, {_ARGMAX}, {_OUT})",),
    "argmin": (f"(Tensor input, {_ARGMAX}, {_OUT})",),
    "any": (
        f"(Tensor input, {_OUT})",
        f"(Tensor input, {_ANY_DIMS}, {_OUT})",
        f"(Tensor input, int dim, bool keepdim = False, {_OUT})",
    ),
    "all": (
        f"(Tensor input, {_OUT})",
        f"(Tensor input, {_ANY_DIMS}, {_OUT})",
        f"(Tensor input, int dim, bool keepdim = False, {_OUT})",
    ),
    "softmax": (f"(Tensor input, {_SOFTMAX}, {_OUT})",),
    "log_softmax": (f"(Tensor input, {_SOFTMAX}, {_OUT})",),
    "clamp": tuple(f"(Tensor input, {bounds}, {_OUT})" for bounds in _CLAMP),
    "clip": tuple(f"(Tensor input, {bounds}, {_OUT})" for bounds in _CLAMP),
    "clamp_min": (f"(Tensor input, Tensor min, {_OUT})", f"(Tensor input, Number min, {_OUT})"),
    "clamp_max": (f"(Tensor input, Tensor max, {_OUT})", f"(Tensor input, Number max, {_OUT})"),
    "isclose": (f"(Tensor input, {_CLOSE})",),
    "allclose": (f"(Tensor input, {_CLOSE})",),
    "transpose": ("(Tensor input, int dim0, int dim1)",),
    "permute": ("(Tensor input, tuple of ints dims)",),
    "unsqueeze": ("(Tensor input, int dim)",),
    "squeeze": ("(Tensor input)", "(Tensor input, int dim)", "(Tensor input, tuple of ints dim)"),
    "flatten": ("(Tensor input, int start_dim = 0, int end_dim = -1)",),
    "reshape": ("(Tensor input, tuple of ints shape)",),
    "relu": ("(Tensor input)",),
    "isnan": ("(Tensor input)",),
    "isinf": ("(Tensor input)",),
    "isfinite": ("(Tensor input)",),
    "t": ("(Tensor input)",),
    "clone": ("(Tensor input, *, torch.memory_format? memory_format = None)",),
    "where": (
        "(Tensor condition)",
        f"(Tensor condition, Tensor input, Tensor other, {_OUT})",
        "(Tensor condition, Number self, Tensor other)",
        "(Tensor condition, Tensor input, Number other)",
        "(Tensor condition, Number self, Number other)",
    ),
    "pow": (
        f"(Tensor input, Tensor exponent, {_OUT})",
        f"(Number self, Tensor exponent, {_OUT})",
        f"(Tensor input, Number exponent, {_OUT})",
    ),
    "remainder": (
        f"(Tensor input, Tensor other, {_OUT})",
        "(Number self, Tensor other)",
        f"(Tensor input, Number other, {_OUT})",
    ),
    "floor_divide": (f"(Tensor input, Tensor other, {_OUT})", "(Tensor input, Number other)"),
    **{
        name: (
            f"(Tensor input, Tensor mat2, {_OUT})",
            f"(Tensor input, Tensor mat2, torch.dtype out_dtype, {_OUT})",
        )
        for name in ("mm", "bmm")
    },
    **{name: (f"(Tensor input, {_OUT})",) for name in _UNARY},
    **{
        name: (f"(Tensor input, Tensor {other}, {_OUT})",)
        for name, other in _OTHER.items()
        if name not in ("mm", "bmm", "equal", *_METHODS_ONLY)
    },
    "equal": ("(Tensor input, Tensor other)",),
    **{
        name: (f"(Tensor input, Tensor other, {_OUT})", f"(Tensor input, Number other, {_OUT})")
        for name in _COMPARE
    },
    "logsumexp": (f"(Tensor input, tuple of ints[1] dim, bool keepdim = False, {_OUT})",),
    "prod": (
        "(Tensor input, *, torch.dtype? dtype = None)",
        f"(Tensor input, int dim, bool keepdim = False, *, torch.dtype? dtype = None, {_OUT[3:]})",
    ),
    **{
        name: (f"(Tensor input, int dim, *, torch.dtype? dtype = None, {_OUT[3:]})",)
        for name in ("cumsum", "cumprod")
    },
    "flip": ("(Tensor input, tuple of ints dims)",),
    "unbind": ("(Tensor input, int dim = 0)",),
    "chunk": ("(Tensor input, int chunks, int dim = 0)",),
    "var": tuple(f"(Tensor input, {overload}{_VAR_OUT[i]})" for i, overload in enumerate(_VAR)),
    "std": tuple(f"(Tensor input, {overload}{_VAR_OUT[i]})" for i, overload in enumerate(_VAR)),
    "round": (f"(Tensor input, {_OUT})", f"(Tensor input, *, int decimals, {_OUT[3:]})"),
    "floor": (f"(Tensor input, {_OUT})",),
    "ceil": (f"(Tensor input, {_OUT})",),
    **{name: ("(Tensor input)",) for name in _IN_PLACE},
    "clamp_": tuple(f"(Tensor input, {bounds})" for bounds in _CLAMP),
    "clip_": tuple(f"(Tensor input, {bounds})" for bounds in _CLAMP),
    "clamp_min_": ("(Tensor input, Tensor min)", "(Tensor input, Number min)"),
    "clamp_max_": ("(Tensor input, Tensor max)", "(Tensor input, Number max)"),
    "round_": ("(Tensor input)", "(Tensor input, *, int decimals)"),
}

# torch takes a Python number where these want a Tensor (`t.add(2)`).
NUMBERS_AS_TENSORS = frozenset({"add", "sub", "mul", "div", "floor_divide", "copy_"})
