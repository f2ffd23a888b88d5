"""torch's CPU random streams (torch 2.13), reproduced with numpy's mt19937.

torch's CPU generator is mt19937 seeded with `init_genrand(seed)`, the same engine and seeding as
`numpy.random.RandomState(seed)`; we read its raw 32-bit words and apply torch's recipes:
`rand` uses 24 bits of one word (53 bits of two words for float64), `randint` one word (two
from a range of 2**28 on) modulo the range, `randn` Box-Muller in float64 with a cached second
value below 16 elements and torch's 16-value block transform from 16 elements on. `rand`,
`randn` and `randint` draw from one stream. Exactness: bit for bit, float32 `randn` of 16+
elements included: it follows torch's AVX2 kernel (`NormalFill16<float>`, whose log and sincos
come from avx_mathfun.h, emulated in engine.avx_mathfun), the kernel torch runs on a CPU whose
capability is AVX2; where torch runs another kernel (AVX512, DEFAULT) it takes libm's float
log/sin/cos and about a third of the values differ in the last bits. float16 `randn` computes
in float32 and rounds (from 16 elements on, torch draws the tail block's uniforms right after
the whole blocks'). float16 `rand` is float32's value rounded, as in torch (0 where that rounds
up to 1).
"""

from __future__ import annotations

import math

import numpy as np

from engine.avx_mathfun import log256_ps, sincos256_ps

DEFAULT_SEED = 67280421310721  # torch's default_rng_seed_val: an unseeded process starts here
MASK_53 = (1 << 53) - 1
BLOCK = 16
FLOAT_DTYPES = ("float16", "float32", "float64")


