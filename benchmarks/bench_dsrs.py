"""Per-input generalized-Gaussian certification: smoothcert vs a scipy implementation of the same
formulas (the original's approach: ``scipy.integrate.quad`` over the Gamma radius of
``scipy.special.betainc``, the Lambert-W threshold, nested bisections), in the same run.

Every benchmark certifies one input per call, so its timings are seconds per input (also stored
as ``extra_info["seconds_per_input"]`` in ``--benchmark-json`` output). The scipy baselines run one
round at one input (seconds to minutes per call on their own); each prints smoothcert's time per
input against it (the minimum over repeats) and the ratio, in the benchmark group of its method and
dimension. Run ``pytest benchmarks/bench_dsrs.py -s`` for timings and ratios; CI runs it with
``--benchmark-disable`` (each benchmark runs once), where the scipy DSRS baseline, minutes per
input, is reduced to its three integrals at smoothcert's multipliers.
"""

from __future__ import annotations

import math
import time

import numpy as np
import pytest
from scipy import integrate, optimize, special

import smoothcert as sc
from smoothcert._core import certify as core
from smoothcert.certify import XPlus, dsrs

CIFAR = dict(sigma=0.5, k=1530, dim=3072)
IMAGENET = dict(sigma=0.5, k=75260, dim=150528)
SIGMA_Q = 0.4
P_LOW = 0.9580848284638546
BOUNDS = (.9580848284638546, .9641193028067545, .9836311278227061, .9873642931515865)
X_PLUS_BOUNDS = (.9580848284638546, .9641193028067545, .9842055818486877, .9878696333575198)
DIMS = pytest.mark.parametrize("params", [CIFAR, IMAGENET], ids=["d3072", "d150528"])


class ScipyRadial:
    """Generalized-Gaussian smoothing in normalised units, with scipy: w = ‖x‖²/L², density ∝ w^−k e^−w,
    P's w ~ Gamma(a), a = d/2 − k, and cos θ between x and δ distributed as 2 Beta(α, α) − 1, α = (d − 1)/2.
    For ‖x‖² = g and ‖δ‖ = r, ‖x − δ‖² = g − 2 r sqrt(g) cos θ + r²."""

    def __init__(self, sigma: float, k: float, dim: int):
        self.k, self.a, self.alpha = k, dim / 2 - k, (dim - 1) / 2
        self.scale = math.sqrt(2) * sigma * math.sqrt(dim / (dim - 2 * k))
        self.g_hi = self.a + 60 + 12 * math.sqrt(self.a)

    def ell(self, w: float) -> float:
        return -self.k * math.log(w) - w

    def ell_inverse(self, h: float) -> float:
        # W + k ln W = -h  <=>  W = k W0(exp(-h/k)/k), exponent kept in log space.
        k = self.k
        y = -h / k - math.log(k)
        if y > 700:
            v = y - math.log(y)
            for _ in range(50):
                v -= (math.exp(v) + v - y) / (math.exp(v) + 1)
            return k * math.exp(v)
        return k * special.lambertw(math.exp(y)).real

    def cdf(self, t: float) -> float:
        """P[cos θ <= t]."""
        return float(special.betainc(self.alpha, self.alpha, min(max((1 + t) / 2, 0.0), 1.0)))

    def gamma_pdf(self, g: float) -> float:
        return math.exp((self.a - 1) * math.log(g) - g - math.lgamma(self.a))

    def expect(self, f) -> float:
        """E f(g) for g ~ Gamma(a)."""
        return integrate.quad(lambda g: self.gamma_pdf(g) * f(g), 0, self.g_hi, limit=200, epsabs=1e-12)[0]


def scipy_np_radius(sigma: float, k: float, dim: int, p_low: float, r_tol: float = 1e-5) -> float:
    """Neyman–Pearson radius by nested bisection over scipy quadratures (lower end returned)."""
    m = ScipyRadial(sigma, k, dim)

    def p_set(r: float, u: float) -> float:
        return m.expect(lambda g: m.cdf((g + r * r - m.ell_inverse(m.ell(g) + u)) / (2 * r * math.sqrt(g))))

    def p_delta(r: float, u: float) -> float:
        return m.expect(lambda g: m.cdf((m.ell_inverse(m.ell(g) - u) - g - r * r) / (2 * r * math.sqrt(g))))

    def certified(r: float) -> bool:
        lo, hi = -50.0, 50.0
        for _ in range(50):
            mid = (lo + hi) / 2
            if p_set(r, mid) < p_low:
                lo = mid
            else:
                hi = mid
        return p_delta(r, hi) > 0.5

    lo, hi = 0.0, 4.0 * sigma * special.ndtri(p_low) / m.scale
    while hi - lo > r_tol / m.scale:
        mid = (lo + hi) / 2
        if certified(mid):
            lo = mid
        else:
            hi = mid
    return lo * m.scale


