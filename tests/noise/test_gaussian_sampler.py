"""The counter-based RNG and the fused Gaussian kernel."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.stats as st
import torch

import smoothcert as sc
from smoothcert import _core

M32 = 0xFFFFFFFF


def philox_twin(counter: tuple[int, int, int, int], key: tuple[int, int]) -> tuple[int, ...]:
    """Plain-Python Philox4x32-10 (Salmon et al. 2011) as an independent twin."""
    c0, c1, c2, c3 = counter
    k0, k1 = key
    for _ in range(10):
        p0 = 0xD2511F53 * c0
        p1 = 0xCD9E8D57 * c2
        c0, c1, c2, c3 = ((p1 >> 32) ^ c1 ^ k0) & M32, p1 & M32, ((p0 >> 32) ^ c3 ^ k1) & M32, p0 & M32
        k0, k1 = (k0 + 0x9E3779B9) & M32, (k1 + 0xBB67AE85) & M32
    return c0, c1, c2, c3


@pytest.mark.parametrize("counter, key, expected", [
    # Known-answer vectors published with Random123 (kat_vectors, philox4x32_10).
    ((0, 0, 0, 0), (0, 0), (0x6627E8D5, 0xE169C58D, 0xBC57AC4C, 0x9B00DBD8)),
    ((M32, M32, M32, M32), (M32, M32), (0x408F276D, 0x41C83B0E, 0xA20BC7C6, 0x6D5451FD)),
    ((0x243F6A88, 0x85A308D3, 0x13198A2E, 0x03707344), (0xA4093822, 0x299F31D0),
     (0xD16CFE09, 0x94FDCCEB, 0x5001E420, 0x24126EA1)),
])
def test_philox_known_answers(counter, key, expected):
    assert tuple(_core.noise.philox4x32_10(counter, key)) == expected
    assert philox_twin(counter, key) == expected


def test_philox_matches_twin_on_random_counters():
    rng = np.random.default_rng(1)
    for _ in range(200):
        counter = tuple(int(v) for v in rng.integers(0, 2**32, 4))
        key = tuple(int(v) for v in rng.integers(0, 2**32, 2))
        assert tuple(_core.noise.philox4x32_10(counter, key)) == philox_twin(counter, key)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_gaussian_distribution(dtype):
    n = 400_000
    sigma = 0.7
    z = sc.Gaussian(sigma).sample(torch.zeros(4000, dtype=dtype), n // 4000, seed=11).reshape(-1).double().numpy()
    assert z.dtype == np.float64
    # KS: under the null the p-value is uniform, so a fixed seed fails with probability 1e-4.
    assert st.kstest(z / sigma, "norm").pvalue > 1e-4
    # Moments: mean ~ N(0, sigma^2/n), sample variance sd ~ sigma^2 sqrt(2/n); 5 sd bands.
    assert abs(z.mean()) < 5 * sigma / np.sqrt(n)
    assert abs(z.var() - sigma**2) < 5 * sigma**2 * np.sqrt(2 / n)
    # Fourth moment of a normal is 3 sigma^4; its estimator has sd sigma^4 sqrt(96/n).
    assert abs(np.mean(z**4) - 3 * sigma**4) < 5 * sigma**4 * np.sqrt(96 / n)
    # Independence of neighbouring elements (lanes of one Philox block and across blocks).
    pairs = z.reshape(-1, 4000)
    for lag in (1, 2, 3, 4, 5):
        r = np.corrcoef(pairs[:, :-lag].ravel(), pairs[:, lag:].ravel())[0, 1]
        assert abs(r) < 5 / np.sqrt(pairs[:, lag:].size)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_sample_is_x_plus_noise_with_dtype_and_shape(dtype):
    x = torch.rand(3, 5, 7, dtype=dtype)
    out = sc.Gaussian(0.5).sample(x, 9, seed=2, index=4)
    assert out.shape == (9, 3, 5, 7) and out.dtype == dtype
    noise = sc.Gaussian(0.5).sample(torch.zeros_like(x), 9, seed=2, index=4)
    assert torch.equal(out, x + noise)


def test_noise_is_a_function_of_identity_not_of_batching():
    g = sc.Gaussian(0.3)
    x = torch.zeros(6, 50)
    whole = g.sample_batch(x, 40, seed=5, index=100)
    # One input at a time, with its own global index.
    for b in range(6):
        assert torch.equal(whole[b], g.sample(x[b], 40, seed=5, index=100 + b))
    # Samples in pieces with offsets.
    pieces = torch.cat([g.sample_batch(x, 13, seed=5, index=100, sample_offset=s)[:, :13] for s in (0, 13, 26)]
                       + [g.sample_batch(x, 1, seed=5, index=100, sample_offset=39)], dim=1)
    assert torch.equal(pieces, whole)
    # Element e's noise does not depend on the row length (whole vectors vs the partial last one).
    longer = g.sample_batch(torch.zeros(6, 203), 40, seed=5, index=100)
    assert torch.equal(longer[..., :50], whole)


def test_thread_count_does_not_change_noise(num_threads):
    x = torch.zeros(2, 3 * 32 * 32)
    g = sc.Gaussian(1.0)
    num_threads(1)
    one = g.sample_batch(x, 64, seed=9)
    num_threads(2)
    two = g.sample_batch(x, 64, seed=9)
    assert torch.equal(one, two)


def test_seeds_and_roles_give_independent_streams():
    g = sc.Gaussian(1.0)
    x = torch.zeros(1000)
    a = g.sample(x, 50, seed=1).numpy().ravel()
    b = g.sample(x, 50, seed=2).numpy().ravel()
    c = g.sample(x, 50, seed=1, role=1).numpy().ravel()
    for u, v in ((a, b), (a, c), (b, c)):
        assert abs(np.corrcoef(u, v)[0, 1]) < 5 / np.sqrt(u.size)


@pytest.mark.parametrize("sigma", [0.0, -1.0, float("nan"), float("inf")])
def test_bad_sigma(sigma):
    with pytest.raises(ValueError, match="sigma"):
        sc.Gaussian(sigma)


def test_bad_inputs():
    g = sc.Gaussian(0.5)
    with pytest.raises(ValueError, match="NaN"):
        g.sample(torch.tensor([0.0, float("nan")]), 3)
    with pytest.raises(ValueError, match="float32 or float64"):
        g.sample(torch.zeros(3, dtype=torch.int64), 3)
    with pytest.raises(ValueError, match="num"):
        g.sample(torch.zeros(3), -1)
    for bad in ([1.5], [0.7, float("nan")], [-0.1, 0.9], [[0.6], [float("nan")]]):
        with pytest.raises(ValueError, match="p_lower"):
            g.certify(bad)
    assert g.certify([]).shape == (0,)


def test_build_info_reports_the_build():
    info = sc.build_info()
    assert set(info) >= {"compiler", "simd", "openmp", "max_threads", "cuda", "version"}
    assert isinstance(info["cuda"], bool) and info["max_threads"] >= 1


def _box_muller_reference(seed: int, role: int, index: int, sample: int, dim: int, sigma: float) -> np.ndarray:
    """Float32 Gaussian noise of one row recomputed in float64 from its Philox words (philox.h layout:
    key (seed low, seed high ^ role * golden ratio), counter (element block, sample low, sample high,
    input); four normals per block: sqrt(-2 log u0) (cos, sin)(2 pi u1), then the same with u2, u3)."""
    key = (seed & M32, ((seed >> 32) ^ (role * 0x9E3779B9)) & M32)
    out = np.empty(4 * ((dim + 3) // 4))
    for block in range(len(out) // 4):
        w = philox_twin((block, sample & M32, (sample >> 32) & 0xFFFF, index), key)
        # The float uniform (m + 1/2) 2^-24 is rounded to float32 (m + 1/2 needs 25 bits when m >= 2^23).
        u = [float(np.float32(v >> 8) + np.float32(0.5)) * 2.0**-24 for v in w]
        for pair in range(2):
            r = np.sqrt(-2 * np.log(u[2 * pair]))
            angle = 2 * np.pi * u[2 * pair + 1]
            out[4 * block + 2 * pair:4 * block + 2 * pair + 2] = r * np.cos(angle), r * np.sin(angle)
    return sigma * out[:dim]


@pytest.mark.parametrize("dim", [5, 64, 203])
def test_float_noise_is_box_muller_of_its_philox_words(dim):
    """Each float32 value is the documented function of its Philox block, whichever code path (paired
    or single vectors, the partial last vector) computed it. Tolerance: the polynomial log and sin/cos are within
    1.5e-7 relative and 1e-7 absolute, sqrt and the products add a few float32 ulps (6e-8 each), so a
    value differs from the float64 formula by less than 1e-6 (1 + |value|)."""
    sigma, seed, role, index = 0.75, 2**33 + 7, 1, 12
    out = sc.Gaussian(sigma).sample(torch.zeros(dim), 3, seed=seed, index=index, role=role, sample_offset=2**32 - 1)
    for j in range(3):
        ref = _box_muller_reference(seed, role, index, 2**32 - 1 + j, dim, sigma)
        assert np.all(np.abs(out[j].double().numpy() - ref) <= 1e-6 * (1 + np.abs(ref)))
