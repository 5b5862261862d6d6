"""Per-dimension (anisotropic) Gaussian and uniform noise (Eiras et al., ANCER, TMLR 2022).

Both families draw their standard variates from the fused Gaussian kernel of the compiled core, so
the noise stays a pure function of (seed, role, input index, sample index, element) whatever the
batch size: ``x + theta * z`` with z ~ N(0, I), and ``x + theta * (2 Phi(z) - 1)`` for the uniform
family (the probability integral transform of a double-precision normal is uniform on (-1, 1)).
The scale ``theta`` is a scalar (isotropic) or one value per input element.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from smoothcert.certify.gaussian import gaussian_radius
from smoothcert.certify.registry import register
from smoothcert.certify.shapes import box_l1
from smoothcert.noises.base import Noise
from smoothcert.noises.gaussian_noise import Gaussian

__all__ = ["AnisotropicGaussian", "AnisotropicUniform", "check_theta"]


def check_theta(theta: Any) -> np.ndarray:
    """``theta`` as a float64 array of finite values > 0 (ValueError naming ``theta`` otherwise)."""
    arr = np.asarray(theta, dtype=np.float64)
    if arr.size == 0:
        raise ValueError("theta must not be empty")
    if not (np.all(np.isfinite(arr)) and np.all(arr > 0)):
        raise ValueError("theta must contain finite values > 0")
    return arr


class _PerDimensionScale(Noise):
    """Shared parts: the scale vector, its broadcast against an input, the ball inside the region."""

    def __init__(self, theta: Any, *, dim: int | None = None) -> None:
        arr = check_theta(theta)
        if dim is not None and arr.size not in (1, int(dim)):
            raise ValueError(f"theta must have 1 or dim={dim} entries, got {arr.size}")
        self._theta = arr
        # A plain list keeps describe() JSON-serialisable (Counts and results headers).
        self.theta = float(arr) if arr.ndim == 0 else arr.tolist()
        self.dim = dim

    @property
    def theta_min(self) -> float:
        """Smallest scale: the l_p ball of radius theta_min * gap lies inside the certified region."""
        return float(self._theta.min())

    def _scale_like(self, x: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
        theta = torch.as_tensor(self._theta, dtype=dtype, device=x.device)
        if theta.dim() == 0:
            return theta
        element = x.shape[1:]
        if theta.numel() != int(np.prod(element, dtype=np.int64)):
            raise ValueError(f"theta has {theta.numel()} entries but the inputs have "
                             f"{int(np.prod(element, dtype=np.int64))} elements")
        return theta.reshape(element)

    def _standard_normals(self, x: torch.Tensor, num: int, dtype: torch.dtype, *, seed: int, index: int,
                          sample_offset: int, role: int) -> torch.Tensor:
        zeros = torch.zeros(x.shape, dtype=dtype, device=x.device)
        return Gaussian(1.0)._sample_rows(zeros, num, seed=seed, index=index, sample_offset=sample_offset,
                                          role=role)


class AnisotropicGaussian(_PerDimensionScale, name="anisotropic-gaussian"):
    """N(0, diag(theta)^2). Certified l2 ball radius min_i theta_i * Phi^{-1}(p_A).

    The anisotropic certificate (Eiras et al., Theorem 1) is the ellipsoid
    ``||delta / theta||_2 < Phi^{-1}(p_A)``; the largest l2 ball inside it has radius
    ``min_i theta_i * Phi^{-1}(p_A)``, which is what :meth:`certify` returns (rounded down).

    Parameters
    ----------
    theta : float or array
        Standard deviation, a scalar or one per input element (flattened order).
    dim : int, optional
        Input dimension, checked against ``theta`` when given.
    """

    def _sample_rows(self, x: torch.Tensor, num: int, *, seed: int, index: int,
                     sample_offset: int, role: int, out: torch.Tensor | None = None) -> torch.Tensor:
        z = self._standard_normals(x, num, x.dtype, seed=seed, index=index, sample_offset=sample_offset,
                                   role=role)
        return x.unsqueeze(1) + self._scale_like(x, x.dtype) * z


class AnisotropicUniform(_PerDimensionScale, name="anisotropic-uniform"):
    """Uniform on the box prod_i [-theta_i, theta_i]. Certified l1 radius 2 min_i theta_i (p_A - 1/2).

    Under U[-theta, theta]^d the smoothed probabilities are 1/(2 theta)-Lipschitz in l1 (Yang et al.,
    ICML 2020; Levine & Feizi, 2021), which gives ``2 theta (p_A - 1/2)``; with per-element scales
    the certified region is ``||delta / theta||_1 < 2 (p_A - 1/2)`` (Eiras et al., Theorem 2), whose
    largest l1 ball has radius ``2 min_i theta_i (p_A - 1/2)``.

    Parameters
    ----------
    theta : float or array
        Half-width of the box, a scalar or one per input element (flattened order).
    dim : int, optional
        Input dimension, checked against ``theta`` when given.
    """

    def _sample_rows(self, x: torch.Tensor, num: int, *, seed: int, index: int,
                     sample_offset: int, role: int, out: torch.Tensor | None = None) -> torch.Tensor:
        # Double-precision normals keep 2 Phi(z) - 1 uniform down to ~1e-300 in the tails.
        z = self._standard_normals(x, num, torch.float64, seed=seed, index=index, sample_offset=sample_offset,
                                   role=role)
        u = 2.0 * torch.special.ndtr(z) - 1.0
        noisy = x.unsqueeze(1).to(torch.float64) + self._scale_like(x, torch.float64) * u
        return noisy.to(x.dtype)


register(AnisotropicGaussian, "l2", gaussian_radius, params={"sigma": "theta_min"}, method="closed-form")
register(AnisotropicUniform, "l1", box_l1, params={"half_width": "theta_min"}, method="closed-form")