class ScipyDsrs:
    """The DSRS dual for P of σ and Q of σ_Q < σ (same k, d) with scipy, λ2 > 0 (the Neyman–Pearson set's
    Q-mass below q_L, as for BOUNDS): λ1 = e^u, λ2 = e^(u+s), S = {p(x − δ) < λ1 p(x) + λ2 q(x)}, i.e.
    ℓ(w_{x−δ}) < ℓ(w_x) + u + ln(1 + e^s ρ(w_x)) with ln ρ(w) = 2a ln(σ/σ_Q) − (σ²/σ_Q² − 1) w."""

    def __init__(self, sigma: float, k: float, dim: int, sigma_q: float):
        self.m = m = ScipyRadial(sigma, k, dim)
        self.beta = sigma ** 2 / sigma_q ** 2 - 1
        if not self.beta > 0:
            raise ValueError("the baseline covers sigma_q < sigma only")
        self.log_c = 2 * m.a * math.log(sigma / sigma_q)
        self.q_to_p = sigma_q ** 2 / sigma ** 2  # Q's w ~ Gamma(a) · σ_Q²/σ² in P's units

    def log_mult(self, w: float, s: float) -> float:
        return float(np.logaddexp(0.0, s + self.log_c - self.beta * w))

    def mass(self, r: float, u: float, s: float, under_q: bool) -> float:
        """P[S] or Q[S]: the cos θ threshold of S at each radius, averaged over the radius."""
        m, c = self.m, self.q_to_p if under_q else 1.0

        def f(g):
            w = c * g
            bound = m.ell_inverse(m.ell(w) + u + self.log_mult(w, s))
            return m.cdf((w + r * r - bound) / (2 * r * math.sqrt(w)))

        return m.expect(f)

    def p_delta(self, r: float, u: float, s: float) -> float:
        """P_δ[S] = P[x + δ ∈ S]: ℓ(w) + ln(1 + e^s ρ(w)) at w = ‖x + δ‖²/L² decreases in w (σ_Q < σ),
        so x + δ ∈ S below its root, found by brentq."""
        m = self.m

        def f(g):
            level = m.ell(g) - u
            lo = m.ell_inverse(level)
            hi = m.ell_inverse(level - self.log_mult(0.0, s))
            h = lambda w: m.ell(w) + self.log_mult(w, s) - level  # noqa: E731
            if h(lo) <= 0 or h(hi) >= 0:  # rounding at the ends of the bracket
                bound = lo if h(lo) <= 0 else hi
            else:
                bound = optimize.brentq(h, lo, hi, xtol=1e-13, rtol=1e-15)
            return m.cdf((bound - g - r * r) / (2 * r * math.sqrt(g)))

        return m.expect(f)

    def dual(self, r: float, p_low: float, q_low: float) -> float:
        """The paper's multiplier search: bisection on s for Q[S] = q_L, each step a bisection on u for
        P[S] = p_L; then D = P_δ[S] + λ1 (p_L − P[S]) + λ2 (q_L − Q[S]) (valid for any multipliers)."""
        def solve_u(s):
            lo, hi = -50.0, 50.0
            while hi - lo > 1e-10:
                mid = (lo + hi) / 2
                if self.mass(r, mid, s, False) < p_low:
                    lo = mid
                else:
                    hi = mid
            return hi

        s_lo, s_hi = -20.0, 20.0
        while s_hi - s_lo > 1e-8:
            mid = (s_lo + s_hi) / 2
            if self.mass(r, solve_u(mid), mid, True) < q_low:
                s_lo = mid
            else:
                s_hi = mid
        u = solve_u(s_lo)
        p, q = self.mass(r, u, s_lo, False), self.mass(r, u, s_lo, True)
        return self.p_delta(r, u, s_lo) + math.exp(u) * (p_low - p) + math.exp(u + s_lo) * (q_low - q)


def scipy_dsrs_radius(sigma: float, k: float, dim: int, sigma_q: float, p_low: float, q_low: float,
                      r_tol: float = 1e-5) -> float:
    """DSRS radius: bisection on r for a dual above 1/2, between 0 and twice the Gaussian radius."""
    base = ScipyDsrs(sigma, k, dim, sigma_q)
    lo, hi = 0.0, 2 * sigma * special.ndtri(p_low) / base.m.scale
    while hi - lo > r_tol / base.m.scale:
        mid = (lo + hi) / 2
        if base.dual(mid, p_low, q_low) > 0.5:
            lo = mid
        else:
            hi = mid
    return lo * base.m.scale


