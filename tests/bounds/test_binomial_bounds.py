"""Clopper-Pearson bounds and the binomial test against mpmath (40 digits) and scipy."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import scipy.stats as st
from hypothesis import given, settings
from hypothesis import strategies as hs

from smoothcert import bounds

DATA = Path(__file__).parents[1] / "data" / "clopper_pearson_mpmath.npz"


@pytest.fixture(scope="module")
def mpmath_reference():
    with np.load(DATA) as d:
        return {k: d[k] for k in d.files}


def test_lower_never_above_mpmath_and_tight(mpmath_reference):
    ref = mpmath_reference
    ours = bounds.clopper_pearson_lower(ref["k"], ref["n"], ref["alpha"])
    exact = ref["lower_floor"]  # exact bound rounded down: ours <= it proves ours <= exact
    assert np.all(ours <= exact)
    # Tight: the 1e-9 relative margin on alpha moves the root by far less than 1e-8 relative.
    assert np.all(exact - ours <= 1e-8 * exact + 1e-300)
    assert len(ref["k"]) > 200 and (ref["n"] == 10**7).sum() >= 10 and (ref["alpha"] == 1e-10).any()


def test_upper_never_below_mpmath_and_tight(mpmath_reference):
    ref = mpmath_reference
    ours = bounds.clopper_pearson_upper(ref["k"], ref["n"], ref["alpha"])
    exact = ref["upper_ceil"]
    assert np.all(ours >= exact)
    assert np.all(ours - exact <= 1e-8 * (1 - exact) + 4 * np.finfo(float).eps)


def test_against_scipy_over_thousands_of_cases():
    rng = np.random.default_rng(7)
    n = np.concatenate([rng.integers(1, 50, 1500), rng.integers(50, 200_000, 1500), np.full(100, 10**7)])
    k = rng.integers(0, n + 1)
    k[:50] = 0
    k[50:100] = n[50:100]
    alpha = 10 ** rng.uniform(-10, -0.3, n.size)
    ours_lo = bounds.clopper_pearson_lower(k, n, alpha)
    ours_hi = bounds.clopper_pearson_upper(k, n, alpha)
    with np.errstate(all="ignore"):
        ref_lo = np.where(k == 0, 0.0, st.beta.ppf(alpha, np.maximum(k, 1), n - k + 1))
        ref_hi = np.where(k == n, 1.0, st.beta.ppf(1 - alpha, k + 1, np.maximum(n - k, 1)))
    # scipy (boost ibeta_inv) is accurate to a few ulps in double, relative.
    assert np.allclose(ours_lo, ref_lo, rtol=1e-8, atol=1e-300)
    assert np.allclose(ours_hi, ref_hi, rtol=1e-8, atol=1e-15)
    assert np.all((0 <= ours_lo) & (ours_lo <= k / n) & (k / n <= ours_hi) & (ours_hi <= 1))


def test_closed_forms_at_the_ends():
    # k = n: P[X >= n] = L^n = alpha  =>  L = alpha^(1/n); k = 0: upper = 1 - alpha^(1/n).
    for n in (1, 2, 10, 1000, 10**7):
        for alpha in (0.1, 1e-3, 1e-10):
            exact = alpha ** (1.0 / n)
            lo = float(bounds.clopper_pearson_lower(n, n, alpha))
            assert lo <= exact * (1 + 4e-16) and lo >= exact * (1 - 1e-8)
            hi = float(bounds.clopper_pearson_upper(0, n, alpha))
            assert hi >= -np.expm1(np.log(alpha) / n) * (1 - 4e-16)
    assert bounds.clopper_pearson_lower(0, 5, 0.01) == 0.0
    assert bounds.clopper_pearson_upper(5, 5, 0.01) == 1.0


@settings(max_examples=200, deadline=None)
@given(n=hs.integers(1, 10**6), frac=hs.floats(0, 1), alpha=hs.floats(1e-12, 0.5))
def test_monotone_and_ordered(n, frac, alpha):
    k = int(round(frac * n))
    lo = float(bounds.clopper_pearson_lower(k, n, alpha))
    hi = float(bounds.clopper_pearson_upper(k, n, alpha))
    assert 0 <= lo <= k / n <= hi <= 1
    if k < n:
        assert float(bounds.clopper_pearson_lower(k + 1, n, alpha)) >= lo
    # A smaller alpha (more confidence) gives a wider interval.
    assert float(bounds.clopper_pearson_lower(k, n, alpha / 10)) <= lo
    assert float(bounds.clopper_pearson_upper(k, n, alpha / 10)) >= hi


def test_binomial_test_matches_scipy_binomtest():
    rng = np.random.default_rng(3)
    cases = [(k, n, p) for n in (1, 2, 7, 30, 101, 1000) for k in range(0, n + 1, max(1, n // 13))
             for p in (0.5, 0.1, 0.73)]
    cases += [(int(rng.integers(0, 10**5)), 10**5, float(rng.uniform(0.01, 0.99))) for _ in range(100)]
    k, n, p = (np.array(c) for c in zip(*cases))
    ours = bounds.binomial_test(k, n, p)
    ref = np.array([st.binomtest(int(a), int(b), float(c)).pvalue for a, b, c in cases])
    assert np.allclose(ours, ref, rtol=1e-9, atol=1e-300)


@pytest.mark.parametrize("fn", [bounds.clopper_pearson_lower, bounds.clopper_pearson_upper])
def test_bad_input(fn):
    with pytest.raises(ValueError, match="alpha"):
        fn(3, 10, 0.0)
    with pytest.raises(ValueError, match="alpha"):
        fn(3, 10, 1.0)
    with pytest.raises(ValueError, match="k"):
        fn(11, 10, 0.01)
    with pytest.raises(ValueError, match="k"):
        fn(-1, 10, 0.01)
    with pytest.raises(ValueError, match="k"):
        fn(2.5, 10, 0.01)
    with pytest.raises(ValueError, match="n"):
        fn(0, 0, 0.01)
    with pytest.raises(ValueError, match="k must be finite"):
        fn(np.nan, 10, 0.01)
    with pytest.raises(ValueError, match="p"):
        bounds.binomial_test(3, 10, 1.5)


def test_cohen_select_lower_is_argmax_then_clopper_pearson():
    from smoothcert._native import core

    rng = np.random.default_rng(5)
    n = 500
    selection = rng.integers(0, 4, size=(300, 6))  # many ties: the lowest index must win
    estimate = rng.integers(0, n + 1, size=(300, 6))
    c_a, p_a = core.bounds.cohen_select_lower(selection, estimate, n, 0.01)
    want = selection.argmax(axis=1)
    assert np.array_equal(c_a, want)
    assert np.array_equal(p_a, bounds.clopper_pearson_lower(estimate[np.arange(300), want], n, 0.01))
    for bad in ((selection[:, :5], estimate), (selection, estimate + n), (-selection - 1, estimate)):
        with pytest.raises(ValueError, match="count"):
            core.bounds.cohen_select_lower(*bad, n, 0.01)
    with pytest.raises(ValueError, match="alpha"):
        core.bounds.cohen_select_lower(selection, estimate, n, 1.0)
