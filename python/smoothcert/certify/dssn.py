"""Exact ℓ1 certificate of derandomized split smoothing (DSSN; Levine & Feizi, "Improved,
Deterministic Smoothing for L1 Certified Robustness", ICML 2021, Sec. 4).

DSSN classifies every one of the ``L = int(2λ·255)`` quantised shifts of an input once (λ = √3 σ)
and predicts the class with the most votes, ties going to the lowest class index. For inputs
``x`` and ``x'`` on the grid ``{a / 255 : a integer}``, a coordinate moved by ``t / 255`` crosses
``t`` of the half-integer split positions, each of which is a bin edge for exactly one shift, so at
most ``255 ||x - x'||_1`` votes change. Each changed vote can take one vote from the predicted class
A and give one to a rival B, so the prediction is certain for every grid point ``x'`` with
``||x - x'||_1 <= k / 255`` where

    k = min over B != A of floor((c_A - c_B - [B < A]) / 2)

(``[B < A]``: a tie goes to B when B has the lower index). The certificate is exact and
deterministic: no sampling error, no confidence level, no abstention.

What the guarantee covers: inputs and adversarial inputs on the 1/255 grid (8-bit images scaled to
[0, 1]), with the same offset vector (the same seed) used to classify both. Perturbations that leave
the grid are not covered.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

import numpy as np

#: Quantisation of the inputs: pixels are multiples of 1/255.
GRID = 255


def dssn_levels(lambd: float) -> int:
    """Number of quantised shifts ``L = int(2 λ · 255)`` for the split width 2λ."""
    if not (math.isfinite(lambd) and lambd > 0):
        raise ValueError(f"lambd must be a finite number > 0, got {lambd!r}")
    levels = int(2.0 * lambd * GRID)
    if levels < 1:
        raise ValueError(f"lambd = {lambd} gives no quantised shift: need 2 lambd * 255 >= 1")
    return levels


def _scale(sigma: float | None, lambd: float | None) -> float:
    if (sigma is None) == (lambd is None):
        raise ValueError("give exactly one of sigma= and lambd=")
    if sigma is not None:
        s = float(sigma)
        if not (math.isfinite(s) and s > 0):
            raise ValueError(f"sigma must be a finite number > 0, got {sigma!r}")
        # Split noise is uniform on [-λ, λ] per coordinate: σ = λ / √3.
        return math.sqrt(3.0) * s
    return float(lambd)  # validated by dssn_levels


def _as_counts(values: Any, levels: int) -> np.ndarray:
    if hasattr(values, "counts") and not isinstance(values, np.ndarray):
        values = values.counts
    arr = np.asarray(values)
    if arr.ndim not in (1, 2) or arr.shape[-1] < 1:
        raise ValueError(f"frequencies_or_counts must have shape [classes] or [inputs, classes], got {arr.shape}")
    if arr.dtype == bool or not (np.issubdtype(arr.dtype, np.integer) or np.issubdtype(arr.dtype, np.floating)):
        raise ValueError(f"frequencies_or_counts must be numeric, got dtype {arr.dtype}")
    arr2 = np.atleast_2d(arr)
    if np.issubdtype(arr2.dtype, np.floating):
        if not np.isfinite(arr2).all() or (arr2 < 0).any():
            raise ValueError("frequencies_or_counts must be finite and >= 0")
        whole = (arr2 == np.floor(arr2)).all() and (arr2.sum(axis=1) == levels).all()
        if whole:
            counts = arr2.astype(np.int64)
        else:
            scaled = arr2 * levels
            counts = np.rint(scaled).astype(np.int64)
            # Frequencies are vote counts divided by L, possibly stored in float32 (relative error
            # 2^-24 on values <= 1): they must land on whole counts within L * 2^-20 < 1/2.
            if np.abs(scaled - counts).max(initial=0.0) > levels * 2.0**-20:
                raise ValueError(f"frequencies are not multiples of 1/L with L = {levels} shifts")
    else:
        counts = arr2.astype(np.int64)
        if (counts < 0).any():
            raise ValueError("counts must be >= 0")
    sums = counts.sum(axis=1)
    if (sums != levels).any():
        bad = int(np.flatnonzero(sums != levels)[0])
        raise ValueError(f"every row must account for all L = {levels} shifts once; row {bad} sums to "
                         f"{int(sums[bad])} votes")
    return counts


def _exact_over_grid(k: np.ndarray) -> np.ndarray:
    """k / 255 as float64, rounded toward -inf (never above the exact rational)."""
    out = np.empty(k.shape, dtype=np.float64)
    for value in np.unique(k):
        r = float(value) / GRID
        if Fraction(r) > Fraction(int(value), GRID):
            r = math.nextafter(r, -math.inf)
        out[k == value] = r
    return out


def dssn_votes_to_radius(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Prediction (argmax, lowest index on ties) and the certified number of changed votes k."""
    counts = np.atleast_2d(np.asarray(counts, dtype=np.int64))
    n, c = counts.shape
    pred = np.argmax(counts, axis=1)
    if c == 1:
        return pred, np.full(n, np.iinfo(np.int64).max, dtype=np.int64)
    top = counts[np.arange(n), pred]
    classes = np.arange(c)
    # [B < A]: a tie between A and a lower-index rival B is lost by A.
    penalty = (classes[None, :] < pred[:, None]).astype(np.int64)
    margins = (top[:, None] - counts - penalty) // 2
    margins[np.arange(n), pred] = np.iinfo(np.int64).max
    return pred, margins.min(axis=1)


