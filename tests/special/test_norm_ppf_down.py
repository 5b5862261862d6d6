"""core.special.norm_ppf_down against mpmath at 40 digits: never above Phi^{-1}(p), within 2 ulps."""

from __future__ import annotations

import mpmath as mp
import numpy as np
import pytest

from smoothcert._core import special

mp.mp.dps = 40

# The tail/central switch of norm_ppf is at |p - 1/2| = 1/4; extremes near 0, 1/2 and 1.
P = np.array([1e-300, 1e-30, 1e-16, 0.1, 0.25, np.nextafter(0.25, 1), np.nextafter(0.25, 0), 0.5 - 1e-16,
              np.nextafter(0.5, 0), np.nextafter(0.5, 1), 0.5 + 1e-16, 0.75, np.nextafter(0.75, 0),
              np.nextafter(0.75, 1), 0.9, 1 - 1e-16, np.nextafter(1.0, 0)])
MAX_ULPS = 2  # measured worst case: 2 ulps (the documented margin: round outward, then one more ulp)


def exact(p: float) -> mp.mpf:
    # Root of Phi(x) = p (erfinv(2p - 1) would round 2p - 1 to -1 for tiny p).
    return mp.findroot(lambda x: mp.ncdf(x) - mp.mpf(p), float(special.norm_ppf_down(p)))


@pytest.mark.parametrize("p", P)
def test_never_above_and_within_two_ulps(p):
    d = float(special.norm_ppf_down(p))
    e = exact(p)
    assert mp.mpf(d) <= e
    assert e - mp.mpf(d) <= MAX_ULPS * np.spacing(abs(d)) + mp.mpf("1e-320")
