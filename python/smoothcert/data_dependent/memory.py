"""Memory-based certification: per-input (data-dependent) certificates made mutually consistent."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import torch

from smoothcert.data_dependent.threat_models import threat_model
from smoothcert.smooth import ABSTAIN_LABEL, CertifyResult

__all__ = ["MemoryDecision", "MemoryCertifier"]

_UNIT_ROUNDOFF = 2.0 ** -53


@dataclass(frozen=True)
class MemoryDecision:
    """What :meth:`MemoryCertifier.query` answered for one input.

    Attributes
    ----------
    prediction : int
        Returned class, ``-1`` for abstain.
    radius : float
        Returned radius; NaN when abstained (0 is a certificate of the point itself).
    action : str
        "kept" (no conflict), "shrunk" (radius reduced to avoid a conflicting region), "adopted"
        (the input lies in an earlier certified region of another class, whose class it takes),
        "abstained" (conflict under ``policy="abstain"``, or the certificate abstained), "repeat"
        (the input was queried before: the stored answer is returned).
    conflicts : tuple of int
        Memory positions of the earlier queries that forced the change.
    """

    prediction: int
    radius: float
    action: str
    conflicts: tuple[int, ...] = field(default_factory=tuple)


class MemoryCertifier:
    """Order-aware memory that makes per-input (data-dependent) certificates mutually consistent.

    Alfarra et al. (Sec. 4, "memory-based certification"), generalised by Eiras et al. (ANCER):
    inputs are processed in the order queried; the memory keeps every answered query
    ``(x_i, prediction_i, R_i)`` (abstentions as class -1 with a region of radius 0). A new input x
    with fresh certificate (c, R) is resolved as follows (d_i = ||x - x_i||_p):

    1. x was queried before (bit-identical): the stored answer is returned.
    2. x lies inside an earlier region of another class (d_i < R_i, c_i != c): x takes class c_i
       with radius ``max_i (R_i - d_i)`` over those regions, a ball inside region i.
    3. Any remaining conflict, an earlier region of another class with ``d_j < R + R_j``: with
       ``policy="shrink"`` (the paper's rule) the radius becomes ``min_j (d_j - R_j)``, the
       largest that avoids every conflicting region; with ``policy="abstain"`` x abstains instead,
       unless it lies inside a same-class region (abstaining there would break that region's
       certificate), in which case it shrinks.

    Distances are computed in float64 and widened by their rounding error bound, so regions that
    touch within rounding count as conflicting, and every returned radius is rounded down.

    What is guaranteed
    ------------------
    * Consistency over the query sequence: for any two queries answered by the same
      ``MemoryCertifier`` (in either order), if one lies in the other's returned region
      ``{x' : ||x' - x_i|| < R_i}``, both received the same class. Regions of different classes
      never intersect. This holds deterministically, for every query ever passed through this
      object, including future (possibly adversarial) ones.
    * Each returned (class, radius) with radius >= 0 is a ball inside the certified region of a
      *fixed-scale* smoothed classifier (the input's own, or, after "adopted", the earlier input's),
      so it carries that certificate's statistical guarantee: it fails with probability at most
      alpha per certificate (a union bound gives ``len(self) * alpha`` for all of them at once).

    What is not guaranteed
    ----------------------
    * Order independence: the same inputs in another order give other answers (a later input
      shrinks or adopts, an earlier one never changes). Certified accuracy of a data set depends
      on the order it is certified in.
    * Anything about points that are never passed through the memory: the guarantee is for the
      classifier "answer through this memory", a stateful object, not for the stateless map
      ``x -> g_{sigma(x)}(x)``. Without memory, a per-input sigma certificate is not sound in
      general: a point x' within R(x) of x is classified by g_{sigma(x')}, which may differ from
      g_{sigma(x)} (Sukenik, Kuvshinov & Guennemann, ICML 2022).
    * The memory must be kept for the whole deployment: a fresh memory forgets earlier regions.

    Parameters
    ----------
    norm : {"l2", "l1"}
        Norm of the certified regions (anisotropic certificates enter as their inscribed ball).
    policy : {"shrink", "abstain"}
        What to do on an intersection with a region of another class (step 3).
    """

    POLICIES = ("shrink", "abstain")

    def __init__(self, norm: str = "l2", policy: str = "shrink") -> None:
        self._threat = threat_model(norm)
        self.norm = norm
        if policy not in self.POLICIES:
            raise ValueError(f"policy must be one of {self.POLICIES}, got {policy!r}")
        self.policy = policy
        self._points = np.empty((0, 0), dtype=np.float64)
        self._classes = np.empty(0, dtype=np.int64)
        self._radii = np.empty(0, dtype=np.float64)
        self._size = 0
        self._seen: dict[bytes, int] = {}
        self._answers: list[MemoryDecision] = []

    def __len__(self) -> int:
        return self._size

    @property
    def points(self) -> np.ndarray:
        """Stored inputs [M, d] (float64, flattened), in query order."""
        return self._points[:self._size]

    @property
    def predictions(self) -> np.ndarray:
        """Stored classes [M] (-1 = abstained)."""
        return self._classes[:self._size]

    @property
    def radii(self) -> np.ndarray:
        """Stored radii [M] (0 for abstentions: the region is the point)."""
        return self._radii[:self._size]

    def _distances(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Lower and upper bounds on ||x - x_i|| for every stored x_i."""
        diff = self.points - x
        d = self._threat.distances(diff)
        # Each subtraction, square/abs and the summation each add at most a unit roundoff per
        # term (Higham, Accuracy and Stability, Sec. 3.1); (dim + 4) u bounds the relative error.
        slack = (x.shape[0] + 4) * _UNIT_ROUNDOFF
        return d * (1.0 - slack), d * (1.0 + slack)

    def _store(self, x: np.ndarray, prediction: int, radius: float) -> int:
        if self._size == self._points.shape[0]:
            capacity = max(16, 2 * self._size)
            grown = np.empty((capacity, x.shape[0]), dtype=np.float64)
            if self._size:
                grown[:self._size] = self.points
            self._points = grown
            self._classes = np.resize(self._classes, capacity)
            self._radii = np.resize(self._radii, capacity)
        self._points[self._size] = x
        self._classes[self._size] = prediction
        self._radii[self._size] = 0.0 if np.isnan(radius) else radius
        self._size += 1
        return self._size - 1

    def query(self, x: Any, prediction: int, radius: float) -> MemoryDecision:
        """Resolve one fresh certificate ``(prediction, radius)`` of input ``x`` against the memory.

        ``prediction`` -1 with ``radius`` NaN is an abstention. The input and the returned answer
        are stored. See the class docstring for the rules and the guarantee.
        """
        xf = np.asarray(x.detach().cpu() if isinstance(x, torch.Tensor) else x, dtype=np.float64).reshape(-1)
        if not np.all(np.isfinite(xf)):
            raise ValueError("x contains NaN or infinite values")
        prediction = int(prediction)
        radius = float(radius)
        abstained = prediction == ABSTAIN_LABEL
        if abstained != np.isnan(radius):
            raise ValueError("radius must be NaN exactly when prediction is -1 (abstain)")
        if not abstained and radius < 0:
            raise ValueError(f"radius must be >= 0, got {radius}")
        if prediction < ABSTAIN_LABEL:
            raise ValueError(f"prediction must be a class >= 0 or -1 (abstain), got {prediction}")
        if self._size and xf.shape[0] != self._points.shape[1]:
            raise ValueError(f"x has {xf.shape[0]} elements but the memory holds inputs of {self._points.shape[1]}")

        key = xf.tobytes()
        if key in self._seen:
            old = self._answers[self._seen[key]]
            decision = MemoryDecision(old.prediction, old.radius, "repeat", (self._seen[key],))
            self._answers.append(decision)
            return decision

        decision = self._resolve(xf, prediction, radius)
        self._seen[key] = self._store(xf, decision.prediction, decision.radius)
        self._answers.append(decision)
        return decision

    def _resolve(self, x: np.ndarray, prediction: int, radius: float) -> MemoryDecision:
        if self._size == 0:
            return MemoryDecision(prediction, radius, "abstained" if prediction == ABSTAIN_LABEL else "kept")
        d_low, d_high = self._distances(x)
        classes, radii = self.classes_radii()
        inside = (d_low < radii) & (radii > 0)

        # Step 2: an earlier region of another class containing x decides the class.
        foreign = inside & (classes != prediction)
        action = "kept"
        conflicts: tuple[int, ...] = ()
        if foreign.any():
            adopted = np.unique(classes[foreign])
            if adopted.size > 1:
                # Only possible when regions of different classes touch within rounding.
                return MemoryDecision(ABSTAIN_LABEL, float("nan"), "abstained", tuple(np.flatnonzero(foreign)))
            prediction = int(adopted[0])
            own = foreign & (classes == prediction)
            radius = float(np.max(np.maximum(np.nextafter(radii[own] - d_high[own], -np.inf), 0.0)))
            action = "adopted"
            conflicts = tuple(int(i) for i in np.flatnonzero(own))
        elif prediction == ABSTAIN_LABEL:
            return MemoryDecision(ABSTAIN_LABEL, float("nan"), "abstained")

        # Step 3: regions of other classes (abstentions included) that the new ball would meet.
        other = classes != prediction
        meet = other & (d_low < radius + radii)
        if not meet.any():
            return MemoryDecision(prediction, radius, action, conflicts)
        meet_idx = tuple(int(i) for i in np.flatnonzero(meet))
        if self.policy == "abstain" and action == "kept" and not inside.any():
            return MemoryDecision(ABSTAIN_LABEL, float("nan"), "abstained", meet_idx)
        shrunk = float(np.min(np.nextafter(d_low[meet] - radii[meet], -np.inf)))
        return MemoryDecision(prediction, max(min(radius, shrunk), 0.0),
                              "adopted" if action == "adopted" else "shrunk", conflicts + meet_idx)

    def classes_radii(self) -> tuple[np.ndarray, np.ndarray]:
        """Stored (classes, radii), in query order."""
        return self.predictions, self.radii

    def apply(self, x: torch.Tensor, result: CertifyResult) -> CertifyResult:
        """Pass a batch of certificates through the memory in row order; a new result is returned.

        ``x[b]`` is the input certified in row b of ``result``. The result's ``method`` gains a
        "+memory" suffix.
        """
        if len(result) != x.shape[0]:
            raise ValueError(f"result has {len(result)} rows but x has {x.shape[0]} inputs")
        prediction = result.prediction.copy()
        radius = result.radius.copy()
        flat = x.detach().cpu().double().reshape(x.shape[0], -1).numpy()
        for b in range(len(result)):
            dec = self.query(flat[b], int(prediction[b]), float(radius[b]))
            prediction[b], radius[b] = dec.prediction, dec.radius
        abstained = prediction == ABSTAIN_LABEL
        return replace(result, prediction=prediction, radius=radius, abstained=abstained,
                       method=result.method + "+memory")
