"""Sigma files: the per-input scales `smoothcert optimize-sigma` writes and `certify --sigma-file` reads."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import torch

__all__ = ["save_sigma_file", "load_sigma_file"]


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
