"""Split noise of Levine & Feizi, "Improved, Deterministic Smoothing for L1 Certified Robustness"
(ICML 2021): SSN (random splits, Monte Carlo certificate) and DSSN (all quantised splits,
deterministic exact certificate).

For split width 2λ and split value s the real line is cut into the bins ``(s + 2λ(c-1), s + 2λc]``;
the base classifier sees, for every coordinate, the (clipped) midpoint of the bin containing x.
With ``s ~ U(0, 2λ)`` the bin offset is uniform, as for uniform noise on ``[-λ, λ]``, hence
``sigma = λ / √3`` and the same ℓ1 radius ``λ (2 p_A - 1)`` (Levine & Feizi 2021, Thm. 2).
"""

from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np
import torch

from smoothcert._native import core
from smoothcert.certify.dssn import GRID, dssn, dssn_from_p_lower, dssn_levels
from smoothcert.certify.registry import register
from smoothcert.certify.shapes import box_l1
from smoothcert.noises.scaled import ScaledNoise


class SSN(ScaledNoise, name="ssn"):
    """Independent split noise: one split value ``s_i ~ U(0, 2λ)`` per coordinate and sample.

    Sampling returns the split representation of the input (what the base classifier sees), not
    ``x + δ``. Certified ℓ1 radius ``λ (2 p_A - 1)`` from a lower bound on p_A.

    Parameters
    ----------
    sigma, lambd : float
        Exactly one: σ of the equivalent uniform noise (λ = √3 σ), or the half split width λ.
    dim : int, optional
        Input dimension, checked against inputs when given.
    """

    def __init__(self, sigma: float | None = None, *, lambd: float | None = None,
                 dim: int | None = None) -> None:
        super().__init__(sigma, lambd=lambd, dim=dim)

    def sigma_at_unit_scale(self) -> float:
        return 1.0 / math.sqrt(3.0)

    def _kernel(self, cuda: bool) -> tuple[Callable[..., None], tuple[Any, ...]]:
        return core.noise.ssn_sample_cuda if cuda else core.noise.ssn_sample, (self.lambd,)


class DSSN(ScaledNoise, name="dssn"):
    """Derandomized split noise: the ``L = int(2λ · 255)`` quantised shifts, enumerated.

    Coordinate i of shift t is split at ``((o_i + t) mod L + 1/2) / 255``, with one offset vector o
    drawn from the sampling seed (shared by all inputs and shifts). Sample index t is shift t:
    ``sample_batch(x, L)`` enumerates every shift exactly once, and sample indices >= L are an
    error. Inputs must lie on the 1/255 grid (checked).

    The exact certificate is :func:`smoothcert.certify.dssn` on the vote counts over all L shifts
    (:meth:`certify_counts`); it covers inputs and adversarial inputs on the 1/255 grid.
    :meth:`certify` (from a p_A lower bound only) assumes the worst about the runner-up and ties.

    Parameters
    ----------
    sigma, lambd : float
        Exactly one: σ of the equivalent uniform noise (λ = √3 σ), or the half split width λ.
    dim : int, optional
        Input dimension, checked against inputs when given.
    """

    def __init__(self, sigma: float | None = None, *, lambd: float | None = None,
                 dim: int | None = None) -> None:
        super().__init__(sigma, lambd=lambd, dim=dim)
        self.levels = dssn_levels(self.lambd)

    def sigma_at_unit_scale(self) -> float:
        return 1.0 / math.sqrt(3.0)

    def _kernel(self, cuda: bool) -> tuple[Callable[..., None], tuple[Any, ...]]:
        return core.noise.dssn_sample_cuda if cuda else core.noise.dssn_sample, (self.levels,)

    def _stream_args(self, seed: int, role: int) -> tuple[int, ...]:
        # The offsets depend on the seed only: every role classifies the same shifts.
        return (seed,)

    def _check_shifts(self, sample_offset: int, num: int) -> None:
        if sample_offset + num > self.levels:
            raise ValueError(f"DSSN has L = {self.levels} shifts: sample indices "
                             f"[{sample_offset}, {sample_offset + num}) exceed them (use n = L)")

    @staticmethod
    def _check_grid(x: torch.Tensor) -> None:
        scaled = x.double() * GRID
        off = (scaled - torch.round(scaled)).abs().max() if x.numel() else torch.tensor(0.0)
        if float(off) > 1e-4:
            raise ValueError("x must lie on the 1/255 grid (inputs a / 255 with a integer) for DSSN")

    def _sample_rows(self, x: torch.Tensor, num: int, *, seed: int, index: int,
                     sample_offset: int, role: int, out: torch.Tensor | None = None) -> torch.Tensor:
        self._check_shifts(sample_offset, num)
        self._check_grid(x)
        return super()._sample_rows(x, num, seed=seed, index=index, sample_offset=sample_offset,
                                    role=role, out=out)

    def _row_sampler(self, x: torch.Tensor, num: int, *, seed: int, index: int, role: int,
                     buffer: torch.Tensor | None = None) -> Callable[[int, int], torch.Tensor]:
        self._check_grid(x)
        draw = super()._row_sampler(x, num, seed=seed, index=index, role=role, buffer=buffer)

        def draw_shifts(m: int, offset: int) -> torch.Tensor:
            self._check_shifts(offset, m)
            return draw(m, offset)

        return draw_shifts

    def exact_draws(self) -> int:
        return self.levels

    def certify_counts(self, counts: Any) -> np.ndarray:
        """Exact radius from the votes over all L shifts (see :func:`smoothcert.certify.dssn`)."""
        return dssn(counts, lambd=self.lambd)


register(SSN, "l1", box_l1, params={"half_width": "lambd"}, method="closed-form")
register(DSSN, "l1", dssn_from_p_lower, params=("levels",), method="closed-form")


__all__ = ["SSN", "DSSN"]
