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
import torch.distributions as D

import smoothcert as sc
from conftest import paired_speedup

DIM = 3072
COPIES = 1000
SIGMA = 0.5


def _sign(shape):
    return torch.randint(0, 2, shape).float() * 2 - 1


def _l2_dir(n):
    z = torch.randn(n, DIM)
    return z / z.norm(dim=1, keepdim=True)


def _linf_dir(n):
    u = torch.rand(n, DIM) * 2 - 1
    face = torch.randint(0, DIM, (n,))
    u[torch.arange(n), face] = _sign((n,))
    return u


def _l1_dir(n):
    e = D.Exponential(1.0).sample((n, DIM)) * _sign((n, DIM))
    return e / e.abs().sum(dim=1, keepdim=True)


def _betaprime(a, b, n):
    return D.Gamma(float(a), 1.0).sample((n, 1)) / D.Gamma(float(b), 1.0).sample((n, 1))


def _cases():
    """name -> (noise, torch recipe for n noisy copies of x, statistic for the agreement test)."""
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
        "uniform": (uni, lambda x, n: x + (torch.rand(n, DIM) * 2 - 1) * uni.lambd, "coord"),
        "laplace": (lap, lambda x, n: x + D.Laplace(0.0, lap.lambd).sample((n, DIM)), "coord"),
        "pareto": (par, lambda x, n: x + (D.Pareto(par.lambd, par.a).sample((n, DIM)) - par.lambd)
                   * _sign((n, DIM)), "coord"),
        "expp": (exp_p, lambda x, n: x + exp_p.lambd * D.Gamma(1 / exp_p.p, 1.0).sample((n, DIM)) ** (1 / exp_p.p)
                 * _sign((n, DIM)), "coord"),
        "uniform-ball": (ball, lambda x, n: x + ball.lambd * torch.rand(n, 1) ** (1 / DIM) * _l2_dir(n), 2),
        "exp2": (e2, lambda x, n: x + e2.lambd * D.Gamma(DIM / 2.0, 1.0).sample((n, 1)) ** 0.5 * _l2_dir(n), 2),
        "pow2": (p2, lambda x, n: x + p2.lambd * _betaprime(DIM, p2.a - DIM, n) * _l2_dir(n), 2),
        "exp-inf": (einf, lambda x, n: x + einf.lambd * D.Gamma(float(DIM), 1.0).sample((n, 1)) * _linf_dir(n),
                    math.inf),
        "pow-inf": (pinf, lambda x, n: x + pinf.lambd * _betaprime(DIM, pinf.a - DIM, n) * _linf_dir(n), math.inf),
        "exp1": (e1, lambda x, n: x + e1.lambd * D.Gamma(float(DIM), 1.0).sample((n, 1)) * _l1_dir(n), 1),
        "ssn": (ssn, lambda x, n: _ssn_torch(x, n, ssn.lambd), "coord"),
    }


def _ssn_torch(x, n, lambd):
    s = torch.rand(n, DIM) * (2 * lambd)
    u = torch.ceil((x - s) / (2 * lambd)) * (2 * lambd) + s
    return (torch.clamp(u, max=1.0) + torch.clamp(u - 2 * lambd, min=0.0)) / 2


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
