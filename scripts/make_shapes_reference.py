"""Reference radii for tests/test_shapes_certify.py, computed with mpmath at 30+ digits.

Run from the repository root: ``python scripts/make_shapes_reference.py`` (a few minutes on one
core). Writes ``tests/data/shapes_reference.npz``: for each case ``<family>|<norm>|<dim>|<params>``
the arrays ``<case>|p`` and ``<case>|radius`` (exact radius at lambda = 1, rounded to nearest double).

Everything is derived independently of the compiled core: closed forms use mpmath's erfinv and
regularised incomplete beta/gamma with mp.findroot; the differential-method radii integrate
1/Phi over p with mp.quad, where Phi is built from its definition (the Neyman-Pearson set of the
directional derivative): for Laplace linf by summing binomial atoms piece by piece, for the
gamma/beta families after the substitution p = (1 - F(z))/2 on the law of the ordering statistic.
The p grid mixes uniform points in (1/2, 1) with points dense in log(1 - p) down to 1 - 1e-9 and
in log(p - 1/2) down to 1/2 + 1e-9.
"""

from __future__ import annotations

from pathlib import Path

import mpmath as mp
import numpy as np

mp.mp.dps = 34
OUT = Path(__file__).resolve().parents[1] / "tests" / "data" / "shapes_reference.npz"


