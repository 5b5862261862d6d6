"""Per-input noise scales by gradient ascent on a differentiable radius proxy.

Alfarra, Bibi, Torr & Ghanem, "Data Dependent Randomized Smoothing" (UAI 2022) choose the Gaussian
sigma of every input by gradient ascent on a differentiable estimate of its certified radius;
Eiras et al., "ANCER" (TMLR 2022) do the same with one scale per input element. The noise is
reparameterised and drawn from the counter-based kernel, so an input's trajectory does not depend
on which other inputs share its batch.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Any, Callable, Iterator

import numpy as np
import torch

from smoothcert.data_dependent.threat_models import ThreatModel, threat_model
from smoothcert.noises.gaussian_noise import Gaussian

__all__ = ["ROLE_SIGMA", "OUTPUTS", "SigmaOptimization", "radius_proxy", "evaluate_proxy", "optimize_sigma"]

#: Philox stream of the optimisation noise (``kRoleAux`` in philox.h): independent of the
#: selection/estimation streams CERTIFY uses, so the chosen scale never sees certification draws.
ROLE_SIGMA = 4

#: What the base classifier may return.
OUTPUTS = ("logits", "probabilities")

#: Weight of the newest step in the moving average the stopping rule watches: a single step's
#: Monte Carlo proxy is too noisy to compare with the best so far.
_EMA_WEIGHT = 0.2


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
    threat = threat_model(norm)
    if not 0.0 < prob_clamp < 0.5:
        raise ValueError(f"prob_clamp must lie in (0, 1/2), got {prob_clamp}")
    if min_weight < 0:
        raise ValueError(f"min_weight must be >= 0, got {min_weight}")
    gap = threat.proxy_gap(torch.topk(psi, 2, dim=1).values, prob_clamp)
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


def _standard_noise(x: torch.Tensor, rows: torch.Tensor, samples: int, step: int, *, threat: ThreatModel,
                    seed: int, index: int) -> torch.Tensor:
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
    return threat.standard_noise(torch.cat(parts) if len(parts) > 1 else parts[0])


def evaluate_proxy(model: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor, sigma: Any, *,
                   norm: str = "l2", outputs: str = "logits", samples: int = 1000, prob_clamp: float = 1e-3,
                   min_weight: float = 0.0, batch_size: int = 4096, seed: int = 0, index: int = 0,
                   step: int = 0) -> torch.Tensor:
    """Monte Carlo radius proxy [B] of :func:`radius_proxy` at fixed scales (no gradient).

    Uses the optimisation stream (:data:`ROLE_SIGMA`) at sample offset ``step * samples``: the
    same ``step`` gives common random numbers across scales, so two scales compare without the
    Monte Carlo noise of independent draws.
    """
    threat = threat_model(norm)
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
            eps = _standard_noise(x, rows, samples, step, threat=threat, seed=seed, index=index)
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
    threat = threat_model(norm)
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
                eps = _standard_noise(x, grow, samples, step, threat=threat, seed=seed, index=index)
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
