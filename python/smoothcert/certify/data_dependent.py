"""Data-dependent smoothing: per-input noise scales, and memory-based certification.

Alfarra, Bibi, Torr & Ghanem, "Data Dependent Randomized Smoothing" (UAI 2022) choose the Gaussian
sigma of every input by gradient ascent on a differentiable estimate of its certified radius;
Eiras et al., "ANCER" (TMLR 2022) do the same with one scale per input element.

Three pieces:

* :func:`optimize_sigma` — batched gradient ascent on the radius proxy, through reparameterised
  noise drawn from the counter-based kernel (so an input's trajectory does not depend on which
  other inputs share its batch).
* :func:`certify_data_dependent` — Cohen et al.'s CERTIFY of each input with its own fixed scale,
  through :class:`smoothcert.SmoothedClassifier`.
* :class:`MemoryCertifier` — the memory-based post-processing that makes a collection of
  per-input certificates mutually consistent. Read its docstring before relying on a
  data-dependent radius: **without it, a per-input sigma certificate is not sound in general.**
"""

from __future__ import annotations

import argparse
import contextlib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, Iterator

import numpy as np
import torch

from smoothcert.noises.anisotropic import AnisotropicGaussian, AnisotropicUniform
from smoothcert.noises.base import Noise
from smoothcert.noises.gaussian import Gaussian
from smoothcert.smooth import ABSTAIN_LABEL, CertifyResult, SmoothedClassifier

__all__ = ["SigmaOptimization", "optimize_sigma", "evaluate_proxy", "radius_proxy", "certify_data_dependent",
           "anisotropic_radius", "MemoryCertifier", "MemoryDecision", "PerInputCertifier", "save_sigma_file",
           "load_sigma_file", "add_sigma_file_arguments", "per_input_certifier", "ROLE_SIGMA"]

#: Philox stream of the optimisation noise (``kRoleAux`` in philox.h): independent of the
#: selection/estimation streams CERTIFY uses, so the chosen scale never sees certification draws.
ROLE_SIGMA = 4

NORMS = ("l2", "l1")
OUTPUTS = ("logits", "probabilities")

_UNIT_ROUNDOFF = 2.0 ** -53
#: Weight of the newest step in the moving average the stopping rule watches: a single step's
#: Monte Carlo proxy is too noisy to compare with the best so far.
_EMA_WEIGHT = 0.2


# ---------------------------------------------------------------------------------------------
# Radius proxy and scale optimisation
# ---------------------------------------------------------------------------------------------
def _check_norm(norm: str) -> str:
    if norm not in NORMS:
        raise ValueError(f"norm must be one of {NORMS}, got {norm!r}")
    return norm


def _probabilities(scores: torch.Tensor, outputs: str) -> torch.Tensor:
    """The base classifier's class probabilities from its raw output ``scores`` [N, C]."""
    if scores.dim() != 2 or scores.shape[1] < 2:
        raise ValueError(f"model output must have shape [batch, num_classes >= 2], got {tuple(scores.shape)}")
    if outputs == "logits":
        return torch.softmax(scores, dim=1)
    # The original code feeds the model output straight into Phi^{-1}: check it really is a
    # probability vector instead of silently optimising a meaningless proxy.
    with torch.no_grad():
        tol = 1e-4 if scores.dtype == torch.float64 else 1e-3
        bad_range = bool(((scores < -tol) | (scores > 1 + tol)).any())
        bad_sum = bool(((scores.sum(dim=1) - 1).abs() > tol * scores.shape[1]).any())
    if bad_range or bad_sum:
        raise ValueError("outputs='probabilities' but the model's rows are not probability vectors "
                         "(entries outside [0, 1] or rows not summing to 1); use outputs='logits'")
    return scores


