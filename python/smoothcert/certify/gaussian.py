"""The Gaussian certificate (Cohen, Rosenfeld & Kolter, ICML 2019, Theorem 1), written once.

Every caller that certifies Gaussian noise (``Gaussian``, the anisotropic noises,
``SmoothedClassifier(multiclass=True)``, data-dependent smoothing, Exp2 with k = 2, j = 0) uses
these functions.

Return conventions: radii are rounded down (never above the exact value); ``NaN`` means "not
certified / abstain" and is distinct from a certified radius of 0.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from smoothcert._native import core
from smoothcert.certify.rounding import round_down_positive

__all__ = ["gaussian_radius", "gaussian_linf_radius", "gaussian_pa_pb_radius"]


def gaussian_radius(sigma: Any, p_a_lower: Any) -> np.ndarray:
    """Binary certificate: the l2 radius sigma * Phi^{-1}(p_A), rounded down.

    Parameters
    ----------
    sigma : float or array_like
        Noise standard deviation(s) (> 0), broadcast against ``p_a_lower``.
    p_a_lower : array_like
        Lower confidence bound(s) on the top-class probability, in [0, 1].

    Returns
    -------
    numpy.ndarray
        float64 radii of the broadcast shape; NaN where p_a_lower <= 1/2.
    """
    p = np.asarray(p_a_lower, dtype=np.float64)
    s = np.asarray(sigma, dtype=np.float64)
    radius = np.asarray(core.certify.gaussian_radius(np.ascontiguousarray(s), np.ascontiguousarray(p)),
                        dtype=np.float64).reshape(np.broadcast_shapes(s.shape, p.shape))
    return np.where(p > 0.5, radius, np.nan)


def gaussian_linf_radius(sigma: Any, p_a_lower: Any, dim: int) -> np.ndarray:
    """linf radius sigma * Phi^{-1}(p_A) / sqrt(dim), from ||delta||_2 <= sqrt(d) ||delta||_inf; rounded down.

    (The l1 radius is :func:`gaussian_radius` itself, as ||delta||_2 <= ||delta||_1.)
    """
    return round_down_positive(gaussian_radius(sigma, p_a_lower) / math.sqrt(dim))


def gaussian_pa_pb_radius(sigma: Any, p_a_lower: Any, p_b_upper: Any) -> np.ndarray:
    """Multiclass certificate: the l2 radius sigma/2 (Phi^{-1}(p_A) - Phi^{-1}(p_B)), rounded down.

    Cohen et al., Theorem 1 with both bounds: p_A is bounded below and p_B, the largest other class
    probability, above (see :func:`smoothcert.bounds.multiclass_bounds`). Phi^{-1}(p_A) is rounded
    down and Phi^{-1}(p_B) up, and the product one step toward -inf.

    Parameters
    ----------
    sigma : float or array_like
        Noise standard deviation(s) (> 0), broadcast against the bounds.
    p_a_lower, p_b_upper : array_like
        Lower bound on p_A and upper bound on p_B, in [0, 1].

    Returns
    -------
    numpy.ndarray
        float64 radii of the broadcast shape; NaN where p_a_lower <= p_b_upper.
    """
    p_a = np.asarray(p_a_lower, dtype=np.float64)
    p_b = np.asarray(p_b_upper, dtype=np.float64)
    gap = (np.reshape(core.special.norm_ppf_down(np.ascontiguousarray(p_a)), p_a.shape)
           - np.reshape(core.special.norm_ppf_up(np.ascontiguousarray(p_b)), p_b.shape))
    radius = np.nextafter(0.5 * np.asarray(sigma, dtype=np.float64) * gap, -np.inf)
    return np.where(p_a > p_b, radius, np.nan)
