"""The op table of the random-program audit: each step works alike on engine and torch.

A step is `f(L, t, b, k)`: `L` is the library (engine or torch), `t` the current value, `b` the
second leaf and `k` a small drawn integer that picks dims, indices and scalars.
"""

from __future__ import annotations

# Ops whose torch CPU kernel is not plain IEEE arithmetic the engine reproduces bit for bit
# (MKL/Sleef exp and log, libm tanh/sin, matmul's summation order): compared with a tolerance.
INEXACT = {
    "exp",
    "log",
    "sigmoid",
    "tanh",
    "softmax",
    "log_softmax",
    "matmul",
    "pow",
    "pow_half",
    "rpow",
}


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
STEPS = {**BINARY, **SCALAR, **UNARY, **REDUCE, **SHAPE}
