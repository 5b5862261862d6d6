"""Hierarchical smoothing benchmarks: baseline and smoothcert in the same run, answers compared.

1. Sparse graph certificate on the 2810-node stored votes (binary certificate over the grid r <= 3,
   ra <= 3, rd <= 12). Baseline: a faithful straightforward implementation of the published algorithm
   (regions by the alternating recursion in 1000-bit mpmath arithmetic, the greedy worst case per node in
   mpmath). The baseline is timed on the first BASELINE_NODES nodes plus the one-off region construction
   and extrapolated per node to 2810 (reported in extra_info).
2. Hierarchical image sampling ([3, 32, 32], p = 1 - 150/1024, sigma = 0.25, indicator channel) vs plain
   torch: mask via torch.rand, noise via torch.randn, indicator concatenated.
"""

from __future__ import annotations

import time
from pathlib import Path

import mpmath as mp
import numpy as np
import pytest
import torch

from smoothcert.certify.hierarchical import bounds_from_votes, hierarchical_sparse
from smoothcert.noises import HierarchicalGaussian
from references import samplers

REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "reference" / "hierarchical"
P, PP, PM = 0.81, 0.05, 0.8
R, RA, RD = 3, 3, 12
BASELINE_NODES = 8


def _regions_mp(ra: int, rd: int):
    """Published construction: Newton-identity recursion with alternating signs at 1000 bits."""
    with mp.workprec(1000):
        pp, pm = mp.mpf(PP), mp.mpf(PM)
        qmax = ra + rd
        t = [ra * (pp / (1 - pp)) ** i + rd * (pm / (1 - pm)) ** i for i in range(qmax + 1)]
        px = [mp.mpf(1)] + [mp.mpf(0)] * qmax
        ratio = []
        for q in range(qmax + 1):
            ratio.append((pp / (1 - pm)) ** (q - rd) * (pm / (1 - pp)) ** (q - ra))
            if q:
                px[q] = sum((-1) ** (i + 1) * t[i] * px[q - i] for i in range(1, q + 1)) / q
        scale = (1 - pp) ** ra * (1 - pm) ** rd
        return [(px[q] * scale, px[q] * scale / ratio[q]) for q in range(qmax + 1)]


def _rho_mp(regions, p_emp):
    with mp.workprec(1000):
        acc_x = acc_y = mp.mpf(0)
        for px, py in regions:
            if acc_x + px >= p_emp:
                return acc_y + (p_emp - acc_x) * py / px
            acc_x += px
            acc_y += py
        return acc_y


def _baseline(pa: np.ndarray, regions) -> np.ndarray:
    out = np.zeros((len(pa), R + 1, RA + 1, RD + 1), bool)
    for i, p_emp in enumerate(pa):
        for r in range(R + 1):
            q = mp.mpf(P) ** r
            for ra in range(RA + 1):
                for rd in range(RD + 1):
                    if r == 0 or ra + rd == 0:
                        out[i, r, ra, rd] = p_emp > 0.5
                        continue
                    scaled = [(q * a, q * b) for a, b in regions[ra, rd]]
                    out[i, r, ra, rd] = _rho_mp(scaled, mp.mpf(p_emp) - (1 - q)) > 0.5
    return out


def _ours(pa: np.ndarray) -> np.ndarray:
    r, ra, rd = np.meshgrid(np.arange(R + 1), np.arange(RA + 1), np.arange(RD + 1), indexing="ij")
    return hierarchical_sparse(pa[:, None, None, None], selection_prob=P, p_plus=PP, p_minus=PM,
                               entities=r[None], additions=ra[None], deletions=rd[None])


@pytest.fixture(scope="module")
def graph_p_lower():
    pre, votes = torch.load(REFERENCE / "precomputed_votes_GAT_CoraML.pt", weights_only=True)
    _, pa, _ = bounds_from_votes(votes.numpy(), pre.numpy(), 0.01)
    return np.maximum(pa, 1e-300)  # nodes with no top-class vote: never certified


def test_sparse_graph_certificate(benchmark, graph_p_lower):
    pa = graph_p_lower
    t0 = time.perf_counter()
    regions = {(ra, rd): _regions_mp(ra, rd) for ra in range(RA + 1) for rd in range(RD + 1)}
    t_regions = time.perf_counter() - t0
    t0 = time.perf_counter()
    base = _baseline(pa[:BASELINE_NODES], regions)
    t_nodes = time.perf_counter() - t0
    baseline_full = t_regions + t_nodes / BASELINE_NODES * len(pa)
    ours = benchmark(_ours, pa)
    assert ours.shape == (len(pa), R + 1, RA + 1, RD + 1)
    assert np.array_equal(ours[:BASELINE_NODES], base)
    t0 = time.perf_counter()
    _ours(pa)
    t_ours = time.perf_counter() - t0
    benchmark.extra_info.update(baseline_s_extrapolated=baseline_full, ours_s=t_ours,
                                ratio=baseline_full / t_ours, nodes=len(pa))
    print(f"\nsparse certificate, {len(pa)} nodes: baseline ~{baseline_full:.1f} s (extrapolated from "
          f"{BASELINE_NODES}), ours {t_ours:.3f} s, ratio {baseline_full / t_ours:.0f}x")


def test_image_sampling(benchmark):
    p, sigma, num = 1 - 150 / 1024, 0.25, 256
    x = torch.rand(4, 3, 32, 32)
    noise = HierarchicalGaussian(selection_prob=p, sigma=sigma)
    gen = torch.Generator().manual_seed(0)
    ours = benchmark(noise.sample_batch, x, num, seed=1)
    ref = samplers.hierarchical_gaussian(x, num, p, sigma, gen)
    assert ours.shape == ref.shape
    # Same distribution: selection rate and noise scale agree within 5 standard errors.
    for t in (ours, ref):
        m = t[:, :, 3]
        assert abs(m.mean().item() - p) < 5 * (p * (1 - p) / m.numel()) ** 0.5
        z = (t[:, :, :3] - x.unsqueeze(1))[m.bool().unsqueeze(2).expand(-1, -1, 3, -1, -1)]
        assert abs(z.std().item() - sigma) < 5 * sigma / (2 * z.numel()) ** 0.5
    reps = 5
    t0 = time.perf_counter()
    for _ in range(reps):
        samplers.hierarchical_gaussian(x, num, p, sigma, gen)
    t_torch = (time.perf_counter() - t0) / reps
    t0 = time.perf_counter()
    for _ in range(reps):
        noise.sample_batch(x, num, seed=1)
    t_ours = (time.perf_counter() - t0) / reps
    benchmark.extra_info.update(torch_s=t_torch, ours_s=t_ours, ratio=t_torch / t_ours)
    print(f"\nimage sampling 4x{num}x[3,32,32]: torch {t_torch * 1e3:.1f} ms, ours {t_ours * 1e3:.1f} ms, "
          f"ratio {t_torch / t_ours:.1f}x")
