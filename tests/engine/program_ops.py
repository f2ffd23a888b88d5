"""The op table of the random-program audit: each step works alike on engine and torch.

A step is `f(L, t, b, k)`: `L` is the library (engine or torch), `t` the current value, `b` the
second leaf and `k` a small drawn integer that picks dims, indices and scalars.
"""

from __future__ import annotations

# Ops whose torch CPU kernel is not plain IEEE arithmetic the engine reproduces bit for bit
# (MKL's exp, log and sqrt: sqrt is a last bit off on ~15% of float32 and ~1% of float64 values;
# Sleef/libm tanh, sigmoid and pow; matmul's summation order): compared with a tolerance.
INEXACT = {"exp", "log", "sqrt", "sigmoid", "tanh", "softmax", "log_softmax", "matmul"}
# pow by 4 or -3 (pow_int, pow_neg_int's gradient): std::pow / Sleef's powf in torch
INEXACT |= {"pow", "pow_half", "rpow", "pow_self", "rpow_zero", "softmax_dtype", "pow_int"}
INEXACT |= {"pow_neg_int"}


def _perm(t, k):
    dims = list(range(t.dim()))
    return dims[k % len(dims) :] + dims[: k % len(dims)] if dims else dims


def _values_of(pair):
    return pair.values if hasattr(pair, "values") else pair


