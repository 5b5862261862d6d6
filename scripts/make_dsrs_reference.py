"""Precompute mpmath reference values for the generalized-Gaussian / DSRS tests.

For each case (d, k, σ, second distribution Q, p/q bounds) this takes smoothcert's certified
radius r and the dual multipliers it used at r (``smoothcert._core.certify.dsrs_evaluate``), then
recomputes, independently and at 30 significant digits with mpmath, the three probabilities the
dual bound is made of, at that same r and those multipliers:

* P[S] and Q[S]: the Gamma(a) radius integral of the regularised incomplete beta function
  (mpmath ``betainc``), with the threshold on cos θ from the Lambert-W closed form (mpmath
  ``lambertw``) instead of smoothcert's Newton iteration;
* P_δ[S]: as the 2-D integral E_P[1_S · p(x − δ)/p(x)] over (radius, cos θ) — a different formula
  from smoothcert's, which integrates over the shifted distribution and finds S by root finding.

The tests check smoothcert's integrals against these (absolute error) and that the dual bound
D = P_δ[S] + λ1 (p_L − P[S]) + λ2 (q* − Q[S]), evaluated with the mpmath values, exceeds 1/2 at
the stored radius (so that radius is sound: weak duality holds for any multipliers).

Run from the repository root after building:  ``python scripts/make_dsrs_reference.py``
(tens of minutes on one core; d = 150528 is left to the scipy-based tests because mpmath's
incomplete beta at shape 75263.5 is too slow); writes ``tests/data/dsrs_reference.npz``.
"""

from __future__ import annotations

from pathlib import Path

import mpmath as mp
import numpy as np

from smoothcert._core import certify as core
from smoothcert._core import special

mp.mp.dps = 30

# (d, k, sigma, kind, q_param, p_low, q_low, q_high), p_high = p_low, or with p_high after p_low
# (d, k, sigma, kind, q_param, p_low, p_high, q_low, q_high).
CASES = [
    (3072, 1530, 0.5, "sigma", 0.4, 0.9580848284638546, 0.9836311278227061, 0.9873642931515865),
    (3072, 1530, 0.5, "ball", 0.45376859427394867, 0.9580848284638546, 0.9842055818486877, 0.9878696333575198),
    (784, 380, 1.0, "none", 0.0, 0.9884215189204483, 0.0, 1.0),
    (100, 0, 0.25, "none", 0.0, 0.8, 0.0, 1.0),
    (784, 380, 1.0, "sigma", 0.8, 0.9884215189204483, 0.9981616966934683, 0.9992664707710186),
    (784, 380, 0.25, "ball", 0.3, 0.7, 0.9, 0.92),
    (3072, 1530, 0.5, "none", 0.0, 0.9580848284638546, 0.0, 1.0),
    # Q-mass of the Neyman–Pearson set above q_R: the λ2 < 0 family (β > 0, β < 0, ball).
    (3072, 1530, 0.5, "sigma", 0.4, 0.9580848284638546, 0.9, 0.955),
    (3072, 1530, 0.5, "sigma", 0.6, 0.9580848284638546, 0.9, 0.955),
    (784, 380, 0.25, "ball", 0.3, 0.7, 0.6, 0.69),
    # Golden inputs where smoothcert and the stored radii differ by more than the stored resolution:
    # cohen-cifar σ = 0.25 "x+" input 1890 (stored DSRS 0.13, reached only through λ2 < 0) and
    # cohen-cifar σ = 0.5, N = 50,000 input 5660 (stored NP radius 0.000826, ours 0.00097);
    (3072, 1530, 0.25, "ball", 0.2990416950576002, 0.7100425782173282, 0.6323744751632829, 0.6473383799739596),
    (3072, 1530, 0.5, "none", 0.0, 0.5008270081968539, 0.0, 1.0),
    # consistency-cifar σ = 1, N = 50,000, input 4950: stored NP radius 0, ours 0.000486.
    (3072, 1530, 1.0, "none", 0.0, 0.5002069522665997, 0.0, 1.0),
    # consistency-mnist σ = 1, N = 50,000, inputs 1200 and 5620: stored NP radii 0.001194 and 0.005066,
    # ours 0.001572 and 0.005168.
    (784, 380, 1.0, "none", 0.0, 0.5006469907258037, 0.0, 1.0),
    (784, 380, 1.0, "none", 0.0, 0.5021271643370518, 0.0, 1.0),
    # The upper P-bound active (λ1 < 0 < λ2, P[S] = p_H, Q[S] = q_L): cohen-cifar σ = 0.5, σ_Q = 0.45,
    # input 1000 (stored DSRS radius 1.45, ours 1.4714); with p_H raised to 0.9995 the optimum is
    # λ1 = 0 instead (the set {p_δ < λ2 q} with Q-mass q_L has P-mass in [p_L, p_H]).
    (3072, 1530, 0.5, "sigma", 0.45, 0.9972534418677634, 0.9986557844757022, 0.9992130705901301,
     0.9998523473218889),
    (3072, 1530, 0.5, "sigma", 0.45, 0.9972534418677634, 0.9995, 0.9992130705901301, 0.9998523473218889),
    # λ1 < 0 < λ2 with a wider Q (σ_Q = 0.6: S lies outside the ball e^s ρ = 1 instead of inside).
    (3072, 1530, 0.5, "sigma", 0.6, 0.98, 0.981, 0.995, 1.0),
    # λ2 < 0 for a ball where P[S] = p_L is out of reach from s = −ln c on (the outside of the ball
    # holds less than p_L): consistency-cifar σ = 0.5, β = 0.4, input 9760 (stored 0.36, ours 0.3632).
    (3072, 1530, 0.5, "ball", 0.4, 0.7760612725113958, 0.7889234712495283, 0.6895620411663582, 0.703891637676608),
    # A radius of 5e-4 (2e-5 normalised) with λ2 > 0: consistency-cifar σ = 1, σ_Q = 0.8, input 4950.
    (3072, 1530, 1.0, "sigma", 0.8, 0.5002069522665997, 0.515790351633918, 0.5644967420181765, 0.5799189184789275),
]

