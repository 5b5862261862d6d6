"""Certificates of the generalized Gaussian (Li et al., "Double Sampling Randomized Smoothing", ICML 2022).

In d dimensions the law has density ∝ ‖x‖^(−2k) exp(−‖x‖²/(2σ'²)), σ' = σ sqrt(d/(d − 2k)), every
coordinate of variance σ²; k = 0 is the Gaussian, and Exp2(λ, k=2, j) is the same law with k = j/2,
σ' = λ/√2.

* :func:`generalized_gaussian_radius`: the Neyman–Pearson l2 radius from a lower bound on p_A.
* :func:`dsrs`: Double Sampling Randomized Smoothing, an l2 radius from p_A bounds under P and
  under a second distribution Q (another σ, P restricted to a ball, or the per-input ball
  :class:`XPlus`).

For ‖δ‖ = r the worst classifier consistent with p_A ∈ [p_low, p_high] under P and q_A ∈ [q_low,
q_high] under Q keeps P_δ-probability ``min E_{P_δ} f`` over those constraints; the DSRS radius is
the largest r where a dual lower bound of it (the paper's Lagrangian dual, maximised by a case
analysis on which of the four bounds are active, the upper P-bound included) exceeds 1/2, found by a
secant search on r that ends on a point the dual certifies, within 1e-11 (relative) of the root (a
bracketing search is the fallback); it is rounded down. The computation lives in
``csrc/include/smoothcert/dsrs_dual.h``.

P and Q are read by their parameters: any object with ``sigma``, ``k`` and ``dim`` (a
``smoothcert.GeneralizedGaussian`` or a :class:`GeneralizedGaussianLaw`), with ``beta`` for P
restricted to a ball (a ``smoothcert.ThresholdedGeneralizedGaussian``). Nothing here imports the
noise classes.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np

from smoothcert._native import core

__all__ = ["generalized_gaussian_radius", "neyman_pearson", "dsrs", "GeneralizedGaussianLaw", "XPlus",
           "x_plus_beta", "X_PLUS_REFINED_P"]

#: In the "x+" heuristic an input whose P upper bound reaches this is not sampled under a
#: thresholded Q: its "Q" bounds are a refined P bound (2N draws at 2α) certified by Neyman–Pearson.
X_PLUS_REFINED_P = 1 - 1e-8


@dataclasses.dataclass(frozen=True)
class GeneralizedGaussianLaw:
    """The parameters of a generalized Gaussian, restricted to a ball when ``beta`` is set.

    ``beta`` is the percentile of the Gamma(d/2 − k) radius kept: the law restricted to
    ‖x‖²/(2σ'²) <= its beta-quantile.
    """

    sigma: float
    k: float
    dim: int
    beta: float | None = None

    def __post_init__(self) -> None:
        _law("law", self)


@dataclasses.dataclass(frozen=True)
class XPlus:
    """DSRS's "x+" Q (Li et al., 2022): P restricted to a per-input ball of percentile
    β = :func:`x_plus_beta` (p_low); where the P upper bound reaches :data:`X_PLUS_REFINED_P` the
    "Q" bounds are a refined P bound instead, certified by Neyman–Pearson."""

    refined_p: float = X_PLUS_REFINED_P

    def beta(self, p_low: Any) -> np.ndarray:
        return x_plus_beta(p_low)


def x_plus_beta(p_low: Any) -> np.ndarray:
    """The "x+" percentile of the ball: β = 0.08 (−ln(1 − p_A) − 5) + 0.6 for p_A >= 1/2, else 0.5."""
    p = np.asarray(p_low, dtype=np.float64)
    with np.errstate(divide="ignore"):
        beta = 0.08 * (-np.log1p(-p) - 5) + 0.6
    return np.where(p >= 0.5, beta, 0.5)


def _law(name: str, law: Any) -> tuple[float, float, int]:
    """(sigma, k, dim) of a generalized Gaussian given by its attributes; ValueError naming ``name``."""
    try:
        sigma, k, dim = float(law.sigma), float(law.k), law.dim
    except (AttributeError, TypeError, ValueError):
        raise ValueError(f"{name} must be a generalized Gaussian (an object with sigma, k and dim), "
                         f"got {type(law).__name__}") from None
    if isinstance(dim, bool) or not isinstance(dim, (int, np.integer)) or dim < 2:
        raise ValueError(f"{name}.dim must be an integer >= 2, got {dim!r}")
    if not (math.isfinite(sigma) and sigma > 0):
        raise ValueError(f"{name}.sigma must be a finite number > 0, got {sigma!r}")
    if not (math.isfinite(k) and 0 <= k < dim / 2):
        raise ValueError(f"{name}.k must satisfy 0 <= k < dim/2 = {dim / 2}, got {k!r}")
    return sigma, k, int(dim)


def generalized_gaussian_radius(p_a_lower: Any, *, sigma: float, k: float, dim: int) -> np.ndarray:
    """Neyman–Pearson l2 radius of the generalized Gaussian (σ, k, d), rounded down.

    The largest r with ``min {P_δ[S] : P[S] = p_a_lower, S a Neyman–Pearson set} > 1/2`` for
    ‖δ‖ = r, each probability a 1-D integral over the Gamma radius of a Beta CDF. Values at
    p_a_lower <= 1/2 carry no certificate (the caller abstains).
    """
    p = np.ascontiguousarray(p_a_lower, dtype=np.float64)
    return core.certify.np_radius(dim, k, sigma, p.reshape(-1)).reshape(p.shape)


def neyman_pearson(P: Any, p_a_lower: Any) -> np.ndarray:
    """Neyman–Pearson l2 radius of the generalized Gaussian ``P`` (NaN = abstain where p_A <= 1/2)."""
    sigma, k, dim = _law("P", P)
    if getattr(P, "beta", None) is not None:
        raise ValueError("P restricted to a ball has no Neyman–Pearson certificate of its own: certify with dsrs")
    p = np.asarray(p_a_lower, dtype=np.float64)
    if np.isnan(p).any() or (p < 0).any() or (p > 1).any():
        raise ValueError("p_a_lower must lie in [0, 1] (no NaN)")
    return np.where(p > 0.5, generalized_gaussian_radius(p, sigma=sigma, k=k, dim=dim), np.nan)


def _bounds(name_lo: str, lo: Any, name_hi: str, hi: Any) -> tuple[np.ndarray, np.ndarray]:
    lo_a = np.atleast_1d(np.asarray(lo, dtype=np.float64))
    hi_a = np.atleast_1d(np.asarray(hi, dtype=np.float64))
    for name, a in ((name_lo, lo_a), (name_hi, hi_a)):
        if np.isnan(a).any() or (a < 0).any() or (a > 1).any():
            raise ValueError(f"{name} must lie in [0, 1] (no NaN)")
    lo_a, hi_a = np.broadcast_arrays(lo_a, hi_a)
    if (lo_a > hi_a).any():
        raise ValueError(f"{name_lo} must be <= {name_hi}")
    return np.ascontiguousarray(lo_a), np.ascontiguousarray(hi_a)


def dsrs(P: Any, Q: Any, p_low: Any, p_high: Any, q_low: Any, q_high: Any) -> np.ndarray:
    """DSRS certified l2 radius for each input (NaN = abstain where the P lower bound is <= 1/2).

    Parameters
    ----------
    P : generalized Gaussian
        The smoothing distribution: an object with ``sigma``, ``k`` and ``dim`` and no ``beta``
        (``smoothcert.GeneralizedGaussian`` or :class:`GeneralizedGaussianLaw`).
    Q : generalized Gaussian, P restricted to a ball, or XPlus
        The second distribution: same ``k`` and ``dim`` as P and another ``sigma``; P restricted to
        a ball (same ``sigma``, ``k``, ``dim``, with ``beta``: ``smoothcert.ThresholdedGeneralizedGaussian``
        or a :class:`GeneralizedGaussianLaw` with ``beta``); or :class:`XPlus`, the paper's per-input
        ball with β = :func:`x_plus_beta` (p_low), falling back to Neyman–Pearson on ``q_low`` (a
        refined P bound) where ``p_high`` >= ``Q.refined_p``.
    p_low, p_high : array_like
        Confidence bounds on p_A under P.
    q_low, q_high : array_like
        Confidence bounds on p_A under Q.

    Returns
    -------
    numpy.ndarray
        Radii (float64), never below the Neyman–Pearson radius of ``p_low``.
    """
    sigma, k, dim = _law("P", P)
    if getattr(P, "beta", None) is not None:
        raise ValueError("P must be a generalized Gaussian, not one restricted to a ball (beta)")
    pl, ph = _bounds("p_low", p_low, "p_high", p_high)
    ql, qh = _bounds("q_low", q_low, "q_high", q_high)
    pl, ph, ql, qh = (np.ascontiguousarray(a) for a in np.broadcast_arrays(pl, ph, ql, qh))
    shape = pl.shape
    pl, ph, ql, qh = (a.reshape(-1) for a in (pl, ph, ql, qh))
    r_np = generalized_gaussian_radius(pl, sigma=sigma, k=k, dim=dim)
    out = np.full(pl.shape, np.nan)
    if isinstance(Q, XPlus):
        refined = ph >= Q.refined_p
        beta = Q.beta(pl)
        if refined.any():
            # Both bounds hold with their own failure probabilities (union bound, as for DSRS).
            out[refined] = np.fmax(r_np[refined], generalized_gaussian_radius(ql[refined], sigma=sigma, k=k, dim=dim))
        # β >= 1 would be Q = P: no second distribution, Neyman–Pearson on p_low.
        plain = ~refined & (beta >= 1)
        out[plain] = r_np[plain]
        kind, q_param, todo = core.certify.DsrsQ.ball, beta, ~refined & (beta < 1)
    else:
        q_sigma, q_k, q_dim = _law("Q", Q)
        q_beta = getattr(Q, "beta", None)
        if q_beta is not None:
            if (q_sigma, q_k, q_dim) != (sigma, k, dim):
                raise ValueError("a thresholded Q must have the sigma, k and dim of P")
            q_beta = float(q_beta)
            if not 0 < q_beta < 1:
                raise ValueError(f"Q.beta must lie in (0, 1), got {q_beta!r}")
            kind, q_param, todo = core.certify.DsrsQ.ball, np.full(pl.shape, q_beta), np.ones(pl.shape, dtype=bool)
        else:
            if (q_k, q_dim) != (k, dim) or q_sigma == sigma:
                raise ValueError("a generalized-Gaussian Q must have the k and dim of P and another sigma")
            kind, q_param, todo = core.certify.DsrsQ.sigma, np.full(pl.shape, q_sigma), np.ones(pl.shape, dtype=bool)
    todo &= pl > 0.5
    if todo.any():
        sel = [np.ascontiguousarray(a[todo]) for a in (q_param, pl, ph, ql, qh, r_np)]
        # The dual at λ2 = 0 is the Neyman–Pearson bound, so the NP radius (itself certified) is a floor.
        out[todo] = np.fmax(core.certify.dsrs_radius(dim, k, sigma, kind, *sel[:5], r_start=sel[5]), sel[5])
    return out.reshape(shape)
