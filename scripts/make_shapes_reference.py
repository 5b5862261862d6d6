"""Reference radii for tests/certify/test_shapes_certificate.py, computed with mpmath at 30+ digits.

Run from the repository root: ``python scripts/make_shapes_reference.py`` computes the cases
missing from ``tests/data/shapes_reference.npz`` and appends them (``--all`` recomputes every case;
``--only KEY`` a single one, e.g. ``--only 'pow2|l2|3072|k=2,a=1546'``). For each case
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
nodes changes rho by < 1e-25). phi(s) = phi(r) + tau is solved in closed form for Pow2 and Exp2
with j = 0, by Newton's method to full precision for j > 0. tau is found by Newton's method on Q,
with the derivatives of Q and of rho in tau and e summed from the cosine density at the same nodes,
which also give rho'(e) = P_e - P_tau Q_e / Q_tau. rho(e) is then rounded to the nearest double p
and the radius moved to the exact one at p to first order, e + (p - rho(e)) / rho'(e). The 900
level-set points take about 8 minutes on one core (about 0.5 s each).
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


class CosineLaw:
    """cos(theta) for theta the angle between a uniform direction in R^d and a fixed one.

    cos(theta)^2 ~ Beta(1/2, (d-1)/2) and cos(theta) is symmetric about 0, with density
    (1 - t^2)^{(d-3)/2} / B(1/2, (d-1)/2). B is computed once per working precision (mpmath's
    regularised betainc would recompute it for every call, half of its cost).
    """

    def __init__(self, d):
        self.d = d
        self._log_beta: dict[int, mp.mpf] = {}

    def log_beta(self):
        prec = mp.mp.prec
        if prec not in self._log_beta:
            self._log_beta[prec] = mp.log(mp.beta(mp.mpf(1) / 2, mp.mpf(self.d - 1) / 2))
        return self._log_beta[prec]

    def cdf(self, c):
        if c <= -1:
            return mp.mpf(0)
        if c >= 1:
            return mp.mpf(1)
        b = mp.betainc(mp.mpf(1) / 2, mp.mpf(self.d - 1) / 2, 0, c * c) * mp.exp(-self.log_beta())
        return (1 + b) / 2 if c >= 0 else (1 - b) / 2

    def pdf(self, c):
        if not -1 < c < 1:
            return mp.mpf(0)
        return mp.exp((mp.mpf(self.d) - 3) / 2 * mp.log1p(-c * c) - self.log_beta())


class Spherical:
    """A radial law as Gauss-Legendre nodes (u, weight) over u = r^k, and its level curves."""

    def __init__(self, d, k, nodes):
        self.d, self.k, self.nodes = d, mp.mpf(k), nodes
        self.cos = CosineLaw(d)

    @staticmethod
    def panels(breaks, to_u, log_dens, n=16):
        nodes = []
        for lo, hi in zip(breaks[:-1], breaks[1:]):
            for x, w in gauss_legendre(n):
                z = (lo + hi) / 2 + (hi - lo) / 2 * x
                nodes.append((to_u(z), w * (hi - lo) / 2 * mp.exp(log_dens(z))))
        return nodes

    def level(self, u, t):
        """(w, dw/dt) for w = s^k with phi(s) = phi(r) + t (u = r^k), or None when no s > 0 solves it."""
        raise NotImplementedError

    def p_mass(self, e, tau):
        """P(X in A_tau) for ||delta|| = e, and its derivatives in tau and e."""
        total, d_tau, d_e = mp.mpf(0), mp.mpf(0), mp.mpf(0)
        for u, wt in self.nodes:
            r = u ** (1 / self.k)
            lv = self.level(u, tau)
            w, dw = (0, 0) if lv is None else lv
            s2 = w ** (2 / self.k)
            # x in A_tau  <=>  ||x - delta|| >= s  <=>  cos(x, delta) <= (r^2 + e^2 - s^2) / (2 r e)
            c = (r * r + e * e - s2) / (2 * r * e)
            total += wt * self.cos.cdf(c)
            if lv is not None:
                dens = wt * self.cos.pdf(c)
                d_tau -= dens * (2 / self.k) * w ** (2 / self.k - 1) * dw / (2 * r * e)
                d_e += dens * (1 / r - c / e)
        return total, d_tau, d_e

    def q_mass(self, e, tau):
        """P(X + delta in A_tau) for ||delta|| = e, and its derivatives in tau and e."""
        total, d_tau, d_e = mp.mpf(0), mp.mpf(0), mp.mpf(0)
        for u, wt in self.nodes:
            r = u ** (1 / self.k)
            # x + delta in A_tau  <=>  ||x + delta|| <= s', phi(s') = phi(r) - tau
            lv = self.level(u, -tau)
            if lv is not None:
                w, dw = lv
                c = (w ** (2 / self.k) - r * r - e * e) / (2 * r * e)
                total += wt * self.cos.cdf(c)
                dens = wt * self.cos.pdf(c)
                d_tau -= dens * (2 / self.k) * w ** (2 / self.k - 1) * dw / (2 * r * e)
                d_e -= dens * (1 / r + c / e)
        return total, d_tau, d_e

    def rho(self, e, tau_guess=None):
        """(rho(e), rho'(e), tau) for ||delta|| = e; tau_guess (from a nearby radius) saves steps.

        rho' = P_e - P_tau Q_e / Q_tau (tau moves with e to keep Q(A_tau) = 1/2).
        """
        # Q - 1/2 and rho - 1/2 are O(e) differences of probabilities near 1/2, and r^2 - s^2 is
        # formed from r^2 ~ d: carry log10(d / e) extra digits so that 34 survive the cancellation.
        with mp.workdps(mp.mp.dps + max(0, int(mp.log10(self.d / e)))):
            e = mp.mpf(e)
            tau, q_tau, q_e = self._tau(e, None if tau_guess is None else mp.mpf(tau_guess))
            p, p_tau, p_e = self.p_mass(e, tau)
            return +p, +(p_e - p_tau * q_e / q_tau), +tau

    def _tau(self, e, guess):
        """(tau, Q_tau, Q_e) with Q(A_tau) = 1/2: Newton on Q, kept inside a bracket once it has one.

        Q(A_0) < 1/2 (A_0 is the half-space x.delta <= e^2/2) and Q decreases in tau, so the root
        is negative; without a guess the search starts at -e/4 and moves by factors of 4 until the
        bracket closes, as long as Newton steps would go further.
        """
        half = mp.mpf(1) / 2
        t = -e / 4 if guess is None else guess
        above = below = None  # tau with Q >= 1/2 (more negative) and with Q < 1/2
        for _ in range(200):
            q, dq, q_e = self.q_mass(e, t)
            q -= half
            # |Q - 1/2| < 1e-32 moves rho by about as much (dP/dtau and dQ/dtau are alike).
            if abs(q) < mp.mpf(10) ** -32:
                return t, dq, q_e
            if q >= 0:
                above = t
            else:
                below = t
            nxt = t - q / dq
            if above is not None and below is not None:
                if not above < nxt < below:
                    nxt = (above + below) / 2
            elif not (t / 4 >= nxt >= 4 * t):
                nxt = 4 * t if q < 0 else t / 4
            t = nxt
        raise AssertionError(f"no tau with Q(A_tau) = 1/2 for e = {e}: last Q - 1/2 = {q}")


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

    def level(self, u, t):
        b = self.b
        if b == 0:
            w = u + t
            return (w, mp.mpf(1)) if w > 0 else None
        # b log w + w = C = b log u + u + t: Newton on y = log w for g(y) = b y + e^y - C, convex and
        # increasing, so that every iterate after the first lies right of the root and they decrease
        # to it. The start w = C - b log C (one fixed-point step from w = C, the case u ~ d / k >> b)
        # is within a relative b^2 log(C) / C^2 of the root; C / b (g > 0) serves the other cases.
        c = b * mp.log(u) + u + t
        y = mp.log(c - b * mp.log(c)) if c > 1 and c > 2 * b * mp.log(c) + 1 else c / b
        for _ in range(200):
            ey = mp.exp(y)
            step = (b * y + ey - c) / (b + ey)
            y -= step
            if abs(step) <= mp.mpf(10) ** (-mp.mp.dps) * max(1, abs(y)):
                break
        w = mp.exp(y)
        return w, w / (w + b)  # dw/dt = 1 / (1 + b / w)


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

    def level(self, u, t):
        # a log(1 + w) = a log(1 + u) + t
        w1 = (1 + u) * mp.exp(t / self.a)
        return (w1 - 1, w1 / self.a) if w1 > 1 else None


def levelset_p_grid(n: int, seed: int) -> np.ndarray:
    """Target p for a level-set case: half dense in log(1 - p) down to 1 - 1e-9, a quarter uniform,
    a quarter dense in log(p - 1/2) down to 1/2 + 1e-7 (the shipped tables' first node)."""
    rng = np.random.default_rng(seed)
    p = np.concatenate([1.0 - 10.0 ** rng.uniform(-9, np.log10(0.5), n // 2), rng.uniform(0.5, 1.0, n // 4),
                        0.5 + 10.0 ** rng.uniform(-7, np.log10(0.5), n - n // 2 - n // 4), [1 - 1e-9]])
    return np.sort(p[(p > 0.5) & (p < 1)])


def levelset_from_table(family, dim, params, n, seed):
    """(p, radius) pairs built backwards: e from the shipped table at the p grid, then exact rho(e).

    rho(e) is rounded to the nearest double p and the radius moved to the exact one at p to first
    order, e + (p - rho(e)) / rho'(e) (the move is below 1e-7 relative, so the second order is below
    1e-14). The radii run in increasing order, each tau search starting from the previous two.
    """
    stem = "_".join([family, "l2", f"d{dim}"] + [f"{k}{int(v)}" for k, v in sorted(params.items())])
    with np.load(ROOT / "tables" / f"{stem}.npz") as f:
        t_rho, t_e = np.array(f["rho"][1:]), np.array(f["radius"][1:])
    target = levelset_p_grid(n, seed)
    logit = lambda r: np.log((r - 0.5) / (1 - r))
    e = np.exp(np.interp(logit(target), logit(t_rho), np.log(t_e)))
    # below the table rho - 1/2 is proportional to e
    low = target < t_rho[0]
    e[low] = t_e[0] * (target[low] - 0.5) / (t_rho[0] - 0.5)
    e = np.unique(e)
    fam = Exp2(dim, params["k"], params["j"]) if family == "exp2" else Pow2(dim, params["k"], params["a"])
    ps, radii, taus = [], [], []
    for x in e:
        guess = None
        if len(taus) >= 2:  # log(-tau) linear in log e through the previous two radii
            (e1, t1), (e2, t2) = taus[-2:]
            guess = -mp.exp(mp.log(-t2) + (mp.log(-t2) - mp.log(-t1)) / (mp.log(e2) - mp.log(e1)) * (mp.log(x) - mp.log(e2)))
        rho, slope, tau = fam.rho(mp.mpf(float(x)), guess)
        taus.append((mp.mpf(float(x)), tau))
        p = float(rho)
        if 0.5 < p < 1:
            ps.append(p)
            radii.append(float(mp.mpf(float(x)) + (mp.mpf(p) - rho) / slope))
    return np.array(ps), np.array(radii)


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
    ("exp2", "l2", 3072, "k=1,j=1"): ("exp2", 3072, {"k": 1, "j": 1}, 300),
    ("exp2", "l2", 3072, "k=2,j=8"): ("exp2", 3072, {"k": 2, "j": 8}, 300),
    ("pow2", "l2", 3072, "k=2,a=1546"): ("pow2", 3072, {"k": 2, "a": 1546}, 300),
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
