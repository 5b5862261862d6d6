"""Which certificate serves which noise and norm: one declaration per (noise class, norm).

A declaration names the certificate function, the noise attributes it reads, the parameter check
and the method. The noise modules declare their certificates here (and :mod:`smoothcert.tables`
those it serves from tables), so ``Noise.norms`` and ``Noise.certify`` are derived from this
registry: a noise cannot advertise a norm it has no certificate for. Keys are classes, never
strings, and a subclass inherits nothing (a thresholded Q is no certified noise).

This module imports no noise: it holds classes handed to it, which keeps the arrows
``noises -> certify``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from smoothcert.certify.rounding import round_down_positive

__all__ = ["Certificate", "register", "certificate", "certificates", "norms"]


@dataclasses.dataclass(frozen=True)
class Certificate:
    """The certificate of one (noise class, norm).

    ``radius(p_a_lower=p, **kwargs)`` gets the float64 lower bounds on p_A and, for each
    ``(keyword, attribute)`` of ``params``, the noise's attribute under that keyword (each must be
    set: a ``None`` attribute, such as an unset ``dim``, is an error naming it), and returns float64 radii rounded down; values at p <= 1/2 are ignored (the
    caller abstains there). With ``scale`` set, the function gives the radius at scale 1 and the
    noise attribute ``scale`` multiplies it, the product rounded down. ``check(**params)`` raises a
    ValueError naming a parameter the certificate does not cover.
    """

    noise: type
    norm: str
    radius: Callable[..., np.ndarray]
    params: tuple[tuple[str, str], ...]
    method: str
    scale: str | None = None
    check: Callable[..., None] | None = None

    def arguments(self, noise: Any) -> dict[str, Any]:
        """The validated keyword arguments of :attr:`radius` for ``noise``."""
        kwargs = {keyword: getattr(noise, attribute, None) for keyword, attribute in self.params}
        missing = [attribute for keyword, attribute in self.params if kwargs[keyword] is None]
        if missing:
            raise ValueError(f"{type(noise).__name__}: the {self.norm} certificate needs {missing[0]} "
                             f"(build the noise with {missing[0]}=...)")
        if self.check is not None:
            self.check(**kwargs)
        return kwargs

    def __call__(self, noise: Any, p_a_lower: np.ndarray) -> np.ndarray:
        """Radii of ``noise`` for validated float64 lower bounds ``p_a_lower``, rounded down."""
        radius = np.asarray(self.radius(p_a_lower=p_a_lower, **self.arguments(noise)), dtype=np.float64)
        if self.scale is not None:
            radius = round_down_positive(radius * getattr(noise, self.scale))
        return radius


_CERTIFICATES: dict[type, dict[str, Certificate]] = {}


def register(noise: type, norm: str, radius: Callable[..., np.ndarray], *,
             params: tuple[str, ...] | Mapping[str, str] = (), method: str, scale: str | None = None,
             check: Callable[..., None] | None = None) -> Certificate:
    """Declare ``radius`` as the ``norm`` certificate of the noise class ``noise``.

    ``params`` names the noise attributes passed to ``radius`` (and ``check``) as keywords of the
    same name, or maps keyword -> attribute. The first norm declared for a class is its default.
    Declaring a (class, norm) twice is an error.
    """
    pairs = tuple(params.items()) if isinstance(params, Mapping) else tuple((name, name) for name in params)
    if norm not in ("l1", "l2", "linf"):
        raise ValueError(f"norm must be one of 'l1', 'l2', 'linf', got {norm!r}")
    entries = _CERTIFICATES.setdefault(noise, {})
    if norm in entries:
        raise ValueError(f"the {norm} certificate of {noise.__name__} is declared twice")
    entry = Certificate(noise, norm, radius, pairs, method, scale, check)
    entries[norm] = entry
    return entry


def certificates(noise: type) -> dict[str, Certificate]:
    """The certificates declared for the class ``noise``, by norm, in declaration order."""
    return dict(_CERTIFICATES.get(noise, {}))


def norms(noise: type) -> tuple[str, ...]:
    """The norms ``noise`` certifies, its default first (empty: no single-radius certificate)."""
    return tuple(_CERTIFICATES.get(noise, {}))


def certificate(noise: type, norm: str | None = None) -> Certificate:
    """The certificate of (``noise``, ``norm``); ``norm=None``: the default. ValueError if none."""
    entries = _CERTIFICATES.get(noise, {})
    if not entries:
        raise ValueError(f"{noise.__name__} has no single-radius certificate")
    if norm is None:
        return next(iter(entries.values()))
    if norm not in entries:
        raise ValueError(f"norm must be one of {tuple(entries)} for {noise.__name__}, got {norm!r}")
    return entries[norm]
