"""The noise interface shared by every family, and the registry the CLI dispatches on.

A noise family samples noisy copies of inputs with a fused kernel of the compiled core and turns a
lower confidence bound on p_A into a certified radius for each norm it has a certificate for: the
certificates are declared in :mod:`smoothcert.certify.registry`, and ``norms`` is read from there. Noise for
(seed, role, input index, sample index, element) is a pure function of those numbers, so results
do not depend on batch size, thread count or device.
"""

from __future__ import annotations

import abc
import functools
import inspect
import math
from typing import Any, Callable, ClassVar

import numpy as np
import torch

from smoothcert._native import core
from smoothcert.certify import registry

#: Radius value meaning "no certificate" (p_A lower bound <= 1/2): distinct from radius 0.
ABSTAIN = math.nan

#: Philox stream roles (csrc/include/smoothcert/philox.h).
ROLE_ESTIMATE = 0
ROLE_SELECT = 1
ROLE_SECOND = 2

NORMS = ("l1", "l2", "linf")


def check_positive(name: str, value: float) -> float:
    value = float(value)
    if not (math.isfinite(value) and value > 0):
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}")
    return value


def all_finite(x: torch.Tensor) -> bool:
    """No NaN or infinity in ``x``. On the CPU numpy answers in a few microseconds where two torch
    ops cost tens: this runs for every input certified."""
    if x.is_cpu and x.dtype in (torch.float32, torch.float64):
        return bool(np.isfinite(x.detach().numpy()).all())
    return bool(torch.isfinite(x).all())


def check_probabilities(name: str, p: Any) -> np.ndarray:
    arr = np.asarray(p, dtype=np.float64)
    # Both comparisons are false for NaN, so two reductions check everything (this runs per input).
    if arr.size and not (arr.min() >= 0.0 and arr.max() <= 1.0):
        raise ValueError(f"{name} must lie in [0, 1] (no NaN)")
    return arr


class _DeclaredNorms:
    """``Noise.norms``: the norms of the certificates declared for the class, its default first."""

    def __get__(self, obj: Any, owner: type) -> tuple[str, ...]:
        return registry.norms(owner)


