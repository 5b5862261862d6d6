"""Precomputed radius tables: build, save, load and conservative lookup.

A table holds exact pairs (rho_i, R_i) at scale lambda = 1 for one (family, norm, dim, shape
parameters): R_i is never above the exact radius at rho_i (each is a certified radius, rounded
down), and rho_i is never below the exact p_A lower bound that R_i needs (level-set tables round
rho up). Because R is nondecreasing in rho, the radius at the nearest tabulated rho_i <= p is a
certified radius for p. Tables from the differential method (R' = 1/Phi(1 - rho) with Phi
increasing on [0, 1/2], so R is convex) also extend the secant of the two nodes below p, which a
convex function lies above beyond the right node: second-order accurate and still a lower bound.

Grids are dense in logit(rho) = log((rho - 1/2) / (1 - rho)), from rho - 1/2 = 1e-9 up to
1 - rho = 1e-9 (differential and closed-form tables), or geometric in the radius (level-set
tables, rho computed from it), so resolution is relative at both ends.

Files: ``tables/<family>_<norm>_d<dim>[_<param><value>...].npz`` with arrays ``rho``, ``radius``
and ``meta`` (a JSON string: method, precision, grid, version, dim, params, convex, build time).
"""

from __future__ import annotations

import dataclasses
import importlib.resources
import json
import math
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np

from smoothcert._native import core
from smoothcert.certify import shapes

__all__ = ["Table", "build", "load", "lookup", "table_name", "shipped_dir", "SHIPPED", "TABLE_VERSION"]

TABLE_VERSION = 1

#: Tables shipped in the wheel: (family, norm, dim, params).
SHIPPED: tuple[tuple[str, str, int, dict[str, float]], ...] = (
    ("laplace", "linf", 3072, {}),
    ("exp1", "l1", 3072, {"k": 2.0}),
    ("exp1", "l1", 3072, {"k": 4.0}),
    ("exp-inf", "linf", 3072, {"k": 2.0, "j": 0.0}),
    ("pow-inf", "linf", 3072, {"a": 3082.0}),
    ("exp2", "l2", 3072, {"k": 4.0, "j": 0.0}),
    ("exp2", "l2", 3072, {"k": 1.0, "j": 1.0}),
    ("exp2", "l2", 3072, {"k": 2.0, "j": 8.0}),
    ("pow2", "l2", 3072, {"k": 2.0, "a": 1546.0}),
)


@dataclasses.dataclass
class Table:
    """Certified (rho, radius) pairs for one family/norm/dim/params, with provenance."""

    rho: np.ndarray
    radius: np.ndarray
    meta: dict[str, Any]

    def lookup(self, p_lower: Any) -> np.ndarray:
        """Radius for each p: never above the exact radius (see the module docstring); NaN where p <= 1/2."""
        p = np.asarray(p_lower, dtype=np.float64)
        core.certify.check_p_lower(np.ascontiguousarray(p))
        idx = np.searchsorted(self.rho, p, side="right") - 1
        below = idx < 0
        i = np.clip(idx, 0, len(self.rho) - 1)
        out = self.radius[i].copy()
        if self.meta.get("convex", False):
            j = np.clip(i - 1, 0, None)
            drho = self.rho[i] - self.rho[j]
            with np.errstate(divide="ignore", invalid="ignore"):
                slope = np.where(drho > 0, (self.radius[i] - self.radius[j]) / drho, 0.0)
            ext = self.radius[i] + slope * (p - self.rho[i])
            ok = np.isfinite(ext) & (ext >= out) & (i > 0)
            # A relative 1e-14 below, for the rounding of the extension arithmetic (where R is
            # exactly linear the extension is exact up to those few ulps).
            out = np.where(ok, np.maximum(out, ext * (1 - 1e-14)), out)
        out = np.where(below, 0.0, out)
        return np.where(p > 0.5, out, np.nan)

    def save(self, path: Path) -> None:
        np.savez_compressed(path, rho=self.rho, radius=self.radius, meta=np.array(json.dumps(self.meta)))

    @classmethod
    def read(cls, path: Path | Any) -> Table:
        with np.load(path, allow_pickle=False) as f:
            meta = json.loads(str(f["meta"]))
            return cls(rho=np.array(f["rho"]), radius=np.array(f["radius"]), meta=meta)


