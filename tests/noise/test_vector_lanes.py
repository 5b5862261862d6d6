"""The CPU kernels' vector lanes against the scalar generators that the CUDA kernels run.

Every vectorised step (paired and single vectors of Philox blocks, the partial vector at the end of
a row, radial chunks) computes the same exactly rounded operations as the scalar generator, lane by
lane; with the lanes switched off every value comes from the scalar code. The two must agree bit
for bit, for every family and for row lengths that end on each kind of step.
"""

from __future__ import annotations

import contextlib

import pytest
import torch

import smoothcert as sc
from smoothcert._native import core

WIDTHS = (1, 5, 64, 67, 131, 203, 1031)


def _families(dim: int) -> list[sc.Noise]:
    return [sc.Gaussian(0.3), sc.Uniform(sigma=0.3), sc.Laplace(sigma=0.3), sc.Pareto(sigma=0.3, a=4.0),
            sc.Expp(sigma=0.3, p=0.7), sc.Expp(sigma=0.3, p=3.0), sc.SSN(sigma=0.3),
            sc.UniformBall(sigma=0.3, dim=dim), sc.Exp2(sigma=0.3, dim=dim, k=2.0, j=1.0 if dim > 1 else 0.0),
            sc.Pow2(sigma=0.3, dim=dim, k=1.0, a=dim + 10.0), sc.Exp1(sigma=0.3, dim=dim, k=1.0),
            sc.ExpInf(sigma=0.3, dim=dim, k=1.0), sc.PowInf(sigma=0.3, dim=dim, a=dim + 10.0),
            sc.HierarchicalGaussian(selection_prob=0.6, sigma=0.3, indicator=False)] + (
                [sc.GeneralizedGaussian(sigma=0.3, k=dim // 3, dim=dim)] if dim >= 2 else [])


@contextlib.contextmanager
def _scalar_only():
    """Run the block with the vector lanes off; restore them whatever happens."""
    assert core.noise.set_vector_lanes(False) is True
    try:
        yield
    finally:
        core.noise.set_vector_lanes(True)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("dim", WIDTHS)
def test_vector_lanes_match_the_scalar_generators(dim, dtype):
    x = torch.rand((3, dim), generator=torch.Generator().manual_seed(dim), dtype=dtype)
    for noise in _families(dim):
        vector = noise.sample_batch(x, 9, seed=2**40 + 3, index=5, sample_offset=11)
        with _scalar_only():
            scalar = noise.sample_batch(x, 9, seed=2**40 + 3, index=5, sample_offset=11)
        assert vector.dtype == dtype and torch.equal(vector, scalar), (noise, dim)


def test_set_vector_lanes_returns_the_previous_setting():
    assert core.noise.set_vector_lanes(True) is True
    with _scalar_only():
        assert core.noise.set_vector_lanes(False) is False
    assert core.noise.set_vector_lanes(True) is True