class Generator:
    """A torch-compatible CPU random generator (`torch.Generator`)."""

    def __init__(self, seed: int = DEFAULT_SEED) -> None:
        self._engine = np.random.MT19937()
        self._seed = 0
        self._cached_normal: float | None = None
        self.manual_seed(seed)

    def __repr__(self) -> str:
        return f"<torch._C.Generator object at {id(self):#x}>"

    def manual_seed(self, seed: int) -> Generator:
        """Reseed (torch keeps the low 32 bits) and drop the cached normal value."""
        seed = int(seed)
        if not -(1 << 63) <= seed < 1 << 64:
            raise ValueError("Overflow when unpacking long long")
        self._seed = seed % (1 << 64)
        legacy = np.random.RandomState(self._seed & 0xFFFFFFFF).get_state(legacy=False)
        self._engine.state = legacy
        self._cached_normal = None
        return self

    def initial_seed(self) -> int:
        """Return the seed last given to `manual_seed`."""
        return self._seed

    def rand(self, shape: tuple[int, ...], dtype: str = "float32") -> np.ndarray:
        """Uniform values in [0, 1), like `torch.rand(*shape, dtype=...)`."""
        _check_float(dtype)
        return self._uniform(math.prod(shape), dtype).reshape(shape)

    def randn(self, shape: tuple[int, ...], dtype: str = "float32") -> np.ndarray:
        """Standard normal values, like `torch.randn(*shape, dtype=...)`."""
        _check_float(dtype)
        n = math.prod(shape)
        values = self._box_muller(n) if n < BLOCK else self._normal_blocks(n, dtype)
        if dtype == "float16":  # torch rounds to float (opmath) before Half
            values = values.astype(np.float32)
        return values.astype(dtype).reshape(shape)

    def randint(self, low: int, high: int, shape: tuple[int, ...]) -> np.ndarray:
        """int64 values in [low, high), like `torch.randint(low, high, shape)`."""
        if low >= high:
            raise RuntimeError(
                f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}"
            )
        n, span = math.prod(shape), high - low
        # Public torch builds switch to 64-bit draws from a range of 2**28 (modulo skew ~5%).
        words = self._words64(n) if span >= 1 << 28 else self._words(n)
        values = [int(w) % span + low for w in words.tolist()]
        return np.array(values, dtype=np.int64).reshape(shape)

    def _words(self, n: int) -> np.ndarray:
        """The next n raw 32-bit words (`random()` in torch)."""
        return self._engine.random_raw(n).astype(np.uint64)

    def _words64(self, n: int) -> np.ndarray:
        """The next n 64-bit values (`random64()`): two words each, the first one high."""
        pairs = self._words(2 * n).reshape(n, 2)
        return (pairs[:, 0] << np.uint64(32)) | pairs[:, 1]

    def _uniform(self, n: int, dtype: str) -> np.ndarray:
        if dtype == "float64":
            return (self._words64(n) & np.uint64(MASK_53)).astype(np.float64) * 2.0**-53
        if dtype == "float16":  # float32's 24-bit value, rounded; one that rounds up to 1
            values = self._uniform(n, "float32").astype(np.float16)  # is 0, as in torch
            values[values == 1] = 0
            return values
        return ((self._words(n) & np.uint64(0xFFFFFF)).astype(np.float32)) * np.float32(2.0**-24)

    def _box_muller(self, n: int) -> np.ndarray:
        """torch's scalar normal sampler: pairs from two random64() uniforms, one cached."""
        values: list[float] = []
        if n and self._cached_normal is not None:
            values.append(self._cached_normal)
            self._cached_normal = None
        pairs = -(-(n - len(values)) // 2)
        u1, u2 = self._uniform(2 * pairs, "float64").reshape(pairs, 2).T
        radius = np.sqrt(-2.0 * np.log1p(-u2))
        theta = 2.0 * math.pi * u1
        fresh = np.stack([radius * np.cos(theta), radius * np.sin(theta)], axis=1).ravel()
        values.extend(fresh.tolist())
        if len(values) > n:
            self._cached_normal = values.pop()
        return np.array(values, dtype=np.float64)

    def _normal_blocks(self, n: int, dtype: str) -> np.ndarray:
        """torch's `normal_fill`: blocks of 16 uniforms, a redrawn last block for the tail.

        float32 and float64 draw all n uniforms first; float16 computes in float32 and draws
        block by block, so its tail block takes the words right after the whole blocks.
        """
        kind = "float32" if dtype == "float16" else dtype
        whole = n - n % BLOCK
        drawn = whole if dtype == "float16" else n
        data = np.empty(n, kind)
        data[:drawn] = self._uniform(drawn, kind)
        data[:whole] = _transform_blocks(data[:whole])
        if n % BLOCK:
            data[n - BLOCK :] = _transform_blocks(self._uniform(BLOCK, kind))
        return data


def _transform_blocks(uniform: np.ndarray) -> np.ndarray:
    """Box-Muller on each block of 16: lanes j and j+8 become r*cos and r*sin.

    float32 follows `NormalFill16<float>` on AVX2 (avx_mathfun's log and sincos), float64 the
    scalar one (libm's log, cos and sin, theta in float64). Both end with `fma(n, std=1,
    mean=0)`, which turns -0. into 0.
    """
    blocks = uniform.reshape(-1, 2, BLOCK // 2)
    if uniform.dtype == np.float32:
        one, minus_two = np.float32(1.0), np.float32(-2.0)
        radius = np.sqrt(minus_two * log256_ps(one - blocks[:, 0]))
        sin, cos = sincos256_ps(np.float32(2.0 * math.pi) * blocks[:, 1])
    else:
        radius = np.sqrt(-2.0 * np.log(1.0 - blocks[:, 0]))
        theta = 2.0 * math.pi * blocks[:, 1]
        sin, cos = np.sin(theta), np.cos(theta)
    pairs = np.stack([radius * cos, radius * sin], axis=1) + uniform.dtype.type(0.0)
    return pairs.ravel()


def _check_float(dtype: str) -> None:
    if dtype not in FLOAT_DTYPES:
        raise ValueError(f"random floats are float32 or float64, not {dtype}")


default_generator = Generator()


def manual_seed(seed: int) -> Generator:
    """Seed the default generator, like `torch.manual_seed`."""
    return default_generator.manual_seed(seed)


def rand(shape: tuple[int, ...], dtype: str = "float32") -> np.ndarray:
    """`torch.rand` on the default generator."""
    return default_generator.rand(shape, dtype)


def randn(shape: tuple[int, ...], dtype: str = "float32") -> np.ndarray:
    """`torch.randn` on the default generator."""
    return default_generator.randn(shape, dtype)


def randint(low: int, high: int, shape: tuple[int, ...]) -> np.ndarray:
    """`torch.randint(low, high, shape)` on the default generator."""
    return default_generator.randint(low, high, shape)
