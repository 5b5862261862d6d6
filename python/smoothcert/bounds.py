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

__all__ = ["clopper_pearson_lower", "clopper_pearson_upper", "binomial_test", "bonferroni"]


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
