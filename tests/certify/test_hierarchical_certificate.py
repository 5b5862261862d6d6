"""Hierarchical certificates against independent mpmath twins (tests/references/hierarchical_twins.py)."""

from __future__ import annotations

import math

import mpmath as mp
import numpy as np
import pytest

from references import hierarchical_twins as twin
import smoothcert
from smoothcert.certify.hierarchical import (
    gaussian_baseline,
    hierarchical_ablation,
    hierarchical_gaussian,
    hierarchical_sparse,
    hierarchical_sparse_bounds,
)

P_IMG = 1 - 150 / 1024
# (p_A, p_B, selection p, sigma, r): typical values and the numerical extremes (p_A -> 1/2 + Delta,
# p_A -> 1, tiny and huge sigma, many entities, p -> 1).
GAUSS_CASES = [
    (0.99, 0.005, P_IMG, 0.25, 1),
    (0.9, 0.05, P_IMG, 0.25, 1),
    (0.9, 0.05, P_IMG, 0.25, 2),
    (0.999, 0.0005, P_IMG, 0.5, 3),
    (1 - 1e-12, 1e-13, P_IMG, 0.25, 1),
    (0.7, 0.2, 0.99, 1e-6, 5),
    (0.7, 0.2, 0.99, 1e6, 5),
    (0.9999, 1e-5, 1 - 1e-6, 0.12, 150_528),
    (0.6, 0.39, 1.0, 0.25, 7),
    (0.6, 0.1, 0.9, 0.25, 0),
    (0.5 + (1 - 0.81) + 1e-9, 0.1, 0.81, 0.25, 1),
    (0.95, 0.0, 0.9, 0.25, 1),
]


def _rel_below(ours: float, exact: mp.mpf, rel: float, sigma: float = 1.0) -> None:
    """ours <= exact (sound) and ours >= exact (1 - rel) - sigma * 1e-16 (tight): the quantiles carry an
    outward slack of 1e-17 (1 + |x|), which dominates near a zero radius."""
    assert ours <= exact, (ours, exact)
    assert ours >= exact * (1 - rel) - sigma * 1e-16, (ours, exact)


@pytest.mark.parametrize("pa,pb,p,sigma,r", GAUSS_CASES)
def test_binary_gaussian_matches_twin(pa, pb, p, sigma, r):
    ours = float(hierarchical_gaussian(pa, selection_prob=p, sigma=sigma, entities=r))
    exact = twin.gaussian_binary(pa, p, sigma, r)
    if exact is None:
        assert math.isnan(ours)
    else:
        _rel_below(ours, exact, 1e-12, sigma)


@pytest.mark.parametrize("pa,pb,p,sigma,r", GAUSS_CASES)
def test_multiclass_gaussian_matches_twin(pa, pb, p, sigma, r):
    ours = float(hierarchical_gaussian(pa, pb, selection_prob=p, sigma=sigma, entities=r))
    exact = twin.gaussian_multiclass(pa, pb, p, sigma, r)
    if exact is None:
        assert math.isnan(ours)
    else:
        # Measured worst case over these cases: 3e-15 relative below the exact root.
        _rel_below(ours, exact, 1e-12, sigma)


def test_multiclass_reduces_to_cohen_when_no_entity():
    pa, pb = np.array([0.9, 0.99, 0.7]), np.array([0.05, 0.001, 0.2])
    ours = gaussian_baseline(pa, pb, sigma=0.5)
    for o, a, b in zip(ours, pa, pb):
        exact = mp.mpf(0.5) / 2 * (twin._ppf(mp.mpf(a)) - twin._ppf(mp.mpf(b)))
        _rel_below(float(o), exact, 1e-13)
    binary = gaussian_baseline(np.array([0.4, 0.5, 0.75]), sigma=1.0)
    assert math.isnan(binary[0]) and math.isnan(binary[1])
    _rel_below(float(binary[2]), twin._ppf(mp.mpf(0.75)), 1e-13)


