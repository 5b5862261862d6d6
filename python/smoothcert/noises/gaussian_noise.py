"""Isotropic Gaussian noise (Cohen, Rosenfeld & Kolter, ICML 2019)."""

from __future__ import annotations

from typing import Any, Callable

import torch

from smoothcert._native import core
from smoothcert.certify.gaussian import gaussian_linf_radius, gaussian_radius
from smoothcert.certify.registry import register
from smoothcert.noises.base import Noise, check_positive


class Gaussian(Noise, name="gaussian"):
    """N(0, sigma^2 I). Certified l2 radius sigma * Phi^{-1}(p_A) (Cohen et al., Theorem 1); the same
    radius in l1 and, divided by sqrt(dim), in linf (norm inequalities).

    Parameters
    ----------
    sigma : float
        Standard deviation of every coordinate.
    lambd : float, optional
        The scale λ of Yang et al. (2020) instead of sigma (for the Gaussian, λ = σ).
    dim : int, optional
        Input dimension; needed only by the linf certificate, accepted for a uniform constructor
        across families.
    """

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


register(Gaussian, "l2", gaussian_radius, params=("sigma",), method="closed-form")
register(Gaussian, "l1", gaussian_radius, params=("sigma",), method="norm-inequality")
register(Gaussian, "linf", gaussian_linf_radius, params=("sigma", "dim"), method="norm-inequality")
