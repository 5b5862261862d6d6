"""Generalized Gaussian noise and its thresholded variant (Li et al., "Double Sampling Randomized
Smoothing", ICML 2022).

In ``dim`` = d dimensions the density is ∝ ‖x‖^(−2k) exp(−‖x‖²/(2σ'²)) with σ' = σ sqrt(d/(d − 2k)),
so every coordinate has variance σ² and ‖x‖²/(2σ'²) ~ Gamma(d/2 − k); k = 0 is the Gaussian. The
sampler draws a uniform direction times that radius in one fused kernel. The thresholded variant
is the same distribution restricted to the ball ‖x‖ <= T, T the Gamma(d/2 − k) quantile at the
percentile ``beta``: DSRS's second distribution Q.
"""

from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np
import torch

from smoothcert._native import core
from smoothcert.certify.generalized_gaussian import generalized_gaussian_radius
from smoothcert.certify.registry import register
from smoothcert.noises.base import Noise, check_positive

__all__ = ["GeneralizedGaussian", "ThresholdedGeneralizedGaussian"]


def _check_shape(k: float, dim: int) -> tuple[float, int]:
    if isinstance(dim, bool) or not isinstance(dim, (int, np.integer)) or dim < 2:
        raise ValueError(f"dim must be an integer >= 2, got {dim!r}")
    k = float(k)
    if not (math.isfinite(k) and 0 <= k < dim / 2):
        raise ValueError(f"k must satisfy 0 <= k < dim/2 = {dim / 2}, got {k!r}")
    return k, int(dim)


class GeneralizedGaussian(Noise, name="general-gaussian"):
    """Generalized Gaussian noise; certified l2 radius by the Neyman–Pearson lemma.

    Parameters
    ----------
    sigma : float
        Per-coordinate standard deviation (> 0).
    k : float
        Shape: density ∝ ‖x‖^(−2k) exp(−‖x‖²/(2σ'²)), 0 <= k < dim/2. The paper's defaults are
        380 (d = 784), 1530 (d = 3072) and 75260 (d = 150528).
    dim : int
        Input dimension d (number of elements of one input).

    Notes
    -----
    ``certify`` is :func:`smoothcert.certify.generalized_gaussian.generalized_gaussian_radius`.
    """

    def __init__(self, sigma: float, k: float, dim: int) -> None:
        self.sigma = check_positive("sigma", sigma)
        self.k, self.dim = _check_shape(k, dim)

    @property
    def shape(self) -> float:
        """Gamma shape d/2 − k of ‖x‖²/(2σ'²)."""
        return self.dim / 2 - self.k

    @property
    def sigma_prime(self) -> float:
        """σ' = σ sqrt(d/(d − 2k))."""
        return self.sigma * math.sqrt(self.dim / (self.dim - 2 * self.k))

    def _radial_args(self) -> tuple[Any, ...]:
        """The radial shell's law: ‖x‖ = sqrt(2) σ' sqrt(G), G ~ Gamma(d/2 − k), direction uniform (l2)."""
        return (core.noise.Direction.l2, core.noise.RadiusLaw.gamma, self.shape, 0.0, 0.5,
                math.sqrt(2.0) * self.sigma_prime)

    def _check_rows(self, x: torch.Tensor) -> None:
        if x[0].numel() != self.dim:
            raise ValueError(f"inputs have {x[0].numel()} elements but the noise was built for dim={self.dim}")

    def _cpu_kernel(self, x: torch.Tensor, seed: int, role: int) -> tuple[Callable[..., None], tuple[Any, ...]]:
        self._check_rows(x)
        return core.noise.radial_sample, (*self._radial_args(), seed, role)

    def _cuda_kernel(self, x: torch.Tensor, seed: int, role: int) -> tuple[Callable[..., None], tuple[Any, ...]]:
        self._check_rows(x)
        return core.noise.radial_sample_cuda, (*self._radial_args(), seed, role)


class ThresholdedGeneralizedGaussian(GeneralizedGaussian, name="general-gaussian-th"):
    """A generalized Gaussian restricted to ‖x‖ <= T, ``beta`` = P[Gamma(d/2 − k) <= T²/(2σ'²)].

    DSRS's second distribution Q (``smoothcert.certify.dsrs``); it does not certify on its own.

    Parameters
    ----------
    sigma, k, dim : as for :class:`GeneralizedGaussian`.
    beta : float
        Percentile of the Gamma(d/2 − k) radius kept, in (0, 1).
    """

    certified_by = "smoothcert.certify.dsrs(P, Q, p_low, p_high, q_low, q_high) as DSRS's second distribution Q"

    def __init__(self, sigma: float, k: float, dim: int, beta: float) -> None:
        super().__init__(sigma=sigma, k=k, dim=dim)
        beta = float(beta)
        if not (0 < beta < 1):
            raise ValueError(f"beta must lie in (0, 1), got {beta!r}")
        self.beta = beta

    @property
    def g_max(self) -> float:
        """The Gamma(d/2 − k) quantile at beta: the threshold on ‖x‖²/(2σ'²)."""
        return core.special.gamma_p_inv(self.shape, self.beta)

    @property
    def threshold(self) -> float:
        """T, the radius of the ball."""
        return self.sigma_prime * math.sqrt(2 * self.g_max)

    def _radial_args(self) -> tuple[Any, ...]:
        """As the generalized Gaussian, with G conditioned on G <= g_max (rejection)."""
        return (core.noise.Direction.l2, core.noise.RadiusLaw.truncated_gamma, self.shape, self.g_max, 0.5,
                math.sqrt(2.0) * self.sigma_prime)


register(GeneralizedGaussian, "l2", generalized_gaussian_radius, params=("sigma", "k", "dim"),
         method="neyman-pearson")
