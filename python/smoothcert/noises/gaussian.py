"""Isotropic Gaussian noise (Cohen, Rosenfeld & Kolter, ICML 2019)."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np
import torch

from smoothcert._native import core
from smoothcert.noises.base import Noise, check_positive


class Gaussian(Noise, name="gaussian"):
    """N(0, sigma^2 I). Certified l2 radius sigma * Phi^{-1}(p_A) (Cohen et al., Theorem 1).

    Parameters
    ----------
    sigma : float
        Standard deviation of every coordinate.
    lambd : float, optional
        The scale λ of Yang et al. (2020) instead of sigma (for the Gaussian, λ = σ).
    dim : int, optional
        Input dimension; not needed for sampling or the l2 certificate, accepted for a uniform
        constructor across families.
    """

    norms = ("l2",)

    def __init__(self, sigma: float | None = None, *, lambd: float | None = None,
                 dim: int | None = None) -> None:
        if (sigma is None) == (lambd is None):
            raise ValueError("Gaussian: give exactly one of sigma= and lambd=")
        self.sigma = check_positive("sigma", sigma) if sigma is not None else check_positive("lambd", lambd)
        self.dim = dim

    def _cpu_kernel(self, x: torch.Tensor, seed: int, role: int) -> tuple[Callable[..., None], tuple[Any, ...]]:
        return core.noise.gaussian_sample, (self.sigma, seed, role)

    def _cuda_kernel(self, x: torch.Tensor, seed: int, role: int) -> tuple[Callable[..., None], tuple[Any, ...]]:
        return core.noise.gaussian_sample_cuda, (self.sigma, seed, role)

    def _certify(self, p_lower: np.ndarray, norm: str) -> np.ndarray:
        return core.certify.gaussian_radius(self.sigma, p_lower)
