r"""Certified radii of the noise families of "Randomized Smoothing of All Shapes and Sizes".

Yang, Duan, Hu, Salman, Razenshteyn & Li, ICML 2020. Every radius here is **at scale lambda = 1**:
a noise with scale lambda certifies ``lambda * radius(...)``. ``lambda`` is the scale parameter in
the density, and sigma (the per-coordinate root mean square, sqrt(E||delta||_2^2 / d)) follows:

==============  ========================================================  ============================================
registry name   density at scale lambda                                   sigma / lambda
==============  ========================================================  ============================================
gaussian        exp(-||x||_2^2 / (2 lambda^2))                            1
uniform         uniform on [-lambda, lambda]^d                            1 / sqrt(3)
laplace         exp(-||x||_1 / lambda)                                    sqrt(2)
pareto (a)      prod_i (1 + |x_i| / lambda)^{-(a+1)}                      sqrt(2 / ((a-1)(a-2)))        (a > 2)
uniform-ball    uniform on the l2 ball of radius lambda                   1 / sqrt(d + 2)
exp-inf (k, j)  ||x||_inf^{-j} exp(-||x / lambda||_inf^k)                 sqrt((d+2)/(3d) G((d+2-j)/k) / G((d-j)/k))
pow-inf (a)     (1 + ||x / lambda||_inf)^{-a}                             sqrt((d+2)/3 (d+1) / ((a-d-1)(a-d-2)))
exp2 (k, j)     ||x||_2^{-j} exp(-||x / lambda||_2^k)                     sqrt(G((d+2-j)/k) / (d G((d-j)/k)))
pow2 (k, a)     (1 + ||x / lambda||_2^k)^{-a}                             sqrt(B((d+2)/k, a-(d+2)/k) / (d B(d/k, a-d/k)))
exp1 (k)        exp(-||x / lambda||_1^k)                                  sqrt(2 G((d+2)/k) / (d (d+1) G(d/k)))
expp (p)        exp(-sum_i |x_i / lambda|^p)                              sqrt(G(3/p) / G(1/p))
==============  ========================================================  ============================================

(G is the Gamma function, B the Beta function; the exp-inf and pow-inf rows use E x_i^2 =
E||x||_inf^2 (d + 2) / (3 d) for a point uniform on the surface of the cube.)

How each radius is obtained (``method`` in :func:`describe`):

- ``closed-form``: Gaussian l2 Phi^{-1}(p) (Cohen et al., Thm 1), l1 the same (||.||_2 <= ||.||_1),
  linf Phi^{-1}(p)/sqrt(d); Laplace l1 log(1/(2(1-p))); uniform l1 2p-1 and linf
  2(1-(3/2-p)^{1/d}) (the overlap of the cube with its shift must exceed 3/2 - p); uniform l2
  sqrt(d) times the linf radius: the overlap prod_i (1 - |delta_i|/2) is, for ||delta||_2 < 1, a
  sum of functions of delta_i^2 that are convex on [0, 1/4], so by Jensen its minimum on the l2
  sphere is at |delta_i| = ||delta||_2 / sqrt(d) and the l2 condition is the linf one rescaled;
  uniform-ball l2 2 sqrt(I^{-1}_{1/2,(d+1)/2}(p-1/2)) (overlap of two balls); Exp2 k = 1, j = 0
  (d-1) atanh(sqrt(I^{-1}_{1/2,(d-1)/2}(2p-1))) (the differential method in closed form: a lower
  bound on the exact level-set radius, below it by < 1e-7 relative at d = 3072); Exp2 k = 2, j = 0 Phi^{-1}(p)/sqrt(2) (a Gaussian
  of variance 1/2); Expp l1 (P^{-1}_{1/p}(2p_A-1))^{1/p}; Pareto l1 (1/a) int_0^{2p-1} dy/(1-y^{1+1/a}).
  Uniform-ball and Pareto are served from second-order Taylor tables built once per dim / a (their
  third derivatives are >= 0, so each Taylor polynomial is a lower bound; measured < 1e-7 relative
  below the exact radius), with nodes on a binary grid that the compiled query indexes from the
  bits of p (a few ns per value, no search); the uniform-ball radius at p = 1 is twice the median
  of |X_1|.
- ``differential``: R(rho) = int_{1-rho}^{1/2} dp / Phi(p) (Sec. 4.2 of the paper) with Phi the
  Neyman-Pearson growth function in the worst direction: Laplace linf (exact sum over binomial
  atoms: the proven bound, not the lambda Phi^{-1}(p)/sqrt(d) approximation), ExpInf linf and Exp1
  l1 (j = 0, k >= 1), PowInf linf, ExpInf / PowInf l1 (constant Phi up to p = 1/(2d), exact tail
  above).
- ``level-set``: Exp2 (other k, j) and Pow2 l2 (Sec. 4.1), read conservatively from a table of
  exact (rho(e), e) pairs (see :mod:`smoothcert.tables`): never above the exact radius, at most one
  grid step (relative 1e-2 by default) below it;
  ``smoothcert._core.certify.levelset_radius`` gives the exact root for single inputs.
- ``norm-inequality``: Laplace l2 max(R_1/sqrt(d), R_inf) from ||.||_1 <= sqrt(d)||.||_2 and
  ||.||_inf <= ||.||_2.

All radii are rounded down (never above the exact radius). ``p_lower <= 1/2`` gives NaN (abstain).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from typing import Any

import numpy as np

from smoothcert._native import core

__all__ = ["radius", "families", "describe", "RadiusEntry"]

_S = core.certify


@dataclasses.dataclass(frozen=True)
class RadiusEntry:
    """One (family, norm) certificate: its function, shape parameters and method.

    ``func(p, dim, **params)`` takes float64 p_A lower bounds, raises ValueError unless they lie in
    [0, 1], and returns the radii, NaN (abstain) where p <= 1/2: the compiled kernels and the table
    lookups do both themselves.
    """

    family: str
    norm: str
    func: Callable[..., np.ndarray]
    params: dict[str, float | None]  # name -> default (None: required)
    needs_dim: bool
    method: str
    check: Callable[..., None] | None = None


_REGISTRY: dict[tuple[str, str], RadiusEntry] = {}


def _register(family: str, norm: str, *, params: dict[str, float | None] | None = None,
              needs_dim: bool = True, method: str = "closed-form",
              check: Callable[..., None] | None = None) -> Callable:
    def wrap(func: Callable[..., np.ndarray]) -> Callable[..., np.ndarray]:
        key = (family, norm)
        if key in _REGISTRY:
            raise ValueError(f"radius for {key} registered twice")
        _REGISTRY[key] = RadiusEntry(family, norm, func, dict(params or {}), needs_dim, method, check)
        return func
    return wrap


# ---------------------------------------------------------------------------- parameter checks
def _require(cond: bool, message: str) -> None:
    if not cond:
        raise ValueError(message)


def _check_k_ge1(dim: int, k: float, **_: Any) -> None:
    _require(k >= 1, f"k must be >= 1 for this certificate, got {k}")


def _check_expinf(dim: int, k: float, j: float) -> None:
    _require(k > 0, f"k must be > 0, got {k}")
    _require(0 <= j < dim - 1, f"j must satisfy 0 <= j < dim - 1, got j={j}, dim={dim}")


def _check_expinf_linf(dim: int, k: float, j: float) -> None:
    _require(j == 0, f"the ExpInf linf certificate needs j = 0, got j={j}")
    _require(k >= 1, f"k must be >= 1 for the ExpInf linf certificate, got {k}")


def _check_powinf(dim: int, a: float) -> None:
    _require(a > dim, f"a must be > dim, got a={a}, dim={dim}")


def _check_pareto(dim: int | None, a: float) -> None:
    _require(a > 0, f"a must be > 0, got {a}")


def _check_expp(dim: int | None, p: float) -> None:
    _require(p >= 1, f"p must be >= 1 for the Expp l1 certificate, got {p}")


def _check_exp2(dim: int, k: float, j: float) -> None:
    _require(dim >= 2, f"dim must be >= 2, got {dim}")
    _require(k > 0, f"k must be > 0, got {k}")
    _require(0 <= j < dim, f"j must satisfy 0 <= j < dim, got {j}")


def _check_pow2(dim: int, k: float, a: float) -> None:
    _require(dim >= 2, f"dim must be >= 2, got {dim}")
    _require(k > 0, f"k must be > 0, got {k}")
    _require(a > dim / k, f"a must be > dim / k, got a={a}")


# ---------------------------------------------------------------------------- closed forms
@_register("gaussian", "l2", needs_dim=False)
def _gaussian_l2(p: np.ndarray, dim: int | None) -> np.ndarray:
    return _S.gaussian_radius(1.0, p)


@_register("gaussian", "l1", needs_dim=False, method="norm-inequality")
def _gaussian_l1(p: np.ndarray, dim: int | None) -> np.ndarray:
    return _S.gaussian_radius(1.0, p)


@_register("gaussian", "linf", method="norm-inequality")
def _gaussian_linf(p: np.ndarray, dim: int) -> np.ndarray:
    return _round_down_div(_S.gaussian_radius(1.0, p), math.sqrt(dim))


@_register("laplace", "l1", needs_dim=False)
def _laplace_l1(p: np.ndarray, dim: int | None) -> np.ndarray:
    return _S.laplace_l1(p)


@_register("laplace", "linf", method="differential")
def _laplace_linf(p: np.ndarray, dim: int) -> np.ndarray:
    return _S.laplace_linf(p, dim)


@_register("laplace", "l2", method="norm-inequality")
def _laplace_l2(p: np.ndarray, dim: int) -> np.ndarray:
    return np.maximum(_round_down_div(_S.laplace_l1(p), math.sqrt(dim)), _S.laplace_linf(p, dim))


@_register("uniform", "l1", needs_dim=False)
def _uniform_l1(p: np.ndarray, dim: int | None) -> np.ndarray:
    return _S.uniform_l1(p)


@_register("uniform", "linf")
def _uniform_linf(p: np.ndarray, dim: int) -> np.ndarray:
    return _S.uniform_linf(p, dim)


@_register("uniform", "l2")
def _uniform_l2(p: np.ndarray, dim: int) -> np.ndarray:
    return _S.uniform_l2(p, dim)


@_register("pareto", "l1", params={"a": None}, needs_dim=False, check=_check_pareto)
def _pareto_l1(p: np.ndarray, dim: int | None, a: float) -> np.ndarray:
    return _S.pareto_l1(p, a)


@_register("uniform-ball", "l2")
def _uniform_ball_l2(p: np.ndarray, dim: int) -> np.ndarray:
    return _S.uniform_ball_l2(p, dim)


@_register("expp", "l1", params={"p": None}, needs_dim=False, check=_check_expp)
def _expp_l1(p_lower: np.ndarray, dim: int | None, p: float) -> np.ndarray:
    return _S.expp_l1(p_lower, p)


# ---------------------------------------------------------------------------- differential method
@_register("exp-inf", "linf", params={"k": 1.0, "j": 0.0}, method="differential", check=_check_expinf_linf)
def _expinf_linf(p: np.ndarray, dim: int, k: float, j: float) -> np.ndarray:
    return _S.laplace_l1(p) if k == 1 else _S.exp_gamma_linf(p, dim, k)


@_register("exp-inf", "l1", params={"k": 1.0, "j": 0.0}, method="differential", check=_check_expinf)
def _expinf_l1(p: np.ndarray, dim: int, k: float, j: float) -> np.ndarray:
    return _S.expinf_l1(p, dim, k, j)


@_register("exp1", "l1", params={"k": 1.0}, method="differential", check=_check_k_ge1)
def _exp1_l1(p: np.ndarray, dim: int, k: float) -> np.ndarray:
    return _S.laplace_l1(p) if k == 1 else _S.exp_gamma_linf(p, dim, k)


@_register("pow-inf", "linf", params={"a": None}, method="differential", check=_check_powinf)
def _powinf_linf(p: np.ndarray, dim: int, a: float) -> np.ndarray:
    return _S.powinf_linf(p, dim, a)


@_register("pow-inf", "l1", params={"a": None}, method="differential", check=_check_powinf)
def _powinf_l1(p: np.ndarray, dim: int, a: float) -> np.ndarray:
    return _S.powinf_l1(p, dim, a)


# ---------------------------------------------------------------------------- level-set method
@_register("exp2", "l2", params={"k": 1.0, "j": 0.0}, method="level-set", check=_check_exp2)
def _exp2_l2(p: np.ndarray, dim: int, k: float, j: float) -> np.ndarray:
    if j == 0 and k == 1:
        return _S.exp2_k1_l2(p, dim)
    if j == 0 and k == 2:
        return _round_down_div(_S.gaussian_radius(1.0, p), math.sqrt(2.0))
    from smoothcert import tables
    return tables.lookup("exp2", "l2", p, dim=dim, k=k, j=j)


@_register("pow2", "l2", params={"k": 1.0, "a": None}, method="level-set", check=_check_pow2)
def _pow2_l2(p: np.ndarray, dim: int, k: float, a: float) -> np.ndarray:
    from smoothcert import tables
    return tables.lookup("pow2", "l2", p, dim=dim, k=k, a=a)


def _round_down_div(r: np.ndarray, c: float) -> np.ndarray:
    """r / c rounded toward -inf (one ulp below the correctly rounded quotient)."""
    q = np.asarray(r, dtype=np.float64) / c
    return np.where(np.isfinite(q) & (q > 0), np.nextafter(q, -np.inf), q)


# ---------------------------------------------------------------------------- public API
def families() -> dict[str, tuple[str, ...]]:
    """Registered families and the norms each certifies."""
    out: dict[str, list[str]] = {}
    for fam, norm in _REGISTRY:
        out.setdefault(fam, []).append(norm)
    return {k: tuple(v) for k, v in out.items()}


def describe(family: str, norm: str) -> RadiusEntry:
    """The registry entry for (family, norm); ValueError if there is none."""
    key = (family, norm)
    if key not in _REGISTRY:
        known = sorted(_REGISTRY)
        raise ValueError(f"no certificate for family={family!r}, norm={norm!r}; known: {known}")
    return _REGISTRY[key]


def resolve_params(entry: RadiusEntry, dim: int | None, shape_params: dict[str, Any]) -> tuple[int | None, dict[str, float]]:
    """Validated (dim, shape parameters) for an entry, with defaults filled in."""
    if not shape_params.keys() <= entry.params.keys():
        unknown = sorted(shape_params.keys() - entry.params.keys())
        raise ValueError(f"unknown shape parameter(s) {unknown} for {entry.family}; "
                         f"accepted: {sorted(entry.params)}")
    params: dict[str, float] = {}
    for name, default in entry.params.items():
        value = shape_params.get(name, default)
        if value is None:
            raise ValueError(f"{entry.family} needs the shape parameter {name!r}")
        value = float(value)
        if not math.isfinite(value):
            raise ValueError(f"{name} must be finite, got {value}")
        params[name] = value
    if entry.needs_dim or dim is not None:
        if dim is None:
            raise ValueError(f"dim is required for {entry.family} / {entry.norm}")
        if isinstance(dim, bool) or int(dim) != dim or int(dim) < 1:
            raise ValueError(f"dim must be an integer >= 1, got {dim!r}")
        dim = int(dim)
    if entry.check is not None:
        entry.check(dim, **params)
    return dim, params


def radius(family: str, norm: str, p_lower: Any, *, dim: int | None = None,
           **shape_params: float) -> np.ndarray:
    """Certified radius at scale lambda = 1 for each lower bound ``p_lower`` on p_A.

    Parameters
    ----------
    family : str
        Registry name (see the module docstring and :func:`families`).
    norm : {"l1", "l2", "linf"}
        Threat model.
    p_lower : array_like
        Lower confidence bounds on p_A, in [0, 1].
    dim : int, optional
        Input dimension d (required by every dimension-dependent certificate).
    **shape_params
        The family's shape parameters (``k``, ``j``, ``a``, ``p``).

    Returns
    -------
    numpy.ndarray
        float64 radii (multiply by the noise's lambda), never above the exact radius; NaN where
        ``p_lower <= 1/2`` (abstain) and +inf at ``p_lower == 1`` for unbounded noises.
    """
    entry = describe(family, norm)
    dim, params = resolve_params(entry, dim, shape_params)
    # p is validated (ValueError outside [0, 1] or NaN) by the entry's kernel or table lookup, in
    # one compiled pass: numpy's checks here would cost more than a table-served certificate.
    return np.asarray(entry.func(np.ascontiguousarray(p_lower, dtype=np.float64), dim, **params), dtype=np.float64)