def radius_proxy(psi: torch.Tensor, scale: torch.Tensor, *, norm: str = "l2", prob_clamp: float = 1e-3,
                 min_weight: float = 0.0) -> torch.Tensor:
    """Differentiable certified-radius estimate from mean class probabilities ``psi`` [B, C].

    With psi_A >= psi_B the two largest entries of ``psi``:

    * l2, Gaussian noise (Alfarra et al., Eq. 5): ``sigma / 2 * (Phi^{-1}(psi_A) - Phi^{-1}(psi_B))``;
    * l1, uniform noise on [-theta, theta] (Alfarra et al., Sec. 5): ``theta * (psi_A - psi_B)``.

    ``scale`` is [B] (isotropic) or [B, d] (anisotropic). For an anisotropic scale the volume proxy
    of ANCER replaces the scale by its geometric mean, computed as ``exp(mean(log theta))`` (a
    product of d scales under/overflows for image-sized d), and ``min_weight`` adds
    ``min_weight * min_i theta_i * gap``, the radius of the certified ball itself.

    ``psi`` is clamped to ``[prob_clamp, 1 - prob_clamp]`` before Phi^{-1} so the proxy stays
    finite when the base classifier is certain.
    """
    _check_norm(norm)
    if not 0.0 < prob_clamp < 0.5:
        raise ValueError(f"prob_clamp must lie in (0, 1/2), got {prob_clamp}")
    if min_weight < 0:
        raise ValueError(f"min_weight must be >= 0, got {min_weight}")
    top = torch.topk(psi, 2, dim=1).values
    if norm == "l2":
        clamped = top.clamp(prob_clamp, 1.0 - prob_clamp)
        gap = 0.5 * (torch.special.ndtri(clamped[:, 0]) - torch.special.ndtri(clamped[:, 1]))
    else:
        gap = top[:, 0] - top[:, 1]
    if scale.dim() == 1:
        return scale * gap
    flat = scale.reshape(scale.shape[0], -1)
    proxy = torch.exp(torch.log(flat).mean(dim=1)) * gap
    if min_weight:
        proxy = proxy + min_weight * flat.min(dim=1).values * gap
    return proxy


@dataclass
class SigmaOptimization:
    """Result of :func:`optimize_sigma` for a batch of B inputs.

    Attributes
    ----------
    sigma : tensor [B] or [B, *input_shape]
        Optimised scale (Gaussian standard deviation, or uniform half-width for l1); always > 0.
    proxy : tensor [B]
        Radius proxy at the returned scale (Monte Carlo estimate of the last step).
    initial_proxy : tensor [B]
        Radius proxy at the initial scale (first step).
    iterations : int64 tensor [B]
        Gradient steps taken by each input.
    converged : bool tensor [B]
        Whether the stopping rule (rather than the iteration cap) ended each input.
    """

    sigma: torch.Tensor
    proxy: torch.Tensor
    initial_proxy: torch.Tensor
    iterations: torch.Tensor
    converged: torch.Tensor


@contextlib.contextmanager
def _frozen_eval(model: Callable[[torch.Tensor], torch.Tensor]) -> Iterator[None]:
    """Eval mode, parameters out of the autograd graph; the caller's state is restored after."""
    if not isinstance(model, torch.nn.Module):
        yield
        return
    was_training = model.training
    flags = [(p, p.requires_grad) for p in model.parameters()]
    model.eval()
    for p, _ in flags:
        p.requires_grad_(False)
    try:
        yield
    finally:
        for p, flag in flags:
            p.requires_grad_(flag)
        model.train(was_training)


def _initial_scale(sigma0: Any, x: torch.Tensor, anisotropic: bool) -> torch.Tensor:
    s0 = torch.as_tensor(sigma0, dtype=x.dtype, device=x.device)
    B, element = x.shape[0], x.shape[1:]
    if not bool(torch.isfinite(s0).all()) or not bool((s0 > 0).all()):
        raise ValueError("sigma0 must contain finite values > 0")
    if s0.dim() == 0:
        s0 = s0.expand(B)
    if s0.shape == (B,) and anisotropic:
        s0 = s0.reshape(B, *([1] * len(element))).expand(B, *element)
    expected = (B, *element) if anisotropic else (B,)
    if tuple(s0.shape) != expected:
        raise ValueError(f"sigma0 must be a scalar, shape [{B}]" + (f" or {list(expected)}" if anisotropic else "")
                         + f", got {list(s0.shape)}")
    return s0.clone()