def dssn_from_p_lower(p_a_lower: Any, *, levels: int) -> np.ndarray:
    """l1 radius of DSSN from a lower bound on p_A only (no runner-up count), rounded down.

    At least ceil(p L) of the L votes go to A (less a margin against the rounding of p L), at most
    the rest to a rival that also wins ties: k = floor((2 c_A - L - 1) / 2) changed votes.
    """
    c_a = np.ceil(np.asarray(p_a_lower, dtype=np.float64) * levels - 1e-7)
    k = np.maximum(np.floor((2.0 * c_a - levels - 1.0) / 2.0), 0.0)
    return _exact_over_grid(k.astype(np.int64))


def dssn(frequencies_or_counts: Any, *, sigma: float | None = None,
         lambd: float | None = None) -> np.ndarray:
    """Exact certified ℓ1 radius of DSSN from the votes over all L quantised shifts.

    Parameters
    ----------
    frequencies_or_counts : array_like or Counts
        Votes per class, ``[classes]`` or ``[inputs, classes]``: integer counts summing to
        ``L = int(2 λ · 255)`` per row, or frequencies (counts / L), or a
        :class:`smoothcert.counts.Counts` sampled with ``n = L``.
    sigma, lambd : float
        Exactly one: the noise level σ used for training/sampling (λ = √3 σ), or λ itself.

    Returns
    -------
    numpy.ndarray
        Radius per input (float64, a multiple of 1/255 rounded down): the prediction — the argmax
        of the votes, lowest class index on ties — is the same for every input on the 1/255 grid
        within that ℓ1 distance. Never NaN: DSSN does not abstain. ``inf`` with a single class.

    Raises
    ------
    ValueError
        If a row does not account for all L shifts, or the scale is invalid.
    """
    levels = dssn_levels(_scale(sigma, lambd))
    arr = np.asarray(getattr(frequencies_or_counts, "counts", frequencies_or_counts))
    counts = _as_counts(frequencies_or_counts, levels)
    _, k = dssn_votes_to_radius(counts)
    big = k == np.iinfo(np.int64).max
    radius = _exact_over_grid(np.where(big, 0, k))
    radius[big] = math.inf
    return radius if arr.ndim == 2 else radius[0]


__all__ = ["dssn", "dssn_from_p_lower", "dssn_levels", "dssn_votes_to_radius", "GRID"]
