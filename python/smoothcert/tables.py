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

Files: ``tables/<family>_<norm>_d<dim>[_<param><value>...].npz`` (``<family>`` the noise class's
``table_stem``) with arrays ``rho``, ``radius`` and ``meta`` (a JSON string: method, precision, grid,
version, dim, params, convex, build time).

This module serves the level-set certificates of :class:`~smoothcert.noises.shapes_noise.Exp2` and
:class:`~smoothcert.noises.shapes_noise.Pow2` and declares them in :mod:`smoothcert.certify.registry`
(:mod:`smoothcert.certify` never imports it). A family is named by its noise class, or by the
class's registered name (as on the command line).
"""

from __future__ import annotations

import dataclasses
import functools
import importlib.resources
import json
import math
import threading
import time
from pathlib import Path
from typing import Any, Union

import numpy as np

from smoothcert._native import core
from smoothcert.certify import shapes as cert
from smoothcert.certify.registry import certificate, register
from smoothcert.noises.base import Noise
from smoothcert.noises.scaled import ScaledNoise
from smoothcert.noises.shapes_noise import Exp1, Exp2, ExpInf, Laplace, Pow2, PowInf

__all__ = ["Table", "build", "load", "lookup", "table_name", "shipped_dir", "SHIPPED", "TABLE_VERSION"]

TABLE_VERSION = 1

#: A family: its noise class, or the name it is registered under (``Noise.registry``).
Family = Union[type[ScaledNoise], str]

#: Tables shipped in the wheel: (family, norm, dim, params).
SHIPPED: tuple[tuple[type[ScaledNoise], str, int, dict[str, float]], ...] = (
    (Laplace, "linf", 3072, {}),
    (Exp1, "l1", 3072, {"k": 2.0}),
    (Exp1, "l1", 3072, {"k": 4.0}),
    (ExpInf, "linf", 3072, {"k": 2.0, "j": 0.0}),
    (PowInf, "linf", 3072, {"a": 3082.0}),
    (Exp2, "l2", 3072, {"k": 4.0, "j": 0.0}),
    (Exp2, "l2", 3072, {"k": 1.0, "j": 1.0}),
    (Pow2, "l2", 3072, {"k": 2.0, "a": 1546.0}),
)

#: The level-set families (Yang et al. 2020, Sec. 4.1) and the core integrand of each.
_LEVEL_SET: dict[type[ScaledNoise], Any] = {Exp2: core.certify.LevelSetFamily.exp2,
                                            Pow2: core.certify.LevelSetFamily.pow2}


def noise_class(family: Family) -> type[ScaledNoise]:
    """The noise class of ``family`` (a class, or its registered name); ValueError if unknown."""
    cls = Noise.registry.get(family) if isinstance(family, str) else family
    if not (isinstance(cls, type) and issubclass(cls, ScaledNoise)):
        known = sorted(name for name, c in Noise.registry.items() if issubclass(c, ScaledNoise))
        raise ValueError(f"family must be a scale family or one of {known}, got {family!r}")
    return cls


def resolve(family: Family, norm: str, dim: int, params: dict[str, Any]) -> tuple[type[ScaledNoise], int, dict[str, float]]:
    """(class, dim, shape parameters with defaults) of a table, validated by the family at scale 1."""
    cls = noise_class(family)
    entry = certificate(cls, norm)
    try:
        noise = cls(lambd=1.0, dim=dim, **params)
    except TypeError:
        raise ValueError(f"unknown shape parameter(s) {sorted(params)} for {cls.__name__}; "
                         f"accepted: {list(cls.shape_names)}") from None
    kwargs = entry.arguments(noise)
    if "dim" not in kwargs:
        raise ValueError(f"the {norm} certificate of {cls.__name__} does not depend on dim: no table needed")
    return cls, int(noise.dim), {k: float(v) for k, v in kwargs.items() if k != "dim"}


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

    def rederive(self, indices: Any) -> tuple[str, np.ndarray]:
        """Recompute the entries at ``indices`` in the compiled core: ``(what, relative drift)``.

        Level-set tables re-derive rho from each radius (drift relative to 1 - rho), the others the
        radius from each rho.
        """
        meta, idx = self.meta, np.asarray(indices)
        cls, params = noise_class(meta["family"]), meta["params"]
        if meta["method"] == "level-set":
            fresh = _level_set_rho(cls, meta["dim"], params, self.radius[idx])
            return "rho", np.abs(fresh - self.rho[idx]) / np.maximum(1.0 - self.rho[idx], 1e-300)
        fresh = _unit_radius(cls, meta["norm"], meta["dim"], params, self.rho[idx])
        return "radius", np.abs(fresh - self.radius[idx]) / np.maximum(np.abs(fresh), 1e-300)

    @classmethod
    def read(cls, path: Path | Any) -> Table:
        with np.load(path, allow_pickle=False) as f:
            meta = json.loads(str(f["meta"]))
            return cls(rho=np.array(f["rho"]), radius=np.array(f["radius"]), meta=meta)


def _fmt(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else repr(float(v)).replace(".", "p").replace("-", "m")


def table_name(family: Family, norm: str, dim: int, params: dict[str, float]) -> str:
    """File stem, e.g. ``exp2_l2_d3072_j0_k4``."""
    parts = [noise_class(family).table_stem, norm, f"d{int(dim)}"]
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


def _level_set_kwargs(cls: type[ScaledNoise], dim: int, params: dict[str, float]) -> dict[str, Any]:
    return dict(family=_LEVEL_SET[cls], dim=dim, k=params["k"], j=params.get("j", 0.0), a=params.get("a", 0.0))


def _level_set_rho(cls: type[ScaledNoise], dim: int, params: dict[str, float], radii: np.ndarray) -> np.ndarray:
    """rho (rounded up) that the exact level-set radius ``radii`` needs."""
    return core.certify.levelset_rho(np.ascontiguousarray(radii, dtype=np.float64),
                                    **_level_set_kwargs(cls, dim, params))


def level_set_radius(family: Family, p_lower: Any, *, dim: int, rel_tol: float = 1e-7,
                     **params: float) -> np.ndarray:
    """The level-set radius at scale 1 found by the certified root finder (no table): slow, for checks."""
    cls, dim, params = resolve(family, "l2", dim, params)
    if cls not in _LEVEL_SET:
        raise ValueError(f"{cls.__name__} has no level-set certificate")
    return core.certify.levelset_radius(np.ascontiguousarray(p_lower, dtype=np.float64), rel_tol=rel_tol,
                                       **_level_set_kwargs(cls, dim, params))


def _unit_radius(cls: type[ScaledNoise], norm: str, dim: int, params: dict[str, float], rho: np.ndarray) -> np.ndarray:
    """The declared certificate of (cls, norm) at scale 1, computed directly."""
    entry = certificate(cls, norm)
    kwargs = {keyword: dim if keyword == "dim" else params[keyword] for keyword, _ in entry.params}
    return np.asarray(entry.radius(p_a_lower=np.ascontiguousarray(rho, dtype=np.float64), **kwargs),
                      dtype=np.float64)


def _level_set_grid(cls: type[ScaledNoise], dim: int, params: dict[str, float],
                    step: float) -> tuple[np.ndarray, np.ndarray]:
    """Geometric radius grid from rho - 1/2 ~ 1e-7 to 1 - rho ~ 1e-9; rho computed (rounded up)."""
    # End points from the certified radius finder at the two extremes.
    e_lo, e_hi = core.certify.levelset_radius(np.array([0.5 + 1e-7, 1.0 - 1e-9]), rel_tol=1e-3,
                                             **_level_set_kwargs(cls, dim, params))
    e_lo = max(e_lo, 1e-300)
    radii = np.exp(np.arange(math.log(e_lo), math.log(e_hi) + step, step))
    rho = _level_set_rho(cls, dim, params, radii)
    keep = rho < 1.0
    return rho[keep], radii[keep]


def build(family: Family, norm: str, dim: int, step: float | None = None, **params: float) -> Table:
    """Compute a table in the compiled core.

    ``step`` is the logit(rho) spacing (differential / closed-form tables, default 0.01) or the
    log-radius spacing (level-set tables, default 0.01: a lookup loses at most 1 % of the radius).
    """
    cls, dim, params = resolve(family, norm, dim, params)
    level_set = cls in _LEVEL_SET
    method = "level-set" if level_set else certificate(cls, norm).method
    t0 = time.perf_counter()
    if level_set:
        step = 0.01 if step is None else float(step)
        rho, radius = _level_set_grid(cls, dim, params, step)
        grid = {"kind": "geometric-radius", "log_step": step}
        precision = "long double quadrature (Gauss-Kronrod 7/15, rel 1e-15), rho rounded up"
    else:
        step = 0.01 if step is None else float(step)
        rho = logit_grid(step)
        radius = _unit_radius(cls, norm, dim, params, rho)
        grid = {"kind": "logit-rho", "step": step, "rho_min": float(rho[0]), "rho_max": float(rho[-1])}
        precision = "long double, radius rounded down (rel margin 1e-11 for quadrature)"
    if not (step > 0):
        raise ValueError(f"step must be > 0, got {step}")
    rho = np.concatenate([[0.5], rho])
    radius = np.concatenate([[0.0], radius])
    from smoothcert import __version__
    meta = {
        "family": cls.name, "norm": norm, "dim": dim, "params": params, "method": method,
        "precision": precision, "grid": grid, "version": TABLE_VERSION, "smoothcert": __version__,
        "convex": method == "differential", "build_seconds": time.perf_counter() - t0,
        "scale": "lambda = 1",
    }
    return Table(rho=rho, radius=radius, meta=meta)


_CACHE: dict[str, Table] = {}
_LOCK = threading.Lock()


def _read_shipped(cls: type[ScaledNoise], norm: str, dim: int, params: dict[str, float]) -> Table | None:
    path = shipped_dir() / f"{table_name(cls, norm, dim, params)}.npz"
    return Table.read(path) if path.is_file() else None


def load(family: Family, norm: str, dim: int, **params: float) -> Table | None:
    """The shipped table for these parameters, or None."""
    cls, dim, params = resolve(family, norm, dim, params)
    return _read_shipped(cls, norm, dim, params)


def _table(cls: type[ScaledNoise], norm: str, dim: int, params: dict[str, float]) -> Table:
    """The shipped table, or one built (once) in memory, for validated parameters."""
    name = table_name(cls, norm, dim, params)
    with _LOCK:
        table = _CACHE.get(name)
        if table is None:
            table = _read_shipped(cls, norm, dim, params) or build(cls, norm, dim, **params)
            _CACHE[name] = table
    return table


def lookup(family: Family, norm: str, p_lower: Any, *, dim: int, **params: float) -> np.ndarray:
    """Conservative table lookup; loads the shipped table or builds (and caches) one in memory."""
    cls, dim, params = resolve(family, norm, dim, params)
    return _table(cls, norm, dim, params).lookup(p_lower)


# ---------------------------------------------------------------------------- declared certificates
def _exp2_level_set(p_a_lower: np.ndarray, *, dim: int, k: float, j: float) -> np.ndarray:
    return _table(Exp2, "l2", dim, {"j": float(j), "k": float(k)}).lookup(p_a_lower)


def _pow2_level_set(p_a_lower: np.ndarray, *, dim: int, k: float, a: float) -> np.ndarray:
    return _table(Pow2, "l2", dim, {"a": float(a), "k": float(k)}).lookup(p_a_lower)


register(Exp2, "l2", functools.partial(cert.exp2_l2, level_set=_exp2_level_set), params=("dim", "k", "j"),
         method="level-set", scale="lambd", check=cert.check_exp2)
register(Pow2, "l2", _pow2_level_set, params=("dim", "k", "a"), method="level-set", scale="lambd",
         check=cert.check_pow2)
