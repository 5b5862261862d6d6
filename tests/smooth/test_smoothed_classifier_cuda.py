"""CUDA kernels: same noise as the CPU kernels, bit for bit (needs a GPU and a CUDA build)."""

from __future__ import annotations

import pytest
import torch

import smoothcert as sc

pytestmark = pytest.mark.skipif(
    not (sc.build_info()["cuda"] and torch.cuda.is_available()),
    reason="needs smoothcert built with CUDA kernels and a visible CUDA device",
)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_gaussian_cuda_matches_cpu(dtype):
    x = torch.rand(3, 3, 32, 32, dtype=dtype)
    noise = sc.Gaussian(0.5)
    cpu = noise.sample_batch(x, 64, seed=7, index=5, sample_offset=3)
    gpu = noise.sample_batch(x.cuda(), 64, seed=7, index=5, sample_offset=3)
    assert gpu.is_cuda and gpu.dtype == dtype
    # Same operations, all exactly rounded (fma explicit, contraction off on both compilers).
    assert torch.equal(gpu.cpu(), cpu)


def test_smoothed_classifier_on_cuda_gives_cpu_counts():
    from smoothcert.data import default_model, load_digits_split

    x, _ = load_digits_split("test")
    model = default_model()
    cpu = sc.SmoothedClassifier(model, sc.Gaussian(0.25), 10).sample_counts(x[:4], 500, 256)
    gpu = sc.SmoothedClassifier(model.cuda(), sc.Gaussian(0.25), 10).sample_counts(x[:4].cuda(), 500, 256)
    # Noisy inputs are identical; the model's float arithmetic on the GPU may flip a rare vote.
    assert abs(cpu.counts - gpu.counts).sum() <= 4
