"""The fused generalized-Gaussian sampler: distribution of radius and direction, variance, determinism."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from scipy import stats

import smoothcert as sc

D, K, SIGMA, N = 48, 10, 0.5, 4000


def _noise(noise, n=N, dtype=torch.float64, seed=3):
    x = torch.zeros(1, D, dtype=dtype)
    return noise.sample_batch(x, n, seed=seed, index=7)[0].to(torch.float64).numpy()


def test_radius_distribution_ks():
    noise = sc.GeneralizedGaussian(sigma=SIGMA, k=K, dim=D)
    z = _noise(noise)
    g = (z ** 2).sum(1) / (2 * noise.sigma_prime ** 2)
    # ‖x‖²/(2σ'²) ~ Gamma(d/2 − k); seeded, so the p-value is a fixed number: it must not be tiny.
    assert stats.kstest(g, stats.gamma(D / 2 - K).cdf).pvalue > 1e-3


def test_thresholded_radius_distribution_ks():
    noise = sc.ThresholdedGeneralizedGaussian(sigma=SIGMA, k=K, dim=D, beta=0.3)
    z = _noise(noise)
    g = (z ** 2).sum(1) / (2 * noise.sigma_prime ** 2)
    assert g.max() <= noise.g_max * (1 + 1e-12)
    a = D / 2 - K
    truncated_cdf = lambda v: np.minimum(stats.gamma(a).cdf(v) / noise.beta, 1.0)  # noqa: E731
    assert stats.kstest(g, truncated_cdf).pvalue > 1e-3


def test_direction_moments_and_coordinate_variance():
    noise = sc.GeneralizedGaussian(sigma=SIGMA, k=K, dim=D)
    z = _noise(noise)
    u = z / np.linalg.norm(z, axis=1, keepdims=True)
    # Uniform direction: E u_i = 0 (Var 1/d), E u_i² = 1/d (Var 3/(d(d+2)) − 1/d²); 5 sd bands.
    assert np.all(np.abs(u.mean(0)) < 5 * math.sqrt(1 / D / N))
    sd_sq = math.sqrt((3 / (D * (D + 2)) - 1 / D ** 2) / N)
    assert np.all(np.abs((u ** 2).mean(0) - 1 / D) < 5 * sd_sq)
    # Per-coordinate variance σ²: the row means of x_i² are i.i.d. with mean σ².
    row = (z ** 2).mean(1)
    assert abs(row.mean() - SIGMA ** 2) < 5 * row.std() / math.sqrt(N)


def test_adds_input_and_float32_agrees():
    noise = sc.GeneralizedGaussian(sigma=SIGMA, k=K, dim=D)
    x = torch.linspace(-1, 1, D, dtype=torch.float64).reshape(1, D)
    a = noise.sample_batch(x, 10, seed=1)[0]
    b = noise.sample_batch(torch.zeros_like(x), 10, seed=1)[0]
    assert torch.allclose(a - x, b, atol=1e-12)
    c = noise.sample_batch(x.float(), 10, seed=1)[0]
    assert c.dtype == torch.float32 and torch.isfinite(c).all()


def test_deterministic_across_batches_offsets_and_threads(num_threads):
    noise = sc.GeneralizedGaussian(sigma=SIGMA, k=K, dim=D)
    x = torch.randn(3, D, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    full = noise.sample_batch(x, 20, seed=5, index=10)
    one = noise.sample_batch(x[1:2], 20, seed=5, index=11)
    assert torch.equal(full[1], one[0])
    tail = noise.sample_batch(x, 8, seed=5, index=10, sample_offset=12)
    assert torch.equal(full[:, 12:], tail)
    num_threads(1)
    single = noise.sample_batch(x, 20, seed=5, index=10)
    assert torch.equal(full, single)
    other = noise.sample_batch(x, 20, seed=6, index=10)
    assert not torch.equal(full, other)


def test_dim_mismatch_raises():
    noise = sc.GeneralizedGaussian(sigma=SIGMA, k=K, dim=D)
    with pytest.raises(ValueError, match="dim"):
        noise.sample_batch(torch.zeros(1, D + 1), 2)
