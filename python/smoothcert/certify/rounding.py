"""Directed rounding of radii: a value computed with round-to-nearest is moved one step toward
-inf, so that it is never above the exact radius whose last operation it rounded."""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["round_down_positive"]


def round_down_positive(r: Any) -> np.ndarray:
    """One step toward -inf for every positive finite entry; zero, negative, inf and NaN entries are
    returned as they are (they carry no rounding to undo)."""
    r = np.asarray(r, dtype=np.float64)
    return np.where((r > 0) & np.isfinite(r), np.nextafter(r, -np.inf), r)
