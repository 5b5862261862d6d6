"""Fused samplers of the all-shapes families vs the plain torch recipe, 1000 copies of a 3072-d input.

Run: pytest benchmarks/bench_shapes_sampling.py -s (compare the ``torch`` and ``fused`` rows of each
group; the ``paired`` benchmarks print the speed-up from back-to-back calls, which the machine's
drift between rows does not bias). Each benchmark also checks that the two produce the same law: a two-sample KS test on the
statistic that identifies the family (a coordinate's values, or the radius in the family's norm).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.stats as st
import torch

import smoothcert as sc
from conftest import paired_speedup
from references import samplers as ref

DIM = 3072
COPIES = 1000
SIGMA = 0.5


def _cases():
    """name -> (noise, torch recipe for n noisy copies of x, statistic for the agreement test); the
    recipes are the plain samplers of tests/references/samplers.py."""
    uni = sc.Uniform(sigma=SIGMA)
    lap = sc.Laplace(sigma=SIGMA)
    par = sc.Pareto(sigma=SIGMA, a=4.0)
    exp_p = sc.Expp(sigma=SIGMA, p=1.5)
    ball = sc.UniformBall(sigma=SIGMA, dim=DIM)
    e2 = sc.Exp2(sigma=SIGMA, dim=DIM, k=2.0, j=0.0)
    p2 = sc.Pow2(sigma=SIGMA, dim=DIM, k=1.0, a=DIM + 10.0)
    einf = sc.ExpInf(sigma=SIGMA, dim=DIM, k=1.0, j=0.0)
    pinf = sc.PowInf(sigma=SIGMA, dim=DIM, a=DIM + 10.0)
    e1 = sc.Exp1(sigma=SIGMA, dim=DIM, k=1.0)
    ssn = sc.SSN(sigma=SIGMA)
    return {
        "uniform": (uni, lambda x, n: ref.uniform(x, n, uni.lambd), "coord"),
        "laplace": (lap, lambda x, n: ref.laplace(x, n, lap.lambd), "coord"),
        "pareto": (par, lambda x, n: ref.pareto(x, n, par.lambd, par.a), "coord"),
        "expp": (exp_p, lambda x, n: ref.expp(x, n, exp_p.lambd, exp_p.p), "coord"),
        "uniform-ball": (ball, lambda x, n: ref.radial(x, ref.power_uniform_radius(n, 1 / DIM),
                                                       ref.l2_direction(n, DIM), ball.lambd), 2),
        "exp2": (e2, lambda x, n: ref.radial(x, ref.gamma_radius(n, DIM / 2.0, 0.5), ref.l2_direction(n, DIM),
                                             e2.lambd), 2),
        "pow2": (p2, lambda x, n: ref.radial(x, ref.beta_prime(DIM, p2.a - DIM, n), ref.l2_direction(n, DIM),
                                             p2.lambd), 2),
        "exp-inf": (einf, lambda x, n: ref.radial(x, ref.gamma_radius(n, DIM, 1.0), ref.linf_direction(n, DIM),
                                                  einf.lambd), math.inf),
        "pow-inf": (pinf, lambda x, n: ref.radial(x, ref.beta_prime(DIM, pinf.a - DIM, n), ref.linf_direction(n, DIM),
                                                  pinf.lambd), math.inf),
        "exp1": (e1, lambda x, n: ref.radial(x, ref.gamma_radius(n, DIM, 1.0), ref.l1_direction(n, DIM), e1.lambd), 1),
        "ssn": (ssn, lambda x, n: ref.split_noise(x, n, ssn.lambd), "coord"),
    }


CASES = _cases()


@pytest.fixture(scope="module")
def x():
    return torch.rand(1, DIM, generator=torch.Generator().manual_seed(0))


def _statistic(out: torch.Tensor, x: torch.Tensor, kind) -> np.ndarray:
    noise = (out - x).double()
    if kind == "coord":
        # Values of a few coordinates (SSN: what the classifier sees), pooled.
        return out[:, :16].double().reshape(-1).numpy()
    return torch.linalg.vector_norm(noise, ord=kind, dim=1).numpy()


@pytest.mark.parametrize("family", sorted(CASES))
@pytest.mark.parametrize("impl", ["torch", "fused"])
def test_sampling_speed(benchmark, x, family, impl):
    noise, recipe, kind = CASES[family]
    benchmark.group = f"shapes-sample-{family}-{COPIES}x{DIM}"
    torch.manual_seed(0)
    if impl == "torch":
        out = benchmark(lambda: recipe(x, COPIES))
    else:
        out = benchmark(lambda: noise.sample_batch(x, COPIES, seed=1)[0])
    assert out.shape == (COPIES, DIM) and out.dtype == torch.float32
    # Same law as the other implementation (fresh, seeded draws).
    torch.manual_seed(1)
    ref = recipe(x, COPIES)
    ours = noise.sample_batch(x, COPIES, seed=2)[0]
    assert st.ks_2samp(_statistic(ours, x, kind), _statistic(ref, x, kind)).pvalue > 1e-4


@pytest.mark.parametrize("family", sorted(CASES))
def test_sampling_speedup_paired(benchmark, x, family):
    noise, recipe, kind = CASES[family]
    benchmark.group = f"shapes-sample-paired-{COPIES}x{DIM}"
    torch.manual_seed(0)
    out = paired_speedup(benchmark, lambda: noise.sample_batch(x, COPIES, seed=1)[0], lambda: recipe(x, COPIES),
                         f"{family} sampler vs torch")
    assert out.shape == (COPIES, DIM) and out.dtype == torch.float32
