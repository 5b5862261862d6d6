"""core.special.ell_inverse: the W > 0 with W + k ln W = -h, against mpmath's Lambert W at 40 digits."""

from __future__ import annotations

import mpmath as mp
import pytest

from smoothcert._core import special

mp.mp.dps = 40

REL_TOL = 1e-15  # measured worst case: 1.0e-16 relative (a double rounding of the long-double root)


@pytest.mark.parametrize("k", [0.5, 1.0, 10.0, 1530.0])
@pytest.mark.parametrize("h", [-1e4, -100.0, -1.0, 0.0, 1.0, 50.0])
def test_solves_the_equation(k, h):
    w = special.ell_inverse(k, h)
    # W = k * LambertW(e^{-h/k} / k)
    ref = mp.mpf(k) * mp.lambertw(mp.exp(-mp.mpf(h) / k) / k)
    assert abs(mp.mpf(w) - ref) <= REL_TOL * ref


def test_k_zero_is_minus_h():
    assert special.ell_inverse(0.0, -3.5) == 3.5
