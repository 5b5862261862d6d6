"""Fused Gaussian sampling vs torch, and the share of certify time spent outside the model.

Run: pytest benchmarks/bench_gaussian.py -s  (ratios are printed in the benchmark table: compare the
``torch`` and ``fused`` rows of the same group; the paired benchmark prints the speed-up from
back-to-back calls).
"""

from __future__ import annotations

import statistics
import time

import pytest
import scipy.stats as st
import torch

import smoothcert as sc
from smoothcert.data import DEFAULT_SIGMA, default_model, load_digits_split
from conftest import paired_speedup

SHAPE = (3, 32, 32)
COPIES = 1000
SIGMA = 0.5


@pytest.fixture(scope="module")
def x():
    return torch.rand(SHAPE, generator=torch.Generator().manual_seed(0))


@pytest.mark.benchmark(group="gaussian-sample-1000x3x32x32")
def test_torch_randn(benchmark, x):
    out = benchmark(lambda: x + SIGMA * torch.randn((COPIES, *SHAPE)))
    assert out.shape == (COPIES, *SHAPE)
    assert abs(float((out - x).std()) - SIGMA) < 0.01


@pytest.mark.benchmark(group="gaussian-sample-1000x3x32x32")
def test_fused_sample(benchmark, x):
    noise = sc.Gaussian(SIGMA)
    out = benchmark(lambda: noise.sample(x, COPIES, seed=1))
    assert out.shape == (COPIES, *SHAPE)
    z = ((out - x) / SIGMA).reshape(-1)[:200_000].double().numpy()
    assert st.kstest(z, "norm").pvalue > 1e-4


@pytest.mark.benchmark(group="gaussian-sample-paired-1000x3x32x32")
def test_fused_sample_speedup_paired(benchmark, x):
    noise = sc.Gaussian(SIGMA)
    out = paired_speedup(benchmark, lambda: noise.sample(x, COPIES, seed=1),
                         lambda: x + SIGMA * torch.randn((COPIES, *SHAPE)), "Gaussian sampler vs torch")
    assert out.shape == (COPIES, *SHAPE)


def test_certify_overhead_outside_the_model():
    """Share of certify time spent outside the forward pass on the digits model (goal <= 10 %).

    Five rounds of 40 inputs; the median share is the figure to quote (a shared machine's speed
    drifts between rounds, and the model's time and ours do not drift alike)."""
    model = default_model()
    forward_time = 0.0

    def timed_model(t: torch.Tensor) -> torch.Tensor:
        nonlocal forward_time
        t0 = time.perf_counter()
        out = model(t)
        forward_time += time.perf_counter() - t0
        return out

    xs, _ = load_digits_split("test")
    g = sc.SmoothedClassifier(timed_model, sc.Gaussian(DEFAULT_SIGMA), 10, seed=0)
    inputs = 40
    for i in range(3):  # warm-up: first calls load code and size the allocator's pools
        g.certify(xs[i:i + 1], 100, 10_000, 0.001, batch_size=1000, index=i)
    shares, per_input = [], []
    for _ in range(5):
        forward_time = 0.0
        t0 = time.perf_counter()
        for i in range(inputs):
            g.certify(xs[i:i + 1], 100, 10_000, 0.001, batch_size=1000, index=i)
        total = time.perf_counter() - t0
        assert 0 < forward_time < total
        shares.append(1 - forward_time / total)
        per_input.append(total / inputs)
    print(f"\ncertify: {statistics.median(per_input) * 1e3:.1f} ms per input, "
          f"{statistics.median(shares) * 100:.1f} % outside the model's forward pass (median of rounds "
          + ", ".join(f"{s * 100:.1f}" for s in shares) + ")")
