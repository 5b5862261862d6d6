"""Binomial confidence bounds and tests, computed exactly in the compiled core.

Clopper & Pearson (1934): the one-sided lower bound at level 1 - alpha for k successes in n
trials is the alpha-quantile of Beta(k, n - k + 1); the upper bound is the (1 - alpha)-quantile of
Beta(k + 1, n - k). Both are evaluated with the regularised incomplete beta function in long
double and returned on the conservative side: a lower bound never exceeds the exact value, an
upper bound is never below it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from smoothcert._native import core

__all__ = ["clopper_pearson_lower", "clopper_pearson_upper", "binomial_test", "bonferroni", "multiclass_bounds"]


def _counts(name: str, v: Any) -> np.ndarray:
    arr = np.asarray(v)
    if arr.dtype.kind == "f" and not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite")
    return arr.astype(np.float64)


def _alpha(alpha: Any) -> np.ndarray:
    a = np.asarray(alpha, dtype=np.float64)
    if not np.all((a > 0) & (a < 1)):
        raise ValueError(f"alpha must lie in (0, 1), got {alpha!r}")
    return a


def clopper_pearson_lower(k: Any, n: Any, alpha: Any) -> np.ndarray:
    """One-sided (1 - alpha) lower confidence bound on a binomial proportion, rounded down."""
    return np.asarray(core.bounds.clopper_pearson_lower(_counts("k", k), _counts("n", n), _alpha(alpha)))


def clopper_pearson_upper(k: Any, n: Any, alpha: Any) -> np.ndarray:
    """One-sided (1 - alpha) upper confidence bound on a binomial proportion, rounded up."""
    return np.asarray(core.bounds.clopper_pearson_upper(_counts("k", k), _counts("n", n), _alpha(alpha)))


def binomial_test(k: Any, n: Any, p: Any = 0.5) -> np.ndarray:
    """Two-sided exact binomial test p-value of H0: success probability = p.

    Same definition as ``scipy.stats.binomtest(k, n, p).pvalue`` (the removed ``binom_test``).
    """
    p_arr = np.asarray(p, dtype=np.float64)
    if not np.all((p_arr >= 0) & (p_arr <= 1)):
        raise ValueError(f"p must lie in [0, 1], got {p!r}")
    return np.asarray(core.bounds.binomial_test(_counts("k", k), _counts("n", n), p_arr))


def bonferroni(alpha: float, tests: int) -> float:
    """Per-test level for ``tests`` simultaneous one-sided bounds with family-wise level alpha."""
    _alpha(alpha)
    if tests < 1:
        raise ValueError(f"tests must be >= 1, got {tests}")
    return float(alpha) / tests


def multiclass_bounds(estimate_counts: Any, c_a: Any, n: Any, alpha: float) -> tuple[np.ndarray, np.ndarray]:
    """Simultaneous bounds (p_A lower, p_B upper) for the multiclass certificate, family-wise level alpha.

    Bonferroni over one lower bound and C - 1 upper bounds: p_A, the probability of the candidate
    class ``c_a``, is bounded below at level alpha/2 and every other class's probability above at
    alpha/(2(C - 1)), so all C bounds hold together with probability >= 1 - alpha. p_B is the largest
    of the upper bounds, capped at 1 - p_A (rounded up), which holds on the same event.

    Parameters
    ----------
    estimate_counts : array_like of int, shape [B, C]
        Class counts of the estimation draws (independent of the draws that chose ``c_a``).
    c_a : array_like of int, shape [B]
        Candidate class of each input.
    n : int or array_like of int
        Number of estimation draws (per input, or one for all).
    alpha : float
        Family-wise level in (0, 1).

    Returns
    -------
    p_a_lower, p_b_upper : numpy.ndarray of float64, shape [B]
    """
    counts = np.asarray(estimate_counts)
    if counts.ndim != 2 or counts.shape[1] < 2:
        raise ValueError(f"estimate_counts must have shape [inputs, classes >= 2], got {counts.shape}")
    rows = np.arange(counts.shape[0])
    c_a = np.asarray(c_a, dtype=np.int64)
    if c_a.shape != rows.shape or ((c_a < 0) | (c_a >= counts.shape[1])).any():
        raise ValueError(f"c_a must hold one class index in [0, {counts.shape[1]}) per input")
    alpha = float(_alpha(alpha))
    p_a = clopper_pearson_lower(counts[rows, c_a], n, alpha / 2)
    others = counts.astype(np.int64)
    others[rows, c_a] = -1
    p_b = clopper_pearson_upper(others.max(axis=1), n, alpha / (2 * (counts.shape[1] - 1)))
    return p_a, np.minimum(p_b, np.nextafter(1.0 - p_a, 2.0))
