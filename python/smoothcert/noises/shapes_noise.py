"""Noise families of Yang, Duan, Hu, Salman, Razenshteyn & Li, "Randomized Smoothing of All Shapes
and Sizes" (ICML 2020).

Every family is a density ``λ^-d f(x / λ)`` sampled by a fused kernel of the compiled core:

* i.i.d. coordinates — :class:`Uniform`, :class:`Laplace`, :class:`Pareto`, :class:`Expp`;
* radius × direction — :class:`UniformBall`, :class:`Exp2`, :class:`Pow2` (ℓ2 spheres),
  :class:`ExpInf`, :class:`PowInf` (ℓ∞ spheres, the surface of the cube), :class:`Exp1` (ℓ1).
  A density ``g(||x||)`` factorises into a direction uniform on the unit sphere of the norm and a
  radius with density ``∝ r^(d-1) g(r)``; the radius laws below follow from that.

``sigma`` is always the per-coordinate standard deviation ``sqrt(E||δ||_2^2 / d)``. With
``E||u||_2^2`` of a uniform direction — 1 on the ℓ2 sphere, ``1 + (d-1)/3`` on the cube surface
(one coordinate ±1, the others U(-1, 1)) and ``2 / (d+1)`` on the ℓ1 sphere (Dirichlet(1, …, 1)
magnitudes) — ``sigma^2 = λ^2 E[R^2] E||u||_2^2 / d``.

Certificates are the functions of :mod:`smoothcert.certify.shapes` at λ = 1, declared at the end of
this module for each (family, norm) and scaled by λ, rounded down; the level-set certificates of
:class:`Exp2` and :class:`Pow2` are declared by :mod:`smoothcert.tables`, which serves them.
"""

from __future__ import annotations

import abc
import math
from typing import Any, Callable, ClassVar

from smoothcert._native import core
from smoothcert.certify import shapes as cert
from smoothcert.certify.registry import register
from smoothcert.noises.scaled import ScaledNoise, check_real


def _lgamma_ratio(a: float, b: float) -> float:
    """log(Γ(a) / Γ(b))."""
    return math.lgamma(a) - math.lgamma(b)


def _iid_sample(cuda: bool) -> Callable[..., None]:
    return core.noise.iid_sample_cuda if cuda else core.noise.iid_sample


def _positive(name: str, value: Any) -> float:
    v = check_real(name, value)
    if v <= 0:
        raise ValueError(f"{name} must be > 0, got {value!r}")
    return v


# ---------------------------------------------------------------------- i.i.d. coordinates
class Uniform(ScaledNoise, name="uniform"):
    """Uniform noise on the cube ``[-λ, λ]^d``; ``sigma = λ / sqrt(3)``.

    Parameters
    ----------
    sigma, lambd : float
        Exactly one: per-coordinate standard deviation, or half-width λ.
    dim : int, optional
        Input dimension; needed for the ℓ∞ certificate, checked against inputs when given.
    """

    def __init__(self, sigma: float | None = None, *, lambd: float | None = None,
                 dim: int | None = None) -> None:
        super().__init__(sigma, lambd=lambd, dim=dim)

    def sigma_at_unit_scale(self) -> float:
        # Var U(-1, 1) = 1/3.
        return 1.0 / math.sqrt(3.0)

    def _kernel(self, cuda: bool) -> tuple[Callable[..., None], tuple[Any, ...]]:
        return _iid_sample(cuda), (core.noise.IidLaw.uniform, self.lambd, 0.0)


class Laplace(ScaledNoise, name="laplace"):
    """i.i.d. Laplace noise, density ``exp(-|x_i| / λ) / (2λ)`` per coordinate; ``sigma = sqrt(2) λ``.

    Parameters
    ----------
    sigma, lambd : float
        Exactly one: per-coordinate standard deviation, or scale λ.
    dim : int, optional
        Input dimension (needed by the ℓ∞ certificate).
    """

    def __init__(self, sigma: float | None = None, *, lambd: float | None = None,
                 dim: int | None = None) -> None:
        super().__init__(sigma, lambd=lambd, dim=dim)

    def sigma_at_unit_scale(self) -> float:
        # E X^2 = 2 for the standard Laplace law.
        return math.sqrt(2.0)

    def _kernel(self, cuda: bool) -> tuple[Callable[..., None], tuple[Any, ...]]:
        return _iid_sample(cuda), (core.noise.IidLaw.laplace, self.lambd, 0.0)


