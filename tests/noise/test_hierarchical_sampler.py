"""Seeded statistical and structural tests of the hierarchical samplers."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import smoothcert
from smoothcert.noises import HierarchicalGaussian, HierarchicalSparse, Noise

K_SD = 5.0  # tolerance in standard deviations: a false failure has probability < 1e-6 per check


def _binomial_ok(k: int, n: int, p: float) -> bool:
    return abs(k - n * p) <= K_SD * math.sqrt(n * p * (1 - p)) + 1


def test_image_shapes_indicator_and_untouched_pixels():
    torch.manual_seed(0)
    x = torch.rand(3, 3, 8, 8)
    noise = HierarchicalGaussian(selection_prob=0.7, sigma=0.5, indicator=True)
    out = noise.sample_batch(x, 50, seed=11)
    assert out.shape == (3, 50, 4, 8, 8) and out.dtype == x.dtype
    mask = out[:, :, 3]
    assert set(mask.unique().tolist()) <= {0.0, 1.0}
    sel = mask.bool().unsqueeze(2).expand(-1, -1, 3, -1, -1)
    xr = x.unsqueeze(1).expand_as(out[:, :, :3])
    # Unselected pixels: every channel bit-identical; selected: every channel moved.
    assert torch.equal(out[:, :, :3][~sel], xr[~sel])
    assert (out[:, :, :3][sel] != xr[sel]).all()
    assert _binomial_ok(int(mask.sum()), mask.numel(), 0.7)


def test_node_features_indicator_column():
    x = torch.rand(1, 40, 6, dtype=torch.float64)
    noise = HierarchicalGaussian(selection_prob=0.3, sigma=1.0, indicator=True)
    out = noise.sample_batch(x, 20, seed=5)
    assert out.shape == (1, 20, 40, 7)
    mask = out[..., 6].bool()
    rows_equal = (out[..., :6] == x.unsqueeze(1)).all(-1)
    assert torch.equal(rows_equal, ~mask)
    assert _binomial_ok(int(mask.sum()), mask.numel(), 0.3)


def test_without_indicator_shape_is_unchanged():
    x = torch.rand(2, 3, 4, 4)
    assert HierarchicalGaussian(0.5, 0.1, indicator=False).sample_batch(x, 3).shape == (2, 3, 3, 4, 4)


def test_gaussian_noise_moments_on_selected_entities():
    x = torch.zeros(1, 3, 32, 32)
    sigma = 0.25
    out = HierarchicalGaussian(selection_prob=1 - 150 / 1024, sigma=sigma).sample_batch(x, 200, seed=3)
    sel = out[0, :, 3].bool().unsqueeze(1).expand(-1, 3, -1, -1)
    z = out[0, :, :3][sel].double()
    n = z.numel()
    assert abs(z.mean().item()) <= K_SD * sigma / math.sqrt(n)
    # Var of the sample variance of a normal: 2 sigma^4 / n.
    assert abs(z.var().item() - sigma**2) <= K_SD * sigma**2 * math.sqrt(2 / n)
    # Fourth moment: 3 sigma^4, sd of the estimate sqrt(96) sigma^4 / sqrt(n).
    assert abs((z**4).mean().item() - 3 * sigma**4) <= K_SD * math.sqrt(96) * sigma**4 / math.sqrt(n)
    rate = (1 - 150 / 1024)
    assert _binomial_ok(int(out[0, :, 3].sum()), out[0, :, 3].numel(), rate)


def test_selection_is_shared_by_all_channels_and_independent_across_samples():
    x = torch.zeros(1, 2, 64, 64)
    out = HierarchicalGaussian(0.5, 1.0).sample_batch(x, 2, seed=9)
    m0, m1 = out[0, 0, 2].bool(), out[0, 1, 2].bool()
    both = int((m0 & m1).sum())
    assert _binomial_ok(both, m0.numel(), 0.25)


def test_sparse_flip_rates_and_untouched_rows():
    gen = torch.Generator().manual_seed(0)
    x = (torch.rand(1, 300, 200, generator=gen) < 0.1).float()
    p, pp, pm = 0.81, 0.05, 0.8
    out = HierarchicalSparse(selection_prob=p, p_plus=pp, p_minus=pm).sample_batch(x, 40, seed=21)
    assert out.shape == (1, 40, 300, 201)
    mask = out[0, :, :, 200].bool()
    feats = out[0, :, :, :200]
    xr = x[0].unsqueeze(0).expand_as(feats)
    assert torch.equal(feats[~mask], xr[~mask])
    selx = xr[mask]
    selo = feats[mask]
    zeros, ones = selx == 0, selx == 1
    assert _binomial_ok(int((selo[zeros] == 1).sum()), int(zeros.sum()), pp)
    assert _binomial_ok(int((selo[ones] == 0).sum()), int(ones.sum()), pm)
    assert set(out.unique().tolist()) <= {0.0, 1.0}
    assert _binomial_ok(int(mask.sum()), mask.numel(), p)


@pytest.mark.parametrize("pp,pm", [(0.0, 1.0), (1.0, 0.0), (0.0, 0.0)])
def test_sparse_extreme_flip_probabilities(pp, pm):
    x = (torch.rand(1, 10, 50) < 0.5).double()
    out = HierarchicalSparse(selection_prob=1.0, p_plus=pp, p_minus=pm, indicator=False).sample_batch(x, 4)
    expect = torch.where(x == 1, torch.tensor(1.0 - pm, dtype=x.dtype), torch.tensor(pp, dtype=x.dtype))
    assert torch.equal(out, expect.unsqueeze(1).expand_as(out))


def test_sparse_long_rows_use_several_streams():
    # More columns than one flip stream covers (4096): rates still right in the second chunk.
    x = torch.zeros(1, 2, 9000)
    out = HierarchicalSparse(1.0, p_plus=0.3, p_minus=0.5, indicator=False).sample_batch(x, 10, seed=2)
    tail = out[..., 4096:]
    assert _binomial_ok(int(tail.sum()), tail.numel(), 0.3)


@pytest.mark.parametrize("make", [
    lambda: (HierarchicalGaussian(0.6, 0.3), torch.rand(5, 3, 6, 6)),
    lambda: (HierarchicalSparse(0.8, 0.1, 0.7), (torch.rand(5, 30, 20) < 0.3).float()),
])
def test_deterministic_across_batches_offsets_and_threads(make, num_threads):
    noise, x = make()
    full = noise.sample_batch(x, 12, seed=7, index=100)
    singles = torch.cat([noise.sample_batch(x[i:i + 1], 12, seed=7, index=100 + i) for i in range(5)])
    assert torch.equal(full, singles)
    halves = torch.cat([noise.sample_batch(x, 5, seed=7, index=100),
                        noise.sample_batch(x, 7, seed=7, index=100, sample_offset=5)], dim=1)
    assert torch.equal(full, halves)
    num_threads(1)
    one = noise.sample_batch(x, 12, seed=7, index=100)
    assert torch.equal(full, one)
    assert not torch.equal(full, noise.sample_batch(x, 12, seed=8, index=100))


def test_registry_roundtrip_and_exports():
    for noise in (HierarchicalGaussian(0.9, 0.25, entity_dim=(1, 2)), HierarchicalSparse(0.81, 0.05, 0.8)):
        again = Noise.from_description(noise.describe())
        assert type(again) is type(noise) and again.params() == noise.params()
    assert smoothcert.HierarchicalGaussian is HierarchicalGaussian
    assert Noise.registry["hierarchical-sparse"] is HierarchicalSparse


def test_noise_certify_interface():
    noise = HierarchicalGaussian(1 - 150 / 1024, 0.25)
    r = noise.certify(np.array([0.3, 0.6, 0.99]), "l2")
    assert math.isnan(r[0]) and math.isnan(r[1]) and r[2] > 0
    with pytest.raises(ValueError, match="norm"):
        noise.certify(np.array([0.9]), "l1")
    assert HierarchicalSparse.norms == ()
    with pytest.raises(ValueError, match="HierarchicalSparse has no single-radius certificate.*certify_perturbation"):
        HierarchicalSparse(0.8, 0.1, 0.7).certify(np.array([0.9]))


@pytest.mark.parametrize("bad", [
    lambda: HierarchicalGaussian(0.0, 0.25), lambda: HierarchicalGaussian(1.2, 0.25),
    lambda: HierarchicalGaussian(0.5, 0.0), lambda: HierarchicalSparse(0.5, -0.1, 0.2),
    lambda: HierarchicalSparse(0.5, 0.1, 1.2),
])
def test_bad_parameters(bad):
    with pytest.raises(ValueError):
        bad()


def test_bad_inputs():
    with pytest.raises(ValueError, match="binary"):
        HierarchicalSparse(0.5, 0.1, 0.2).sample_batch(torch.full((1, 3, 3), 0.5), 2)
    with pytest.raises(ValueError, match="entity"):
        HierarchicalGaussian(0.5, 0.1, entity_dim=(1, 2)).sample_batch(torch.rand(1, 3, 4, 4, 2), 2)
    with pytest.raises(ValueError, match="indicator"):
        HierarchicalGaussian(0.5, 0.1, entity_dim=0).sample_batch(torch.rand(1, 4, 3, 2), 2)