BINARY = {
    "add": lambda L, t, b, k: t + b,
    "sub": lambda L, t, b, k: t - b,
    "rsub": lambda L, t, b, k: b - t,
    "mul": lambda L, t, b, k: t * b,
    "div": lambda L, t, b, k: t / b,
    "pow": lambda L, t, b, k: t**b,
    "matmul": lambda L, t, b, k: t @ b,
    "maximum": lambda L, t, b, k: L.maximum(t, b),
    "minimum": lambda L, t, b, k: L.minimum(t, b),
    "where": lambda L, t, b, k: L.where(t > 0, t, b),
    "cat": lambda L, t, b, k: L.cat([t, b], k % 3 - 1),
    "stack": lambda L, t, b, k: L.stack([t, b], k % 3 - 1),
    "add_self": lambda L, t, b, k: t + t,
    "mul_self": lambda L, t, b, k: t * t,
}
SCALAR = {
    "add_scalar": lambda L, t, b, k: t + (k - 1),
    "rsub_scalar": lambda L, t, b, k: 2 - t,
    "mul_scalar": lambda L, t, b, k: t * -1.5,
    "div_scalar": lambda L, t, b, k: t / (k - 1),
    "rdiv_scalar": lambda L, t, b, k: 1 / t,
    "pow_int": lambda L, t, b, k: t ** (k - 1),
    "pow_half": lambda L, t, b, k: t**0.5,
    "rpow": lambda L, t, b, k: 2**t,
    "clamp": lambda L, t, b, k: t.clamp(-1, 1),
    "clamp_min": lambda L, t, b, k: L.clamp(t, min=0),
    "clamp_max": lambda L, t, b, k: t.clamp(max=k - 1),
}
UNARY = {
    "neg": lambda L, t, b, k: -t,
    "abs": lambda L, t, b, k: L.abs(t),
    "exp": lambda L, t, b, k: t.exp(),
    "log": lambda L, t, b, k: L.log(t),
    "sqrt": lambda L, t, b, k: t.sqrt(),
    "relu": lambda L, t, b, k: L.relu(t),
    "sigmoid": lambda L, t, b, k: t.sigmoid(),
    "tanh": lambda L, t, b, k: L.tanh(t),
}
REDUCE = {
    "sum": lambda L, t, b, k: t.sum(),
    "sum_dim": lambda L, t, b, k: t.sum(k % 4 - 2, keepdim=k > 3),
    "mean": lambda L, t, b, k: L.mean(t),
    "mean_dim": lambda L, t, b, k: t.mean(dim=k % 4 - 2, keepdim=k % 2 == 0),
    "max": lambda L, t, b, k: t.max(),
    "max_dim": lambda L, t, b, k: _values_of(t.max(k % 3 - 1, keepdim=k > 3)),
    "max_indices": lambda L, t, b, k: t.max(dim=k % 3 - 1)[1],
    "min": lambda L, t, b, k: L.min(t),
    "min_dim": lambda L, t, b, k: _values_of(L.min(t, k % 3 - 1, k % 2 == 1)),
    "softmax": lambda L, t, b, k: t.softmax(k % 3 - 1),
    "log_softmax": lambda L, t, b, k: L.log_softmax(t, dim=k % 3 - 1),
}
SHAPE = {
    "reshape": lambda L, t, b, k: t.reshape(-1),
    "reshape_2": lambda L, t, b, k: t.reshape(-1, 1) if k % 2 else L.reshape(t, (1, -1)),
    "view": lambda L, t, b, k: t.view(-1),
    "transpose": lambda L, t, b, k: t.transpose(k % 3 - 1, 0),
    "permute": lambda L, t, b, k: t.permute(*_perm(t, k)),
    "unsqueeze": lambda L, t, b, k: t.unsqueeze(k % 3 - 1),
    "squeeze": lambda L, t, b, k: t.squeeze(),
    "squeeze_dim": lambda L, t, b, k: t.squeeze(k % 3 - 1),
    "expand": lambda L, t, b, k: t.expand(2, *t.shape),
    "expand_minus": lambda L, t, b, k: t.expand(*([-1] * t.dim())),
    "expand_as": lambda L, t, b, k: t.expand_as(b),
    "index": lambda L, t, b, k: t[k % 3 - 1],
    "index_last": lambda L, t, b, k: t[..., k % 2],
    "slice": lambda L, t, b, k: t[1:],
    "slice_step": lambda L, t, b, k: t[..., ::2],
    "none": lambda L, t, b, k: t[None],
    "mask": lambda L, t, b, k: t[t > 0],
    "fancy": lambda L, t, b, k: t[[0, -1]],
}
MORE = {
    "add_true": lambda L, t, b, k: t + True,
    "mul_zero": lambda L, t, b, k: t * 0,
    "div_zero": lambda L, t, b, k: t / 0,
    "floordiv": lambda L, t, b, k: t // (k - 2),
    "pow_neg_int": lambda L, t, b, k: t**-2,
    "pow_self": lambda L, t, b, k: t**t,
    "rpow_zero": lambda L, t, b, k: 0**t,
    "where_scalar": lambda L, t, b, k: L.where(b > 0, t, k - 2.5),
    "where_first_scalar": lambda L, t, b, k: L.where(t != 0, 1.5, b),
    "where_bool_cond": lambda L, t, b, k: t.where(b.bool(), t * 2),
    "clamp_tensors": lambda L, t, b, k: t.clamp(min=b, max=b + 1),
    "clamp_crossed": lambda L, t, b, k: L.clamp(t, 1, -1),
    "max_other": lambda L, t, b, k: t.max(b),
    "sum_dtype": lambda L, t, b, k: t.sum(dtype=L.float64),
    "sum_dims": lambda L, t, b, k: t.sum((0, -1), keepdim=k % 2 == 0),
    "sum_no_dims": lambda L, t, b, k: t.sum(dim=()),
    "mean_dims": lambda L, t, b, k: L.mean(t, [-1, 0]),
    "softmax_dtype": lambda L, t, b, k: t.softmax(-1, dtype=L.float64),
    "transpose_neg": lambda L, t, b, k: L.transpose(t, -1, -2),
    "t": lambda L, t, b, k: t.t(),
    "permute_neg": lambda L, t, b, k: t.permute(*range(-1, -t.dim() - 1, -1)),
    "squeeze_dims": lambda L, t, b, k: t.squeeze((0, -1)),
    "unsqueeze_far": lambda L, t, b, k: t.unsqueeze(t.dim() + k % 3),
    "flatten": lambda L, t, b, k: t.flatten(),
    "index_none_zero": lambda L, t, b, k: t[..., None, 0],
    "index_tail": lambda L, t, b, k: t[-1:],
    "index_bool": lambda L, t, b, k: t[True],
    "index_tensor": lambda L, t, b, k: t[L.tensor([k % 3 - 1, 0])],
    "mask_other": lambda L, t, b, k: t[b > 0],
    "cat_three": lambda L, t, b, k: L.cat((t, b, t), dim=k % 2 - 1),
    "cat_empty": lambda L, t, b, k: L.cat([t, L.tensor([])]),
    "stack_self": lambda L, t, b, k: L.stack([t, t * 2], dim=-1),
    "eq": lambda L, t, b, k: t == b,
    "lt_scalar": lambda L, t, b, k: t < k - 2,
    "T": lambda L, t, b, k: t.T,
    "mT": lambda L, t, b, k: t.mT,
    "view_as_b": lambda L, t, b, k: t.view(b.shape),
    "reshape_as_b": lambda L, t, b, k: t.reshape_as(b),
    "squeeze_fn": lambda L, t, b, k: L.squeeze(t, k % 3 - 1),
    "repeat_index": lambda L, t, b, k: t[..., [0, 0, -1]],
    "index_rows": lambda L, t, b, k: t[[0, -1], ..., :1],
    "sum_int_dim": lambda L, t, b, k: t.long().sum(-1),
    "mean_keep": lambda L, t, b, k: t.mean(k % 3 - 1, True),
    "argmax": lambda L, t, b, k: t.argmax(),
    "mul_b_": lambda L, t, b, k: (t * 1).mul_(b),
    "float": lambda L, t, b, k: t.float(),
    "to_int": lambda L, t, b, k: t.to(L.int64),
}
STEPS = {**BINARY, **SCALAR, **UNARY, **REDUCE, **SHAPE, **MORE}
