"""core.special.cosine_cdf: P[cos θ <= t] for a uniform direction, against mpmath's incomplete beta.

(1 + t)/2 ~ Beta(α, α), α = (d - 1)/2; the table (quintic Hermite) takes over from the direct
incomplete beta at α = 30 (d = 61), so dimensions on both sides of the switch are tested.
"""

from __future__ import annotations

import mpmath as mp
import numpy as np
import pytest

from smoothcert._core import special

mp.mp.dps = 30

# Absolute error; measured worst case 5.6e-17 direct (d <= 60), 3.7e-16 tabulated (d >= 61; the
# table's stated interpolation error is < 1e-15).
ABS_TOL = {3: 1e-15, 60: 1e-15, 61: 5e-14, 62: 5e-14, 784: 5e-14, 3072: 5e-14}


@pytest.mark.parametrize("d", list(ABS_TOL))
def test_against_incomplete_beta(d):
    a = mp.mpf(d - 1) / 2
    t = np.concatenate([np.linspace(-0.999, 0.999, 41), [-1.0, 1.0, 0.0, 1e-3, -1e-3]])
    t = np.concatenate([t, 5 / np.sqrt(d) * np.linspace(-1, 1, 21)])
    t = t[(t >= -1) & (t <= 1)]
    ours = special.cosine_cdf(d, t)
    for ti, oi in zip(t, ours):
        ref = mp.betainc(a, a, 0, (1 + mp.mpf(ti)) / 2, regularized=True)
        assert abs(mp.mpf(oi) - ref) <= ABS_TOL[d], (d, ti)
