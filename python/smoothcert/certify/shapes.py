r"""Certified radii of the noise families of "Randomized Smoothing of All Shapes and Sizes".

Yang, Duan, Hu, Salman, Razenshteyn & Li, ICML 2020. Every radius here is **at scale lambda = 1**:
a noise with scale lambda certifies ``lambda * radius``, rounded down (the ``scale`` of its
declaration in :mod:`smoothcert.certify.registry`). ``lambda`` is the scale parameter in
the density, and sigma (the per-coordinate root mean square, sqrt(E||delta||_2^2 / d)) follows:

==============  ========================================================  ============================================
noise           density at scale lambda                                   sigma / lambda
==============  ========================================================  ============================================
gaussian        exp(-||x||_2^2 / (2 lambda^2))                            1
uniform         uniform on [-lambda, lambda]^d                            1 / sqrt(3)
laplace         exp(-||x||_1 / lambda)                                    sqrt(2)
pareto (a)      prod_i (1 + |x_i| / lambda)^{-(a+1)}                      sqrt(2 / ((a-1)(a-2)))        (a > 2)
uniform-ball    uniform on the l2 ball of radius lambda                   1 / sqrt(d + 2)
exp-inf (k, j)  ||x||_inf^{-j} exp(-||x / lambda||_inf^k)                 sqrt((d+2)/(3d) G((d+2-j)/k) / G((d-j)/k))
pow-inf (a)     (1 + ||x / lambda||_inf)^{-a}                             sqrt((d+2)/3 (d+1) / ((a-d-1)(a-d-2)))
exp2 (k, j)     ||x||_2^{-j} exp(-||x / lambda||_2^k)                     sqrt(G((d+2-j)/k) / (d G((d-j)/k)))
pow2 (k, a)     (1 + ||x / lambda||_2^k)^{-a}                             sqrt(B((d+2)/k, a-(d+2)/k) / (d B(d/k, a-d/k)))
exp1 (k)        exp(-||x / lambda||_1^k)                                  sqrt(2 G((d+2)/k) / (d (d+1) G(d/k)))
expp (p)        exp(-sum_i |x_i / lambda|^p)                              sqrt(G(3/p) / G(1/p))
==============  ========================================================  ============================================

(G is the Gamma function, B the Beta function; the exp-inf and pow-inf rows use E x_i^2 =
E||x||_inf^2 (d + 2) / (3 d) for a point uniform on the surface of the cube.)

How each radius is obtained (the ``method`` declared with it):

- ``closed-form``: (the Gaussian's own radii, l2 and by norm inequality l1 and linf, are in
  :mod:`smoothcert.certify.gaussian`); Laplace l1 log(1/(2(1-p))); uniform l1 2p-1 and linf
  2(1-(3/2-p)^{1/d}) (the overlap of the cube with its shift must exceed 3/2 - p); uniform l2
  sqrt(d) times the linf radius: the overlap prod_i (1 - |delta_i|/2) is, for ||delta||_2 < 1, a
  sum of functions of delta_i^2 that are convex on [0, 1/4], so by Jensen its minimum on the l2
  sphere is at |delta_i| = ||delta||_2 / sqrt(d) and the l2 condition is the linf one rescaled;
  uniform-ball l2 2 sqrt(I^{-1}_{1/2,(d+1)/2}(p-1/2)) (overlap of two balls); Exp2 k = 1, j = 0
  (d-1) atanh(sqrt(I^{-1}_{1/2,(d-1)/2}(2p-1))) (the differential method in closed form: a lower
  bound on the exact level-set radius, below it by < 1e-7 relative at d = 3072); Exp2 k = 2, j = 0
  Phi^{-1}(p)/sqrt(2) (a Gaussian of variance 1/2); Expp l1 (P^{-1}_{1/p}(2p_A-1))^{1/p}; Pareto l1 (1/a) int_0^{2p-1} dy/(1-y^{1+1/a}).
  Uniform-ball and Pareto are served from second-order Taylor tables built once per dim / a (their
  third derivatives are >= 0, so each Taylor polynomial is a lower bound; measured < 1e-7 relative
  below the exact radius), with nodes on a binary grid that the compiled query indexes from the
  bits of p (a few ns per value, no search); the uniform-ball radius at p = 1 is twice the median
  of |X_1|.
- ``differential``: R(rho) = int_{1-rho}^{1/2} dp / Phi(p) (Sec. 4.2 of the paper) with Phi the
  Neyman-Pearson growth function in the worst direction: Laplace linf (exact sum over binomial
  atoms: the proven bound, not the lambda Phi^{-1}(p)/sqrt(d) approximation), ExpInf linf and Exp1
  l1 (j = 0, k >= 1), PowInf linf, ExpInf / PowInf l1 (constant Phi up to p = 1/(2d), exact tail
  above).
- ``neyman-pearson``: Exp2 k = 2, j > 0 is the generalized Gaussian with k' = j/2 and
  sigma' = lambda/sqrt(2) (Li et al., 2022): its radius comes from that law's Neyman-Pearson engine
  (:func:`smoothcert.certify.generalized_gaussian.generalized_gaussian_radius`).
- ``level-set``: Exp2 (other k, j) and Pow2 l2 (Sec. 4.1), read conservatively from a table of
  exact (rho(e), e) pairs: never above the exact radius, at most one grid step (relative 1e-2 by
  default) below it. :mod:`smoothcert.tables` builds the tables and declares these certificates,
  handing its lookup to :func:`exp2_l2`.
- ``norm-inequality``: Laplace l2 max(R_1/sqrt(d), R_inf) from ||.||_1 <= sqrt(d)||.||_2 and
  ||.||_inf <= ||.||_2.

All radii are rounded down (never above the exact radius). Values at ``p_a_lower <= 1/2`` are
NaN or meaningless: callers abstain there.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from smoothcert._native import core
from smoothcert.certify.gaussian import gaussian_radius
from smoothcert.certify.rounding import round_down_positive
from smoothcert.certify.generalized_gaussian import generalized_gaussian_radius

__all__ = [
    "laplace_l1", "laplace_linf", "laplace_l2", "uniform_l1", "uniform_linf", "uniform_l2", "box_l1", "box_l1_pa_pb",
    "pareto_l1", "uniform_ball_l2", "expp_l1", "expinf_linf", "expinf_l1", "exp1_l1", "powinf_linf",
    "powinf_l1", "exp2_l2", "check_k_ge1", "check_expinf", "check_expinf_linf", "check_powinf",
    "check_pareto", "check_expp", "check_exp2", "check_pow2",
]

LevelSetLookup = Callable[..., np.ndarray]


# ---------------------------------------------------------------------------- parameter checks
def _require(cond: bool, message: str) -> None:
    if not cond:
        raise ValueError(message)


def check_k_ge1(*, dim: int, k: float) -> None:
    _require(k >= 1, f"k must be >= 1 for this certificate, got {k}")


def check_expinf(*, dim: int, k: float, j: float) -> None:
    _require(k > 0, f"k must be > 0, got {k}")
    _require(0 <= j < dim - 1, f"j must satisfy 0 <= j < dim - 1, got j={j}, dim={dim}")


def check_expinf_linf(*, dim: int, k: float, j: float) -> None:
    _require(j == 0, f"the ExpInf linf certificate needs j = 0, got j={j}")
    _require(k >= 1, f"k must be >= 1 for the ExpInf linf certificate, got {k}")


def check_powinf(*, dim: int, a: float) -> None:
    _require(a > dim, f"a must be > dim, got a={a}, dim={dim}")


def check_pareto(*, a: float) -> None:
    _require(a > 0, f"a must be > 0, got {a}")


def check_expp(*, p: float) -> None:
    _require(p >= 1, f"p must be >= 1 for the Expp l1 certificate, got {p}")


def check_exp2(*, dim: int, k: float, j: float) -> None:
    _require(dim >= 2, f"dim must be >= 2, got {dim}")
    _require(k > 0, f"k must be > 0, got {k}")
    _require(0 <= j < dim, f"j must satisfy 0 <= j < dim, got {j}")


def check_pow2(*, dim: int, k: float, a: float) -> None:
    _require(dim >= 2, f"dim must be >= 2, got {dim}")
    _require(k > 0, f"k must be > 0, got {k}")
    _require(a > dim / k, f"a must be > dim / k, got a={a}")


# ---------------------------------------------------------------------------- closed forms
def laplace_l1(p_a_lower: np.ndarray) -> np.ndarray:
    """log(1 / (2 (1 - p)))."""
    return core.certify.laplace_l1(p_a_lower)


def laplace_linf(p_a_lower: np.ndarray, *, dim: int) -> np.ndarray:
    """Differential method over the binomial atoms of the worst linf direction."""
    return core.certify.laplace_linf(p_a_lower, dim)


def laplace_l2(p_a_lower: np.ndarray, *, dim: int) -> np.ndarray:
    """max(R_1 / sqrt(d), R_inf), from ||.||_1 <= sqrt(d) ||.||_2 and ||.||_inf <= ||.||_2."""
    return np.maximum(round_down_positive(laplace_l1(p_a_lower) / math.sqrt(dim)), laplace_linf(p_a_lower, dim=dim))


def uniform_l1(p_a_lower: np.ndarray) -> np.ndarray:
    """2p - 1."""
    return core.certify.uniform_l1(p_a_lower)


def uniform_linf(p_a_lower: np.ndarray, *, dim: int) -> np.ndarray:
    """2 (1 - (3/2 - p)^(1/d))."""
    return core.certify.uniform_linf(p_a_lower, dim)


def uniform_l2(p_a_lower: np.ndarray, *, dim: int) -> np.ndarray:
    """sqrt(d) times the linf radius (see the module docstring)."""
    return core.certify.uniform_l2(p_a_lower, dim)


def box_l1(p_a_lower: np.ndarray, *, half_width: float) -> np.ndarray:
    """l1 radius ``half_width (2p - 1)`` of uniform noise on a box whose smallest half-width is
    ``half_width``, at that scale (Levine & Feizi 2021, Thm. 2; Eiras et al. 2022, Thm. 2).

    2p - 1 is exact in float64 for p in [1/4, 1] (Sterbenz); the one rounding left in the product is
    undone by one step down, so the radius is never above the exact value.
    """
    return _nonnegative_down(np.asarray(half_width, dtype=np.float64)
                                   * (2.0 * np.asarray(p_a_lower, dtype=np.float64) - 1.0))


def box_l1_pa_pb(p_a_lower: np.ndarray, p_b_upper: np.ndarray, *, half_width: Any) -> np.ndarray:
    """l1 radius ``half_width (p_A - p_B)`` of uniform noise on a box from bounds on both classes.

    The smoothed probabilities are 1/(2 half_width)-Lipschitz in l1 (Levine & Feizi 2021, Thm. 2;
    Eiras et al. 2022, Thm. 2), so the top class stays ahead while half_width (p_A - p_B) > ||delta||_1.
    The difference and the product are each rounded down; 0 where p_A <= p_B (the caller abstains).
    """
    gap = np.nextafter(np.asarray(p_a_lower, dtype=np.float64) - np.asarray(p_b_upper, dtype=np.float64), -np.inf)
    return _nonnegative_down(np.asarray(half_width, dtype=np.float64) * gap)


def pareto_l1(p_a_lower: np.ndarray, *, a: float) -> np.ndarray:
    """(1/a) int_0^{2p-1} dy / (1 - y^(1+1/a)), from a Taylor table per a."""
    return core.certify.pareto_l1(p_a_lower, a)


def uniform_ball_l2(p_a_lower: np.ndarray, *, dim: int) -> np.ndarray:
    """2 sqrt(I^{-1}_{1/2,(d+1)/2}(p - 1/2)), from a Taylor table per d."""
    return core.certify.uniform_ball_l2(p_a_lower, dim)


def expp_l1(p_a_lower: np.ndarray, *, p: float) -> np.ndarray:
    """(P^{-1}_{1/p}(2 p_A - 1))^(1/p)."""
    return core.certify.expp_l1(p_a_lower, p)


# ---------------------------------------------------------------------------- differential method
def expinf_linf(p_a_lower: np.ndarray, *, dim: int, k: float, j: float) -> np.ndarray:
    return laplace_l1(p_a_lower) if k == 1 else core.certify.exp_gamma_linf(p_a_lower, dim, k)


def expinf_l1(p_a_lower: np.ndarray, *, dim: int, k: float, j: float) -> np.ndarray:
    return core.certify.expinf_l1(p_a_lower, dim, k, j)


def exp1_l1(p_a_lower: np.ndarray, *, dim: int, k: float) -> np.ndarray:
    return laplace_l1(p_a_lower) if k == 1 else core.certify.exp_gamma_linf(p_a_lower, dim, k)


def powinf_linf(p_a_lower: np.ndarray, *, dim: int, a: float) -> np.ndarray:
    return core.certify.powinf_linf(p_a_lower, dim, a)


def powinf_l1(p_a_lower: np.ndarray, *, dim: int, a: float) -> np.ndarray:
    return core.certify.powinf_l1(p_a_lower, dim, a)


# ---------------------------------------------------------------------------- l2-spherical
def exp2_l2(p_a_lower: np.ndarray, *, dim: int, k: float, j: float, level_set: LevelSetLookup) -> np.ndarray:
    """The l2 radius of Exp2(k, j) at lambda = 1; ``level_set(p, dim=, k=, j=)`` serves the rest.

    k = 1, j = 0: closed form (differential method). k = 2: the generalized Gaussian with
    k' = j/2 and sigma' = 1/sqrt(2); for j = 0 the Gaussian Phi^{-1}(p)/sqrt(2), otherwise its
    Neyman-Pearson engine, called with the per-coordinate sigma = sigma' sqrt((d - j)/d) rounded
    down so that the engine's scale sqrt(2) sigma sqrt(d/(d - j)) never exceeds 1 (a radius at a
    smaller scale is a certified radius at scale 1).
    """
    if j == 0 and k == 1:
        return core.certify.exp2_k1_l2(p_a_lower, dim)
    if k == 2:
        if j == 0:
            return round_down_positive(gaussian_radius(1.0, p_a_lower) / math.sqrt(2.0))
        sigma = math.nextafter(math.sqrt((dim - j) / (2.0 * dim)), 0.0)
        return generalized_gaussian_radius(p_a_lower, sigma=sigma, k=j / 2, dim=dim)
    return level_set(p_a_lower, dim=dim, k=k, j=j)


def _nonnegative_down(radius: np.ndarray) -> np.ndarray:
    """Radii rounded down, with negative values (no certificate) clamped to 0."""
    return np.maximum(round_down_positive(radius), 0.0)
