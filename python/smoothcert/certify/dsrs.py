"""Double Sampling Randomized Smoothing (Li et al., ICML 2022): an l2 radius from p_A bounds under
two distributions, P a generalized Gaussian and Q a second one (another σ, or P restricted to a ball).

For ‖δ‖ = r the worst classifier consistent with p_A ∈ [p_low, p_high] under P and q_A ∈ [q_low,
q_high] under Q keeps P_δ-probability ``min E_{P_δ} f`` over those constraints; the radius is the
largest r where a dual lower bound of it (the paper's Lagrangian dual, maximised by a case analysis
on which of the four bounds are active, the upper P-bound included) exceeds 1/2, found by a secant
search on r that ends on a point the dual certifies, within 1e-11 (relative) of the root (a
bracketing search is the fallback); it is rounded down. The computation lives in
``csrc/include/smoothcert/dsrs.h``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from smoothcert._native import core
from smoothcert.noises.base import ABSTAIN
from smoothcert.noises.generalized_gaussian import GeneralizedGaussian, ThresholdedGeneralizedGaussian

__all__ = ["dsrs", "x_plus_beta", "X_PLUS_REFINED_P"]

#: In the "x+" heuristic an input whose P upper bound reaches this is not sampled under a
#: thresholded Q: its "Q" bounds are a refined P bound (2N draws at 2α) certified by Neyman–Pearson.
X_PLUS_REFINED_P = 1 - 1e-8


def x_plus_beta(p_low: Any) -> np.ndarray:
    """The "x+" percentile of the ball: β = 0.08 (−ln(1 − p_A) − 5) + 0.6 for p_A >= 1/2, else 0.5."""
    p = np.asarray(p_low, dtype=np.float64)
    with np.errstate(divide="ignore"):
        beta = 0.08 * (-np.log1p(-p) - 5) + 0.6
    return np.where(p >= 0.5, beta, 0.5)


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


def dsrs(P: GeneralizedGaussian, Q: GeneralizedGaussian | ThresholdedGeneralizedGaussian | str,
         p_low: Any, p_high: Any, q_low: Any, q_high: Any) -> np.ndarray:
    """DSRS certified l2 radius for each input (NaN = abstain where the P lower bound is <= 1/2).

    Parameters
    ----------
    P : GeneralizedGaussian
        The smoothing distribution.
    Q : GeneralizedGaussian, ThresholdedGeneralizedGaussian or "x+"
        The second distribution: same ``k`` and ``dim`` as P and another ``sigma``; P restricted to
        a ball (same ``sigma``, ``k``, ``dim``); or ``"x+"``, the paper's per-input ball with
        β = :func:`x_plus_beta` (p_low), falling back to Neyman–Pearson on ``q_low`` (a refined P
        bound) where ``p_high`` >= 1 − 1e-8.
    p_low, p_high : array_like
        Confidence bounds on p_A under P.
    q_low, q_high : array_like
        Confidence bounds on p_A under Q.

    Returns
    -------
    numpy.ndarray
        Radii (float64), never below the Neyman–Pearson radius of ``p_low``.
    """
    if type(P) is not GeneralizedGaussian:
        raise ValueError(f"P must be a GeneralizedGaussian, got {type(P).__name__}")
    pl, ph = _bounds("p_low", p_low, "p_high", p_high)
    ql, qh = _bounds("q_low", q_low, "q_high", q_high)
    pl, ph, ql, qh = (np.ascontiguousarray(a) for a in np.broadcast_arrays(pl, ph, ql, qh))
    shape = pl.shape
    pl, ph, ql, qh = (a.reshape(-1) for a in (pl, ph, ql, qh))
    r_np = core.certify.np_radius(P.dim, P.k, P.sigma, pl)
    out = np.full(pl.shape, ABSTAIN)
    if isinstance(Q, str):
        if Q != "x+":
            raise ValueError(f"Q must be a GeneralizedGaussian, a ThresholdedGeneralizedGaussian or 'x+', got {Q!r}")
        refined = ph >= X_PLUS_REFINED_P
        beta = x_plus_beta(pl)
        if refined.any():
            # Both bounds hold with their own failure probabilities (union bound, as for DSRS).
            out[refined] = np.fmax(r_np[refined],
                                   core.certify.np_radius(P.dim, P.k, P.sigma, np.ascontiguousarray(ql[refined])))
        # β >= 1 would be Q = P: no second distribution, Neyman–Pearson on p_low.
        plain = ~refined & (beta >= 1)
        out[plain] = r_np[plain]
        kind, q_param, todo = core.certify.DsrsQ.ball, beta, ~refined & (beta < 1)
    elif isinstance(Q, ThresholdedGeneralizedGaussian):
        if (Q.sigma, Q.k, Q.dim) != (P.sigma, P.k, P.dim):
            raise ValueError("a thresholded Q must have the sigma, k and dim of P")
        kind, q_param, todo = core.certify.DsrsQ.ball, np.full(pl.shape, Q.beta), np.ones(pl.shape, dtype=bool)
    elif isinstance(Q, GeneralizedGaussian):
        if (Q.k, Q.dim) != (P.k, P.dim) or Q.sigma == P.sigma:
            raise ValueError("a generalized-Gaussian Q must have the k and dim of P and another sigma")
        kind, q_param, todo = core.certify.DsrsQ.sigma, np.full(pl.shape, Q.sigma), np.ones(pl.shape, dtype=bool)
    else:
        raise ValueError(f"Q must be a GeneralizedGaussian, a ThresholdedGeneralizedGaussian or 'x+', "
                         f"got {type(Q).__name__}")
    todo &= pl > 0.5
    if todo.any():
        sel = [np.ascontiguousarray(a[todo]) for a in (q_param, pl, ph, ql, qh, r_np)]
        # The dual at λ2 = 0 is the Neyman–Pearson bound, so the NP radius (itself certified) is a floor.
        out[todo] = np.fmax(core.certify.dsrs_radius(P.dim, P.k, P.sigma, kind, *sel[:5], r_start=sel[5]), sel[5])
    return out.reshape(shape)
