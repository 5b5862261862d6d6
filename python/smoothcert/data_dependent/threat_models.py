"""The two threat models of data-dependent smoothing, and the anisotropic radius.

Everything that depends on the norm lives on one object per norm: the radius proxy the scale
optimisation ascends, the standard noise it draws, the fixed-scale noise an input is certified
with, the radius of the certified ball and the distance the memory compares. The rest of the
package asks :func:`threat_model` for the object and never tests the norm's name.

* l2: Gaussian noise (Cohen et al. 2019; per-element scales, Eiras et al., ANCER, Thm 1).
* l1: uniform noise on [-theta, theta] (Alfarra et al., Sec. 5; ANCER, Thm 2).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

import numpy as np
import torch

from smoothcert.certify.gaussian import gaussian_pa_pb_radius, gaussian_radius
from smoothcert.certify.shapes import box_l1, box_l1_pa_pb
from smoothcert.noises.anisotropic_noise import AnisotropicGaussian, AnisotropicUniform
from smoothcert.noises.base import Noise
from smoothcert.noises.gaussian_noise import Gaussian

__all__ = ["ThreatModel", "L2Gaussian", "L1Uniform", "THREAT_MODELS", "NORMS", "threat_model", "anisotropic_radius"]


class ThreatModel(ABC):
    """One norm of data-dependent smoothing and the noise family that certifies it."""

    #: The norm, as the public functions spell it.
    norm: str
    #: Whether the p_A/p_B (multiclass) radius exists for an isotropic scale of this noise.
    multiclass: bool

    @abstractmethod
    def proxy_gap(self, top: torch.Tensor, prob_clamp: float) -> torch.Tensor:
        """Differentiable radius per unit scale [B] from the two largest mean probabilities ``top`` [B, 2]."""

    @abstractmethod
    def standard_noise(self, normals: torch.Tensor) -> torch.Tensor:
        """Unit-scale noise of this family from standard normals (same shape)."""

    @abstractmethod
    def fixed_scale_noise(self, scale: np.ndarray) -> Noise:
        """The noise one input is certified with: a 0-d ``scale`` is isotropic, else per element."""

    @abstractmethod
    def radius(self, theta_min: np.ndarray, p_a: np.ndarray, p_b: np.ndarray | None) -> np.ndarray:
        """Radius of the ball inside the certified region, rounded down, before abstentions are masked.

        ``p_b`` None is the binary certificate (p_B = 1 - p_A).
        """

    @abstractmethod
    def distances(self, diff: np.ndarray) -> np.ndarray:
        """Norm of every row of ``diff`` [M, d] (float64)."""


class L2Gaussian(ThreatModel):
    """l2 threat model, Gaussian noise: radius ``min theta * 1/2 (Phi^{-1}(p_A) - Phi^{-1}(p_B))``."""

    norm = "l2"
    multiclass = True

    def proxy_gap(self, top: torch.Tensor, prob_clamp: float) -> torch.Tensor:
        # Alfarra et al., Eq. 5. The clamp keeps Phi^{-1} finite when the classifier is certain.
        clamped = top.clamp(prob_clamp, 1.0 - prob_clamp)
        return 0.5 * (torch.special.ndtri(clamped[:, 0]) - torch.special.ndtri(clamped[:, 1]))

    def standard_noise(self, normals: torch.Tensor) -> torch.Tensor:
        return normals

    def fixed_scale_noise(self, scale: np.ndarray) -> Noise:
        return Gaussian(float(scale)) if scale.ndim == 0 else AnisotropicGaussian(scale.reshape(-1))

    def radius(self, theta_min: np.ndarray, p_a: np.ndarray, p_b: np.ndarray | None) -> np.ndarray:
        if p_b is None:
            return gaussian_radius(np.ascontiguousarray(theta_min), np.ascontiguousarray(p_a))
        # The unit-scale p_A/p_B radius, then scaled by min theta and rounded down once more:
        # two roundings down, so the product never exceeds the exact radius.
        unit = gaussian_pa_pb_radius(1.0, np.ascontiguousarray(p_a), np.ascontiguousarray(p_b))
        return np.nextafter(unit * theta_min, -np.inf)

    def distances(self, diff: np.ndarray) -> np.ndarray:
        return np.sqrt(np.einsum("ij,ij->i", diff, diff))


class L1Uniform(ThreatModel):
    """l1 threat model, uniform noise on [-theta, theta]: radius ``min theta * (p_A - p_B)``."""

    norm = "l1"
    multiclass = False

    def proxy_gap(self, top: torch.Tensor, prob_clamp: float) -> torch.Tensor:
        return top[:, 0] - top[:, 1]

    def standard_noise(self, normals: torch.Tensor) -> torch.Tensor:
        # Uniform on (-1, 1) by the probability integral transform (see noises/anisotropic_noise.py).
        return 2.0 * torch.special.ndtr(normals) - 1.0

    def fixed_scale_noise(self, scale: np.ndarray) -> Noise:
        return AnisotropicUniform(float(scale) if scale.ndim == 0 else scale.reshape(-1))

    def radius(self, theta_min: np.ndarray, p_a: np.ndarray, p_b: np.ndarray | None) -> np.ndarray:
        if p_b is None:
            return box_l1(p_a, half_width=theta_min)
        return box_l1_pa_pb(p_a, p_b, half_width=theta_min)

    def distances(self, diff: np.ndarray) -> np.ndarray:
        return np.abs(diff).sum(axis=1)


THREAT_MODELS: dict[str, ThreatModel] = {model.norm: model for model in (L2Gaussian(), L1Uniform())}
#: The norms data-dependent smoothing certifies.
NORMS = tuple(THREAT_MODELS)


def threat_model(norm: str) -> ThreatModel:
    """The threat model of ``norm``; ValueError naming the accepted norms otherwise."""
    if norm not in THREAT_MODELS:
        raise ValueError(f"norm must be one of {NORMS}, got {norm!r}")
    return THREAT_MODELS[norm]


def anisotropic_radius(theta: Any, p_a_lower: Any, p_b_upper: Any = None, *, norm: str = "l2") -> np.ndarray:
    """Radius of the largest l_p ball inside the anisotropic certified region (Eiras et al., Thms 1-2).

    l2 (Gaussian, scales theta): ``min_i theta_i * 1/2 (Phi^{-1}(p_A) - Phi^{-1}(p_B))``, with
    ``p_B = 1 - p_A`` when ``p_b_upper`` is None (then ``min theta * Phi^{-1}(p_A)``).
    l1 (uniform on [-theta, theta]): ``min_i theta_i * (p_A - p_B)``.
    Rounded down; NaN (abstain) where ``p_A <= p_B``.

    Parameters
    ----------
    theta : array [..., d] or [...]
        Scales of each input (the last axis is reduced by ``min``; a 1-d array is one input).
    p_a_lower, p_b_upper : array [...]
        Lower bound on p_A and upper bound on p_B per input.
    norm : {"l2", "l1"}
        Threat model (and so the noise family).
    """
    model = threat_model(norm)
    th = np.asarray(theta, dtype=np.float64)
    if th.size == 0 or not np.all(np.isfinite(th)) or not np.all(th > 0):
        raise ValueError("theta must contain finite values > 0")
    th_min = th.min(axis=-1) if th.ndim >= 1 else th
    p_a = np.asarray(p_a_lower, dtype=np.float64)
    if np.isnan(p_a).any() or (p_a < 0).any() or (p_a > 1).any():
        raise ValueError("p_a_lower must lie in [0, 1]")
    if p_b_upper is None:
        # Only for the abstention mask below: the smallest p_B above 1 - p_A, so p_A = 1/2 abstains.
        p_b = np.nextafter(1.0 - p_a, 2.0)
        p_b = np.where(p_a == 0.5, 0.5, p_b)
    else:
        p_b = np.asarray(p_b_upper, dtype=np.float64)
        if np.isnan(p_b).any() or (p_b < 0).any() or (p_b > 1).any():
            raise ValueError("p_b_upper must lie in [0, 1]")
    th_min, p_a, p_b = np.broadcast_arrays(th_min, p_a, p_b)
    radius = model.radius(th_min, p_a, None if p_b_upper is None else p_b)
    radius = np.asarray(radius, dtype=np.float64).reshape(th_min.shape)
    return np.where(p_a > p_b, np.maximum(radius, 0.0), np.nan)
