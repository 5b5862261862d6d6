"""The smoothed classifier of Cohen, Rosenfeld & Kolter (ICML 2019), for any noise family.

g(x) = argmax_c P[f(x + delta) = c]. ``sample_counts`` draws the votes (the expensive part),
``predict`` and ``certify`` are Cohen et al.'s PREDICT and CERTIFY built on it. Memory does not
grow with n: noisy copies are drawn, classified and counted ``batch_size`` at a time.
"""

from __future__ import annotations

import contextlib
import math
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator

import numpy as np
import torch

from smoothcert import bounds
from smoothcert._native import core
from smoothcert.certify.gaussian import gaussian_pa_pb_radius
from smoothcert.counts import Counts
from smoothcert.noises.base import ROLE_ESTIMATE, ROLE_SELECT, Noise, all_finite
from smoothcert.noises.gaussian_noise import Gaussian

__all__ = ["SmoothedClassifier", "Certificate", "CertifyResult", "ABSTAIN_LABEL"]

#: Prediction value of an abstention.
ABSTAIN_LABEL = -1


@dataclass(frozen=True)
class Certificate:
    """One input's certificate. ``radius`` is NaN when abstained, so 0 and abstain differ."""

    index: int
    prediction: int
    abstained: bool
    p_a_lower: float
    p_b_upper: float
    radius: float
    norm: str
    method: str
    n0: int
    n: int
    alpha: float
    seed: int
    noise: dict[str, Any]
    time: float


@dataclass
class CertifyResult:
    """Certificates of a batch, column by column (index with ``[i]`` for one :class:`Certificate`)."""

    index: np.ndarray
    prediction: np.ndarray
    abstained: np.ndarray
    p_a_lower: np.ndarray
    p_b_upper: np.ndarray
    radius: np.ndarray
    time: np.ndarray
    norm: str
    method: str
    n0: int
    n: int
    alpha: float
    seed: int
    noise: dict[str, Any] = field(default_factory=dict)

    def __len__(self) -> int:
        return int(self.prediction.shape[0])

    def __getitem__(self, i: int) -> Certificate:
        return Certificate(int(self.index[i]), int(self.prediction[i]), bool(self.abstained[i]),
                           float(self.p_a_lower[i]), float(self.p_b_upper[i]), float(self.radius[i]),
                           self.norm, self.method, self.n0, self.n, self.alpha, self.seed,
                           dict(self.noise), float(self.time[i]))

    def __iter__(self) -> Iterator[Certificate]:
        return (self[i] for i in range(len(self)))


#: Width in bits of the score dtypes the core counts votes of.
_FLOAT_BITS = {torch.float32: 32, torch.float64: 64}


def _check_alpha(alpha: float) -> float:
    alpha = float(alpha)
    if not 0.0 < alpha < 1.0:
        raise ValueError(f"alpha must lie in (0, 1), got {alpha}")
    return alpha


def _check_count(name: str, value: int, minimum: int = 1) -> int:
    if isinstance(value, bool) or int(value) != value or int(value) < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


@contextlib.contextmanager
def _eval_mode(model: Callable[[torch.Tensor], torch.Tensor]) -> Iterator[None]:
    """Evaluate with dropout/batch-norm in inference mode, restoring each submodule's mode after."""
    training = [m for m in model.modules() if m.training] if isinstance(model, torch.nn.Module) else []
    if training:
        model.eval()
    try:
        with torch.inference_mode():
            yield
    finally:
        for m in training:
            m.training = True


