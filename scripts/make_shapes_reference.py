"""Reference radii for tests/test_shapes_certify.py, computed with mpmath at 30+ digits.

Run from the repository root: ``python scripts/make_shapes_reference.py`` computes the cases
missing from ``tests/data/shapes_reference.npz`` and appends them (``--all`` recomputes every case,
about half an hour on one core; ``--only KEY`` a single one). For each case
``<family>|<norm>|<dim>|<params>`` the file holds the arrays ``<case>|p`` and ``<case>|radius``
(exact radius at lambda = 1, rounded to nearest double).

Everything is derived independently of the compiled core: closed forms use mpmath's erfinv and
regularised incomplete beta/gamma with mp.findroot; the differential-method radii integrate
1/Phi over p with mp.quad, where Phi is built from its definition (the Neyman-Pearson set of the
directional derivative): for Laplace linf by summing binomial atoms piece by piece, for the
gamma/beta families after the substitution p = (1 - F(z))/2 on the law of the ordering statistic.
The p grid mixes uniform points in (1/2, 1) with points dense in log(1 - p) down to 1 - 1e-9 and
in log(p - 1/2) down to 1/2 + 1e-9.

Level-set radii (Exp2, Pow2 in l2; Sec. 4.1 of the paper) are built backwards from known answers:
for a radius e the exact rho(e) is computed and (rho(e), e) stored, so no outer root search is
needed. rho(e) comes from the Neyman-Pearson set A_tau = {x : phi(||x - delta||) - phi(||x||) >=
tau} (phi = -log of the radial profile, ||delta|| = e): tau solves Q(A_tau) = P(X + delta in A_tau)
= 1/2 and rho(e) = P(X in A_tau). Both probabilities are expectations over the radial law of the
probability that the angle theta between X and delta satisfies a cosine bound, cos(theta) having
the density ~ (1 - t^2)^{(d-3)/2}; the radial expectation is a fixed Gauss-Legendre rule (nodes at
34 digits, 16 per panel on panels cut at multiples of the radial standard deviation: doubling the
nodes changes rho by < 1e-25). phi(s) = phi(r) + tau is solved in closed form (Lambert W for
j > 0). rho(e) is then rounded to the nearest double p and the radius moved to the exact one at
p to first order, e + (p - rho(e)) / rho'(e), with rho' from the neighbouring points (the shift is
below 1e-7 relative, so a 1 % error in rho' is harmless).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import mpmath as mp
import numpy as np

mp.mp.dps = 34
ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "tests" / "data" / "shapes_reference.npz"


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


def betainc_half(b, v):
    """I_v(1/2, b) = int_0^{sqrt v} (1 - s^2)^{b-1} ds / (B(1/2, b) / 2).

    mpmath's hypergeometric series for betainc stops converging for b in the tens of thousands; the
    integral form (tanh-sinh quadrature of a smooth integrand) has no such limit.
    """
    if b < 10_000:
        return betainc_reg(mp.mpf(1) / 2, b, v)
    logb = mp.log(mp.beta(mp.mpf(1) / 2, b) / 2)
    top = mp.sqrt(v)
    sd = 1 / mp.sqrt(2 * b)
    pts = [mp.mpf(0)] + [x for x in (sd, 3 * sd, 8 * sd) if x < top] + [top]
    return mp.quad(lambda s: mp.exp((b - 1) * mp.log1p(-s * s) - logb), pts)


def beta_half_inv(q, b):
    """v with I_v(1/2, b) = q."""
    return inv_increasing(lambda v: betainc_half(b, v), q, 0, 1)


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


def powinf_l1(p, d, aa):
    """PowInf l1, differential method with the worst direction a basis vector e_1.

    The directional derivative of -log q along e_1 is a / (1 + r) (r = ||x||_inf) where x_1 > 0 is
    the largest coordinate (probability 1/(2d)) and 0 elsewhere, so Phi(p) = E[a/(1+r) ; r < r0] /
    (2d) with P(r < r0) = 2 d p, constant = (a - d)/(2d) from p = 1/(2d) on. With x = r/(1+r) ~
    Beta(d, a - d): E[a (1 - X); X < x0] = (a - d) I_{x0}(d, a - d + 1), so above the knee
    rho = 1 - 1/(2d) the radius gains (1/(a-d)) int_{x_lo}^1 beta_pdf(x) / I_x(d, a-d+1) dx with
    I_{x_lo}(d, a - d) = 2 d (1 - rho).
    """
    d, aa, p = mp.mpf(d), mp.mpf(aa), mp.mpf(p)
    knee = 1 - 1 / (2 * d)
    linear = 2 * d / (aa - d) * (min(p, knee) - mp.mpf(1) / 2)
    if p <= knee:
        return linear
    a, b = d, aa - d
    x_lo = inv_increasing(lambda x: betainc_reg(a, b, x), 2 * d * (1 - p), 0, 1)
    logb = mp.log(mp.beta(a, b))
    dens = lambda x: mp.exp((a - 1) * mp.log(x) + (b - 1) * mp.log(1 - x) - logb) / betainc_reg(a, b + 1, x)
    mean = a / (a + b)
    pts = [x_lo] + [x for x in (mean, (1 + mean) / 2, 1 - (1 - mean) / 8) if x > x_lo] + [mp.mpf(1)]
    return linear + mp.quad(dens, pts) / (aa - d)


# ------------------------------------------------------------------ level-set method
_GL: dict[int, list] = {}


def gauss_legendre(n):
    """Nodes and weights of the n-point Gauss-Legendre rule on [-1, 1] (Newton on P_n)."""
    if n not in _GL:
        rule = []
        for i in range(1, n + 1):
            x = mp.cos(mp.pi * (i - mp.mpf(1) / 4) / (n + mp.mpf(1) / 2))
            for _ in range(100):
                p0, p1 = mp.mpf(1), x
                for m in range(2, n + 1):
                    p0, p1 = p1, ((2 * m - 1) * x * p1 - (m - 1) * p0) / m
                dp = n * (x * p1 - p0) / (x * x - 1)
                dx = p1 / dp
                x -= dx
                if abs(dx) < mp.mpf(10) ** (-mp.mp.dps - 2):
                    break
            rule.append((x, 2 / ((1 - x * x) * dp * dp)))
        _GL[n] = rule
    return _GL[n]


def cos_cdf(c, d):
    """P(cos theta <= c) for theta the angle between a uniform direction in R^d and a fixed one.

    cos(theta)^2 ~ Beta(1/2, (d-1)/2) and cos(theta) is symmetric about 0.
    """
    if c <= -1:
        return mp.mpf(0)
    if c >= 1:
        return mp.mpf(1)
    half = betainc_reg(mp.mpf(1) / 2, mp.mpf(d - 1) / 2, c * c) / 2
    return mp.mpf(1) / 2 + half if c >= 0 else mp.mpf(1) / 2 - half


class Spherical:
    """A radial law as Gauss-Legendre nodes (u, weight) over u = r^k, and its level curves."""

    def __init__(self, d, k, nodes):
        self.d, self.k, self.nodes = d, mp.mpf(k), nodes

    @staticmethod
    def panels(breaks, to_u, log_dens, n=16):
        nodes = []
        for lo, hi in zip(breaks[:-1], breaks[1:]):
            for x, w in gauss_legendre(n):
                z = (lo + hi) / 2 + (hi - lo) / 2 * x
                nodes.append((to_u(z), w * (hi - lo) / 2 * mp.exp(log_dens(z))))
        return nodes

    def level(self, u, tau):
        """w = s^k with phi(s) = phi(r) + tau (u = r^k), or None when no s > 0 solves it."""
        raise NotImplementedError

    def p_mass(self, e, tau):
        """P(X in A_tau) for ||delta|| = e."""
        total = mp.mpf(0)
        for u, wt in self.nodes:
            r = u ** (1 / self.k)
            w = self.level(u, tau)
            s2 = 0 if w is None else w ** (2 / self.k)
            # x in A_tau  <=>  ||x - delta|| >= s  <=>  cos(x, delta) <= (r^2 + e^2 - s^2) / (2 r e)
            total += wt * cos_cdf((r * r + e * e - s2) / (2 * r * e), self.d)
        return total

    def q_mass(self, e, tau):
        """P(X + delta in A_tau) for ||delta|| = e."""
        total = mp.mpf(0)
        for u, wt in self.nodes:
            r = u ** (1 / self.k)
            # x + delta in A_tau  <=>  ||x + delta|| <= s', phi(s') = phi(r) - tau
            w = self.level(u, -tau)
            if w is not None:
                total += wt * cos_cdf((w ** (2 / self.k) - r * r - e * e) / (2 * r * e), self.d)
        return total

    def rho(self, e):
        # Q - 1/2 and rho - 1/2 are O(e) differences of probabilities near 1/2, and r^2 - s^2 is
        # formed from r^2 ~ d: carry log10(d / e) extra digits so that 34 survive the cancellation.
        with mp.workdps(mp.mp.dps + max(0, int(mp.log10(self.d / e)))):
            return +self._rho(mp.mpf(e))

    def _rho(self, e):
        q = lambda t: self.q_mass(e, t) - mp.mpf(1) / 2
        # Q(A_0) < 1/2 (A_0 is the half-space x.delta <= e^2/2) and Q decreases in tau: bracket below 0.
        hi = -e / 4
        while q(hi) < 0:
            hi *= 4
        lo = hi / 4
        tau = mp.findroot(q, (lo, hi), solver="anderson", tol=mp.mpf(10) ** -50)
        assert abs(q(tau)) < mp.mpf(10) ** -24, (e, q(tau))
        return self.p_mass(e, tau)


class Exp2(Spherical):
    """q(x) ~ ||x||^{-j} exp(-||x||^k): u = r^k ~ Gamma((d-j)/k), phi(r) = j log r + r^k."""

    def __init__(self, d, k, j):
        k, j = mp.mpf(k), mp.mpf(j)
        al = (d - j) / k
        sd = mp.sqrt(al)
        offs = (-38, -20, -12, -8, -5, -3, -1.5, 0, 1.5, 3, 5, 8, 12, 20, 38, 60)
        breaks = sorted(set(max(mp.mpf(0), al + c * sd) for c in offs))
        lg = mp.loggamma(al)
        super().__init__(d, k, self.panels(breaks, lambda u: u, lambda u: (al - 1) * mp.log(u) - u - lg))
        self.b = j / k

    def level(self, u, tau):
        if self.b == 0:
            w = u + tau
            return w if w > 0 else None
        # b log w + w = b log u + u + tau: w = b W(exp(C / b) / b), C the right side.
        c = self.b * mp.log(u) + u + tau
        return self.b * mp.lambertw(mp.exp(c / self.b) / self.b).real


class Pow2(Spherical):
    """q(x) ~ (1 + ||x||^k)^{-a}: y = 1/(1 + r^k) ~ Beta(a - d/k, d/k), phi(r) = a log(1 + r^k)."""

    def __init__(self, d, k, a):
        k, a = mp.mpf(k), mp.mpf(a)
        al, be = a - d / k, d / k
        mean = al / (al + be)
        sd = mp.sqrt(al * be / ((al + be) ** 2 * (al + be + 1)))
        lows = [mean * f for f in (mp.mpf(10) ** -4, mp.mpf(10) ** -2.5, mp.mpf("0.01") * 3, mp.mpf("0.1"),
                                  mp.mpf("0.2"), mp.mpf("0.35"), mp.mpf("0.5"), mp.mpf("0.7"))]
        highs = [mean + c * sd for c in (0, 1, 2, 3, 5, 8, 12, 20, 35, 60)]
        breaks = sorted(set(x for x in lows + highs if 0 < x < 1))
        lb = mp.log(mp.beta(al, be))
        super().__init__(d, k, self.panels(breaks, lambda y: (1 - y) / y,
                                           lambda y: (al - 1) * mp.log(y) + (be - 1) * mp.log(1 - y) - lb))
        self.a = a

    def level(self, u, tau):
        w = (1 + u) * mp.exp(tau / self.a) - 1
        return w if w > 0 else None


def levelset_from_table(family, dim, params, n, seed):
    """(p, radius) pairs built backwards: e from the shipped table at the p grid, then exact rho(e)."""
    stem = "_".join([family, "l2", f"d{dim}"] + [f"{k}{int(v)}" for k, v in sorted(params.items())])
    with np.load(ROOT / "tables" / f"{stem}.npz") as f:
        t_rho, t_e = np.array(f["rho"][1:]), np.array(f["radius"][1:])
    target = np.array(p_grid(n, seed))
    logit = lambda r: np.log((r - 0.5) / (1 - r))
    e = np.exp(np.interp(logit(target), logit(t_rho), np.log(t_e)))
    # below the table rho - 1/2 is proportional to e
    low = target < t_rho[0]
    e[low] = t_e[0] * (target[low] - 0.5) / (t_rho[0] - 0.5)
    e = np.unique(e)
    fam = Exp2(dim, params["k"], params["j"]) if family == "exp2" else Pow2(dim, params["k"], params["a"])
    rho = [fam.rho(mp.mpf(float(x))) for x in e]
    p = np.array([float(r) for r in rho])
    keep = (p > 0.5) & (p < 1)
    # first-order move of the radius from rho(e) to the double p: dR/drho = 1 / rho'(e)
    lg = np.array([float(mp.log((r - mp.mpf(1) / 2) / (1 - r))) for r in rho])
    dlogit_de = np.gradient(lg, e)
    shift = np.array([float((mp.mpf(float(pi)) - r) / ((r - mp.mpf(1) / 2) * (1 - r))) for pi, r in zip(p, rho)])
    radius = e + shift / dlogit_de
    return p[keep], radius[keep]


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
    ("uniform", "l1", 0, ""): (lambda p: 2 * mp.mpf(p) - 1, 1500),
    ("pow-inf", "l1", 3072, "a=3082"): (lambda p: powinf_l1(p, 3072, 3082), 400),
    ("pow-inf", "l1", 64, "a=80"): (lambda p: powinf_l1(p, 64, 80), 400),
    ("uniform", "l2", 150528, ""): (lambda p: mp.sqrt(150528) * uniform_linf(p, 150528), 600),
    ("gaussian", "linf", 150528, ""): (lambda p: gaussian(p) / mp.sqrt(150528), 600),
    ("uniform-ball", "l2", 150528, ""): (lambda p: uniform_ball(p, 150528), 150),
    ("exp2", "l2", 150528, "k=1,j=0"): (lambda p: exp2_k1(p, 150528), 150),
}

# Level-set cases, built backwards from radii (see the module docstring): (family, dim, params, n).
LEVEL_SET = {
    ("exp2", "l2", 3072, "k=1,j=1"): ("exp2", 3072, {"k": 1, "j": 1}, 40),
    ("exp2", "l2", 3072, "k=2,j=8"): ("exp2", 3072, {"k": 2, "j": 8}, 40),
    ("pow2", "l2", 3072, "k=2,a=1546"): ("pow2", 3072, {"k": 2, "a": 1546}, 40),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--all", action="store_true", help="recompute every case, not only missing ones")
    parser.add_argument("--only", action="append", default=[], help="compute (or recompute) this case key")
    parser.add_argument("--out", type=Path, default=OUT, help=f"npz to extend (default: {OUT.relative_to(ROOT)})")
    args = parser.parse_args()
    out = args.out
    arrays = {}
    if out.is_file() and not args.all:
        with np.load(out) as f:
            arrays = {k: np.array(f[k]) for k in f.files}
    # Seeds are the case's position, so appending cases leaves the earlier grids unchanged.
    todo = list(enumerate(CASES.items())) + list(enumerate(LEVEL_SET.items(), start=len(CASES)))
    for i, ((family, norm, dim, params), spec) in todo:
        key = f"{family}|{norm}|{dim}|{params}"
        if args.only and key not in args.only:
            continue
        if not args.all and not args.only and f"{key}|p" in arrays:
            continue
        if (family, norm, dim, params) in LEVEL_SET:
            fam, d, kw, n = spec
            ps, radii = levelset_from_table(fam, d, kw, n, seed=i)
        else:
            fn, n = spec
            ps = p_grid(n, seed=i)
            if family == "exp-inf" and norm == "l1":
                ps = [p for p in ps if p <= 1 - 1 / (2 * 3072)]
            radii = [float(fn(p)) for p in ps]
        arrays[f"{key}|p"] = np.array(ps)
        arrays[f"{key}|radius"] = np.array(radii)
        print(key, len(ps), flush=True)
        out.parent.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(out, **arrays)


if __name__ == "__main__":
    main()