class Pareto(ScaledNoise, name="pareto"):
    """i.i.d. symmetric Pareto noise, density ``a / (2λ) (1 + |x_i| / λ)^-(a+1)`` per coordinate.

    ``sigma = λ sqrt(2 / ((a-1)(a-2)))`` for ``a > 2`` (infinite otherwise: build with ``lambd=``).
    Sampled by inversion, ``|x_i| = λ (U^(-1/a) - 1)``; for very small ``a`` (below about 0.2) the
    largest float32 draws exceed the float32 range and come out as ±inf, like the true values.

    Parameters
    ----------
    sigma, lambd : float
        Exactly one: per-coordinate standard deviation, or scale λ.
    dim : int, optional
        Input dimension, checked against inputs when given.
    a : float
        Tail index, > 0 (default 3).
    """

    shape_names = ("a",)
    shape_defaults = {"a": 3.0}

    def __init__(self, sigma: float | None = None, *, lambd: float | None = None,
                 dim: int | None = None, a: float = 3.0) -> None:
        super().__init__(sigma, lambd=lambd, dim=dim, a=a)

    def _validate_shape(self) -> None:
        self.a = _positive("a", self.a)

    def sigma_at_unit_scale(self) -> float:
        # |X| + 1 ~ Pareto(1, a): E (|X|)^2 = 2 / ((a-1)(a-2)).
        a = self.a
        return math.sqrt(2.0 / ((a - 1.0) * (a - 2.0))) if a > 2 else math.inf

    def _kernel(self, cuda: bool) -> tuple[Callable[..., None], tuple[Any, ...]]:
        return _iid_sample(cuda), (core.noise.IidLaw.pareto, self.lambd, self.a)


class Expp(ScaledNoise, name="expp"):
    """i.i.d. generalised normal noise, density ``∝ exp(-||x / λ||_p^p)``.

    ``|x_i| / λ = G^(1/p)`` with ``G ~ Gamma(1/p)``, so ``sigma = λ sqrt(Γ(3/p) / Γ(1/p))``.

    Parameters
    ----------
    sigma, lambd : float
        Exactly one: per-coordinate standard deviation, or scale λ.
    dim : int, optional
        Input dimension, checked against inputs when given.
    p : float
        Exponent, > 0 (default 1: Laplace).
    """

    shape_names = ("p",)
    shape_defaults = {"p": 1.0}

    def __init__(self, sigma: float | None = None, *, lambd: float | None = None,
                 dim: int | None = None, p: float = 1.0) -> None:
        super().__init__(sigma, lambd=lambd, dim=dim, p=p)

    def _validate_shape(self) -> None:
        self.p = _positive("p", self.p)

    def sigma_at_unit_scale(self) -> float:
        return math.exp(0.5 * _lgamma_ratio(3.0 / self.p, 1.0 / self.p))

    def _kernel(self, cuda: bool) -> tuple[Callable[..., None], tuple[Any, ...]]:
        return core.noise.expp_sample_cuda if cuda else core.noise.expp_sample, (self.p, self.lambd)


# ---------------------------------------------------------------------- radius × direction
class _Radial(ScaledNoise):
    dim_required = True
    _direction: ClassVar[Any]  # core.noise.Direction

    @abc.abstractmethod
    def _radius_law(self) -> tuple[Any, float, float, float]:
        """(law, shape1, shape2, power) of the radius R at λ = 1."""

    def _kernel(self, cuda: bool) -> tuple[Callable[..., None], tuple[Any, ...]]:
        law, s1, s2, power = self._radius_law()
        return (core.noise.radial_sample_cuda if cuda else core.noise.radial_sample,
                (self._direction, law, s1, s2, power, self.lambd))


class UniformBall(_Radial, name="uniform-ball"):
    """Uniform noise on the ℓ2 ball of radius λ; ``sigma = λ / sqrt(d + 2)``.

    ``R = U^(1/d)`` (density ``d r^(d-1)`` on [0, 1]), direction uniform on the sphere.

    Parameters
    ----------
    sigma, lambd : float
        Exactly one: per-coordinate standard deviation, or the ball's radius λ.
    dim : int
        Input dimension d.
    """

    _direction = core.noise.Direction.l2

    def __init__(self, sigma: float | None = None, *, lambd: float | None = None,
                 dim: int | None = None) -> None:
        super().__init__(sigma, lambd=lambd, dim=dim)

    def sigma_at_unit_scale(self) -> float:
        # E R^2 = d / (d + 2).
        return 1.0 / math.sqrt(self.dim + 2.0)

    def _radius_law(self) -> tuple[Any, float, float, float]:
        return core.noise.RadiusLaw.power_uniform, 0.0, 0.0, 1.0 / self.dim


