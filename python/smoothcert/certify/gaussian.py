"""The Gaussian certificate (Cohen, Rosenfeld & Kolter, ICML 2019, Theorem 1), written once.

Every caller that certifies Gaussian noise (``Gaussian``, the anisotropic noises,
``SmoothedClassifier(multiclass=True)``, data-dependent smoothing, hierarchical baselines) uses these
two functions.

Return conventions: radii are rounded down (never above the exact value); ``NaN`` means "not
certified / abstain" and is distinct from a certified radius of 0.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from smoothcert._native import core

__all__ = ["gaussian_radius", "gaussian_pa_pb_radius"]


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
    radius = np.asarray(core.bounds.gaussian_radius(np.ascontiguousarray(s), np.ascontiguousarray(p)),
                        dtype=np.float64)
    return np.where(p > 0.5, radius, np.nan)


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
    p_a = np.ascontiguousarray(p_a_lower, dtype=np.float64)
    p_b = np.ascontiguousarray(p_b_upper, dtype=np.float64)
    gap = core.bounds.norm_ppf_down(p_a) - core.bounds.norm_ppf_up(p_b)
    radius = np.nextafter(0.5 * np.asarray(sigma, dtype=np.float64) * gap, -np.inf)
    return np.where(p_a > p_b, radius, np.nan)