def _contiguous_runs(rows: torch.Tensor) -> list[tuple[int, int]]:
    """(start, stop) of the runs of consecutive integers in the sorted 1-d tensor ``rows``."""
    values = rows.tolist()
    runs: list[tuple[int, int]] = []
    for v in values:
        if runs and runs[-1][1] == v:
            runs[-1] = (runs[-1][0], v + 1)
        else:
            runs.append((v, v + 1))
    return runs


def _standard_noise(x: torch.Tensor, rows: torch.Tensor, samples: int, step: int, *, norm: str, seed: int,
                    index: int) -> torch.Tensor:
    """Standard noise [len(rows), samples, ...] for the given rows at one step.

    Row b's draws are the counter-based stream (seed, ROLE_SIGMA, input index + b, samples step*s ...),
    so they are the same whether b is optimised alone or within any batch.
    """
    unit = Gaussian(1.0)
    parts = []
    for start, stop in _contiguous_runs(rows):
        zeros = torch.zeros((stop - start, *x.shape[1:]), dtype=x.dtype, device=x.device)
        parts.append(unit.sample_batch(zeros, samples, seed=seed, index=index + start,
                                       sample_offset=step * samples, role=ROLE_SIGMA))
    eps = torch.cat(parts) if len(parts) > 1 else parts[0]
    if norm == "l1":
        # Uniform on (-1, 1) by the probability integral transform (see noises/anisotropic.py).
        eps = 2.0 * torch.special.ndtr(eps) - 1.0
    return eps


