"""DSRS certification: validation, the issue's examples, golden data, soundness against mpmath."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest

import smoothcert as sc
from smoothcert._core import certify as core
from smoothcert.certify import GeneralizedGaussianLaw, XPlus, dsrs
from smoothcert.certify.generalized_gaussian import x_plus_beta

from references import dsrs_golden

DATA = Path(__file__).parents[1] / "data" / "dsrs_reference.npz"

P_CIFAR = dict(sigma=0.5, k=1530, dim=3072)


def test_exported_names():
    assert sc.certify.dsrs is dsrs
    assert callable(sc.certify.dsrs)
    assert sc.GeneralizedGaussian is not None and sc.ThresholdedGeneralizedGaussian is not None


def test_bad_inputs_raise():
    P = sc.GeneralizedGaussian(**P_CIFAR)
    Q = sc.GeneralizedGaussian(sigma=0.4, k=1530, dim=3072)
    with pytest.raises(ValueError, match="p_low"):
        dsrs(P, Q, 0.97, 0.96, 0.98, 0.99)
    with pytest.raises(ValueError, match="q_low"):
        dsrs(P, Q, 0.95, 0.96, 0.99, 0.98)
    with pytest.raises(ValueError, match="p_low"):
        dsrs(P, Q, 1.5, 1.6, 0.98, 0.99)
    with pytest.raises(ValueError, match="Q"):
        dsrs(P, "x", 0.95, 0.96, 0.98, 0.99)
    with pytest.raises(ValueError, match="Q"):
        dsrs(P, "x+", 0.95, 0.96, 0.98, 0.99)  # Q is an object (XPlus()), not a string
    with pytest.raises(ValueError, match="P must"):
        dsrs(sc.ThresholdedGeneralizedGaussian(beta=0.5, **P_CIFAR), Q, 0.95, 0.96, 0.98, 0.99)
    with pytest.raises(ValueError, match="k and dim"):
        dsrs(P, sc.GeneralizedGaussian(sigma=0.4, k=1000, dim=3072), 0.95, 0.96, 0.98, 0.99)
    with pytest.raises(ValueError, match="another sigma"):
        dsrs(P, sc.GeneralizedGaussian(**P_CIFAR), 0.95, 0.96, 0.98, 0.99)
    with pytest.raises(ValueError, match="sigma, k and dim"):
        dsrs(P, sc.ThresholdedGeneralizedGaussian(sigma=0.4, k=1530, dim=3072, beta=0.5), 0.95, 0.96, 0.98, 0.99)
    with pytest.raises(ValueError, match="P must"):
        dsrs(sc.Gaussian(sigma=0.5), Q, 0.95, 0.96, 0.98, 0.99)
    with pytest.raises(ValueError, match="k must"):
        core.dsrs_radius(3072, 1536, 0.5, core.DsrsQ.sigma, [0.4], [0.9], [0.91], [0.9], [0.95])
    with pytest.raises(ValueError, match="sigma"):
        core.dsrs_radius(3072, 1530, -0.5, core.DsrsQ.sigma, [0.4], [0.9], [0.91], [0.9], [0.95])


def test_issue_examples_and_abstain():
    P = sc.GeneralizedGaussian(**P_CIFAR)
    r = dsrs(P, sc.GeneralizedGaussian(sigma=0.4, k=1530, dim=3072), .9580848284638546, .9641193028067545,
             .9836311278227061, .9873642931515865)
    assert r[0] >= 0.85 - 1e-6
    r_np = P.certify([.9580848284638546])[0]
    r_x = dsrs(P, XPlus(), .9580848284638546, .9641193028067545, .9842055818486877, .9878696333575198)
    assert r_x[0] >= 0.84 - 1e-6 and r_x[0] >= r_np
    assert x_plus_beta(.9580848284638546) == pytest.approx(.45376859427394867, rel=1e-12)
    P_m = sc.GeneralizedGaussian(sigma=1.0, k=380, dim=784)
    r_m = dsrs(P_m, sc.GeneralizedGaussian(sigma=0.8, k=380, dim=784), .9884215189204483, .9915321414010584,
               .9981616966934683, .9992664707710186)
    assert r_m[0] >= 2.35 - 1e-6
    assert np.isnan(dsrs(P, XPlus(), 0.45, 0.5, 0.9, 0.95)[0])


def test_x_plus_refined_fallback_is_neyman_pearson_on_q():
    P = sc.GeneralizedGaussian(**P_CIFAR)
    r = dsrs(P, XPlus(), [0.99984], [1.0], [0.99992], [1.0])
    assert r[0] == P.certify([0.99992])[0]
    r = dsrs(P, XPlus(), [0.99984], [1.0], [0.9998], [1.0])
    assert r[0] == P.certify([0.99984])[0]


def test_p_and_q_are_read_by_their_parameters():
    """Plain law objects (no noise class) give the same radii as the noises."""
    a, b = (0.9580848284638546, 0.9641193028067545), (0.9836311278227061, 0.9873642931515865)
    P, P_law = sc.GeneralizedGaussian(**P_CIFAR), GeneralizedGaussianLaw(**P_CIFAR)
    for Q, Q_law in ((sc.GeneralizedGaussian(sigma=0.4, k=1530, dim=3072), GeneralizedGaussianLaw(0.4, 1530, 3072)),
                     (sc.ThresholdedGeneralizedGaussian(beta=0.6, **P_CIFAR), GeneralizedGaussianLaw(beta=0.6, **P_CIFAR))):
        assert np.array_equal(dsrs(P, Q, *a, *b), dsrs(P_law, Q_law, *a, *b))
    with pytest.raises(ValueError, match="k must"):
        GeneralizedGaussianLaw(0.5, 1536, 3072)
    assert XPlus().beta(a[0]) == x_plus_beta(a[0])


def test_upper_q_bound_tightens_beyond_neyman_pearson():
    # cohen-cifar σ = 0.25, "x+", input 1890: the Neyman–Pearson set has Q-mass 0.714 > q_R = 0.647,
    # so the q_R side (λ2 < 0) is active; the stored grid radius 0.13 is above the NP radius 0.1296.
    P = sc.GeneralizedGaussian(sigma=0.25, k=1530, dim=3072)
    a, b = (0.7100425782173282, 0.7240842417216573), (0.6323744751632829, 0.6473383799739596)
    r_np = P.certify([a[0]])[0]
    r = dsrs(P, XPlus(), *a, *b)[0]
    assert r >= 0.13 - 1e-6 > r_np
    ev = core.dsrs_evaluate(3072, 1530, 0.25, core.DsrsQ.ball, float(x_plus_beta(a[0])), r, *a, *b)
    assert ev["sign"] == -1 and ev["lambda2"] < 0 and ev["bound"] > 0.5
    # Widening q_R until it holds the Neyman–Pearson Q-mass gives back the NP radius.
    assert dsrs(P, XPlus(), a[0], a[1], b[0], 0.72)[0] == pytest.approx(r_np, rel=1e-8)


# cohen-cifar σ = 0.5, σ_Q = 0.45 golden inputs: (P bounds, Q bounds, stored DSRS radius).
INPUT_1000 = ((0.9972534418677634, 0.9986557844757022), (0.9992130705901301, 0.9998523473218889), 1.45)
INPUT_8000 = ((0.9801127639515805, 0.9842438978276863), (0.9901496493698395, 0.9930033376199513), 1.1)


def _sigma_q_045(a, b, r):
    return core.dsrs_evaluate(3072, 1530, 0.5, core.DsrsQ.sigma, 0.45, r, *a, *b)


def test_upper_p_bound_active_reaches_stored_radius():
    # Input 1000: the Neyman–Pearson set's Q-mass is below q_L, and so is that of every λ1 > 0 set with
    # P-mass p_L; the set {p_δ < λ2 q} with Q-mass q_L has P-mass 0.99883 > p_H = 0.99866. So the
    # dual's maximum has λ1 < 0 < λ2 with P[S] = p_H and Q[S] = q_L: 0.5162 at the stored 1.45.
    P = sc.GeneralizedGaussian(**P_CIFAR)
    Q = sc.GeneralizedGaussian(sigma=0.45, k=1530, dim=3072)
    a, b, stored = INPUT_1000
    ev = _sigma_q_045(a, b, stored)
    assert ev["upper_p"] and ev["lambda1"] < 0 < ev["lambda2"]
    assert ev["p"] == pytest.approx(a[1], abs=1e-9) and ev["q"] == pytest.approx(b[0], abs=1e-9)
    assert ev["bound"] > 0.51
    r = dsrs(P, Q, *a, *b)[0]
    assert r >= stored
    # A looser upper P-bound can only lower the radius; from p_H = 0.999 on the optimum is λ1 = 0 (the
    # set {p_δ < λ2 q} with Q-mass q_L meets p_L <= P[S] <= p_H), and p_H = 1 changes nothing more.
    radii = [dsrs(P, Q, a[0], p_high, *b)[0] for p_high in (a[1], 0.999, 0.9995, 1.0)]
    assert radii[0] == r and radii[0] > radii[1] >= stored
    assert radii[1] == radii[2] == radii[3]
    ev = _sigma_q_045((a[0], 0.9995), b, radii[2])
    assert not ev["upper_p"] and 0 < ev["lambda1"] < 1e-12 < ev["lambda2"]
    assert a[0] < ev["p"] < 0.9995 and ev["q"] == pytest.approx(b[0], abs=1e-9) and ev["bound"] > 0.5


def test_upper_p_bound_active_refutes_stored_radius():
    # Input 8000: at the stored 1.1 the dual's maximum (λ1 < 0 < λ2, P[S] = p_H, Q[S] = q_L) is 0.4718,
    # P_δ of a set meeting every bound: a witness (recomputed by mpmath in test_witness_against_mpmath).
    P = sc.GeneralizedGaussian(**P_CIFAR)
    Q = sc.GeneralizedGaussian(sigma=0.45, k=1530, dim=3072)
    a, b, stored = INPUT_8000
    ev = _sigma_q_045(a, b, stored)
    assert ev["upper_p"] and _is_witness(ev, a, b)
    assert ev["p_delta"] == pytest.approx(0.47175, abs=1e-5)
    r = dsrs(P, Q, *a, *b)[0]
    assert 1.06 < r < stored
    ev = _sigma_q_045(a, b, r)
    assert ev["upper_p"] and 0.5 < ev["bound"] < 0.5 + 1e-9


def test_contradictory_bounds_keep_lambda1_nonnegative():
    # σ_Q = 0.55 > σ, p_H = 0.981: no set with P-mass <= p_H has Q-mass above 0.9919, so q_L = 0.995
    # contradicts p_H and the dual is unbounded along λ1 < 0; the radius stays that of λ1 -> 0.
    P = sc.GeneralizedGaussian(**P_CIFAR)
    Q = sc.GeneralizedGaussian(sigma=0.55, k=1530, dim=3072)
    r = dsrs(P, Q, 0.98, 0.981, 0.995, 1.0)[0]
    ev = core.dsrs_evaluate(3072, 1530, 0.5, core.DsrsQ.sigma, 0.55, r, 0.98, 0.981, 0.995, 1.0)
    assert not ev["upper_p"] and 0 <= ev["lambda1"] < 1e-12 and 0.5 < ev["bound"] < 0.5 + 1e-9
    assert np.isfinite(r) and r < 1.3


def test_lower_q_side_when_the_ball_alone_cannot_hold_p_low():
    # consistency-cifar σ = 0.5, β = 0.4, input 9760: λ2 < 0 with a ball Q. From s = −ln c on the
    # multiplier 1 − e^s c vanishes inside the ball, whose outside holds P-mass 0.6 < p_L: the search
    # for P[S] = p_L, Q[S] = q_R stays below that s; the dual is 0.5026 at the stored 0.36.
    P = sc.GeneralizedGaussian(**P_CIFAR)
    a, b = (0.7760612725113958, 0.7889234712495283), (0.6895620411663582, 0.703891637676608)
    ev = core.dsrs_evaluate(3072, 1530, 0.5, core.DsrsQ.ball, 0.4, 0.36, *a, *b)
    assert ev["sign"] == -1 and ev["s"] < -np.log(1 / 0.4) and ev["bound"] > 0.5
    assert ev["q"] == pytest.approx(b[1], abs=1e-9)
    assert dsrs(P, sc.ThresholdedGeneralizedGaussian(sigma=0.5, k=1530, dim=3072, beta=0.4), *a, *b)[0] >= 0.36


def test_contradictory_q_upper_bound_gives_np_radius():
    # A set with P-mass >= 0.98 holds at least (0.98 − 0.7)/0.3 of the ball of percentile 0.3, so
    # q_R = 0.3 contradicts p_L: the dual is unbounded along λ2 < 0, and λ2 = 0 is kept.
    P = sc.GeneralizedGaussian(**P_CIFAR)
    Q = sc.ThresholdedGeneralizedGaussian(sigma=0.5, k=1530, dim=3072, beta=0.3)
    assert dsrs(P, Q, 0.98, 0.99, 0.2, 0.3)[0] == pytest.approx(P.certify([0.98])[0], rel=1e-10)


def test_small_radius_with_q_constraint():
    # consistency-cifar σ = 1, σ_Q = 0.8, input 4950: p_L = 0.50021, radius 4.9e-4 (2e-5 normalised).
    # P_δ's cos θ threshold comes from w − g, formed without cancellation; formed as a difference it
    # carried ~1e-15 of rounding, which the quadrature subdivided for minutes. Measured 0.06 s.
    P = sc.GeneralizedGaussian(sigma=1.0, k=1530, dim=3072)
    Q = sc.GeneralizedGaussian(sigma=0.8, k=1530, dim=3072)
    a, b = (0.5002069522665997, 0.515790351633918), (0.5644967420181765, 0.5799189184789275)
    t0 = time.perf_counter()
    r = dsrs(P, Q, *a, *b)[0]
    assert time.perf_counter() - t0 < 20
    assert P.certify([a[0]])[0] < r < 6e-4


def test_q_bounds_inside_np_prediction_give_np_radius():
    # Q bounds wide open: the Q constraint is slack and the dual is the Neyman–Pearson one.
    P = sc.GeneralizedGaussian(**P_CIFAR)
    r = dsrs(P, sc.GeneralizedGaussian(sigma=0.4, k=1530, dim=3072), 0.9, 0.92, 0.0, 1.0)
    assert r[0] == pytest.approx(P.certify([0.9])[0], abs=1e-8)


def _reference():
    if not DATA.exists():
        pytest.fail(f"{DATA} missing: run scripts/make_dsrs_reference.py")
    z = np.load(DATA)
    cols = [str(c) for c in z["columns"]]
    return [dict(zip(cols, row)) for row in z["cases"]]


KINDS = [core.DsrsQ.none, core.DsrsQ.sigma, core.DsrsQ.ball]


def test_integrals_match_mpmath():
    # Every integral of the dual against the mpmath twin (30 digits, a different formula for P_δ).
    worst = 0.0
    for c in _reference():
        ours = core.dsrs_integrals(int(c["d"]), c["k"], c["sigma"], KINDS[int(c["kind"])], c["q_param"], c["radius"],
                              c["log_lambda1"], int(c["sign"]), c["s"], bool(c["upper_p"]))
        for got, ref in zip(ours, (c["P"], c["Q"], c["P_delta"])):
            worst = max(worst, abs(got - ref))
    assert worst <= 1e-11, worst


def test_radii_sound_against_mpmath_dual():
    # D = P_δ + λ1 (p_L − P) + λ2 (q* − Q) with the mpmath probabilities is a lower bound on the
    # worst case (weak duality, any multipliers); it must exceed 1/2 at the stored radius, and the
    # current code must return a radius no larger than that one (and not much smaller).
    for c in _reference():
        l1 = (-1 if c["upper_p"] else 1) * np.exp(c["log_lambda1"])
        l2 = c["sign"] * np.exp(c["log_lambda1"] + c["s"])
        q_star = c["q_low"] if l2 >= 0 else c["q_high"]
        p_star = c["p_high"] if c["upper_p"] else c["p_low"]
        D = c["P_delta"] + l1 * (p_star - c["P"]) + (l2 * (q_star - c["Q"]) if c["sign"] else 0.0)
        assert D > 0.5, c
        d, k, sigma, kind = int(c["d"]), c["k"], c["sigma"], KINDS[int(c["kind"])]
        pl = np.array([c["p_low"]])
        if kind == core.DsrsQ.none:
            r = core.np_radius(d, k, sigma, pl)[0]
        else:
            r = core.dsrs_radius(d, k, sigma, kind, [c["q_param"]], pl, [c["p_high"]], [c["q_low"]], [c["q_high"]],
                                 r_start=core.np_radius(d, k, sigma, pl))[0]
        # Bitwise-equal up to the last-ulp effects of rebuilding (the stored value was verified).
        assert c["radius"] - 1e-6 <= r <= c["radius"] * (1 + 1e-13), (c, r)


# A stored radius above ours must be shown unsound: at the stored radius the dual's set S (the
# worst-case classifier f = 1_S) must satisfy every bound (p_L <= P[S] <= p_H, q_L <= Q[S] <= q_R)
# while P_δ[S] < 1/2 — a base classifier consistent with the samples whose smoothed prediction
# changes at that radius. Tolerances: the integrals' error bound (1e-10) on each probability.
WITNESS_TOL = 1e-9


def _witness(model, qtext, a, b, r):
    """core.evaluate at radius r for one golden input (the Q that dsrs() would use)."""
    d, k, sigma = model.dim, model.k, model.sigma
    if qtext == "th-x+":
        if a[1] >= 1 - 1e-8:
            return core.dsrs_evaluate(d, k, sigma, core.DsrsQ.none, 0.0, r, max(a[0], b[0]), 1.0, 0.0, 1.0)
        kind, q_param = core.DsrsQ.ball, float(x_plus_beta(a[0]))
    elif qtext.startswith("th-"):
        kind, q_param = core.DsrsQ.ball, float(qtext[3:])
    else:
        kind, q_param = core.DsrsQ.sigma, float(qtext)
    return core.dsrs_evaluate(d, k, sigma, kind, q_param, r, a[0], a[1], b[0], b[1])


def test_witness_against_mpmath():
    # The witnesses at cohen-cifar σ = 0.5, σ_Q = 0.45, input 10, stored radius 0.65 (ours 0.587), and
    # input 8000, stored 1.1 (ours 1.0652), with P[S], Q[S], P_δ[S] recomputed by the mpmath twin:
    # feasible within 1e-12, P_δ[S] = 0.447 and 0.4718.
    with np.load(DATA) as z:
        cols = [str(c) for c in z["witness_columns"]]
        rows = [dict(zip(cols, row)) for row in z["witnesses"]]
    assert len(rows) >= 2
    for w in rows:
        assert w["p_low"] - 1e-12 <= w["P"] <= w["p_high"] + 1e-12
        assert w["q_low"] - 1e-12 <= w["Q"] <= w["q_high"] + 1e-12
        assert w["P_delta"] < 0.5 - 1e-3
        ev = core.dsrs_evaluate(int(w["d"]), w["k"], w["sigma"], KINDS[int(w["kind"])], w["q_param"], w["radius"],
                           w["p_low"], w["p_high"], w["q_low"], w["q_high"])
        assert _is_witness(ev, (w["p_low"], w["p_high"]), (w["q_low"], w["q_high"]))
        assert abs(ev["p_delta"] - w["P_delta"]) <= 1e-10


def _is_witness(ev, a, b):
    ok_p = a[0] - WITNESS_TOL <= ev["p"] <= a[1] + WITNESS_TOL
    ok_q = ev["sign"] == 0 and ev["q"] == 0 or b[0] - WITNESS_TOL <= ev["q"] <= b[1] + WITNESS_TOL
    return ok_p and ok_q and ev["p_delta"] < 0.5 - WITNESS_TOL


def _q_of(model, qtext):
    if qtext == "th-x+":
        return XPlus()
    if qtext.startswith("th-"):
        return sc.ThresholdedGeneralizedGaussian(sigma=model.sigma, k=model.k, dim=model.dim, beta=float(qtext[3:]))
    return sc.GeneralizedGaussian(sigma=float(qtext), k=model.k, dim=model.dim)


@pytest.mark.golden
def test_dsrs_golden_all(reference_dir):
    # Every stored input of every shipped file (about 60,000 DSRS certificates).
    checked = 0
    for model, qtext, pb, qb, radii in dsrs_golden.dsrs_cases(reference_dir):
        idx = sorted(set(pb) & set(qb) & set(radii))
        if not idx:
            continue
        a = np.array([pb[i] for i in idx])
        b = np.array([qb[i] for i in idx])
        theirs = np.array([radii[i] for i in idx])
        P = sc.GeneralizedGaussian(sigma=model.sigma, k=model.k, dim=model.dim)
        ours = dsrs(P, _q_of(model, qtext), a[:, 0], a[:, 1], b[:, 0], b[:, 1])
        certified = a[:, 0] > 0.5
        assert np.all(np.isnan(ours[~certified]))
        r_np = P.certify(a[:, 0])
        assert np.all(ours[certified] >= r_np[certified])
        low = np.flatnonzero(certified & (ours < theirs - 1e-6))
        unexplained = [idx[j] for j in low
                       if not _is_witness(_witness(model, qtext, a[j], b[j], theirs[j]), a[j], b[j])]
        assert not unexplained, (model.name, qtext, unexplained)
        checked += int(certified.sum())
    assert checked > 0
