"""Shared machinery of the noise families parameterised by a scale λ (Yang et al., 2020).

Each family is a density ``λ^-d f(x / λ)``; its ``sigma`` is the per-coordinate standard deviation
``sqrt(E ||δ||_2^2 / d)``, so ``sigma = λ · sigma_at_unit_scale``. A family is constructed with
exactly one of ``sigma=`` and ``lambd=``; the one given is what :meth:`params` records, so a
description rebuilds the same noise bit for bit.

Their certificates are functions at λ = 1 (:mod:`smoothcert.certify.shapes`) declared with
``scale="lambd"``: the noise certifies ``λ`` times that radius, rounded down.
"""

from __future__ import annotations

import abc
import math
from typing import Any, Callable, ClassVar

import numpy as np
import torch

from smoothcert.noises.base import Noise, check_positive


def check_dim(dim: int | None, *, required: bool) -> int | None:
    """Validate the input dimension ``dim`` (a positive integer, or None where optional)."""
    if dim is None:
        if required:
            raise ValueError("dim is required for this noise: its law depends on the input dimension")
        return None
    if isinstance(dim, bool) or not isinstance(dim, (int, np.integer)) or dim < 1:
        raise ValueError(f"dim must be a positive integer, got {dim!r}")
    if dim >= 2**32:
        raise ValueError(f"dim must be < 2^32, got {dim}")
    return int(dim)


def check_real(name: str, value: Any) -> float:
    """A finite real parameter (shape parameters k, j, a, p)."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a real number, got {value!r}") from None
    if not math.isfinite(v):
        raise ValueError(f"{name} must be finite, got {value!r}")
    return v


class ScaledNoise(Noise):
    """Base of the scale families: sigma/lambd handling, dimension checks, kernel dispatch.

    Subclasses set ``shape_names`` (the shape parameters, in constructor order) and implement
    :meth:`_validate_shape`, :meth:`sigma_at_unit_scale` and :meth:`_kernel`.
    """

    shape_names: ClassVar[tuple[str, ...]] = ()
    shape_defaults: ClassVar[dict[str, float]] = {}
    dim_required: ClassVar[bool] = False
    #: Stable stem of the family's table file names (:mod:`smoothcert.tables`).
    table_stem: ClassVar[str] = ""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "name" in kwargs:
            cls.table_stem = cls.name.replace("-", "")

    def __init__(self, sigma: float | None = None, *, lambd: float | None = None,
                 dim: int | None = None, **shape: Any) -> None:
        if (sigma is None) == (lambd is None):
            raise ValueError(f"{type(self).__name__}: give exactly one of sigma= and lambd=")
        self.dim = check_dim(dim, required=self.dim_required)
        for name in self.shape_names:
            # None (an option left unset on the command line) means the family's default.
            value = shape.get(name)
            setattr(self, name, self.shape_defaults.get(name) if value is None else value)
        self._validate_shape()
        unit = self.sigma_at_unit_scale()
        if sigma is not None:
            self.sigma = check_positive("sigma", sigma)
            if not math.isfinite(unit):
                raise ValueError(f"{type(self).__name__}{self.shape_params()} has infinite variance: "
                                 "give the scale lambd= instead of sigma=")
            self.lambd = self.sigma / unit
            self._given = "sigma"
        else:
            self.lambd = check_positive("lambd", lambd)
            self.sigma = self.lambd * unit
            self._given = "lambd"

    # ------------------------------------------------------------------ description
    def shape_params(self) -> dict[str, Any]:
        """The family's shape parameters (k, j, a, p as applicable)."""
        return {name: getattr(self, name) for name in self.shape_names}

    def params(self) -> dict[str, Any]:
        scale = {"sigma": self.sigma} if self._given == "sigma" else {"lambd": self.lambd}
        return {**scale, "dim": self.dim, **self.shape_params()}

    def _validate_shape(self) -> None:
        """Check the shape parameters (ValueError naming the parameter)."""

    @abc.abstractmethod
    def sigma_at_unit_scale(self) -> float:
        """Per-coordinate standard deviation at λ = 1 (inf where the variance is infinite)."""

    # ------------------------------------------------------------------ sampling
    @abc.abstractmethod
    def _kernel(self, cuda: bool) -> tuple[Callable[..., None], tuple[Any, ...]]:
        """The compiled sampler (its CUDA twin if ``cuda``) and its family arguments (between out and seed)."""

    def _check_rows(self, x: torch.Tensor) -> None:
        d = math.prod(x.shape[1:])
        if self.dim is not None and d != self.dim:
            raise ValueError(f"x has {d} elements per input but the noise was built with dim={self.dim}")
        if d >= 2**32:
            raise ValueError(f"inputs must have < 2^32 elements, got {d}")

    def _cpu_kernel(self, x: torch.Tensor, seed: int, role: int) -> tuple[Callable[..., None], tuple[Any, ...]]:
        return self._shapes_kernel(x, seed, role, cuda=False)

    def _cuda_kernel(self, x: torch.Tensor, seed: int, role: int) -> tuple[Callable[..., None], tuple[Any, ...]]:
        return self._shapes_kernel(x, seed, role, cuda=True)

    def _shapes_kernel(self, x: torch.Tensor, seed: int, role: int,
                       cuda: bool) -> tuple[Callable[..., None], tuple[Any, ...]]:
        self._check_rows(x)
        fn, args = self._kernel(cuda)
        return fn, (*args, *self._stream_args(seed, role))

    def _stream_args(self, seed: int, role: int) -> tuple[int, ...]:
        return (seed, role)
