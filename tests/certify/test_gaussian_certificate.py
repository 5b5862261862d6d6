"""The Gaussian certificate sigma * Phi^{-1}(p) (l2, and l1 / linf by norm inequality), the p_A/p_B
radius and the multiclass Bonferroni bounds, against mpmath at 40 digits."""

from __future__ import annotations

import mpmath as mp
import numpy as np
import pytest

import smoothcert as sc
from smoothcert import _core, bounds
from smoothcert.certify.gaussian import gaussian_linf_radius, gaussian_pa_pb_radius, gaussian_radius

mp.mp.dps = 40


def exact_radius(sigma: float, p: float) -> mp.mpf:
    return mp.mpf(sigma) * mp.sqrt(2) * mp.erfinv(2 * mp.mpf(p) - 1)


def p_grid() -> np.ndarray:
    rng = np.random.default_rng(0)
    near_half = 0.5 + 10 ** rng.uniform(-15, -1, 150)
    near_one = 1 - 10 ** rng.uniform(-15.5, -1, 150)
    middle = rng.uniform(0.5, 1, 150)
    return np.concatenate([near_half, near_one, middle, [np.nextafter(0.5, 1), np.nextafter(1, 0)]])


@pytest.mark.parametrize("sigma", [1e-8, 0.12, 1.0, 3.7e6])
def test_radius_never_above_exact_and_tight(sigma):
    p = p_grid()
    ours = sc.Gaussian(sigma).certify(p)
    for r, pi in zip(ours, p):
        exact = exact_radius(sigma, pi)
        assert mp.mpf(r) <= exact
        # Tight to 1e-12 relative (measured worst: 1.3e-14, for p within 1e-14 of 1/2 where the
        # radius itself is ~1e-14 sigma; elsewhere a few ulps).
        assert exact - mp.mpf(r) <= mp.mpf("1e-12") * exact + mp.mpf("1e-300")


def test_abstain_is_nan_and_radius_zero_is_not_abstain():
    r = sc.Gaussian(1.0).certify([0.2, 0.5, np.nextafter(0.5, 1), 1.0])
    assert np.isnan(r[0]) and np.isnan(r[1])
    assert 0 < r[2] < 1e-15
    assert r[3] > 1e300  # p_A = 1 certifies every radius (only reachable with exact knowledge)


def test_norm_ppf_directed_rounding():
    p = p_grid()
    down = _core.special.norm_ppf_down(p)
    up = _core.special.norm_ppf_up(p)
    for d, u, pi in zip(down, up, p):
        exact = mp.sqrt(2) * mp.erfinv(2 * mp.mpf(pi) - 1)
        assert mp.mpf(d) <= exact <= mp.mpf(u)
        assert u - d <= 4 * np.spacing(abs(d)) + 1e-300


def test_bad_norm():
    with pytest.raises(ValueError, match="norm"):
        sc.Gaussian(1.0).certify([0.9], norm="l3")


def test_norms_come_from_the_declared_certificates():
    assert sc.Gaussian.norms == sc.Gaussian(1.0).norms == ("l2", "l1", "linf")
    assert sc.certify.registry.certificate(sc.Gaussian, "l1").method == "norm-inequality"


def test_l1_is_the_l2_radius_and_linf_divides_by_sqrt_dim():
    # ||d||_2 <= ||d||_1 and ||d||_2 <= sqrt(dim) ||d||_inf.
    p = p_grid()
    noise = sc.Gaussian(0.37, dim=3072)
    l2 = noise.certify(p)
    assert np.array_equal(noise.certify(p, norm="l1"), l2)
    linf = noise.certify(p, norm="linf")
    assert (linf < l2 / np.sqrt(3072) + 1e-300).all() or np.array_equal(linf, np.nextafter(l2 / np.sqrt(3072), -np.inf))
    for r, pi in zip(linf[::7], p[::7]):
        assert mp.mpf(r) <= exact_radius(0.37, pi) / mp.sqrt(3072)
    np.testing.assert_array_equal(linf, gaussian_linf_radius(0.37, p, 3072))


def test_linf_needs_dim():
    with pytest.raises(ValueError, match="dim"):
        sc.Gaussian(1.0).certify([0.9], norm="linf")


def test_gaussian_radius_broadcasts_sigma_and_abstains_at_half():
    r = gaussian_radius(np.array([[0.5], [2.0]]), np.array([0.3, 0.5, 0.9]))
    assert r.shape == (2, 3)
    assert np.isnan(r[:, :2]).all()
    np.testing.assert_array_equal(r[:, 2], [gaussian_radius(0.5, 0.9), gaussian_radius(2.0, 0.9)])
    np.testing.assert_array_equal(sc.Gaussian(2.0).certify([0.9]), gaussian_radius(2.0, [0.9]))


def test_pa_pb_radius_never_above_exact_and_nan_where_not_separated():
    rng = np.random.default_rng(3)
    p_a = rng.uniform(0.3, 1 - 1e-12, 200)
    p_b = np.minimum(rng.uniform(0, 0.7, 200), 1 - p_a)
    r = gaussian_pa_pb_radius(0.8, p_a, p_b)
    assert np.array_equal(np.isnan(r), p_a <= p_b)
    for ri, a, b in zip(r, p_a, p_b):
        if a > b:
            exact = mp.mpf(0.4) * mp.sqrt(2) * (mp.erfinv(2 * mp.mpf(a) - 1) - mp.erfinv(2 * mp.mpf(b) - 1))
            assert mp.mpf(ri) <= exact
            assert exact - mp.mpf(ri) <= mp.mpf("1e-12") * exact + mp.mpf("1e-15")


def test_multiclass_bounds_split_alpha_between_p_a_and_the_other_classes():
    counts = np.array([[700, 200, 100], [10, 980, 10], [500, 499, 1]])
    c_a = np.array([0, 1, 0])
    n, alpha = 1000, 1e-3
    p_a, p_b = bounds.multiclass_bounds(counts, c_a, n, alpha)
    np.testing.assert_array_equal(p_a, bounds.clopper_pearson_lower(counts[np.arange(3), c_a], n, alpha / 2))
    runner = np.array([200, 10, 499])
    upper = bounds.clopper_pearson_upper(runner, n, alpha / 4)
    np.testing.assert_array_equal(p_b, np.minimum(upper, np.nextafter(1 - p_a, 2)))
    assert (p_b >= runner / n).all() and (p_a <= counts[np.arange(3), c_a] / n).all()


@pytest.mark.parametrize("bad", [dict(c_a=np.array([0, 3, 0])), dict(counts=np.ones((3, 1), int))])
def test_multiclass_bounds_reject_bad_shapes(bad):
    args = dict(counts=np.ones((3, 3), int), c_a=np.array([0, 1, 2]))
    args.update(bad)
    with pytest.raises(ValueError):
        bounds.multiclass_bounds(args["counts"], args["c_a"][: len(args["counts"])], 3, 0.01)