def evaluate_proxy(model: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor, sigma: Any, *,
                   norm: str = "l2", outputs: str = "logits", samples: int = 1000, prob_clamp: float = 1e-3,
                   min_weight: float = 0.0, batch_size: int = 4096, seed: int = 0, index: int = 0,
                   step: int = 0) -> torch.Tensor:
    """Monte Carlo radius proxy [B] of :func:`radius_proxy` at fixed scales (no gradient).

    Uses the optimisation stream (:data:`ROLE_SIGMA`) at sample offset ``step * samples``: the
    same ``step`` gives common random numbers across scales, so two scales compare without the
    Monte Carlo noise of independent draws.
    """
    _check_norm(norm)
    if outputs not in OUTPUTS:
        raise ValueError(f"outputs must be one of {OUTPUTS}, got {outputs!r}")
    if not isinstance(x, torch.Tensor) or x.dim() < 2 or not torch.is_floating_point(x):
        raise ValueError("x must be a floating-point tensor batch [B, ...] with at least 2 dimensions")
    B = x.shape[0]
    scale = torch.as_tensor(sigma, dtype=x.dtype, device=x.device)
    anisotropic = scale.dim() > 1
    scale = _initial_scale(scale, x, anisotropic)
    group = max(1, batch_size // samples)
    out = torch.empty(B, dtype=x.dtype, device=x.device)
    with _frozen_eval(model), torch.no_grad():
        for g0 in range(0, B, group):
            rows = torch.arange(g0, min(B, g0 + group))
            G = rows.numel()
            eps = _standard_noise(x, rows, samples, step, norm=norm, seed=seed, index=index)
            sc = scale[g0:g0 + G]
            noisy = x[g0:g0 + G].unsqueeze(1) + sc.reshape(G, 1, *(sc.shape[1:] or [1] * (x.dim() - 1))) * eps
            scores = model(noisy.reshape(G * samples, *x.shape[1:]))
            psi = _probabilities(scores, outputs).reshape(G, samples, -1).mean(dim=1)
            out[g0:g0 + G] = radius_proxy(psi, sc, norm=norm, prob_clamp=prob_clamp, min_weight=min_weight)
    return out


def optimize_sigma(model: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor, *, sigma0: Any = 0.25,
                   norm: str = "l2", outputs: str = "logits", iterations: int = 100, lr: float = 0.1,
                   samples: int = 32, rel_tol: float = 1e-3, patience: int = 10, prob_clamp: float = 1e-3,
                   anisotropic: bool = False, min_weight: float = 0.0, batch_size: int = 4096,
                   seed: int = 0, index: int = 0) -> SigmaOptimization:
    """Per-input noise scale maximising the radius proxy (Alfarra et al., Algorithm 1; ANCER).

    Gradient ascent on ``log sigma`` (so sigma stays positive without projection) of the proxy of
    :func:`radius_proxy` evaluated with ``psi = mean_j softmax(f(x + sigma * eps_j))`` over
    ``samples`` reparameterised draws ``eps_j`` per step (Gaussian for l2, uniform on (-1, 1) for
    l1): ``log sigma <- log sigma + lr * dR/d(log sigma)``. The original ascends in sigma itself
    with a fixed step; steps in log sigma are relative, which is scale-free.

    Stopping rule, per input: stop after ``iterations`` steps, or once ``patience`` consecutive
    steps have not raised the best value of an exponential moving average of the proxy (weight
    0.2 on the newest step) by more than ``rel_tol`` times its magnitude. Stopped
    inputs leave the batch (no more forward passes).

    Parameters
    ----------
    model : callable
        Base classifier, ``[N, *input_shape] -> [N, C]``; must be differentiable in its input.
    x : tensor [B, *input_shape]
        Inputs (dtype and device are used throughout).
    sigma0 : float or tensor
        Initial scale: scalar, [B], or (anisotropic) [B, *input_shape].
    norm : {"l2", "l1"}
        Certificate the proxy stands for (Gaussian or uniform noise).
    outputs : {"logits", "probabilities"}
        What ``model`` returns; logits are turned into probabilities with a softmax. Probability
        outputs are validated (ValueError if rows are not probability vectors).
    iterations, lr, samples : int, float, int
        Step cap, step size in log sigma, draws per input and step.
    rel_tol, patience : float, int
        Stopping rule (see above); ``patience >= iterations`` disables it.
    prob_clamp : float
        psi is clamped to [prob_clamp, 1 - prob_clamp] before Phi^{-1}.
    anisotropic : bool
        One scale per input element (ANCER) instead of one per input.
    min_weight : float
        Anisotropic only: weight of the certified-ball term (see :func:`radius_proxy`).
    batch_size : int
        Most noisy inputs per forward pass (inputs are grouped to fit).
    seed, index : int
        Philox seed and the global index of ``x[0]`` (noise role :data:`ROLE_SIGMA`).

    Returns
    -------
    SigmaOptimization
    """
    _check_norm(norm)
    if outputs not in OUTPUTS:
        raise ValueError(f"outputs must be one of {OUTPUTS}, got {outputs!r}")
    if not isinstance(x, torch.Tensor) or x.dim() < 2 or not torch.is_floating_point(x):
        raise ValueError("x must be a floating-point tensor batch [B, ...] with at least 2 dimensions")
    if not bool(torch.isfinite(x).all()):
        raise ValueError("x contains NaN or infinite values")
    for name, value, low in (("iterations", iterations, 1), ("samples", samples, 1), ("patience", patience, 1),
                             ("batch_size", batch_size, 1), ("seed", seed, 0), ("index", index, 0)):
        if isinstance(value, bool) or int(value) != value or value < low:
            raise ValueError(f"{name} must be an integer >= {low}, got {value!r}")
    if not (np.isfinite(lr) and lr > 0):
        raise ValueError(f"lr must be a finite number > 0, got {lr}")
    if not rel_tol >= 0:
        raise ValueError(f"rel_tol must be >= 0, got {rel_tol}")
    if not 0.0 < prob_clamp < 0.5:
        raise ValueError(f"prob_clamp must lie in (0, 1/2), got {prob_clamp}")
    if min_weight < 0:
        raise ValueError(f"min_weight must be >= 0, got {min_weight}")
    if min_weight and not anisotropic:
        raise ValueError("min_weight applies to anisotropic=True only")

    B = x.shape[0]
    log_sigma = _initial_scale(sigma0, x, anisotropic).log()
    proxy = torch.full((B,), float("nan"), dtype=x.dtype, device=x.device)
    initial = proxy.clone()
    best = torch.full((B,), -float("inf"), dtype=x.dtype, device=x.device)
    ema = torch.zeros(B, dtype=x.dtype)
    stale = torch.zeros(B, dtype=torch.int64)
    steps = torch.zeros(B, dtype=torch.int64)
    converged = torch.zeros(B, dtype=torch.bool)
    active = torch.ones(B, dtype=torch.bool)
    group = max(1, batch_size // samples)
    view = (-1, 1, *([1] * (x.dim() - 1))) if not anisotropic else (x.shape[0], 1, *x.shape[1:])

    with _frozen_eval(model):
        for step in range(iterations):
            rows = active.nonzero().flatten()
            if rows.numel() == 0:
                break
            for g0 in range(0, rows.numel(), group):
                grow = rows[g0:g0 + group]
                G = grow.numel()
                eps = _standard_noise(x, grow, samples, step, norm=norm, seed=seed, index=index)
                ls = log_sigma[grow.to(x.device)].detach().requires_grad_(True)
                scale = ls.exp()
                noisy = x[grow.to(x.device)].unsqueeze(1) + scale.reshape(G, *view[1:]) * eps
                scores = model(noisy.reshape(G * samples, *x.shape[1:]))
                if not isinstance(scores, torch.Tensor) or scores.shape[0] != G * samples:
                    raise ValueError(f"model output must have shape [{G * samples}, num_classes]")
                psi = _probabilities(scores, outputs).reshape(G, samples, -1).mean(dim=1)
                value = radius_proxy(psi, scale, norm=norm, prob_clamp=prob_clamp, min_weight=min_weight)
                (grad,) = torch.autograd.grad(value.sum(), ls)
                with torch.no_grad():
                    dev_rows = grow.to(x.device)
                    log_sigma[dev_rows] = ls + lr * grad
                    proxy[dev_rows] = value.detach()
                    if step == 0:
                        initial[dev_rows] = value.detach()
            steps[rows] += 1
            fresh = proxy[rows.to(x.device)].cpu()
            current = torch.where(steps[rows] == 1, fresh, (1 - _EMA_WEIGHT) * ema[rows] + _EMA_WEIGHT * fresh)
            ema[rows] = current
            prev_best = best[rows.to(x.device)].cpu()
            improved = torch.isinf(prev_best) | (current > prev_best + rel_tol * prev_best.abs())
            stale[rows] = torch.where(improved, torch.zeros_like(stale[rows]), stale[rows] + 1)
            best[rows.to(x.device)] = torch.maximum(prev_best, current).to(x.device, x.dtype)
            done = stale[rows] >= patience
            converged[rows[done]] = True
            active[rows[done]] = False

    return SigmaOptimization(sigma=log_sigma.exp().detach(), proxy=proxy, initial_proxy=initial,
                             iterations=steps, converged=converged)


# ---------------------------------------------------------------------------------------------
# Certification with per-input scales
# ---------------------------------------------------------------------------------------------
def anisotropic_radius(theta: Any, p_a_lower: Any, p_b_upper: Any = None, *, norm: str = "l2") -> np.ndarray:
    """Radius of the largest l_p ball inside the anisotropic certified region (Eiras et al., Thms 1-2).

    l2 (Gaussian, scales theta): ``min_i theta_i * 1/2 (Phi^{-1}(p_A) - Phi^{-1}(p_B))``, with
    ``p_B = 1 - p_A`` when ``p_b_upper`` is None (then ``min theta * Phi^{-1}(p_A)``).
    l1 (uniform on [-theta, theta]): ``min_i theta_i * (p_A - p_B)``.
    Rounded down; NaN (abstain) where ``p_A <= p_B``.

    Parameters
    ----------
    theta : array [..., d] or [...]
        Scales of each input (the last axis is reduced by ``min``; a 1-d array is one input).
    p_a_lower, p_b_upper : array [...]
        Lower bound on p_A and upper bound on p_B per input.
    """
    from smoothcert._native import core

    _check_norm(norm)
    th = np.asarray(theta, dtype=np.float64)
    if th.size == 0 or not np.all(np.isfinite(th)) or not np.all(th > 0):
        raise ValueError("theta must contain finite values > 0")
    th_min = th.min(axis=-1) if th.ndim >= 1 else th
    p_a = np.asarray(p_a_lower, dtype=np.float64)
    if np.isnan(p_a).any() or (p_a < 0).any() or (p_a > 1).any():
        raise ValueError("p_a_lower must lie in [0, 1]")
    if p_b_upper is None:
        p_b = np.nextafter(1.0 - p_a, 2.0)
        p_b = np.where(p_a == 0.5, 0.5, p_b)
    else:
        p_b = np.asarray(p_b_upper, dtype=np.float64)
        if np.isnan(p_b).any() or (p_b < 0).any() or (p_b > 1).any():
            raise ValueError("p_b_upper must lie in [0, 1]")
    th_min, p_a, p_b = np.broadcast_arrays(th_min, p_a, p_b)
    if norm == "l2":
        if p_b_upper is None:
            radius = core.certify.gaussian_radius(np.ascontiguousarray(th_min), np.ascontiguousarray(p_a))
        else:
            gap = core.special.norm_ppf_down(np.ascontiguousarray(p_a)) - core.special.norm_ppf_up(
                np.ascontiguousarray(p_b))
            radius = np.nextafter(np.nextafter(0.5 * gap, -np.inf) * th_min, -np.inf)
    else:
        gap = np.nextafter(p_a - p_b, -np.inf) if p_b_upper is not None else 2.0 * (p_a - 0.5)
        radius = np.nextafter(th_min * gap, -np.inf)
    radius = np.asarray(radius, dtype=np.float64).reshape(th_min.shape)
    return np.where(p_a > p_b, np.maximum(radius, 0.0), np.nan)


def _noise_for(scale: torch.Tensor, norm: str) -> Noise:
    """The fixed-scale noise of one input: scalar -> isotropic, vector -> per element."""
    values = scale.detach().cpu().double().numpy()
    if norm == "l2":
        return Gaussian(float(values)) if values.ndim == 0 else AnisotropicGaussian(values.reshape(-1))
    return AnisotropicUniform(float(values) if values.ndim == 0 else values.reshape(-1))


def _concat(parts: list[CertifyResult], noise: dict[str, Any]) -> CertifyResult:
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
    _check_norm(norm)
    if not isinstance(x, torch.Tensor) or x.dim() < 2:
        raise ValueError("x must be a tensor batch [B, ...]")
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
    if multiclass and (anisotropic or norm != "l2"):
        raise ValueError("multiclass=True is available for isotropic l2 (Gaussian) scales only")

    parts: list[CertifyResult] = []
    b = 0
    while b < B:
        stop = b + 1
        if not anisotropic:
            while stop < B and float(scales[stop]) == float(scales[b]):
                stop += 1
        smoothed = SmoothedClassifier(model, _noise_for(scales[b], norm), num_classes, seed=seed)
        parts.append(smoothed.certify(x[b:stop], n0, n, alpha, batch_size, index=index + b, norm=norm,
                                      multiclass=multiclass))
        b = stop
    kind = {"l2": "anisotropic-gaussian" if anisotropic else "gaussian", "l1": "anisotropic-uniform"}[norm]
    result = _concat(parts, {"noise": kind, "per_input_scale": True})
    if memory is not None:
        result = memory.apply(x, result)
    return result


# ---------------------------------------------------------------------------------------------
# Memory-based certification
# ---------------------------------------------------------------------------------------------
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
        self.norm = _check_norm(norm)
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
        d = np.sqrt(np.einsum("ij,ij->i", diff, diff)) if self.norm == "l2" else np.abs(diff).sum(axis=1)
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


# ---------------------------------------------------------------------------------------------
# Sigma files and the per-input certifier used by ``smoothcert certify --sigma-file``
# ---------------------------------------------------------------------------------------------
def save_sigma_file(path: str | Path, indices: Any, sigma: Any, num_inputs: int) -> None:
    """Write per-input scales: ``.npy`` or ``.tsv``.

    ``.npy``: float64 array with one entry (isotropic) or row (per element) per input of the data
    set, NaN for inputs not optimised, so position = input index. ``.tsv``: header ``idx sigma``,
    one row per optimised input (isotropic scales only).
    """
    path = Path(path)
    idx = np.asarray(indices, dtype=np.int64).reshape(-1)
    values = np.asarray(sigma.detach().cpu() if isinstance(sigma, torch.Tensor) else sigma, dtype=np.float64)
    if values.shape[0] != idx.shape[0]:
        raise ValueError(f"sigma has {values.shape[0]} rows for {idx.shape[0]} indices")
    if idx.size and (idx.min() < 0 or idx.max() >= num_inputs):
        raise ValueError(f"indices must lie in [0, {num_inputs})")
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".npy":
        full = np.full((num_inputs, *values.shape[1:]), np.nan)
        full[idx] = values
        np.save(path, full, allow_pickle=False)
    elif path.suffix == ".tsv":
        if values.ndim != 1:
            raise ValueError("per-element scales need a .npy sigma file")
        with open(path, "w", encoding="utf-8") as fh:
            fh.write("idx\tsigma\n")
            for i, s in zip(idx.tolist(), values.tolist()):
                fh.write(f"{i}\t{s!r}\n")
    else:
        raise ValueError(f"sigma file must end in .npy or .tsv, got {path.name!r}")


def load_sigma_file(path: str | Path) -> dict[int, np.ndarray]:
    """Per-input scales from a file written by :func:`save_sigma_file`: ``{input index: scale}``."""
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"sigma file {path} does not exist")
    out: dict[int, np.ndarray] = {}
    if path.suffix == ".npy":
        arr = np.load(path, allow_pickle=False)
        if arr.ndim < 1:
            raise ValueError(f"sigma file {path}: expected one entry per input")
        flat = arr.reshape(arr.shape[0], -1)
        for i in np.flatnonzero(~np.isnan(flat).all(axis=1)):
            out[int(i)] = arr[i].astype(np.float64)
    elif path.suffix == ".tsv":
        lines = [ln for ln in path.read_text(encoding="utf-8").split("\n") if ln]
        if not lines or lines[0].split("\t")[:2] != ["idx", "sigma"]:
            raise ValueError(f"sigma file {path}: the header must be 'idx<TAB>sigma'")
        for ln in lines[1:]:
            i, s = ln.split("\t")[:2]
            out[int(i)] = np.float64(s)
    else:
        raise ValueError(f"sigma file must end in .npy or .tsv, got {path.name!r}")
    for i, s in out.items():
        if not (np.all(np.isfinite(s)) and np.all(s > 0)):
            raise ValueError(f"sigma file {path}: the scale of input {i} is not finite and > 0")
    return out


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
        self.norm = _check_norm(norm)
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


def add_sigma_file_arguments(parser: argparse.ArgumentParser) -> None:
    """``--sigma-file`` and ``--memory`` for the certify command."""
    g = parser.add_argument_group("data-dependent smoothing")
    g.add_argument("--sigma-file", type=Path, default=None,
                   help="per-input scales from `smoothcert optimize-sigma` (.npy or .tsv); the noise is "
                        "Gaussian for --norm l2 (per-element scales: anisotropic) and uniform for --norm l1")
    g.add_argument("--memory", choices=("shrink", "abstain", "none"), default="shrink",
                   help="memory-based certification across inputs, in input order (default shrink); "
                        "'none' reports per-input radii, which are not sound for the data-dependent "
                        "classifier in general")


def per_input_certifier(args: argparse.Namespace, model: Callable[[torch.Tensor], torch.Tensor],
                        num_classes: int, norm: str) -> PerInputCertifier:
    """The certifier for ``certify --sigma-file`` (a memory needs one process seeing every input)."""
    from smoothcert.distributed import current_shard

    memory = None
    if args.memory != "none":
        if current_shard().world > 1:
            raise ValueError("--memory needs one process certifying every input in order; "
                             "run unsharded or pass --memory none")
        memory = MemoryCertifier(norm=norm, policy=args.memory)
    return PerInputCertifier(model, load_sigma_file(args.sigma_file), num_classes, norm=norm, seed=args.seed,
                             memory=memory)
