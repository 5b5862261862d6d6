"""Per-input generalized-Gaussian certification: smoothcert vs a scipy implementation of the same
formulas (the original's approach: ``scipy.integrate.quad`` over the Gamma radius of
``scipy.special.betainc``, the Lambert-W threshold, nested bisections), in the same run.

Every benchmark certifies one input per call, so its timings are seconds per input (also stored
as ``extra_info["seconds_per_input"]`` in ``--benchmark-json`` output). The scipy baseline runs one
round at one p (seconds per call on its own). Run ``pytest benchmarks/bench_dsrs.py`` for timings;
CI runs it with ``--benchmark-disable`` (each benchmark runs once).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import integrate, special

import smoothcert as sc
from smoothcert.certify import dsrs

CIFAR = dict(sigma=0.5, k=1530, dim=3072)
IMAGENET = dict(sigma=0.5, k=75260, dim=150528)
P_LOW = 0.9580848284638546
BOUNDS = (.9580848284638546, .9641193028067545, .9836311278227061, .9873642931515865)
X_PLUS_BOUNDS = (.9580848284638546, .9641193028067545, .9842055818486877, .9878696333575198)


def scipy_np_radius(sigma: float, k: float, dim: int, p_low: float, r_tol: float = 1e-5) -> float:
    """Neyman–Pearson radius by nested bisection over scipy quadratures (lower end returned)."""
    a = dim / 2 - k
    alpha = (dim - 1) / 2
    scale = math.sqrt(2) * sigma * math.sqrt(dim / (dim - 2 * k))

    def ell_inverse(h: float) -> float:
        # W + k ln W = -h  <=>  W = k W0(exp(-h/k)/k), exponent kept in log space.
        y = -h / k - math.log(k)
        if y > 700:
            v = y - math.log(y)
            for _ in range(50):
                v -= (math.exp(v) + v - y) / (math.exp(v) + 1)
            return k * math.exp(v)
        return k * special.lambertw(math.exp(y)).real

    def ell(w: float) -> float:
        return -k * math.log(w) - w

    def cdf(t: float) -> float:
        return float(special.betainc(alpha, alpha, min(max((1 + t) / 2, 0.0), 1.0)))

    def p_set(r: float, u: float) -> float:
        f = lambda g: math.exp((a - 1) * math.log(g) - g - math.lgamma(a)) * cdf(  # noqa: E731
            (g + r * r - ell_inverse(ell(g) + u)) / (2 * r * math.sqrt(g)))
        return integrate.quad(f, 0, a + 60 + 12 * math.sqrt(a), limit=200, epsabs=1e-12)[0]

    def p_delta(r: float, u: float) -> float:
        def f(g):
            sg = math.sqrt(g)
            w = ell_inverse(ell(g) - u)
            t = (w - g - r * r) / (2 * r * sg)
            return math.exp((a - 1) * math.log(g) - g - math.lgamma(a)) * cdf(t)
        return integrate.quad(f, 0, a + 60 + 12 * math.sqrt(a), limit=200, epsabs=1e-12)[0]

    def certified(r: float) -> bool:
        lo, hi = -50.0, 50.0
        for _ in range(50):
            mid = (lo + hi) / 2
            if p_set(r, mid) < p_low:
                lo = mid
            else:
                hi = mid
        return p_delta(r, hi) > 0.5

    lo, hi = 0.0, 4.0 * sigma * special.ndtri(p_low) / scale
    while hi - lo > r_tol / scale:
        mid = (lo + hi) / 2
        if certified(mid):
            lo = mid
        else:
            hi = mid
    return lo * scale


def _per_input(benchmark) -> None:
    if benchmark.stats is not None:
        benchmark.extra_info["seconds_per_input"] = benchmark.stats.stats.min


@pytest.mark.parametrize("params", [CIFAR, IMAGENET], ids=["d3072", "d150528"])
def test_np_scipy_baseline(benchmark, params):
    ref = benchmark.pedantic(scipy_np_radius, args=(params["sigma"], params["k"], params["dim"], P_LOW), rounds=1,
                             iterations=1)
    _per_input(benchmark)
    ours = sc.GeneralizedGaussian(**params).certify([P_LOW])[0]
    assert abs(ours - ref) <= 2e-5


@pytest.mark.parametrize("params", [CIFAR, IMAGENET], ids=["d3072", "d150528"])
def test_np_smoothcert(benchmark, params):
    noise = sc.GeneralizedGaussian(**params)
    r = benchmark(noise.certify, np.array([P_LOW]))
    _per_input(benchmark)
    assert r[0] > 0


@pytest.mark.parametrize("params", [CIFAR, IMAGENET], ids=["d3072", "d150528"])
def test_dsrs_smoothcert(benchmark, params):
    P = sc.GeneralizedGaussian(**params)
    Q = sc.GeneralizedGaussian(sigma=0.4, k=params["k"], dim=params["dim"])
    r = benchmark.pedantic(dsrs, args=(P, Q, *BOUNDS), rounds=5, iterations=1)
    _per_input(benchmark)
    assert r[0] >= P.certify([P_LOW])[0]


@pytest.mark.parametrize("params", [CIFAR, IMAGENET], ids=["d3072", "d150528"])
def test_dsrs_x_plus_smoothcert(benchmark, params):
    P = sc.GeneralizedGaussian(**params)
    r = benchmark.pedantic(dsrs, args=(P, "x+", *X_PLUS_BOUNDS), rounds=5, iterations=1)
    _per_input(benchmark)
    assert r[0] >= P.certify([P_LOW])[0]
