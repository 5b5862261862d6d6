"""The per-input pipeline: Cohen et al.'s CERTIFY of every input with its own fixed noise scale.

:func:`certify_data_dependent` certifies a batch through :class:`smoothcert.SmoothedClassifier`;
:class:`PerInputCertifier` does the same one input at a time for ``smoothcert certify
--sigma-file``, reading scales from a sigma file and passing certificates through a memory.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import numpy as np
import torch

from smoothcert.data_dependent.memory import MemoryCertifier
from smoothcert.data_dependent.sigma_files import load_sigma_file
from smoothcert.data_dependent.threat_models import threat_model
from smoothcert.smooth import ABSTAIN_LABEL, CertifyResult, SmoothedClassifier

__all__ = ["certify_data_dependent", "PerInputCertifier", "per_input_certifier"]


def _concat(parts: list[CertifyResult], noise: dict[str, Any]) -> CertifyResult:
    """One result of the per-run results ``parts``, in order, described by ``noise``."""
    first = parts[0]
    cat = {name: np.concatenate([getattr(p, name) for p in parts])
           for name in ("index", "prediction", "abstained", "p_a_lower", "p_b_upper", "radius", "time")}
    return CertifyResult(**cat, norm=first.norm, method="data-dependent/" + first.method, n0=first.n0, n=first.n,
                         alpha=first.alpha, seed=first.seed, noise=noise)


def certify_data_dependent(model: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor, sigma: Any, *,
                           num_classes: int, n0: int, n: int, alpha: float, batch_size: int = 1000,
                           norm: str = "l2", seed: int = 0, index: int = 0, multiclass: bool = False,
                           memory: MemoryCertifier | None = None) -> CertifyResult:
    """Cohen et al.'s CERTIFY of each input of ``x`` with its own fixed noise scale.

    Input b is certified by ``SmoothedClassifier(model, noise_b).certify`` with index ``index + b``
    (so with ``sigma`` constant this is exactly plain certification); consecutive inputs with equal
    isotropic scales share one call. ``noise_b`` is ``Gaussian(sigma_b)`` (l2),
    ``AnisotropicGaussian(sigma_b)`` for a per-element scale (l2; radius ``min sigma_b * gap``), or
    ``AnisotropicUniform(sigma_b)`` (l1).

    Each radius is a certificate of the smoothed classifier *with that input's fixed scale*. The
    data-dependent classifier x -> g_{sigma(x)}(x) is a different function, for which these radii
    are not guaranteed (Sukenik et al., ICML 2022); pass a :class:`MemoryCertifier` as ``memory`` to
    apply the memory-based post-processing (in the order of ``x``) that restores consistency.

    Parameters
    ----------
    sigma : array [B] or [B, *input_shape]
        Per-input scales (from :func:`optimize_sigma` or a sigma file).
    multiclass : bool
        p_A/p_B radius (isotropic Gaussian only; see ``SmoothedClassifier.certify``).
    memory : MemoryCertifier, optional
        Applied to the certificates in input order; it keeps its state for later calls.
    """
    threat = threat_model(norm)
    if not isinstance(x, torch.Tensor) or x.dim() < 2 or x.shape[0] == 0:
        raise ValueError("x must be a non-empty tensor batch [B, ...]")
    B = x.shape[0]
    scales = sigma.detach().cpu() if isinstance(sigma, torch.Tensor) else torch.as_tensor(
        np.asarray(sigma, dtype=np.float64))
    if scales.dim() == 0 or scales.shape[0] != B:
        raise ValueError(f"sigma must have one entry (or one row) per input: {B}, got shape {list(scales.shape)}")
    if not bool(torch.isfinite(scales).all()) or not bool((scales > 0).all()):
        raise ValueError("sigma must contain finite values > 0")
    anisotropic = scales.dim() > 1
    if anisotropic and scales[0].numel() != x[0].numel():
        raise ValueError(f"per-element sigma must have {x[0].numel()} entries per input, got {scales[0].numel()}")
    if multiclass and (anisotropic or not threat.multiclass):
        raise ValueError("multiclass=True is available for isotropic l2 (Gaussian) scales only")

    parts: list[CertifyResult] = []
    b = 0
    while b < B:
        stop = b + 1
        if not anisotropic:
            while stop < B and float(scales[stop]) == float(scales[b]):
                stop += 1
        noise = threat.fixed_scale_noise(scales[b].double().numpy())
        smoothed = SmoothedClassifier(model, noise, num_classes, seed=seed)
        parts.append(smoothed.certify(x[b:stop], n0, n, alpha, batch_size, index=index + b, norm=norm,
                                      multiclass=multiclass))
        b = stop
    # Every input's noise is of one family (the threat model's, isotropic or per element).
    result = _concat(parts, {"noise": noise.name, "per_input_scale": True})
    if memory is not None:
        result = memory.apply(x, result)
    return result


class PerInputCertifier:
    """CERTIFY with each input's own scale from a sigma map, optionally through a memory.

    Has the ``certify(x, n0, n, alpha, batch_size, *, index, norm, multiclass)`` signature of
    :class:`smoothcert.SmoothedClassifier` for batches of one input, so the certify command can
    use either. Inputs must be certified in the order the memory should see them.
    """

    def __init__(self, model: Callable[[torch.Tensor], torch.Tensor], sigma: dict[int, np.ndarray],
                 num_classes: int, *, norm: str = "l2", seed: int = 0,
                 memory: MemoryCertifier | None = None) -> None:
        self.model = model
        self.sigma = sigma
        self.num_classes = num_classes
        self.norm = threat_model(norm).norm
        self.seed = seed
        self.memory = memory

    def certify(self, x: torch.Tensor, n0: int, n: int, alpha: float, batch_size: int = 1000, *,
                index: int = 0, norm: str | None = None, multiclass: bool = False) -> CertifyResult:
        if norm not in (None, self.norm):
            raise ValueError(f"norm must be {self.norm!r} for this per-input certifier, got {norm!r}")
        missing = [i for i in range(index, index + x.shape[0]) if i not in self.sigma]
        if missing:
            raise ValueError(f"the sigma file has no scale for input(s) {missing[:5]}")
        sigma = np.stack([np.asarray(self.sigma[i]) for i in range(index, index + x.shape[0])])
        return certify_data_dependent(self.model, x, sigma, num_classes=self.num_classes, n0=n0, n=n, alpha=alpha,
                                      batch_size=batch_size, norm=self.norm, seed=self.seed, index=index,
                                      multiclass=multiclass, memory=self.memory)

    def replay(self, x: torch.Tensor, indices: Any, predictions: Any, radii: Any) -> None:
        """Feed already-finished rows (in their original order) to the memory, e.g. on resume."""
        if self.memory is None:
            return
        for i, c, r in zip(np.asarray(indices, dtype=np.int64), np.asarray(predictions, dtype=np.int64),
                           np.asarray(radii, dtype=np.float64)):
            self.memory.query(x[int(i)], int(c), float("nan") if c == ABSTAIN_LABEL else float(r))


def per_input_certifier(model: Callable[[torch.Tensor], torch.Tensor], sigma_file: str | Path, num_classes: int,
                        *, norm: str = "l2", seed: int = 0, memory_policy: str | None = "shrink") -> PerInputCertifier:
    """The certifier of ``smoothcert certify --sigma-file``: scales from ``sigma_file``, then a memory.

    ``memory_policy`` is the :class:`MemoryCertifier` policy ("shrink" or "abstain"), or None for
    no memory (per-input radii, not sound for the data-dependent classifier in general). A memory
    must see every input in order, so it needs one process certifying all of them.
    """
    memory = None if memory_policy is None else MemoryCertifier(norm=norm, policy=memory_policy)
    return PerInputCertifier(model, load_sigma_file(sigma_file), num_classes, norm=norm, seed=seed, memory=memory)
