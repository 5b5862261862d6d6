"""core.special.norm_cdf_down against mpmath at 40 digits: never above Phi(x), within 2 ulps."""

from __future__ import annotations

import mpmath as mp
import numpy as np
import pytest

from smoothcert._core import special

mp.mp.dps = 40

X = np.array([-37.0, -20.0, -8.0, -1.0, -1e-10, 0.0, 1e-10, 0.5, 1.0, 3.0, 8.0])
MAX_ULPS = 2  # measured worst case: 2 ulps


@pytest.mark.parametrize("x", X)
def test_never_above_and_within_two_ulps(x):
    d = float(special.norm_cdf_down(x))
    e = mp.ncdf(mp.mpf(x))
    assert mp.mpf(d) <= e
    assert e - mp.mpf(d) <= MAX_ULPS * np.spacing(abs(d)) + mp.mpf("1e-320")