def p_grid(n: int, seed: int) -> list[float]:
    rng = np.random.default_rng(seed)
    a = rng.uniform(0.5, 1.0, n // 3)
    b = 1.0 - 10.0 ** rng.uniform(-9, -0.5, n // 3)
    c = 0.5 + 10.0 ** rng.uniform(-9, -0.5, n - 2 * (n // 3))
    p = np.concatenate([a, b, c, [0.5 + 1e-9, 1 - 1e-9, 0.75]])
    return sorted(float(x) for x in p if 0.5 < x < 1)


def inv_increasing(f, target, lo, hi):
    """Bisection then secant polish for increasing f on [lo, hi] (mp precision)."""
    lo, hi = mp.mpf(lo), mp.mpf(hi)
    for _ in range(60):
        mid = (lo + hi) / 2
        if f(mid) < target:
            lo = mid
        else:
            hi = mid
    return mp.findroot(lambda x: f(x) - target, (lo, hi), solver="anderson")


def betainc_reg(a, b, x):
    return mp.betainc(a, b, 0, x, regularized=True)


def gammainc_lower(a, x):
    return mp.gammainc(a, 0, x, regularized=True)


def gammainc_upper(a, x):
    return mp.gammainc(a, x, mp.inf, regularized=True)


# ------------------------------------------------------------------ closed forms
def gaussian(p):
    return mp.sqrt(2) * mp.erfinv(2 * mp.mpf(p) - 1)


def laplace_l1(p):
    return -mp.log(2 * (1 - mp.mpf(p)))


def uniform_linf(p, d):
    return 2 * (1 - (mp.mpf(3) / 2 - mp.mpf(p)) ** (mp.mpf(1) / d))


def pareto_l1(p, a):
    a = mp.mpf(a)
    c = 1 + 1 / a
    z = 2 * mp.mpf(p) - 1
    return mp.quad(lambda y: 1 / (1 - y ** c), [0, z / 2, z]) / a


def beta_half_inv(q, b):
    """v with I_v(1/2, b) = q."""
    return inv_increasing(lambda v: betainc_reg(mp.mpf(1) / 2, b, v), q, 0, 1)


def uniform_ball(p, d):
    return 2 * mp.sqrt(beta_half_inv(mp.mpf(p) - mp.mpf(1) / 2, mp.mpf(d + 1) / 2))


def exp2_k1(p, d):
    return (d - 1) * mp.atanh(mp.sqrt(beta_half_inv(2 * mp.mpf(p) - 1, mp.mpf(d - 1) / 2)))


def expp(p, q):
    q = mp.mpf(q)
    a = 1 / q
    target = 2 * mp.mpf(p) - 1
    hi = mp.mpf(1)
    while gammainc_lower(a, hi) < target:
        hi *= 2
    u = inv_increasing(lambda x: gammainc_lower(a, x), target, 0, hi)
    return u ** (1 / q)


# ------------------------------------------------------------------ differential method
_PMF: dict[int, list] = {}


def _pmf(d):
    if d not in _PMF:
        _PMF[d] = [mp.binomial(d, m) / mp.mpf(2) ** d for m in range(d + 1)]
    return _PMF[d]


def laplace_linf(p, d):
    """int_{1-p}^{1/2} dq / Phi(q), Phi from the binomial atoms of S = sum_i sign(x_i) = 2B - d."""
    pmf = _pmf(d)
    q0 = 1 - mp.mpf(p)
    total = mp.mpf(0)
    tail = mp.mpf(0)  # P(B > m)
    expect = mp.mpf(0)  # E[S ; B > m]
    for m in range(d, -1, -1):
        lo, hi = tail, tail + pmf[m]
        s = 2 * m - d
        a, b = max(lo, q0), min(hi, mp.mpf(1) / 2)
        if b > a:
            # Phi(q) = expect + s (q - lo) on [lo, hi]
            total += mp.quad(lambda x: 1 / (expect + s * (x - lo)), [a, b])
        tail = hi
        expect += s * pmf[m]
        if tail >= mp.mpf(1) / 2:
            break
    return total


def gamma_ratio(p, a, a2, scale, target):
    """scale * int_0^{u} g_a / Q_{a2}, P_a(u) = target."""
    a, a2 = mp.mpf(a), mp.mpf(a2)
    sd = mp.sqrt(a)
    hi = a + 60 * sd + 60
    u = inv_increasing(lambda x: gammainc_lower(a, x), target, 0, hi)
    lo = max(mp.mpf(0), a - 45 * sd)
    dens = lambda x: mp.exp((a - 1) * mp.log(x) - x - mp.loggamma(a)) / gammainc_upper(a2, x)
    pts = [lo] + [x for x in (a - 8 * sd, a - 3 * sd, a, a + 3 * sd) if lo < x < u] + [u]
    return scale * mp.quad(dens, pts)


def exp_gamma(p, d, k):
    d, k = mp.mpf(d), mp.mpf(k)
    a, a2 = d / k, (d + k - 1) / k
    scale = mp.exp(mp.loggamma(a) - mp.loggamma(a2)) / k
    return gamma_ratio(p, a, a2, scale, 2 * mp.mpf(p) - 1)


def powinf_linf(p, d, aa):
    d, aa = mp.mpf(d), mp.mpf(aa)
    a, b, a2 = aa - d, d, aa + 1 - d
    target = 2 * mp.mpf(p) - 1
    y = inv_increasing(lambda x: betainc_reg(a, b, x), target, 0, 1)
    dens = lambda x: mp.exp((a - 1) * mp.log(x) + (b - 1) * mp.log(1 - x) - mp.log(mp.beta(a, b))) / (
        1 - betainc_reg(a2, b, x))
    mean = a / (a + b)
    pts = [mp.mpf(0)] + [x for x in (mean / 4, mean, 2 * mean) if x < y] + [y]
    return mp.quad(dens, pts) / (aa - d)


def expinf_l1_linear(p, d, k, j):
    d, k, j = mp.mpf(d), mp.mpf(k), mp.mpf(j)
    g = mp.exp(mp.loggamma((d - j) / k) - mp.loggamma((d - j - 1) / k))
    return 2 * d / (d - 1) * g * (mp.mpf(p) - mp.mpf(1) / 2)


CASES = {
    ("gaussian", "l2", 0, ""): (lambda p: gaussian(p), 1500),
    ("laplace", "l1", 0, ""): (lambda p: laplace_l1(p), 1500),
    ("uniform", "linf", 3072, ""): (lambda p: uniform_linf(p, 3072), 1500),
    ("uniform", "l2", 3072, ""): (lambda p: mp.sqrt(3072) * uniform_linf(p, 3072), 1500),
    ("uniform", "linf", 150528, ""): (lambda p: uniform_linf(p, 150528), 300),
    ("pareto", "l1", 0, "a=3"): (lambda p: pareto_l1(p, 3), 400),
    ("uniform-ball", "l2", 3072, ""): (lambda p: uniform_ball(p, 3072), 300),
    ("exp2", "l2", 3072, "k=1,j=0"): (lambda p: exp2_k1(p, 3072), 300),
    ("expp", "l1", 0, "p=1.5"): (lambda p: expp(p, 1.5), 300),
    ("laplace", "linf", 3072, ""): (lambda p: laplace_linf(p, 3072), 40),
    ("laplace", "linf", 7, ""): (lambda p: laplace_linf(p, 7), 150),
    ("laplace", "linf", 10, ""): (lambda p: laplace_linf(p, 10), 150),
    ("exp1", "l1", 3072, "k=2"): (lambda p: exp_gamma(p, 3072, 2), 60),
    ("exp-inf", "linf", 3072, "k=4,j=0"): (lambda p: exp_gamma(p, 3072, 4), 60),
    ("exp1", "l1", 16, "k=3"): (lambda p: exp_gamma(p, 16, 3), 60),
    ("pow-inf", "linf", 3072, "a=3082"): (lambda p: powinf_linf(p, 3072, 3082), 60),
    ("exp-inf", "l1", 3072, "k=2,j=1"): (lambda p: expinf_l1_linear(p, 3072, 2, 1), 300),
}


def main() -> None:
    arrays = {}
    for i, ((family, norm, dim, params), (fn, n)) in enumerate(CASES.items()):
        key = f"{family}|{norm}|{dim}|{params}"
        ps = p_grid(n, seed=i)
        if family == "exp-inf" and norm == "l1":
            ps = [p for p in ps if p <= 1 - 1 / (2 * 3072)]
        radii = [float(fn(p)) for p in ps]
        arrays[f"{key}|p"] = np.array(ps)
        arrays[f"{key}|radius"] = np.array(radii)
        print(key, len(ps), flush=True)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(OUT, **arrays)


if __name__ == "__main__":
    main()
