"""float32 and float16 `randn` of 16+ values bit for bit against torch's AVX2 kernel.

That kernel (`NormalFill16<float>` in ATen/native/cpu/DistributionTemplates.h) runs when torch's
CPU capability is AVX2; elsewhere (AVX512, DEFAULT) torch runs the scalar `NormalFill16` with
libm's float functions, which engine.random does not follow.
"""

import numpy as np
import pytest

from engine import random
from engine.avx_mathfun import log256_ps, sincos256_ps

torch = pytest.importorskip("torch")

avx2_only = pytest.mark.skipif(
    torch.backends.cpu.get_cpu_capability() != "AVX2", reason="torch's randn kernel is not AVX2's"
)

SIZES = [16, 17, 31, 32, 33, 100, 1000, 4099, 10**5]
SEEDS = [0, 1, 7, 42, 2**32 + 3, 2**63 + 11]


def _bits_equal(ours, theirs):
    assert ours.dtype == theirs.dtype and ours.shape == theirs.shape
    assert ours.tobytes() == theirs.tobytes()


@avx2_only
@pytest.mark.parametrize("dtype", ["float32", "float16"])
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("size", SIZES)
def test_randn_bit_for_bit(seed, size, dtype):
    torch.manual_seed(seed)
    expected = torch.randn(size, dtype=getattr(torch, dtype)).numpy()
    _bits_equal(random.Generator(seed).randn((size,), dtype), expected)


@avx2_only
@pytest.mark.parametrize("shape", [(4, 5), (3, 7, 11), (2, 0, 16), (1, 16)])
def test_randn_float32_shapes(shape):
    torch.manual_seed(3)
    _bits_equal(random.Generator(3).randn(shape), torch.randn(*shape).numpy())


@avx2_only
@pytest.mark.parametrize("dtype", ["float32", "float16"])
@pytest.mark.parametrize(
    "calls",
    [
        [("randn", 17), ("randn", 17), ("rand", 3)],  # the redrawn tail block moves the stream on
        [("rand", 5), ("randn", 40), ("randn", 3), ("randn", 33)],
        [("randn", 1), ("randn", 16), ("randn", 1)],  # the cached scalar value survives
    ],
)
def test_randn_streams(calls, dtype):
    torch.manual_seed(5)
    gen = random.Generator(5)
    for name, size in calls:
        expected = getattr(torch, name)(size, dtype=getattr(torch, dtype)).numpy()
        _bits_equal(getattr(gen, name)((size,), dtype), expected)


@pytest.mark.parametrize("size", [16, 31, 1000, 10**5])
def test_randn_float64_bit_for_bit(size):
    torch.manual_seed(11)
    expected = torch.randn(size, dtype=torch.float64).numpy()
    np.testing.assert_array_equal(random.Generator(11).randn((size,), "float64"), expected)


def test_log256_ps_is_close_to_log():
    x = np.linspace(2.0**-24, 1.0, 10001, dtype=np.float32)
    np.testing.assert_allclose(log256_ps(x), np.log(x.astype(np.float64)), rtol=3e-7, atol=1e-7)
    assert log256_ps(np.float32([1.0]))[0] == 0.0


def test_sincos256_ps_is_close_to_sin_and_cos():
    x = np.linspace(-7.0, 7.0, 10001, dtype=np.float32)
    sin, cos = sincos256_ps(x)
    np.testing.assert_allclose(sin, np.sin(x.astype(np.float64)), rtol=0, atol=2e-7)
    np.testing.assert_allclose(cos, np.cos(x.astype(np.float64)), rtol=0, atol=2e-7)