class Noise(abc.ABC):
    """A smoothing distribution: fused sampling plus certificates.

    Subclasses register under a CLI name with ``class Laplace(Noise, name="laplace")`` and implement
    :meth:`_sample_rows` (or the kernels it calls). Their certificates are declared with
    :func:`smoothcert.certify.registry.register`; a noise with none sets ``certified_by`` to the
    function that certifies it.
    """

    registry: ClassVar[dict[str, type[Noise]]] = {}
    name: ClassVar[str] = ""
    norms: ClassVar[tuple[str, ...]] = _DeclaredNorms()  # type: ignore[assignment]
    #: For a noise with no single-radius certificate: the function that certifies it.
    certified_by: ClassVar[str] = ""

    def __init_subclass__(cls, name: str | None = None, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if name is not None:
            if name in Noise.registry:
                raise ValueError(f"noise name {name!r} registered twice")
            cls.name = name
            Noise.registry[name] = cls

    # ------------------------------------------------------------------ sampling
    def sample(self, x: torch.Tensor, num: int, *, seed: int = 0, index: int = 0,
               sample_offset: int = 0, role: int = ROLE_ESTIMATE) -> torch.Tensor:
        """``num`` noisy copies of one input ``x``: a tensor ``[num, *x.shape]`` (dtype/device of x).

        ``index`` is the input's global index and ``sample_offset`` the index of the first copy:
        together with ``seed`` and ``role`` they fix the noise exactly.
        """
        return self.sample_batch(x.unsqueeze(0), num, seed=seed, index=index,
                                 sample_offset=sample_offset, role=role)[0]

    def sample_batch(self, x: torch.Tensor, num: int, *, seed: int = 0, index: int = 0,
                     sample_offset: int = 0, role: int = ROLE_ESTIMATE) -> torch.Tensor:
        """``num`` noisy copies of each row of the batch ``x`` ([B, ...]): ``[B, num, ...]``.

        Row ``b`` is input number ``index + b``.
        """
        if not isinstance(x, torch.Tensor):
            raise ValueError("x must be a torch.Tensor")
        if x.dtype not in (torch.float32, torch.float64):
            raise ValueError(f"x must be float32 or float64, got {x.dtype}")
        if x.dim() < 1:
            raise ValueError("x must have a batch dimension")
        num = int(num)
        if num < 0:
            raise ValueError(f"num must be >= 0, got {num}")
        if seed < 0 or index < 0 or sample_offset < 0:
            raise ValueError("seed, index and sample_offset must be >= 0")
        if not all_finite(x):
            raise ValueError("x contains NaN or infinite values")
        return self._sample_rows(x.contiguous(), num, seed=int(seed), index=int(index),
                                 sample_offset=int(sample_offset), role=int(role))

    def _sample_rows(self, x: torch.Tensor, num: int, *, seed: int, index: int,
                     sample_offset: int, role: int, out: torch.Tensor | None = None) -> torch.Tensor:
        """Fused kernel call: x is contiguous [B, ...]; returns [B, num, ...].

        ``out`` is a tensor the caller no longer needs, typically the previous chunk's result: a
        kernel writes into it when it has the result's shape, dtype and device (see
        :func:`rows_out`), and allocates otherwise.

        This default runs :meth:`_cpu_kernel` or, for a CUDA tensor, :meth:`_cuda_kernel`; a noise
        sampled otherwise overrides it.
        """
        if x.is_cuda:
            kernel = self._cuda_kernel(x, seed, role) if has_cuda_kernels() else None
            if kernel is None:
                # No CUDA kernel in this build: the same noise from the CPU kernel, then moved.
                return self._sample_rows(x.cpu(), num, seed=seed, index=index, sample_offset=sample_offset,
                                         role=role).to(x.device)
            fn, lead = kernel
            out = rows_out(out, (x.shape[0], num, *x.shape[1:]), x)
            fn(x.data_ptr(), out.data_ptr(), x.shape[0], num, x[0].numel(), 32 if x.dtype == torch.float32 else 64,
               *lead, index, sample_offset, cuda_stream(x))
            return out
        kernel = self._cpu_kernel(x, seed, role)
        if kernel is None:
            raise NotImplementedError(f"{type(self).__name__} has no compiled sampler and must override _sample_rows")
        fn, lead = kernel
        out = rows_out(out, (x.shape[0], num, *x.shape[1:]), x)
        fn(rows_view(x)[0], out.view(x.shape[0], num, -1).numpy(), *lead, index, sample_offset)
        return out

    def _cpu_kernel(self, x: torch.Tensor, seed: int,
                    role: int) -> tuple[Callable[..., None], tuple[Any, ...]] | None:
        """The compiled CPU sampler for the contiguous CPU batch ``x`` ([B, ...]), after checking ``x``
        against this noise: ``(fn, lead)``, where ``fn(x_rows, out_rows, *lead, index, sample_offset)``
        writes noisy copies into the numpy view ``out_rows`` [B, m, D] of x's rows [B, D].

        ``None`` (the default) when the noise has no such kernel: chunks then go through
        :meth:`_sample_rows`.
        """
        return None

    def _cuda_kernel(self, x: torch.Tensor, seed: int,
                     role: int) -> tuple[Callable[..., None], tuple[Any, ...]] | None:
        """The device twin of :meth:`_cpu_kernel`, for a build with CUDA kernels: ``(fn, lead)``, where
        ``fn(x_ptr, out_ptr, B, m, D, bits, *lead, index, sample_offset, stream)`` samples on x's device.
        ``None`` (the default): CUDA inputs are sampled by the CPU kernel and moved.
        """
        return None

    def _row_sampler(self, x: torch.Tensor, num: int, *, seed: int, index: int, role: int,
                     buffer: torch.Tensor | None = None) -> Callable[[int, int], torch.Tensor]:
        """``draw(m, sample_offset)`` for repeated chunks of one contiguous batch ``x`` ([B, ...]).

        Each call returns the model batch ``[B * m, ...]`` of copies ``sample_offset ..
        sample_offset + m - 1`` (``m <= num``) of every row, grouped by row. All calls write into one
        buffer, so a batch is overwritten by the next call. Arguments and views are bound once:
        with a CPU kernel a chunk costs a single call into the core.

        ``buffer`` is a 1-D CPU tensor of x's dtype that the caller no longer needs (typically that of
        an earlier sampler): it is written into when it holds at least ``B * num`` copies.
        """
        B = x.shape[0]
        kernel = None if x.is_cuda else self._cpu_kernel(x, seed, role)
        if kernel is None:
            out: torch.Tensor | None = None

            def draw_rows(m: int, offset: int) -> torch.Tensor:
                nonlocal out
                out = self._sample_rows(x, m, seed=seed, index=index, sample_offset=offset, role=role, out=out)
                return out.reshape(B * m, *out.shape[2:])

            return draw_rows
        fn, lead = kernel
        xr, shape = rows_view(x)
        d = xr.shape[1]
        size = B * num * d
        if buffer is not None and buffer.dtype == x.dtype and buffer.numel() >= size:
            buf = buffer[:size]
        else:
            buf = torch.empty(size, dtype=x.dtype)
        flat = buf.numpy()
        full = buf.view(B * num, *shape), flat.reshape(B, num, d)

        def draw(m: int, offset: int) -> torch.Tensor:
            batch, rows = full if m == num else (buf[:B * m * d].view(B * m, *shape),
                                                 flat[:B * m * d].reshape(B, m, d))
            fn(xr, rows, *lead, index, offset)
            return batch

        return draw

    # ------------------------------------------------------------------ certification
    def certificate(self, norm: str | None = None) -> registry.Certificate:
        """The declared certificate for ``norm`` (None: the default, ``norms[0]``).

        ValueError naming the noise, and the function that certifies it, when it has no
        single-radius certificate; ValueError naming the norm when it has none for ``norm``.
        """
        if not self.norms:
            raise ValueError(f"{type(self).__name__} has no single-radius certificate: certify it with "
                             f"{self.certified_by}")
        return registry.certificate(type(self), norm)

    def certify(self, p_lower: Any, norm: str | None = None) -> np.ndarray:
        """Certified radius for each lower bound on p_A; ``ABSTAIN`` (NaN) where p_lower <= 1/2.

        ``norm`` is one of :attr:`norms` (None: the first). Radii are rounded down: never above the
        exact radius of the distribution.
        """
        entry = self.certificate(norm)
        p = check_probabilities("p_lower", p_lower)
        return np.where(p > 0.5, entry(self, p), ABSTAIN)

    def exact_draws(self) -> int | None:
        """For a derandomized noise, the number of perturbations that enumerate it exactly.

        Counts over all of them determine g(x) exactly, and :meth:`certify_counts` gives an exact
        certificate (no confidence bound, no abstention from sampling error). ``None`` for a
        random noise, certified from a confidence bound on p_A.
        """
        return None

    def certify_counts(self, counts: np.ndarray) -> np.ndarray:
        """Exact radii from the votes over all :meth:`exact_draws` perturbations ([B, C] counts)."""
        raise ValueError(f"{type(self).__name__} is a random noise: certify a p_A lower bound with certify()")

    # ------------------------------------------------------------------ description
    def params(self) -> dict[str, Any]:
        """Constructor arguments that rebuild this noise (recorded in Counts and results)."""
        return {k: getattr(self, k) for k in _init_parameters(type(self)) if hasattr(self, k)}

    def describe(self) -> dict[str, Any]:
        return {"noise": self.name, **self.params()}

    @classmethod
    def from_description(cls, desc: dict[str, Any]) -> Noise:
        desc = dict(desc)
        name = desc.pop("noise")
        if name not in Noise.registry:
            raise ValueError(f"unknown noise {name!r}; known: {sorted(Noise.registry)}")
        return Noise.registry[name](**desc)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.params().items())
        return f"{type(self).__name__}({args})"


