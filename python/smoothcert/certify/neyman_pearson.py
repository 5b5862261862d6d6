"""Neyman–Pearson certificates from a lower bound on p_A: the radius of one noise distribution."""

from __future__ import annotations

from typing import Any

import numpy as np

from smoothcert.noises.base import Noise

__all__ = ["neyman_pearson"]


def neyman_pearson(noise: Noise, p_lower: Any, norm: str = "l2") -> np.ndarray:
    """Certified radius of ``noise`` for each lower bound on p_A (NaN = abstain where <= 1/2).

    The largest r such that every set of P-probability ``p_lower`` keeps probability > 1/2 under
    the noise shifted by any δ with ‖δ‖ <= r (Neyman–Pearson lemma; Cohen et al. 2019, Theorem 1
    for the Gaussian, Li et al. 2022 for the generalized Gaussian). Rounded down.
    """
    if not isinstance(noise, Noise):
        raise ValueError(f"noise must be a smoothcert Noise, got {type(noise).__name__}")
    return noise.certify(p_lower, norm=norm)