class _ExpRadial(_Radial):
    """Density ``∝ ||x||^-j exp(-||x / λ||^k)``: ``R^k ~ Gamma((d - j) / k)``."""

    shape_names = ("k", "j")
    shape_defaults = {"k": 1.0, "j": 0.0}

    def __init__(self, sigma: float | None = None, *, lambd: float | None = None,
                 dim: int | None = None, k: float = 1.0, j: float = 0.0) -> None:
        super().__init__(sigma, lambd=lambd, dim=dim, k=k, j=j)

    def _validate_shape(self) -> None:
        self.k = _positive("k", self.k)
        self.j = check_real("j", self.j)
        if self.j >= self.dim:
            raise ValueError(f"j must be < dim = {self.dim} (the density is not integrable), got {self.j}")

    def _radius_moment2(self) -> float:
        # E R^2 = Γ((d + 2 - j) / k) / Γ((d - j) / k).
        d, k, j = self.dim, self.k, self.j
        return math.exp(_lgamma_ratio((d + 2.0 - j) / k, (d - j) / k))

    def _radius_law(self) -> tuple[Any, float, float, float]:
        return core.noise.RadiusLaw.gamma, (self.dim - self.j) / self.k, 0.0, 1.0 / self.k


class Exp2(_ExpRadial, name="exp2"):
    """ℓ2-spherical noise, density ``∝ ||x||_2^-j exp(-||x / λ||_2^k)``.

    ``sigma = λ sqrt(Γ((d+2-j)/k) / (d Γ((d-j)/k)))``.

    Parameters
    ----------
    sigma, lambd : float
        Exactly one: per-coordinate standard deviation, or scale λ.
    dim : int
        Input dimension d.
    k : float
        Exponent of the norm, > 0 (default 1).
    j : float
        Power of the norm in front, < d (default 0).
    """

    _direction = core.noise.Direction.l2

    def sigma_at_unit_scale(self) -> float:
        return math.sqrt(self._radius_moment2() / self.dim)


class ExpInf(_ExpRadial, name="exp-inf"):
    """Cubical noise, density ``∝ ||x||_∞^-j exp(-||x / λ||_∞^k)``.

    ``sigma = λ sqrt((1 + (d-1)/3) Γ((d+2-j)/k) / (d Γ((d-j)/k)))``.

    Parameters
    ----------
    sigma, lambd : float
        Exactly one: per-coordinate standard deviation, or scale λ.
    dim : int
        Input dimension d.
    k : float
        Exponent of the norm, > 0 (default 1).
    j : float
        Power of the norm in front, < d (default 0).
    """

    norms = ("l1", "linf")
    _direction = core.noise.Direction.linf

    def sigma_at_unit_scale(self) -> float:
        return math.sqrt((1.0 + (self.dim - 1.0) / 3.0) * self._radius_moment2() / self.dim)


class Exp1(_ExpRadial, name="exp1"):
    """ℓ1-spherical noise, density ``∝ exp(-||x / λ||_1^k)`` (k = 1: i.i.d. Laplace).

    ``sigma = λ sqrt(2 Γ((d+2)/k) / (d (d+1) Γ(d/k)))``.

    Parameters
    ----------
    sigma, lambd : float
        Exactly one: per-coordinate standard deviation, or scale λ.
    dim : int
        Input dimension d.
    k : float
        Exponent of the norm, > 0 (default 1).
    """

    shape_names = ("k",)
    shape_defaults = {"k": 1.0}
    _direction = core.noise.Direction.l1

    def __init__(self, sigma: float | None = None, *, lambd: float | None = None,
                 dim: int | None = None, k: float = 1.0) -> None:
        _Radial.__init__(self, sigma, lambd=lambd, dim=dim, k=k)

    def _validate_shape(self) -> None:
        self.k = _positive("k", self.k)
        self.j = 0.0

    def shape_params(self) -> dict[str, Any]:
        return {"k": self.k}

    def sigma_at_unit_scale(self) -> float:
        return math.sqrt(2.0 * self._radius_moment2() / (self.dim * (self.dim + 1.0)))


class Pow2(_Radial, name="pow2"):
    """ℓ2-spherical power law, density ``∝ (1 + ||x / λ||_2^k)^-a``.

    ``R^k ~ BetaPrime(d/k, a - d/k)`` (needs ``a > d/k``);
    ``sigma = λ sqrt(Γ((d+2)/k) Γ(a-(d+2)/k) / (d Γ(d/k) Γ(a-d/k)))`` for ``a > (d+2)/k``.

    Parameters
    ----------
    sigma, lambd : float
        Exactly one: per-coordinate standard deviation, or scale λ.
    dim : int
        Input dimension d.
    k : float
        Exponent of the norm, > 0 (default 1).
    a : float, optional
        Power, > d/k (default d + 10, as in the paper's experiments).
    """

    shape_names = ("k", "a")
    shape_defaults = {"k": 1.0}
    _direction = core.noise.Direction.l2

    def __init__(self, sigma: float | None = None, *, lambd: float | None = None,
                 dim: int | None = None, k: float = 1.0, a: float | None = None) -> None:
        if a is None and dim is not None:
            a = float(dim) + 10.0
        super().__init__(sigma, lambd=lambd, dim=dim, k=k, a=a)

    def _validate_shape(self) -> None:
        self.k = _positive("k", self.k)
        self.a = check_real("a", self.a)
        if self.a <= self.dim / self.k:
            raise ValueError(f"a must be > dim / k = {self.dim / self.k}, got {self.a}")

    def sigma_at_unit_scale(self) -> float:
        d, k, a = self.dim, self.k, self.a
        if a <= (d + 2.0) / k:
            return math.inf
        return math.exp(0.5 * (_lgamma_ratio((d + 2.0) / k, d / k)
                               + _lgamma_ratio(a - (d + 2.0) / k, a - d / k) - math.log(d)))

    def _radius_law(self) -> tuple[Any, float, float, float]:
        d, k = self.dim, self.k
        return core.noise.RadiusLaw.beta_prime, d / k, self.a - d / k, 1.0 / k