# Stored golden radii above smoothcert's, checked at the stored radius r: the dual's set S there
# satisfies every bound while P_δ[S] < 1/2, so that radius is not certifiable from these bounds.
# (d, k, sigma, kind, q_param, p_low, p_high, q_low, q_high, r): cohen-cifar σ = 0.5, σ_Q = 0.45, input 10
# (stored 0.65, ours 0.587) and input 8000 (stored 1.1, ours 1.0652; S from the λ1 < 0 family,
# P[S] = p_H, Q[S] = q_L).
WITNESSES = [
    (3072, 1530, 0.5, "sigma", 0.45, 0.8774740679117252, 0.8875168751040964, 0.914057986307288, 0.9226007964078359,
     0.65),
    (3072, 1530, 0.5, "sigma", 0.45, 0.9801127639515805, 0.9842438978276863, 0.9901496493698395, 0.9930033376199513,
     1.1),
]

COLUMNS = ["d", "k", "sigma", "kind", "q_param", "p_low", "p_high", "q_low", "q_high", "radius", "log_lambda1",
           "sign", "s", "upper_p", "P", "Q", "P_delta"]
WITNESS_COLUMNS = ["d", "k", "sigma", "kind", "q_param", "p_low", "p_high", "q_low", "q_high", "radius", "P", "Q",
                   "P_delta"]
OUT = Path(__file__).resolve().parents[1] / "tests" / "data" / "dsrs_reference.npz"



def radial(d, k, sigma, kind, q_param):
    a = mp.mpf(d) / 2 - k
    alpha = mp.mpf(d - 1) / 2
    L = mp.sqrt(2) * sigma * mp.sqrt(mp.mpf(d) / (d - 2 * k))
    if kind == "sigma":
        log_c = 2 * a * mp.log(mp.mpf(sigma) / q_param)
        beta = mp.mpf(sigma) ** 2 / mp.mpf(q_param) ** 2 - 1
        lrho = lambda w: log_c - beta * w  # noqa: E731
        g_t = None
    elif kind == "ball":
        g_t = mp.mpf(special.gamma_p_inv(float(a), q_param))  # the ball smoothcert uses; its mass recomputed here
        log_c = -mp.log(mp.gammainc(a, 0, g_t, regularized=True))
        lrho = lambda w: log_c if w <= g_t else mp.ninf  # noqa: E731
    else:
        lrho = lambda w: mp.ninf  # noqa: E731
        g_t = None
    return a, alpha, L, lrho, g_t


