"""Hierarchical smoothing noises (Scholten et al., "Hierarchical Randomized Smoothing", NeurIPS 2023).

Each entity of an input (an image pixel with all its channels, a graph node's feature row) is selected
independently with probability ``selection_prob``; selected entities receive lower-level noise, the
others are copied bit for bit. Optionally the 0/1 selection mask is appended to the output as an extra
channel (channels-first inputs such as images ``[C, H, W]``) or an extra feature column (entities-first
inputs such as node features ``[N, F]``), so the noisy tensor has one more channel / column than x.
"""

from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np
import torch

from smoothcert._native import core
from smoothcert.certify.hierarchical import (hierarchical_gaussian, hierarchical_gaussian_one_entity,
                                             hierarchical_sparse)
from smoothcert.certify.registry import register
from smoothcert.noises.base import Noise, check_positive, cuda_stream, has_cuda_kernels, rows_out

__all__ = ["HierarchicalGaussian", "HierarchicalSparse"]


def _check_prob(name: str, value: float, *, open_zero: bool) -> float:
    value = float(value)
    ok = (0.0 < value <= 1.0) if open_zero else (0.0 <= value <= 1.0)
    if not ok:
        raise ValueError(f"{name} must lie in {'(0, 1]' if open_zero else '[0, 1]'}, got {value!r}")
    return value


def _entity_axes(entity_dim: int | Sequence[int] | None, ndim: int) -> tuple[int, ...]:
    if entity_dim is None:
        # Images [C, H, W]: the spatial axes; node features [N, F] and vectors [D]: the first axis.
        return tuple(range(1, ndim)) if ndim >= 3 else (0,)
    axes = (entity_dim,) if isinstance(entity_dim, (int, np.integer)) else tuple(entity_dim)
    axes = tuple(sorted(int(a) % ndim if -ndim <= int(a) < ndim else ndim for a in axes))
    if not axes or axes[-1] >= ndim or axes != tuple(range(axes[0], axes[0] + len(axes))):
        raise ValueError(f"entity_dim must name contiguous axes of the {ndim}-d input, got {entity_dim!r}")
    return axes


class _Layout:
    """Kernel view [C, E, F] of one input and the output shape with the optional indicator."""

    def __init__(self, shape: tuple[int, ...], entity_dim: Any, indicator: bool) -> None:
        ndim = len(shape)
        axes = _entity_axes(entity_dim, ndim)
        self.ind_channel = self.ind_feature = 0
        if axes[0] == 0:
            k = len(axes)
            self.channels = 1
            self.entities = math.prod(shape[:k])
            self.features = math.prod(shape[k:])
            if indicator:
                if ndim != k + 1:
                    raise ValueError("indicator needs exactly one feature axis after the entity axes "
                                     f"(input shape {shape}, entity_dim {axes})")
                self.ind_feature = 1
                self.out_shape = (*shape[:-1], shape[-1] + 1)
            else:
                self.out_shape = shape
        elif axes[0] == 1 and axes[-1] == ndim - 1:
            self.channels = shape[0]
            self.entities = math.prod(shape[1:])
            self.features = 1
            if indicator:
                self.ind_channel = 1
                self.out_shape = (shape[0] + 1, *shape[1:])
            else:
                self.out_shape = shape
        else:
            raise ValueError("entity axes must be leading ([*entities, features]) or all axes after a channel "
                             f"axis ([C, *entities]); got entity_dim {axes} for shape {shape}")


class _HierarchicalBase(Noise):
    selection_prob: float
    entity_dim: Any
    indicator: bool

    def layout(self, shape: Sequence[int]) -> _Layout:
        """How an input of ``shape`` (no batch axis) is split into entities, and the output shape."""
        return _Layout(tuple(int(s) for s in shape), self.entity_dim, self.indicator)



class HierarchicalGaussian(_HierarchicalBase, name="hierarchical-gaussian"):
    """Entity selection with probability ``selection_prob``, Gaussian noise on the selected entities.

    Parameters
    ----------
    selection_prob : float
        Probability p in (0, 1] that an entity is selected (receives noise).
    sigma : float
        Standard deviation of the Gaussian noise on selected entities.
    entity_dim : int or tuple of int, optional
        Axes of one input that index entities. Default: the spatial axes of ``[C, H, W]`` inputs
        (entity = pixel with all channels), axis 0 of ``[N, F]`` inputs (entity = row).
    indicator : bool
        Append the selection mask as an extra channel (``[C+1, H, W]``) or column (``[N, F+1]``).

    Certificates (:meth:`certify`): ``norm="l2"`` gives the radius eps against one perturbed entity
    (:func:`smoothcert.certify.hierarchical.hierarchical_gaussian_one_entity`); :meth:`certify_entities`
    takes any number of entities and the multiclass bound.
    """

    def __init__(self, selection_prob: float, sigma: float, *, entity_dim: int | Sequence[int] | None = None,
                 indicator: bool = True) -> None:
        self.selection_prob = _check_prob("selection_prob", selection_prob, open_zero=True)
        self.sigma = check_positive("sigma", sigma)
        self.entity_dim = entity_dim if entity_dim is None or isinstance(entity_dim, int) else list(entity_dim)
        self.indicator = bool(indicator)

    def _sample_rows(self, x: torch.Tensor, num: int, *, seed: int, index: int, sample_offset: int,
                     role: int, out: torch.Tensor | None = None) -> torch.Tensor:
        lay = self.layout(x.shape[1:])
        b = x.shape[0]
        out = rows_out(out, (b, num, *lay.out_shape), x)
        if x.is_cuda and has_cuda_kernels():
            core.noise.hierarchical_gaussian_sample_cuda(
                x.data_ptr(), out.data_ptr(), b, num, lay.channels, lay.entities, lay.features,
                lay.ind_channel, lay.ind_feature, 32 if x.dtype == torch.float32 else 64,
                self.selection_prob, self.sigma, seed, role, index, sample_offset, cuda_stream(x))
            return out
        if x.is_cuda:
            return self._sample_rows(x.cpu(), num, seed=seed, index=index, sample_offset=sample_offset,
                                     role=role).to(x.device)
        core.noise.hierarchical_gaussian_sample(
            x.reshape(b, -1).numpy(), out.view(b, num, -1).numpy(), lay.channels, lay.entities,
            lay.features, lay.ind_channel, lay.ind_feature, self.selection_prob, self.sigma, seed, role,
            index, sample_offset)
        return out

    def certify_entities(self, p_a_lower: Any, entities: Any = 1, p_b_upper: Any = None) -> np.ndarray:
        """Radius eps (NaN: not certified) against ``entities`` perturbed entities, each by <= eps in l2."""
        return hierarchical_gaussian(p_a_lower, p_b_upper, selection_prob=self.selection_prob,
                                     sigma=self.sigma, entities=entities)


