"""Counts: what sampling produces, and what every certificate is computed from.

A :class:`Counts` holds, for each input, the number of noisy copies the base classifier assigned
to each class, together with everything needed to reproduce or certify them: the noise
description, the seed and Philox role, and the input indices. Files are plain ``.npz`` arrays plus
a JSON header (no pickles), so they can be merged across shards and certified later by any method.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["Counts"]


@dataclass
class Counts:
    """Per-input class counts under one noise distribution.

    Attributes
    ----------
    counts : int64 array [B, C]
        ``counts[i, c]`` = number of noisy copies of input ``indices[i]`` classified as ``c``.
    indices : int64 array [B]
        Global input indices (the Philox input id).
    noise : dict
        ``Noise.describe()`` of the distribution sampled.
    seed, role : int
        Philox seed and stream role; with ``sample_offset`` they reproduce the noise exactly.
    sample_offset : int
        Index of the first noisy copy counted.
    labels : int64 array [B], optional
        True labels, when known.
    """

    counts: np.ndarray
    indices: np.ndarray
    noise: dict[str, Any]
    seed: int = 0
    role: int = 0
    sample_offset: int = 0
    labels: np.ndarray | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.counts = np.asarray(self.counts)
        if self.counts.ndim != 2:
            raise ValueError(f"counts must have shape [inputs, classes], got {self.counts.shape}")
        if self.counts.dtype.kind not in "iu" or (self.counts < 0).any():
            raise ValueError("counts must be non-negative integers")
        self.counts = self.counts.astype(np.int64)
        self.indices = np.asarray(self.indices, dtype=np.int64).reshape(-1)
        if self.indices.shape[0] != self.counts.shape[0]:
            raise ValueError("indices must have one entry per row of counts")
        if self.labels is not None:
            self.labels = np.asarray(self.labels, dtype=np.int64).reshape(-1)
            if self.labels.shape[0] != self.counts.shape[0]:
                raise ValueError("labels must have one entry per row of counts")

    # ------------------------------------------------------------------ views
    @property
    def n(self) -> np.ndarray:
        """Total draws per input."""
        return self.counts.sum(axis=1)

    @property
    def num_classes(self) -> int:
        return int(self.counts.shape[1])

    def __len__(self) -> int:
        return int(self.counts.shape[0])

    def top_two(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(top class, its count, runner-up class, its count); ties go to the lower class index."""
        order = np.argsort(-self.counts, axis=1, kind="stable")
        rows = np.arange(len(self))
        a, b = order[:, 0], order[:, 1] if self.num_classes > 1 else order[:, 0]
        return a, self.counts[rows, a], b, self.counts[rows, b]

    # ------------------------------------------------------------------ persistence
    def save(self, path: str | Path) -> None:
        header = {"noise": self.noise, "seed": self.seed, "role": self.role,
                  "sample_offset": self.sample_offset, "meta": self.meta, "format": 1}
        arrays = {"counts": self.counts, "indices": self.indices,
                  "header": np.frombuffer(json.dumps(header).encode(), dtype=np.uint8)}
        if self.labels is not None:
            arrays["labels"] = self.labels
        with open(path, "wb") as fh:
            np.savez(fh, **arrays)

    @classmethod
    def load(cls, path: str | Path) -> Counts:
        with np.load(path, allow_pickle=False) as data:
            header = json.loads(bytes(data["header"]).decode())
            labels = data["labels"] if "labels" in data.files else None
            return cls(data["counts"], data["indices"], header["noise"], header["seed"],
                       header["role"], header["sample_offset"], labels, header.get("meta", {}))

    @classmethod
    def merge(cls, parts: list[Counts]) -> Counts:
        """Concatenate shards of one run (same noise, seed, role) and sort by input index."""
        if not parts:
            raise ValueError("nothing to merge")
        first = parts[0]
        for p in parts[1:]:
            if (p.noise, p.seed, p.role, p.sample_offset, p.num_classes) != (
                    first.noise, first.seed, first.role, first.sample_offset, first.num_classes):
                raise ValueError("cannot merge Counts from different runs (noise/seed/role/classes differ)")
        indices = np.concatenate([p.indices for p in parts])
        if len(np.unique(indices)) != len(indices):
            raise ValueError("shards overlap: an input index appears twice")
        order = np.argsort(indices, kind="stable")
        labels = None
        if all(p.labels is not None for p in parts):
            labels = np.concatenate([p.labels for p in parts])[order]
        return cls(np.concatenate([p.counts for p in parts])[order], indices[order], dict(first.noise),
                   first.seed, first.role, first.sample_offset, labels, dict(first.meta))