def _fmt(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else repr(float(v)).replace(".", "p").replace("-", "m")


def table_name(family: str, norm: str, dim: int, params: dict[str, float]) -> str:
    """File stem, e.g. ``exp2_l2_d3072_k4_j0``."""
    parts = [family.replace("-", ""), norm, f"d{int(dim)}"]
    parts += [f"{k}{_fmt(v)}" for k, v in sorted(params.items())]
    return "_".join(parts)


def shipped_dir() -> Path:
    """Directory of the tables installed with the package."""
    return Path(str(importlib.resources.files("smoothcert") / "tables"))


def logit_grid(step: float = 0.01, lo: float = 1e-9, hi: float = 1e-9) -> np.ndarray:
    """rho with logit(rho) = log((rho - 1/2)/(1 - rho)) evenly spaced by ``step``."""
    t = np.arange(math.log(lo / 0.5), math.log(0.5 / hi) + step, step)
    e = np.exp(t)
    return 0.5 + 0.5 * e / (1.0 + e)


def _level_set_grid(family: str, dim: int, params: dict[str, float], step: float) -> tuple[np.ndarray, np.ndarray]:
    """Geometric radius grid from rho - 1/2 ~ 1e-7 to 1 - rho ~ 1e-9; rho computed (rounded up)."""
    kw = dict(family=getattr(core.certify.LevelSetFamily, family), dim=dim, k=params["k"], j=params.get("j", 0.0),
              a=params.get("a", 0.0))
    # End points from the certified radius finder at the two extremes.
    e_lo, e_hi = core.certify.levelset_radius(np.array([0.5 + 1e-7, 1.0 - 1e-9]), rel_tol=1e-3, **kw)
    e_lo = max(e_lo, 1e-300)
    radii = np.exp(np.arange(math.log(e_lo), math.log(e_hi) + step, step))
    rho = core.certify.levelset_rho(radii, **kw)
    keep = rho < 1.0
    return rho[keep], radii[keep]


def build(family: str, norm: str, dim: int, step: float | None = None, **params: float) -> Table:
    """Compute a table in the compiled core.

    ``step`` is the logit(rho) spacing (differential / closed-form tables, default 0.01) or the
    log-radius spacing (level-set tables, default 0.01: a lookup loses at most 1 % of the radius).
    """
    entry = shapes.describe(family, norm)
    dim, params = shapes.resolve_params(entry, dim, params)
    t0 = time.perf_counter()
    if entry.method == "level-set":
        step = 0.01 if step is None else float(step)
        rho, radius = _level_set_grid(family, dim, params, step)
        grid = {"kind": "geometric-radius", "log_step": step}
        precision = "long double quadrature (Gauss-Kronrod 7/15, rel 1e-15), rho rounded up"
    else:
        step = 0.01 if step is None else float(step)
        rho = logit_grid(step)
        radius = shapes.radius(family, norm, rho, dim=dim, **params)
        grid = {"kind": "logit-rho", "step": step, "rho_min": float(rho[0]), "rho_max": float(rho[-1])}
        precision = "long double, radius rounded down (rel margin 1e-11 for quadrature)"
    if not (step > 0):
        raise ValueError(f"step must be > 0, got {step}")
    rho = np.concatenate([[0.5], rho])
    radius = np.concatenate([[0.0], radius])
    from smoothcert import __version__
    meta = {
        "family": family, "norm": norm, "dim": dim, "params": params, "method": entry.method,
        "precision": precision, "grid": grid, "version": TABLE_VERSION, "smoothcert": __version__,
        "convex": entry.method == "differential", "build_seconds": time.perf_counter() - t0,
        "scale": "lambda = 1",
    }
    return Table(rho=rho, radius=radius, meta=meta)


_CACHE: dict[str, Table] = {}
_LOCK = threading.Lock()


def load(family: str, norm: str, dim: int, **params: float) -> Table | None:
    """The shipped table for these parameters, or None."""
    entry = shapes.describe(family, norm)
    dim, params = shapes.resolve_params(entry, dim, params)
    name = table_name(family, norm, dim, params)
    path = shipped_dir() / f"{name}.npz"
    if not path.is_file():
        return None
    return Table.read(path)


def lookup(family: str, norm: str, p_lower: Any, *, dim: int, **params: float) -> np.ndarray:
    """Conservative table lookup; loads the shipped table or builds (and caches) one in memory."""
    entry = shapes.describe(family, norm)
    dim, params = shapes.resolve_params(entry, dim, params)
    name = table_name(family, norm, dim, params)
    with _LOCK:
        table = _CACHE.get(name)
        if table is None:
            table = load(family, norm, dim, **params) or build(family, norm, dim, **params)
            _CACHE[name] = table
    return table.lookup(p_lower)