class HierarchicalSparse(_HierarchicalBase, name="hierarchical-sparse"):
    """Row selection with probability ``selection_prob``, sparse bit flips on the selected rows.

    For binary features (values 0/1, e.g. bag-of-words node features ``[N, F]``): each selected row has
    its zeros switched on with probability ``p_plus`` and its ones switched off with probability
    ``p_minus`` (sparse smoothing, Bojchevski et al., ICML 2020); unselected rows are copied.

    Parameters
    ----------
    selection_prob : float
        Probability p in (0, 1] that a row is selected.
    p_plus, p_minus : float
        Flip probabilities 0 -> 1 and 1 -> 0 in [0, 1].
    entity_dim : int or tuple of int, optional
        Leading axes of one input that index entities (default 0: rows of ``[N, F]``).
    indicator : bool
        Append the selection mask as an extra feature column (``[N, F+1]``).
    """

    # The certificate depends on (entities, additions, deletions), not on one radius.
    certified_by = "HierarchicalSparse.certify_perturbation (smoothcert.certify.hierarchical_sparse)"

    def __init__(self, selection_prob: float, p_plus: float, p_minus: float, *,
                 entity_dim: int | Sequence[int] | None = None, indicator: bool = True) -> None:
        self.selection_prob = _check_prob("selection_prob", selection_prob, open_zero=True)
        self.p_plus = _check_prob("p_plus", p_plus, open_zero=False)
        self.p_minus = _check_prob("p_minus", p_minus, open_zero=False)
        self.entity_dim = entity_dim if entity_dim is None or isinstance(entity_dim, int) else list(entity_dim)
        self.indicator = bool(indicator)

    def layout(self, shape: Sequence[int]) -> _Layout:
        lay = super().layout(shape)
        if lay.channels != 1:
            raise ValueError(f"hierarchical-sparse needs entity-leading inputs such as [N, F], got shape {tuple(shape)}")
        return lay

    def _sample_rows(self, x: torch.Tensor, num: int, *, seed: int, index: int, sample_offset: int,
                     role: int, out: torch.Tensor | None = None) -> torch.Tensor:
        if not bool(((x == 0) | (x == 1)).all()):
            raise ValueError("x must be binary (values 0 and 1) for hierarchical-sparse noise")
        lay = self.layout(x.shape[1:])
        b = x.shape[0]
        out = rows_out(out, (b, num, *lay.out_shape), x)
        if x.is_cuda and has_cuda_kernels():
            core.noise.hierarchical_flip_sample_cuda(
                x.data_ptr(), out.data_ptr(), b, num, lay.entities, lay.features, lay.ind_feature,
                32 if x.dtype == torch.float32 else 64, self.selection_prob, self.p_plus, self.p_minus,
                seed, role, index, sample_offset, cuda_stream(x))
            return out
        if x.is_cuda:
            return self._sample_rows(x.cpu(), num, seed=seed, index=index, sample_offset=sample_offset,
                                     role=role).to(x.device)
        core.noise.hierarchical_flip_sample(
            x.reshape(b, -1).numpy(), out.view(b, num, -1).numpy(), lay.entities, lay.features,
            lay.ind_feature, self.selection_prob, self.p_plus, self.p_minus, seed, role, index,
            sample_offset)
        return out

    def certify_perturbation(self, p_a_lower: Any, p_b_upper: Any = None, *, entities: Any = 1,
                             additions: Any = 0, deletions: Any = 0) -> np.ndarray:
        """Whether each input is certified against ``entities`` rows with ``additions``/``deletions`` bits."""
        return hierarchical_sparse(p_a_lower, p_b_upper, selection_prob=self.selection_prob,
                                   p_plus=self.p_plus, p_minus=self.p_minus, entities=entities,
                                   additions=additions, deletions=deletions)


register(HierarchicalGaussian, "l2", hierarchical_gaussian_one_entity, params=("selection_prob", "sigma"),
         method="hierarchical")