def ell(k, w):
    return -k * mp.log(w) - w if k else -w


def ell_inverse(k, h):
    # W + k ln W = -h  <=>  W = k W0(exp(-h/k)/k).
    if k == 0:
        return -h
    return k * mp.lambertw(mp.exp(-h / k) / k).real


def twin(d, k, sigma, kind, q_param, r, u, sign, s, upper_p=False, method="gauss-legendre"):
    a, alpha, L, lrho, g_t = radial(d, k, sigma, kind, q_param)
    rn = mp.mpf(r) / L
    u, s = mp.mpf(u), mp.mpf(s)

    cuts = []
    if kind == "sigma" and (sign < 0 or upper_p):
        # The multiplier 1 + ν ρ(w) (or e^s ρ − 1) changes sign at w0: the integrands jump there.
        beta = mp.mpf(sigma) ** 2 / mp.mpf(q_param) ** 2 - 1
        w0 = (s + lrho(0)) / beta
        if w0 > 0:
            cuts.append(w0)

    def log_mult(w):
        if sign == 0:
            return mp.mpf(0)
        z = s + lrho(w)
        if upper_p:
            # multiplier e^u (e^s ρ − 1): λ1 < 0 (upper P-bound active)
            return mp.log(mp.expm1(z)) if z > 0 else mp.ninf
        if z == mp.ninf:
            return mp.mpf(0)
        v = 1 + sign * mp.exp(z)
        return mp.log(v) if v > 0 else mp.ninf

    def cut(g):
        lm = log_mult(g)
        if lm == mp.ninf:
            return None
        W = ell_inverse(k, ell(k, g) + u + lm)
        return (g + rn ** 2 - W) / (2 * rn * mp.sqrt(g))

    log_norm_t = -((alpha - 1) * 2 * mp.log(2) + mp.log(2) + mp.log(mp.beta(alpha, alpha)))
    width = 1 / mp.sqrt(2 * alpha)

    def gamma_pdf(g):
        return mp.exp((a - 1) * mp.log(g) - g - mp.loggamma(a))

    def beta_cdf(t):
        if t <= -1:
            return mp.mpf(0)
        if t >= 1:
            return mp.mpf(1)
        return mp.betainc(alpha, alpha, 0, (1 + t) / 2, regularized=True)

    def p_integrand(g):
        c = cut(g)
        return mp.mpf(0) if c is None else beta_cdf(c)

    def pd_inner(g):
        c = cut(g)
        if c is None or c <= -1:
            return mp.mpf(0)
        c = min(c, mp.mpf(1))
        sg = mp.sqrt(g)

        def f(t):
            w = g - 2 * rn * sg * t + rn ** 2
            return mp.exp(ell(k, w) - ell(k, g) + (alpha - 1) * mp.log1p(-t * t) + log_norm_t)

        pts = [-1] + [x for x in (-12 * width, -4 * width, 0, 4 * width, 12 * width) if -1 < x < c] + [c]
        return mp.quad(f, pts, method="gauss-legendre")

    g_lo = mp.mpf(10) ** -8
    g_hi = a + 60 + 12 * mp.sqrt(a)
    grid = [g_lo] + [a * f for f in (0.25, 0.5, 1, 1.5, 2, 3, 5) if a * f < g_hi] + [g_hi]
    grid = sorted(set(grid + [g for g in cuts + ([g_t] if g_t is not None else []) if g_lo < g < g_hi]))
    P = mp.quad(lambda g: gamma_pdf(g) * p_integrand(g), grid, method=method)
    if kind == "none":
        Q = mp.mpf(0)
    else:
        Q = mp.quad(lambda g: gamma_pdf(g) * mp.exp(lrho(g)) * p_integrand(g) if lrho(g) != mp.ninf else 0, grid,
                    method=method)
    Pd = mp.quad(lambda g: gamma_pdf(g) * pd_inner(g), grid, method=method)
    return P, Q, Pd


