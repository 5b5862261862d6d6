"""Isotropic Gaussian noise (Cohen, Rosenfeld & Kolter, ICML 2019)."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np
import torch

from smoothcert._native import core
from smoothcert.noises.base import Noise, check_positive, cuda_stream, has_cuda_kernels, rows_out


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

    def _sample_rows(self, x: torch.Tensor, num: int, *, seed: int, index: int,
                     sample_offset: int, role: int, out: torch.Tensor | None = None) -> torch.Tensor:
        if not x.is_cuda:
            return self._sample_rows_cpu(x, num, seed=seed, index=index, sample_offset=sample_offset,
                                         role=role, out=out)
        if not has_cuda_kernels():
            # No CUDA kernels in this build: same noise from the CPU kernel, then moved.
            return self._sample_rows(x.cpu(), num, seed=seed, index=index,
                                     sample_offset=sample_offset, role=role).to(x.device)
        out = rows_out(out, (x.shape[0], num, *x.shape[1:]), x)
        core.noise.gaussian_sample_cuda(
            x.data_ptr(), out.data_ptr(), x.shape[0], num, x[0].numel(),
            32 if x.dtype == torch.float32 else 64, self.sigma, seed, role, index,
            sample_offset, cuda_stream(x))
        return out

    def _cpu_kernel(self, x: torch.Tensor, seed: int, role: int) -> tuple[Callable[..., None], tuple[Any, ...]]:
        return core.noise.gaussian_sample, (self.sigma, seed, role)

    def _certify(self, p_lower: np.ndarray, norm: str) -> np.ndarray:
        return core.bounds.gaussian_radius(self.sigma, p_lower)