class SmoothedClassifier:
    """g(x) = argmax_c P[f(x + delta) = c] for a base classifier f and a noise distribution.

    Parameters
    ----------
    model : callable
        Maps a batch of noisy inputs ``[N, *noisy_shape]`` to scores ``[N, num_classes]``
        (logits or probabilities: only the argmax is used). A ``torch.nn.Module`` is evaluated
        in eval mode under ``torch.inference_mode`` and its mode restored afterwards. The noisy
        batch it receives is overwritten by the next one: a model that keeps its input must copy it.
    noise : Noise
        The smoothing distribution (``smoothcert.Gaussian(sigma)``, ...).
    num_classes : int
        Number of classes of f.
    seed : int
        Philox seed: with the input indices it fixes every noisy copy.
    """

    def __init__(self, model: Callable[[torch.Tensor], torch.Tensor], noise: Noise, num_classes: int,
                 seed: int = 0) -> None:
        if not callable(model):
            raise ValueError("model must be callable (a torch.nn.Module or a function)")
        if not isinstance(noise, Noise):
            raise ValueError(f"noise must be a smoothcert Noise, got {type(noise).__name__}")
        self.model = model
        self.noise = noise
        self.num_classes = _check_count("num_classes", num_classes, 2)
        self.seed = _check_count("seed", seed, 0)

    # ------------------------------------------------------------------ sampling
    def _check_x(self, x: torch.Tensor) -> torch.Tensor:
        if not isinstance(x, torch.Tensor):
            raise ValueError("x must be a torch.Tensor batch [B, ...]")
        if x.dim() < 2:
            raise ValueError(f"x must be a batch [B, ...] with at least 2 dimensions, got shape {tuple(x.shape)}")
        if x.dtype not in _FLOAT_BITS:
            kind = "float32 or float64" if x.dtype.is_floating_point else "a floating-point tensor"
            raise ValueError(f"x must be {kind}, got {x.dtype}")
        if not all_finite(x):
            raise ValueError("x contains NaN or infinite values")
        return x

    def _scores(self, noisy: torch.Tensor) -> torch.Tensor:
        scores = self.model(noisy)
        if not isinstance(scores, torch.Tensor) or scores.dim() != 2 or scores.shape != (
                noisy.shape[0], self.num_classes):
            shape = tuple(scores.shape) if isinstance(scores, torch.Tensor) else type(scores).__name__
            raise ValueError(f"model output must have shape [{noisy.shape[0]}, {self.num_classes}] "
                             f"(batch, num_classes), got {shape}")
        return scores

    def _add_votes(self, scores: torch.Tensor, per_input: int, counts: torch.Tensor) -> None:
        """counts[g] += the argmax votes of score rows g * per_input .. (g + 1) * per_input - 1.

        ``scores`` passed :meth:`_scores`; ``counts`` is a contiguous int64 CPU tensor [groups, num_classes].
        """
        bits = _FLOAT_BITS.get(scores.dtype)
        if bits and scores.is_cpu and scores.is_contiguous():
            # One pass in the core over the raw buffers (argmax, NaN check, count): converting the
            # tensors to arrays would cost more than counting the votes of a small model.
            core.noise.accumulate_votes_ptr(scores.data_ptr(), bits, counts.shape[0], per_input, self.num_classes,
                                            counts.data_ptr())
            return
        if bool(torch.isnan(scores).any()):
            raise ValueError("model output contains NaN")
        votes = scores.argmax(dim=1).cpu()
        row = torch.arange(counts.shape[0]).repeat_interleave(per_input)
        counts += torch.bincount(row * self.num_classes + votes, minlength=counts.numel()).view(counts.shape)

    def sample_counts(self, x: torch.Tensor, n: int, batch_size: int = 1000, *, index: int = 0,
                      role: int = ROLE_ESTIMATE, sample_offset: int = 0,
                      labels: Any = None) -> Counts:
        """Class counts of f over ``n`` noisy copies of each input of the batch ``x``.

        Input ``x[b]`` has global index ``index + b``; copies ``sample_offset .. sample_offset + n - 1``
        are drawn. At most ``batch_size`` noisy inputs are classified at once (several inputs
        share a forward pass when ``n < batch_size``).
        """
        x = self._check_x(x)
        n = _check_count("n", n, 0)
        batch_size = _check_count("batch_size", batch_size)
        _check_count("index", index, 0)
        with _eval_mode(self.model):
            counts = self._count_votes(x, n, batch_size, index, role, sample_offset)
        return Counts(counts, np.arange(index, index + x.shape[0]), self.noise.describe(), self.seed,
                      role, sample_offset, labels)

    @staticmethod
    def _chunking(n: int, batch_size: int) -> tuple[int, int]:
        """(inputs per group, copies per chunk): a chunk of every input of a group is one model batch."""
        group = max(1, batch_size // max(n, 1))
        return group, max(1, min(n, batch_size // group))

    def _count_votes(self, x: torch.Tensor, n: int, batch_size: int, index: int, role: int,
                     sample_offset: int, buffer: torch.Tensor | None = None) -> np.ndarray:
        """The [B, num_classes] vote counts behind :meth:`sample_counts`, for validated arguments.

        The caller evaluates the model under :func:`_eval_mode`. ``buffer`` (optional) is a 1-D
        tensor the noisy batches may be written into (see ``Noise._row_sampler``).
        """
        B = x.shape[0]
        counts = torch.zeros((B, self.num_classes), dtype=torch.int64)
        if n == 0:
            return counts.numpy()
        group, chunk = self._chunking(n, batch_size)
        for g0 in range(0, B, group):
            xg = x[g0:g0 + group].contiguous()
            counts_g = counts[g0:g0 + xg.shape[0]]
            # x was validated by the caller: the sampler binds the kernel and its output buffer once,
            # and each chunk overwrites the batch whose votes were just counted.
            draw = self.noise._row_sampler(xg, chunk, seed=self.seed, index=index + g0, role=role, buffer=buffer)
            for s0 in range(0, n, chunk):
                m = min(chunk, n - s0)
                self._add_votes(self._scores(draw(m, sample_offset + s0)), m, counts_g)
        return counts.numpy()

    # ------------------------------------------------------------------ PREDICT
    def predict(self, x: torch.Tensor, n: int, alpha: float, batch_size: int = 1000, *,
                index: int = 0) -> torch.Tensor:
        """Cohen et al.'s PREDICT: the top class, or -1 (abstain) when a two-sided binomial test
        cannot separate the top two counts at level alpha. Wrong with probability <= alpha."""
        alpha = _check_alpha(alpha)
        counts = self.sample_counts(x, n, batch_size, index=index, role=ROLE_ESTIMATE)
        top, n_top, _, n_second = counts.top_two()
        pvalue = bounds.binomial_test(n_top, np.maximum(n_top + n_second, 1), 0.5)
        pred = np.where((pvalue <= alpha) & (n_top > n_second), top, ABSTAIN_LABEL)
        return torch.as_tensor(pred, dtype=torch.int64)

    # ------------------------------------------------------------------ CERTIFY
    def _certify_exact(self, x: torch.Tensor, batch_size: int, index: int, norm: str) -> CertifyResult:
        """Derandomized noise: vote over every perturbation once; g(x) and its radius are exact."""
        draws = int(self.noise.exact_draws())
        t0 = time.perf_counter()
        counts = self.sample_counts(x, draws, batch_size, index=index, role=ROLE_ESTIMATE)
        radius = np.asarray(self.noise.certify_counts(counts.counts), dtype=np.float64)
        B = x.shape[0]
        # Ties go to the lowest class index, as in the certificate.
        prediction, n_a, _, n_b = counts.top_two()
        return CertifyResult(
            index=np.arange(index, index + B), prediction=prediction, abstained=np.zeros(B, dtype=bool),
            p_a_lower=n_a / draws, p_b_upper=n_b / draws, radius=radius, time=np.full(B, (time.perf_counter() - t0) / B),
            norm=norm, method="exact", n0=0, n=draws, alpha=0.0, seed=self.seed, noise=self.noise.describe())

    def certify(self, x: torch.Tensor, n0: int, n: int, alpha: float, batch_size: int = 1000, *,
                index: int = 0, norm: str | None = None, multiclass: bool = False) -> CertifyResult:
        """Cohen et al.'s CERTIFY for each input of the batch ``x``.

        ``n0`` selection draws pick the candidate class c_A; ``n`` independent estimation draws
        give the one-sided Clopper-Pearson lower bound p_A at level alpha; the radius is the
        noise's certificate for p_A (for Gaussian noise sigma * Phi^{-1}(p_A), l2). Abstains when
        p_A <= 1/2.

        ``norm`` is one of ``noise.norms`` (None: the first). A noise with no single-radius
        certificate (``HierarchicalSparse``, ``ThresholdedGeneralizedGaussian``) is refused with a
        ValueError naming the function that certifies it.

        A derandomized noise (``noise.exact_draws()`` not None, e.g. DSSN) is certified exactly
        instead: every perturbation is classified once, ``n0``/``n``/``alpha`` play no part, nothing
        abstains, and ``method`` is "exact".

        With ``multiclass=True`` (Gaussian only) the radius is sigma/2 (Phi^{-1}(p_A) - Phi^{-1}(p_B))
        (Cohen et al., Theorem 1 with p_B; :func:`smoothcert.certify.gaussian.gaussian_pa_pb_radius`):
        p_A is bounded at alpha/2 and every other class's probability at alpha/(2(C-1)) (Bonferroni,
        :func:`smoothcert.bounds.multiclass_bounds`), p_B being the largest of those upper bounds
        and at most 1 - p_A.
        """
        alpha = _check_alpha(alpha)
        n0 = _check_count("n0", n0)
        n = _check_count("n", n)
        if n0 > n:
            raise ValueError(f"n0 (selection draws, {n0}) must not exceed n (estimation draws, {n})")
        if not self.noise.norms:
            raise ValueError(f"noise {type(self.noise).__name__} has no single-radius certificate, so "
                             f"SmoothedClassifier.certify cannot certify it: draw the counts with sample_counts() "
                             f"and certify them with {self.noise.certified_by}")
        norm = self.noise.certificate(norm).norm
        if multiclass and not (isinstance(self.noise, Gaussian) and norm == "l2"):
            raise ValueError("multiclass=True needs Gaussian noise and norm='l2' (the p_A/p_B radius is an l2 "
                             "Gaussian certificate)")
        x = self._check_x(x)
        if self.noise.exact_draws() is not None:
            return self._certify_exact(x, batch_size, index, norm)
        B = x.shape[0]
        t0 = time.perf_counter()
        batch_size = _check_count("batch_size", batch_size)
        _check_count("index", index, 0)
        # One buffer for the noisy batches of both passes, sized for the larger.
        (g0, m0), (g1, m1) = self._chunking(n0, batch_size), self._chunking(n, batch_size)
        copies = max(min(B, g0) * m0, min(B, g1) * m1)
        buffer = torch.empty(copies * math.prod(x.shape[1:]), dtype=x.dtype) if x.is_cpu else None
        # The passes draw independent streams (their roles), so their order does not change a count.
        # The small selection pass goes last: the steps after it then follow a small forward pass,
        # which leaves more of the caches they need.
        with _eval_mode(self.model):
            estimate = self._count_votes(x, n, batch_size, index, ROLE_ESTIMATE, 0, buffer)
            selection = self._count_votes(x, n0, batch_size, index, ROLE_SELECT, 0, buffer)
        elapsed = (time.perf_counter() - t0) / B
        # c_A: the top selection class (ties go to the lowest index); p_A: the Clopper-Pearson lower
        # bound on its estimation count. Counts, n and alpha are validated: the core is called directly.
        if multiclass:
            c_a = selection.argmax(axis=1)
            p_a, p_b = bounds.multiclass_bounds(estimate, c_a, n, alpha)
            radius = gaussian_pa_pb_radius(self.noise.sigma, p_a, p_b)
            certified = p_a > p_b
            method = "cohen-pa-pb"
        else:
            c_a, p_a = core.bounds.cohen_select_lower(selection, estimate, n, alpha)
            p_b = np.nextafter(1.0 - p_a, 2.0)
            radius = self.noise.certify(p_a, norm)
            certified = p_a > 0.5
            method = "cohen"
        abstained = ~certified
        return CertifyResult(
            index=np.arange(index, index + B), prediction=np.where(abstained, ABSTAIN_LABEL, c_a),
            abstained=abstained, p_a_lower=p_a, p_b_upper=p_b,
            radius=np.where(abstained, np.nan, radius), time=np.full(B, elapsed), norm=norm,
            method=method, n0=n0, n=n, alpha=alpha, seed=self.seed, noise=self.noise.describe())