class PowInf(_Radial, name="pow-inf"):
    """Cubical power law, density ``∝ (1 + ||x / λ||_∞)^-a``.

    ``R ~ BetaPrime(d, a - d)`` (needs ``a > d``);
    ``sigma = λ sqrt((1 + (d-1)/3) (d+1) / ((a-d-1)(a-d-2)))`` for ``a > d + 2``.

    Parameters
    ----------
    sigma, lambd : float
        Exactly one: per-coordinate standard deviation, or scale λ.
    dim : int
        Input dimension d.
    a : float
        Power, > d (required).
    """

    norms = ("l1", "linf")
    shape_names = ("a",)
    _direction = core.noise.Direction.linf

    def __init__(self, sigma: float | None = None, *, lambd: float | None = None,
                 dim: int | None = None, a: float | None = None) -> None:
        if a is None:
            raise ValueError("a is required for PowInf (a power > dim)")
        super().__init__(sigma, lambd=lambd, dim=dim, a=a)

    def _validate_shape(self) -> None:
        self.a = check_real("a", self.a)
        if self.a <= self.dim:
            raise ValueError(f"a must be > dim = {self.dim}, got {self.a}")

    def sigma_at_unit_scale(self) -> float:
        d, a = self.dim, self.a
        if a <= d + 2.0:
            return math.inf
        # E R^2 = d (d+1) / ((a-d-1)(a-d-2)) for BetaPrime(d, a-d).
        return math.sqrt((1.0 + (d - 1.0) / 3.0) * (d + 1.0) / ((a - d - 1.0) * (a - d - 2.0)))

    def _radius_law(self) -> tuple[Any, float, float, float]:
        return core.noise.RadiusLaw.beta_prime, float(self.dim), self.a - self.dim, 1.0


# ---------------------------------------------------------------------- certificates (at λ = 1)
# The first norm declared for a family is its default.
register(Uniform, "l1", cert.uniform_l1, method="closed-form", scale="lambd")
register(Uniform, "linf", cert.uniform_linf, params=("dim",), method="closed-form", scale="lambd")
register(Uniform, "l2", cert.uniform_l2, params=("dim",), method="closed-form", scale="lambd")
register(Laplace, "l1", cert.laplace_l1, method="closed-form", scale="lambd")
register(Laplace, "linf", cert.laplace_linf, params=("dim",), method="differential", scale="lambd")
register(Laplace, "l2", cert.laplace_l2, params=("dim",), method="norm-inequality", scale="lambd")
register(Pareto, "l1", cert.pareto_l1, params=("a",), method="closed-form", scale="lambd", check=cert.check_pareto)
register(Expp, "l1", cert.expp_l1, params=("p",), method="closed-form", scale="lambd", check=cert.check_expp)
register(UniformBall, "l2", cert.uniform_ball_l2, params=("dim",), method="closed-form", scale="lambd")
register(ExpInf, "l1", cert.expinf_l1, params=("dim", "k", "j"), method="differential", scale="lambd",
         check=cert.check_expinf)
register(ExpInf, "linf", cert.expinf_linf, params=("dim", "k", "j"), method="differential", scale="lambd",
         check=cert.check_expinf_linf)
register(Exp1, "l1", cert.exp1_l1, params=("dim", "k"), method="differential", scale="lambd",
         check=cert.check_k_ge1)
register(PowInf, "l1", cert.powinf_l1, params=("dim", "a"), method="differential", scale="lambd",
         check=cert.check_powinf)
register(PowInf, "linf", cert.powinf_linf, params=("dim", "a"), method="differential", scale="lambd",
         check=cert.check_powinf)


__all__ = ["Uniform", "Laplace", "Pareto", "Expp", "UniformBall", "Exp2", "ExpInf", "Exp1", "Pow2",
           "PowInf"]