def _per_input(benchmark) -> None:
    if benchmark.stats is not None:
        benchmark.extra_info["seconds_per_input"] = benchmark.stats.stats.min


def _time_ours(fn, *args, repeats: int = 5) -> float:
    """Minimum wall time of fn(*args) over repeats (the machine may be shared)."""
    best = math.inf
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn(*args)
        best = min(best, time.perf_counter() - t0)
    return best


def _report(benchmark, name: str, t_ours: float, t_scipy: float) -> None:
    benchmark.extra_info.update(ours_seconds_per_input=t_ours, scipy_seconds_per_input=t_scipy,
                                ratio=t_scipy / t_ours)
    print(f"\n{name}: smoothcert {t_ours * 1e3:.2f} ms/input, scipy {t_scipy:.1f} s/input, "
          f"ratio {t_scipy / t_ours:.0f}x")


@DIMS
def test_np_scipy_baseline(benchmark, params):
    benchmark.group = f"np-d{params['dim']}"
    noise = sc.GeneralizedGaussian(**params)
    t0 = time.perf_counter()
    ref = benchmark.pedantic(scipy_np_radius, args=(params["sigma"], params["k"], params["dim"], P_LOW), rounds=1,
                             iterations=1)
    t_scipy = time.perf_counter() - t0
    _per_input(benchmark)
    ours = noise.certify([P_LOW])[0]
    assert abs(ours - ref) <= 2e-5
    _report(benchmark, f"Neyman–Pearson d={params['dim']}", _time_ours(noise.certify, np.array([P_LOW])), t_scipy)


@DIMS
def test_np_smoothcert(benchmark, params):
    benchmark.group = f"np-d{params['dim']}"
    noise = sc.GeneralizedGaussian(**params)
    r = benchmark(noise.certify, np.array([P_LOW]))
    _per_input(benchmark)
    assert r[0] > 0


@DIMS
def test_dsrs_scipy_baseline(benchmark, params):
    benchmark.group = f"dsrs-d{params['dim']}"
    P = sc.GeneralizedGaussian(**params)
    Q = sc.GeneralizedGaussian(sigma=SIGMA_Q, k=params["k"], dim=params["dim"])
    ours = dsrs(P, Q, *BOUNDS)[0]
    if benchmark.disabled:
        # Minutes per input: only the dual's three integrals at smoothcert's radius and multipliers.
        base = ScipyDsrs(params["sigma"], params["k"], params["dim"], SIGMA_Q)
        ev = core.dsrs_evaluate(params["dim"], params["k"], params["sigma"], core.DsrsQ.sigma, SIGMA_Q, ours, *BOUNDS)
        assert ev["sign"] == 1 and not ev["upper_p"]
        r, u, s = ours / base.m.scale, ev["log_lambda1"], ev["s"]
        got = benchmark.pedantic(lambda: (base.mass(r, u, s, False), base.mass(r, u, s, True), base.p_delta(r, u, s)))
        np.testing.assert_allclose(got, (ev["p"], ev["q"], ev["p_delta"]), rtol=0, atol=1e-9)
        return
    t0 = time.perf_counter()
    ref = benchmark.pedantic(scipy_dsrs_radius, args=(params["sigma"], params["k"], params["dim"], SIGMA_Q,
                                                      BOUNDS[0], BOUNDS[2]), rounds=1, iterations=1)
    t_scipy = time.perf_counter() - t0
    _per_input(benchmark)
    assert abs(ours - ref) <= 2e-5
    _report(benchmark, f"DSRS σ_Q = {SIGMA_Q} d={params['dim']}", _time_ours(dsrs, P, Q, *BOUNDS), t_scipy)


@DIMS
def test_dsrs_smoothcert(benchmark, params):
    benchmark.group = f"dsrs-d{params['dim']}"
    P = sc.GeneralizedGaussian(**params)
    Q = sc.GeneralizedGaussian(sigma=SIGMA_Q, k=params["k"], dim=params["dim"])
    r = benchmark.pedantic(dsrs, args=(P, Q, *BOUNDS), rounds=5, iterations=1)
    _per_input(benchmark)
    assert r[0] >= P.certify([P_LOW])[0]


@DIMS
def test_dsrs_x_plus_smoothcert(benchmark, params):
    benchmark.group = f"dsrs-x+-d{params['dim']}"
    P = sc.GeneralizedGaussian(**params)
    r = benchmark.pedantic(dsrs, args=(P, XPlus(), *X_PLUS_BOUNDS), rounds=5, iterations=1)
    _per_input(benchmark)
    assert r[0] >= P.certify([P_LOW])[0]