def test_radius_zero_and_abstain_are_distinct():
    # p_A - Delta just above 1/2: certified with a tiny (possibly rounded-to-zero) radius, never NaN;
    # just below: NaN.
    q = 0.9
    above = hierarchical_gaussian(0.5 + (1 - q) + 1e-15, selection_prob=q, sigma=0.25, entities=1)
    below = hierarchical_gaussian(0.5 + (1 - q) - 1e-12, selection_prob=q, sigma=0.25, entities=1)
    assert above >= 0 and not math.isnan(above)
    assert math.isnan(below)


def test_radius_monotone_in_entities_and_p():
    pa = np.linspace(0.7, 0.999, 40)
    r1 = hierarchical_gaussian(pa, selection_prob=P_IMG, sigma=0.25, entities=1)
    r2 = hierarchical_gaussian(pa, selection_prob=P_IMG, sigma=0.25, entities=2)
    ok = ~np.isnan(r2)
    assert (r2[ok] <= r1[ok]).all()
    assert (np.diff(r1[~np.isnan(r1)]) >= 0).all()


@pytest.mark.parametrize("bad", [
    dict(p_a_lower=0.0), dict(p_a_lower=1.2), dict(p_a_lower=float("nan")),
    dict(sigma=0.0), dict(sigma=-1.0), dict(entities=-1), dict(selection_prob=0.0),
    dict(selection_prob=1.5), dict(entities=1.5),
])
def test_bad_input_raises(bad):
    args = dict(p_a_lower=0.9, selection_prob=0.9, sigma=0.25, entities=1)
    args.update(bad)
    name = next(iter(bad))
    with pytest.raises(ValueError, match=name):
        hierarchical_gaussian(args.pop("p_a_lower"), **args)


def test_sparse_bad_input_raises():
    kw = dict(selection_prob=0.81, p_plus=0.05, p_minus=0.8, entities=1, additions=1, deletions=1)
    with pytest.raises(ValueError, match="p_a_lower"):
        hierarchical_sparse(0.0, **kw)
    with pytest.raises(ValueError, match="entities"):
        hierarchical_sparse(0.9, **{**kw, "entities": -1})
    with pytest.raises(ValueError, match="p_plus"):
        hierarchical_sparse(0.9, **{**kw, "p_plus": 1.5})
    with pytest.raises(ValueError, match="deletions"):
        hierarchical_sparse(0.9, **{**kw, "deletions": -2})


SPARSE_CASES = [
    (0.99, 0.005, 0.81, 0.05, 0.8, 1, 1, 0),
    (0.99, 0.005, 0.81, 0.05, 0.8, 1, 0, 3),
    (0.95, 0.02, 0.81, 0.05, 0.8, 2, 2, 5),
    (0.999, 0.0005, 0.81, 0.05, 0.8, 3, 1, 12),
    (0.9, 0.05, 0.81, 0.05, 0.8, 1, 6, 30),
    (0.8, 0.1, 1.0, 0.01, 0.6, 1, 3, 3),
    (0.97, 0.01, 0.9, 0.0, 0.7, 1, 2, 2),
    (0.97, 0.01, 0.9, 0.3, 0.0, 1, 2, 2),
    (0.97, 0.01, 0.95, 0.6, 0.7, 2, 3, 1),  # p_plus + p_minus > 1: ratio order reversed
    (1.0, 0.0, 0.81, 0.05, 0.8, 1, 4, 4),
]


@pytest.mark.parametrize("pa,pb,p,pp,pm,r,ra,rd", SPARSE_CASES)
def test_sparse_rho_matches_twin(pa, pb, p, pp, pm, r, ra, rd):
    lo, hi = hierarchical_sparse_bounds(pa, pb, selection_prob=p, p_plus=pp, p_minus=pm, entities=r,
                                        additions=ra, deletions=rd)
    exact_lo = twin.sparse_rho_lower(pa, p, pp, pm, r, ra, rd)
    exact_hi = twin.sparse_rho_upper(pb, p, pp, pm, r, ra, rd)
    # Sound side and within the documented slack (1e-15) plus a double rounding.
    assert float(lo) <= exact_lo and float(lo) >= exact_lo - 2e-15
    assert float(hi) >= exact_hi and float(hi) <= exact_hi + 2e-15