@functools.cache
def _init_parameters(cls: type) -> tuple[str, ...]:
    """Names of a noise class's constructor arguments (inspected once per class)."""
    return tuple(k for k in inspect.signature(cls.__init__).parameters if k != "self")


def rows_view(x: torch.Tensor) -> tuple[np.ndarray, tuple[int, ...]]:
    """A contiguous CPU tensor [B, ...] as a numpy [B, D] view (no copy) and its element shape."""
    shape = tuple(x.shape[1:])
    return x.reshape(x.shape[0], -1).numpy(), shape


def rows_out(out: torch.Tensor | None, shape: tuple[int, ...], like: torch.Tensor) -> torch.Tensor:
    """``out`` if it is a contiguous tensor of ``shape`` with the dtype and device of ``like``, else
    a new one: repeated chunks of the same size reuse one buffer instead of a fresh allocation each."""
    if (out is not None and out.shape == shape and out.dtype == like.dtype and out.device == like.device
            and out.is_contiguous()):
        return out
    return torch.empty(shape, dtype=like.dtype, device=like.device)


def cuda_stream(x: torch.Tensor) -> int:
    return torch.cuda.current_stream(x.device).cuda_stream


@functools.cache
def has_cuda_kernels() -> bool:
    return bool(core.build_info()["cuda"])
