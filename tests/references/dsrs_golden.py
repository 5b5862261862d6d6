"""Readers for the DSRS reference data (../shared/reference/dsrs, described in its README).

Files were written in append mode: for a repeated input the original readers keep the first p_A
line and the last radius line, and so do these.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

DIMS = {"mnist": 784, "cifar": 3072}


def read_bounds(path: Path) -> dict[int, tuple[float, float]]:
    """``o <idx> <p_low> <p_high>`` lines; first occurrence wins."""
    out: dict[int, tuple[float, float]] = {}
    for line in path.read_text().splitlines():
        parts = line.split()
        if len(parts) == 4 and parts[0] == "o":
            out.setdefault(int(parts[1]), (float(parts[2]), float(parts[3])))
    return out


def read_radii(path: Path) -> dict[int, float]:
    """``<idx> <radius> ...`` lines; last occurrence wins."""
    out: dict[int, float] = {}
    for line in path.read_text().splitlines():
        parts = line.split()
        if len(parts) >= 2:
            out[int(parts[0])] = float(parts[1])
    return out


@dataclass
class Model:
    name: str
    dataset: str
    dim: int
    k: int
    sigma: float
    sigma_text: str


def models(root: Path) -> list[Model]:
    out = []
    for d in sorted((root / "dsrs" / "sampling").iterdir()):
        m = re.fullmatch(r"(\w+)-(mnist|cifar)-(\d+)-([\d.]+)\.pth", d.name)
        if m:
            sigma = float(m.group(4))
            out.append(Model(d.name, m.group(2), DIMS[m.group(2)], int(m.group(3)), sigma, f"{sigma:g}"
                             if sigma != 1 else "1.0"))
    return out


def np_cases(root: Path) -> list[tuple[Model, str, dict[int, tuple[float, float]], dict[int, float]]]:
    """(model, budget, P bounds, stored NP radii) for each orig-rad file with a matching sampling file."""
    cases = []
    for m in models(root):
        for budget in ("50000-0.0005", "100000-0.001"):
            stem = f"general-gaussian-{m.k}-{m.sigma_text}-{budget}.txt"
            s = root / "dsrs" / "sampling" / m.name / stem
            r = root / "dsrs" / "orig-radius" / m.name / f"orig-rad-{stem}"
            if s.exists() and r.exists():
                cases.append((m, budget, read_bounds(s), read_radii(r)))
    return cases


def dsrs_cases(root: Path) -> list[tuple[Model, str, dict, dict, dict]]:
    """(model, Q parameter text, P bounds, Q bounds, stored DSRS radii) for σ_Q, β and x+ runs."""
    cases = []
    for m in models(root):
        samp = root / "dsrs" / "sampling" / m.name
        p_file = samp / f"general-gaussian-{m.k}-{m.sigma_text}-50000-0.0005.txt"
        if not p_file.exists():
            continue
        p_bounds = read_bounds(p_file)
        newdir = root / "dsrs" / "new-radius" / m.name
        if not newdir.exists():
            continue
        for f in sorted(newdir.glob("new-rad-general-gaussian-*-50000-0.0005.txt")):
            th = re.fullmatch(rf"new-rad-general-gaussian-th-{m.k}-{re.escape(m.sigma_text)}-([\d.]+|x\+)-50000-0\.0005\.txt",
                              f.name)
            sq = re.fullmatch(rf"new-rad-general-gaussian-{m.k}-{re.escape(m.sigma_text)}-([\d.]+)-50000-0\.0005\.txt",
                              f.name)
            if th:
                q_file = samp / f"general-gaussian-{m.k}-{m.sigma_text}-50000-0.0005-{th.group(1)}.txt"
                qtext = "th-" + th.group(1)
            elif sq:
                q_file = samp / f"general-gaussian-{m.k}-{sq.group(1)}-50000-0.0005.txt"
                qtext = sq.group(1)
            else:
                continue
            if q_file.exists():
                cases.append((m, qtext, p_bounds, read_bounds(q_file), read_radii(f)))
    return cases