@pytest.mark.parametrize("ra,rd,pp,pm", [(3, 4, 0.05, 0.8), (0, 7, 0.1, 0.2), (5, 0, 0.3, 0.9), (10, 30, 0.05, 0.8)])
def test_sparse_regions_match_twin(ra, rd, pp, pm):
    px, py = smoothcert._core.certify.hierarchical_sparse_regions(ra, rd, pp, pm)
    ref = twin._sorted(twin.sparse_regions(ra, rd, pp, pm), False)
    assert len(px) == len(ref)
    for a, b, (ex, ey) in zip(px, py, ref):
        assert abs(a - float(ex)) <= 1e-15 * float(ex) + 1e-300
        assert abs(b - float(ey)) <= 1e-15 * float(ey) + 1e-300
    assert math.isclose(px.sum(), 1.0, rel_tol=1e-14) and math.isclose(py.sum(), 1.0, rel_tol=1e-14)


def test_sparse_decisions_agree_with_twin_on_a_grid():
    rng = np.random.default_rng(3)
    pa = rng.uniform(0.6, 1.0, 30)
    pb = rng.uniform(0.0, 1 - pa)
    for r, ra, rd in [(1, 1, 0), (1, 0, 2), (2, 1, 1), (1, 2, 6)]:
        ours_b = hierarchical_sparse(pa, selection_prob=0.81, p_plus=0.05, p_minus=0.8, entities=r,
                                     additions=ra, deletions=rd)
        ours_m = hierarchical_sparse(pa, pb, selection_prob=0.81, p_plus=0.05, p_minus=0.8, entities=r,
                                     additions=ra, deletions=rd)
        for i in range(len(pa)):
            lo = twin.sparse_rho_lower(pa[i], 0.81, 0.05, 0.8, r, ra, rd)
            hi = twin.sparse_rho_upper(pb[i], 0.81, 0.05, 0.8, r, ra, rd)
            assert ours_b[i] == (lo > 0.5 + 1e-14) or abs(lo - 0.5) < 1e-14
            assert ours_m[i] == (lo > hi + 1e-14) or abs(lo - hi) < 1e-14


def test_sparse_no_change_is_the_clean_prediction():
    pa = np.array([0.4, 0.6, 0.99])
    cert = hierarchical_sparse(pa, selection_prob=0.81, p_plus=0.05, p_minus=0.8, entities=3, additions=0,
                               deletions=0)
    assert cert.tolist() == [False, True, True]


@pytest.mark.parametrize("pa,pb,p", [(0.99, None, 0.81), (0.9, None, 0.95), (0.999, 0.0005, 0.99),
                                     (0.7, 0.25, 0.9), (0.4, None, 0.9)])
def test_ablation_matches_exact_integer(pa, pb, p):
    ours = float(hierarchical_ablation(pa, pb, selection_prob=p))
    r = 0
    ok = []
    while r < 10_000:
        q, d = twin.q_delta(p, r)
        cert = (mp.mpf(pa) - d > 0.5) if pb is None else (mp.mpf(pa) - d > mp.mpf(pb) + d)
        if not cert:
            break
        ok.append(r)
        r += 1
    if not ok:
        assert math.isnan(ours)
    else:
        assert ours == ok[-1]


def test_hierarchical_certificates_imply_ablation():
    # rho_0(t) <= t for the lower level, so q rho_0((p_A - Delta)/q) <= p_A - Delta: whatever the
    # hierarchical certificates certify for r entities, the ablation limit certifies too.
    pa = np.linspace(0.55, 0.9999, 60)
    r_abl = hierarchical_ablation(pa, selection_prob=0.81)
    for r in range(4):
        for ra, rd in [(0, 1), (1, 0), (2, 5)]:
            cert = hierarchical_sparse(pa, selection_prob=0.81, p_plus=0.05, p_minus=0.8, entities=r,
                                       additions=ra, deletions=rd)
            assert (~cert | (r_abl >= r)).all()
        eps = hierarchical_gaussian(pa, selection_prob=0.81, sigma=0.25, entities=r)
        assert (np.isnan(eps) | (r_abl >= r)).all()
