"""SmoothedClassifier on a CUDA device: the CPU's counts (needs a GPU and a CUDA build).

The noise itself is compared kernel by kernel in tests/noise/test_noise_twins.py.
"""

from __future__ import annotations

import pytest
import torch

import smoothcert as sc

pytestmark = pytest.mark.skipif(
    not (sc.build_info()["cuda"] and torch.cuda.is_available()),
    reason="needs smoothcert built with CUDA kernels and a visible CUDA device",
)


def test_smoothed_classifier_on_cuda_gives_cpu_counts():
    from smoothcert.data import default_model, load_digits_split

    x, _ = load_digits_split("test")
    model = default_model()
    cpu = sc.SmoothedClassifier(model, sc.Gaussian(0.25), 10).sample_counts(x[:4], 500, 256)
    gpu = sc.SmoothedClassifier(model.cuda(), sc.Gaussian(0.25), 10).sample_counts(x[:4].cuda(), 500, 256)
    # Noisy inputs are identical; the model's float arithmetic on the GPU may flip a rare vote.
    assert abs(cpu.counts - gpu.counts).sum() <= 4
