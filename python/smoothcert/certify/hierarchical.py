"""Certificates for hierarchical randomized smoothing (Scholten et al., NeurIPS 2023).

Threat model: at most ``entities`` = r entities (pixels, node feature rows) are perturbed; each by at
most eps in l2 (Gaussian lower level) or, in total, by ``additions`` 0 -> 1 and ``deletions`` 1 -> 0 bit
flips (sparse lower level). With selection probability p, q = p^r is the probability that every
perturbed entity is selected and Delta = 1 - q. Outside that event the clean and perturbed noisy inputs
have disjoint supports, so the Neyman-Pearson worst case hands the adversary Delta for free and applies
the lower-level certificate to the remaining mass q (paper, Theorem 2).

Return conventions: radii are rounded down (never above the exact value); ``NaN`` means "not
certified / abstain" and is distinct from a certified radius of 0. All functions broadcast their array
arguments (numpy rules) and raise ``ValueError`` naming the argument on bad input.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from smoothcert._native import core
from smoothcert.bounds import clopper_pearson_lower, multiclass_bounds

__all__ = [
    "hierarchical_gaussian",
    "hierarchical_gaussian_one_entity",
    "hierarchical_sparse",
    "hierarchical_sparse_bounds",
    "hierarchical_ablation",
    "gaussian_baseline",
    "bounds_from_votes",
]


def _prob(name: str, v: Any, *, open_zero: bool) -> np.ndarray:
    arr = np.asarray(v, dtype=np.float64)
    bad = np.isnan(arr) | (arr > 1) | ((arr <= 0) if open_zero else (arr < 0))
    if bad.any():
        raise ValueError(f"{name} must lie in {'(0, 1]' if open_zero else '[0, 1]'}")
    return arr


def _count(name: str, v: Any) -> np.ndarray:
    arr = np.asarray(v)
    if arr.dtype.kind == "f":
        if not np.all(np.isfinite(arr)) or not np.all(arr == np.floor(arr)):
            raise ValueError(f"{name} must be a non-negative integer")
    elif arr.dtype.kind not in "iu":
        raise ValueError(f"{name} must be a non-negative integer")
    if (arr < 0).any():
        raise ValueError(f"{name} must be >= 0")
    return arr.astype(np.int64)


def _sigma(sigma: Any) -> float:
    s = float(sigma)
    if not (np.isfinite(s) and s > 0):
        raise ValueError(f"sigma must be a finite number > 0, got {sigma!r}")
    return s


def hierarchical_gaussian(p_a_lower: Any, p_b_upper: Any = None, *, selection_prob: float, sigma: float,
                          entities: Any) -> np.ndarray:
    """Certified l2 radius eps per input for hierarchical smoothing with a Gaussian lower level.

    Binary certificate (``p_b_upper`` None), paper Theorem 3 with Cohen et al.'s bound:
        eps* = sigma [Phi^-1((p_A - Delta)/q) - Phi^-1(1/(2q))],   certified iff p_A - Delta > 1/2.
    Multiclass certificate: the supremum of eps with
        q Phi(Phi^-1((p_A - Delta)/q) - eps/sigma) > q Phi(Phi^-1(p_B/q) + eps/sigma) + Delta,
    located by bisection over the ordered doubles and returned on the certified side (the inequality
    holds strictly at the returned eps, so it never exceeds the exact root).

    Parameters
    ----------
    p_a_lower : array_like
        Lower confidence bound on the top class probability, in (0, 1].
    p_b_upper : array_like, optional
        Upper confidence bound on the runner-up probability, in [0, 1]; None for the binary certificate.
    selection_prob : float
        Entity selection probability p in (0, 1].
    sigma : float
        Gaussian standard deviation (> 0).
    entities : array_like of int
        Number r >= 0 of perturbed entities (r = 0 gives the plain Gaussian certificate).

    Returns
    -------
    numpy.ndarray
        eps per input (float64); NaN where not certified; +inf where p_A = 1 makes every eps certified.
    """
    pa = _prob("p_a_lower", p_a_lower, open_zero=True)
    sel = float(_prob("selection_prob", selection_prob, open_zero=True))
    s = _sigma(sigma)
    r = _count("entities", entities)
    if p_b_upper is None:
        return np.asarray(core.certify.hierarchical_gaussian_binary(pa, sel, s, r), dtype=np.float64)
    pb = _prob("p_b_upper", p_b_upper, open_zero=False)
    return np.asarray(core.certify.hierarchical_gaussian_multiclass(pa, pb, sel, s, r), dtype=np.float64)


def hierarchical_gaussian_one_entity(p_a_lower: Any, *, selection_prob: float, sigma: float) -> np.ndarray:
    """The single-radius certificate of hierarchical Gaussian noise: eps against one perturbed entity.

    :func:`hierarchical_gaussian` with ``entities=1``; p_A = 0 (no certificate either way) is read
    as the smallest positive double.
    """
    p = np.maximum(np.asarray(p_a_lower, dtype=np.float64), np.nextafter(0.0, 1.0))
    return hierarchical_gaussian(p, selection_prob=selection_prob, sigma=sigma, entities=1)


def gaussian_baseline(p_a_lower: Any, p_b_upper: Any = None, *, sigma: float) -> np.ndarray:
    """Plain Gaussian smoothing (Cohen et al., 2019): sigma Phi^-1(p_A), or sigma/2 (Phi^-1 p_A - Phi^-1 p_B).

    The hierarchical certificate with no perturbed entity selected away (r = 0, q = 1); NaN = abstain.
    """
    return hierarchical_gaussian(p_a_lower, p_b_upper, selection_prob=1.0, sigma=sigma, entities=0)


def hierarchical_ablation(p_a_lower: Any, p_b_upper: Any = None, *, selection_prob: float) -> np.ndarray:
    """Selection-only (ablation) certificate: the largest r with p_A - Delta_r > 1/2 (binary) or
    p_A - Delta_r > p_B + Delta_r (multiclass), Delta_r = 1 - p^r.

    For ablation smoothing (Levine & Feizi, AAAI 2020; Scholten et al., NeurIPS 2022), where an entity
    is hidden (carries no information) with probability p and r entities may change arbitrarily. It is
    the limit of the hierarchical certificates for infinitely strong lower-level noise and an upper
    bound on them, not a certificate for hierarchical noise itself. Returns r as float64: NaN where even
    r = 0 fails (abstain), +inf for p = 1.
    """
    pa = _prob("p_a_lower", p_a_lower, open_zero=True)
    sel = float(_prob("selection_prob", selection_prob, open_zero=True))
    pb = np.nan if p_b_upper is None else _prob("p_b_upper", p_b_upper, open_zero=False)
    return np.asarray(core.certify.hierarchical_ablation_entities(pa, pb, sel), dtype=np.float64)


def hierarchical_sparse_bounds(p_a_lower: Any, p_b_upper: Any = None, *, selection_prob: float,
                               p_plus: float, p_minus: float, entities: Any, additions: Any,
                               deletions: Any) -> tuple[np.ndarray, np.ndarray]:
    """Worst-case probabilities under hierarchical sparse smoothing.

    ``rho_lower`` = min P(A | perturbed) over sets with clean mass >= p_A (rounded down) and
    ``rho_upper`` = max P(B | perturbed) over sets with clean mass <= p_B (rounded up; NaN without
    ``p_b_upper``). The sparse-smoothing regions (Bojchevski et al., 2020, Sec. 3) are scaled by q and the
    disjoint mass Delta goes to the adversary.
    """
    pa = _prob("p_a_lower", p_a_lower, open_zero=True)
    pb = np.full(pa.shape, np.nan) if p_b_upper is None else _prob("p_b_upper", p_b_upper, open_zero=False)
    sel = float(_prob("selection_prob", selection_prob, open_zero=True))
    pp = float(_prob("p_plus", p_plus, open_zero=False))
    pm = float(_prob("p_minus", p_minus, open_zero=False))
    arrays = np.broadcast_arrays(pa, pb, _count("entities", entities), _count("additions", additions),
                                 _count("deletions", deletions))
    shape = arrays[0].shape
    flat = [np.ascontiguousarray(a).reshape(-1) for a in arrays]
    lo, hi = core.certify.hierarchical_sparse_rho(*flat, sel, pp, pm)
    return np.asarray(lo).reshape(shape), np.asarray(hi).reshape(shape)


def hierarchical_sparse(p_a_lower: Any, p_b_upper: Any = None, *, selection_prob: float, p_plus: float,
                        p_minus: float, entities: Any, additions: Any, deletions: Any) -> np.ndarray:
    """Whether each input is certified under hierarchical sparse smoothing.

    Threat: at most ``entities`` rows perturbed, with ``additions`` 0 -> 1 and ``deletions`` 1 -> 0 bit
    flips in total. Binary certificate: rho_lower > 1/2; multiclass (``p_b_upper`` given):
    rho_lower > rho_upper (see :func:`hierarchical_sparse_bounds`). Computed in long double on positive
    sums (no 1000-bit arithmetic needed), with outward slack 1e-15 on both worst-case probabilities.

    Returns
    -------
    numpy.ndarray of bool
        Broadcast shape of the arguments.
    """
    lo, hi = hierarchical_sparse_bounds(p_a_lower, p_b_upper, selection_prob=selection_prob, p_plus=p_plus,
                                        p_minus=p_minus, entities=entities, additions=additions,
                                        deletions=deletions)
    if p_b_upper is None:
        return lo > 0.5
    return lo > hi


def bounds_from_votes(votes: Any, pre_votes: Any, alpha: float, *,
                      multiclass: bool = False) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Prediction and confidence bounds from selection votes ``pre_votes`` and estimation ``votes``.

    As in the hierarchical-smoothing experiments: the predicted class is the pre-vote majority; binary
    certificates use the one-sided Clopper-Pearson lower bound at level ``alpha`` on its estimation
    votes; multiclass certificates use :func:`smoothcert.bounds.multiclass_bounds` (p_A at alpha/2, every
    other class at alpha/(2(C-1)), p_B the largest of those upper bounds), the same recipe as
    ``SmoothedClassifier.certify(multiclass=True)`` (the original takes the bound of the pre-vote
    runner-up only, which does not bound the other classes).

    Returns
    -------
    prediction : numpy.ndarray of int64
    p_a_lower : numpy.ndarray of float64
    p_b_upper : numpy.ndarray of float64 (NaN for the binary certificate)
    """
    v = np.asarray(votes, dtype=np.int64)
    pv = np.asarray(pre_votes, dtype=np.int64)
    if v.ndim != 2 or pv.shape != v.shape:
        raise ValueError("votes and pre_votes must both have shape [inputs, classes]")
    if (v < 0).any() or (pv < 0).any():
        raise ValueError("votes must be non-negative counts")
    n = v.sum(1)
    if not (n == n[0]).all():
        raise ValueError("every input must have the same number of estimation votes")
    pred = pv.argmax(1)
    k = v[np.arange(len(v)), pred]
    if not multiclass:
        return pred, clopper_pearson_lower(k, n, alpha), np.full(len(v), np.nan)
    p_lower, p_upper = multiclass_bounds(v, pred, n, alpha)
    return pred, p_lower, p_upper