def twin_at(d, k, sigma, kind, q_param, r, p_low, p_high, q_low, q_high):
    """smoothcert's dual at r, and the twin's (P, Q, P_δ) at its multipliers."""
    ev = core.dsrs_evaluate(d, k, sigma, getattr(core.DsrsQ, kind), q_param, r, p_low, p_high, q_low, q_high)
    # With λ2 < 0 (or λ1 < 0) and Q of another σ, the multiplier vanishes at w0 and the integrands
    # fall steeply to 0 there: tanh-sinh, which clusters nodes at the interval ends, resolves that;
    # Gauss–Legendre is faster elsewhere.
    steep = kind == "sigma" and (ev["sign"] < 0 or ev["upper_p"])
    return ev, twin(d, k, sigma, kind, q_param, r, ev["log_lambda1"], ev["sign"], ev["s"], ev["upper_p"],
                    method="tanh-sinh" if steep else "gauss-legendre")


def main() -> None:
    # Cases already in the file are kept (recomputing all of them takes tens of minutes); delete
    # the file to recompute everything.
    rows, witnesses = [], []
    if OUT.exists():
        with np.load(OUT) as z:
            rows = [tuple(r) for r in z["cases"]]
            witnesses = [tuple(r) for r in z["witnesses"]] if "witnesses" in z.files else []
    done = {tuple(r[:9]) for r in rows}
    for case in CASES:
        if len(case) == 8:
            case = (*case[:6], case[5], *case[6:])
        d, k, sigma, kind, q_param, p_low, p_high, q_low, q_high = case
        if (d, k, sigma, ["none", "sigma", "ball"].index(kind), q_param, p_low, p_high, q_low, q_high) in done:
            continue
        if kind == "none":
            r = float(core.np_radius(d, k, sigma, np.array([p_low]))[0])
        else:
            r_np = core.np_radius(d, k, sigma, np.array([p_low]))
            r = float(core.dsrs_radius(d, k, sigma, getattr(core.DsrsQ, kind), np.array([q_param]), np.array([p_low]), np.array([p_high]),
                                       np.array([q_low]), np.array([q_high]), r_start=r_np)[0])
        ev, (P, Q, Pd) = twin_at(d, k, sigma, kind, q_param, r, p_low, p_high, q_low, q_high)
        print(case, "r", r, "sign", ev["sign"], "P", mp.nstr(P, 15), "Q", mp.nstr(Q, 15), "Pd", mp.nstr(Pd, 15),
              flush=True)
        rows.append((d, k, sigma, ["none", "sigma", "ball"].index(kind), q_param, p_low, p_high, q_low, q_high, r,
                     ev["log_lambda1"], ev["sign"], ev["s"], float(ev["upper_p"]), float(P), float(Q), float(Pd)))
        # Saved after every case so that an interrupted run keeps what it computed.
        _save(rows, witnesses)
    for case in WITNESSES:
        d, k, sigma, kind, q_param, p_low, p_high, q_low, q_high, r = case
        if any(tuple(w[:10]) == (d, k, sigma, ["none", "sigma", "ball"].index(kind), *case[4:]) for w in witnesses):
            continue
        _, (P, Q, Pd) = twin_at(d, k, sigma, kind, q_param, r, p_low, p_high, q_low, q_high)
        print("witness", case, "P", mp.nstr(P, 15), "Q", mp.nstr(Q, 15), "Pd", mp.nstr(Pd, 15), flush=True)
        witnesses.append((d, k, sigma, ["none", "sigma", "ball"].index(kind), q_param, p_low, p_high, q_low, q_high, r,
                          float(P), float(Q), float(Pd)))
        _save(rows, witnesses)


def _save(rows, witnesses):
    np.savez(OUT, cases=np.array(rows, dtype=np.float64), columns=np.array(COLUMNS),
             witnesses=np.array(witnesses, dtype=np.float64).reshape(-1, len(WITNESS_COLUMNS)),
             witness_columns=np.array(WITNESS_COLUMNS))
    print("wrote", OUT, flush=True)


if __name__ == "__main__":
    main()
