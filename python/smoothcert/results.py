"""Results TSV (Cohen et al.'s format) and the certified-accuracy report.

The TSV's first columns are exactly ``idx label predict radius correct time``; extra columns
follow. Rows are appended and flushed one at a time, so a killed run loses at most the input in
flight, and ``resume=True`` skips the inputs already written.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Sequence

import numpy as np

__all__ = ["COLUMNS", "ResultsWriter", "read_results", "certified_accuracy", "average_certified_radius",
           "Report", "report", "plot_certified_accuracy"]

COLUMNS = ("idx", "label", "predict", "radius", "correct", "time")


def _format(value: Any) -> str:
    if isinstance(value, (bool, np.bool_)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        return repr(float(value))
    return str(value)


class ResultsWriter:
    """Append-only writer of a results TSV.

    Parameters
    ----------
    path : path-like
        Output file.
    extra_columns : sequence of str
        Columns written after Cohen's six.
    resume : bool
        Keep an existing file with the same header and skip its finished rows (``done``);
        without it an existing file is replaced.
    """

    def __init__(self, path: str | os.PathLike, extra_columns: Sequence[str] = (), resume: bool = False) -> None:
        self.path = Path(path)
        self.columns = COLUMNS + tuple(extra_columns)
        if len(set(self.columns)) != len(self.columns):
            raise ValueError(f"duplicate column names in {self.columns}")
        self.done: set[int] = set()
        header = "\t".join(self.columns) + "\n"
        if resume and self.path.exists() and self.path.stat().st_size > 0:
            with open(self.path, "r", encoding="utf-8") as fh:
                lines = fh.read().split("\n")
            if lines[0] + "\n" != header:
                raise ValueError(f"cannot resume {self.path}: its header {lines[0]!r} differs from {header.strip()!r}")
            complete = [ln for ln in lines[1:-1] if ln]
            # A row cut off by a kill has no newline: it is dropped and recomputed.
            self.done = {int(ln.split("\t", 1)[0]) for ln in complete}
            with open(self.path, "w", encoding="utf-8") as fh:
                fh.write(header + "".join(ln + "\n" for ln in complete))
        else:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with open(self.path, "w", encoding="utf-8") as fh:
                fh.write(header)
        self._fh = open(self.path, "a", encoding="utf-8")

    def write(self, **row: Any) -> None:
        missing = [c for c in self.columns if c not in row]
        unknown = [c for c in row if c not in self.columns]
        if missing or unknown:
            raise ValueError(f"row columns mismatch: missing {missing}, unknown {unknown}")
        self._fh.write("\t".join(_format(row[c]) for c in self.columns) + "\n")
        self._fh.flush()
        os.fsync(self._fh.fileno())
        self.done.add(int(row["idx"]))

    def close(self) -> None:
        self._fh.close()

    def __enter__(self) -> ResultsWriter:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def read_results(path: str | os.PathLike) -> dict[str, np.ndarray]:
    """Columns of a results TSV as arrays (numeric where possible), sorted by idx."""
    with open(path, "r", encoding="utf-8") as fh:
        lines = [ln for ln in fh.read().split("\n") if ln]
    if not lines:
        raise ValueError(f"{path} is empty")
    header = lines[0].split("\t")
    if tuple(header[:len(COLUMNS)]) != COLUMNS:
        raise ValueError(f"{path} does not start with the columns {' '.join(COLUMNS)}")
    rows = [ln.split("\t") for ln in lines[1:]]
    out: dict[str, np.ndarray] = {}
    for j, name in enumerate(header):
        col = [r[j] for r in rows]
        try:
            out[name] = np.array(col, dtype=np.float64)
        except ValueError:
            out[name] = np.array(col, dtype=object)
    order = np.argsort(out["idx"], kind="stable")
    return {k: v[order] for k, v in out.items()}


def certified_accuracy(radius: np.ndarray, correct: np.ndarray, grid: Iterable[float]) -> np.ndarray:
    """Fraction of inputs that are correct with certified radius >= r, for each r of the grid.

    Abstentions (NaN radius, or correct = 0) never count.
    """
    radius = np.asarray(radius, dtype=np.float64)
    correct = np.asarray(correct).astype(bool)
    if radius.shape != correct.shape:
        raise ValueError("radius and correct must have the same shape")
    if radius.size == 0:
        raise ValueError("no results")
    ok = correct & ~np.isnan(radius)
    return np.array([np.mean(ok & (radius >= r)) for r in grid])


def average_certified_radius(radius: np.ndarray, correct: np.ndarray) -> float:
    """Mean over all inputs of the radius of correctly classified inputs (0 otherwise)."""
    radius = np.asarray(radius, dtype=np.float64)
    correct = np.asarray(correct).astype(bool)
    if radius.size == 0:
        raise ValueError("no results")
    return float(np.mean(np.where(correct & ~np.isnan(radius), radius, 0.0)))


@dataclass
class Report:
    name: str
    count: int
    grid: np.ndarray
    accuracy: np.ndarray
    acr: float
    abstain_rate: float
    clean_accuracy: float

    def table(self) -> str:
        lines = [f"{self.name}: {self.count} inputs, clean accuracy of g {self.clean_accuracy:.4f}, "
                 f"abstain rate {self.abstain_rate:.4f}, ACR {self.acr:.4f}",
                 "radius    certified accuracy"]
        lines += [f"{r:<9.3f} {a:.4f}" for r, a in zip(self.grid, self.accuracy)]
        return "\n".join(lines)


def report(path: str | os.PathLike, grid: Sequence[float] | None = None, name: str | None = None) -> Report:
    """Certified accuracy on a radius grid, ACR and abstain rate of a results TSV.

    In the TSV an abstention is ``predict = -1`` (its radius column holds 0.0, as in Cohen et al.).
    """
    cols = read_results(path)
    abstained = cols["predict"] == -1
    radius = np.where(abstained, np.nan, cols["radius"])
    correct = cols["correct"].astype(bool)
    if grid is None:
        top = np.nanmax(radius) if np.any(~np.isnan(radius)) else 0.0
        step = max(0.05, round(top / 10, 2)) if top > 0 else 0.05
        grid = np.arange(0.0, top + step, step)
    grid = np.asarray(grid, dtype=np.float64)
    return Report(name or Path(path).stem, len(radius), grid, certified_accuracy(radius, correct, grid),
                  average_certified_radius(radius, correct), float(np.mean(abstained)),
                  float(np.mean(correct)))


def plot_certified_accuracy(reports: Sequence[Report], out: str | os.PathLike, title: str = "") -> None:
    """Certified-accuracy curves of several runs on one plot, saved as PNG (needs matplotlib)."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("plotting needs matplotlib: pip install 'smoothcert[plot]'") from exc
    fig, ax = plt.subplots(figsize=(6, 4))
    for rep in reports:
        ax.step(rep.grid, rep.accuracy, where="post", label=f"{rep.name} (ACR {rep.acr:.3f})")
    ax.set_xlabel("radius")
    ax.set_ylabel("certified accuracy")
    ax.set_ylim(0, 1)
    ax.grid(alpha=0.3)
    ax.legend()
    if title:
        ax.set_title(title)
    fig.tight_layout()
    fig.savefig(out, dpi=120)
    plt.close(fig)
