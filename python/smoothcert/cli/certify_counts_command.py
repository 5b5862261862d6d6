"""``smoothcert certify-counts``: certify saved Counts without sampling again (Neyman–Pearson or DSRS).

``bound``, the command's former name, is kept as an alias.

``--method np``: the radius of the noise recorded in ``--p`` from a two-sided Clopper–Pearson
interval at ``--alpha``. ``--method dsrs``: P from ``--p`` and Q from ``--q`` (a generalized
Gaussian with another σ or a thresholded one; ``--x-plus`` for per-input balls), each bounded at its
own ``--alpha`` (the paper: N = 50,000 and α = 0.0005 per distribution). Rows are written in Cohen
et al.'s TSV format with the bounds as extra columns.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from smoothcert.bounds import clopper_pearson_lower, clopper_pearson_upper
from smoothcert.certify import XPlus, dsrs
from smoothcert.counts import Counts
from smoothcert.noises import GeneralizedGaussian, Noise, ThresholdedGeneralizedGaussian
from smoothcert.results import ResultsWriter


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("certify-counts", aliases=["bound"],
                       help="turn saved Counts into certified radii (Neyman–Pearson or DSRS) in a results TSV",
                       description="Turn Counts files written by `smoothcert sample` into certified radii "
                                   "without sampling again (`bound` is the former name of this command).")
    p.add_argument("--method", choices=("np", "dsrs"), default="np",
                   help="np: the radius of the noise in --p (Neyman–Pearson); dsrs: double sampling with --q")
    p.add_argument("--p", type=Path, required=True, help="Counts sampled under the smoothing noise P")
    p.add_argument("--q", type=Path, default=None, help="Counts sampled under Q (dsrs)")
    p.add_argument("--alpha", type=float, default=0.001, help="failure probability of each two-sided interval")
    p.add_argument("--x-plus", action="store_true",
                   help="Q counts come from the per-input 'x+' balls (refined P where the P upper bound is 1)")
    p.add_argument("--out", type=Path, default=Path("results/bound.tsv"))
    p.add_argument("--resume", action="store_true", help="skip inputs already in --out")
    p.set_defaults(func=run)


def _interval(counts: Counts, classes: np.ndarray, alpha: float) -> tuple[np.ndarray, np.ndarray]:
    k = counts.counts[np.arange(len(counts)), classes]
    n = counts.n
    return clopper_pearson_lower(k, n, alpha / 2), clopper_pearson_upper(k, n, alpha / 2)


def run(args: argparse.Namespace) -> int:
    if not 0 < args.alpha < 1:
        raise ValueError(f"--alpha must lie in (0, 1), got {args.alpha}")
    cp = Counts.load(args.p)
    P = Noise.from_description(cp.noise)
    predict = cp.top_two()[0]
    p_low, p_high = _interval(cp, predict, args.alpha)
    extra: dict[str, np.ndarray] = {"p_low": p_low, "p_high": p_high}
    start = time.perf_counter()
    if args.method == "np":
        radius = P.certify(p_low)
    else:
        if args.q is None:
            raise ValueError("--method dsrs needs --q")
        if not isinstance(P, GeneralizedGaussian) or isinstance(P, ThresholdedGeneralizedGaussian):
            raise ValueError(f"--method dsrs needs P = general-gaussian, got {P.name}")
        cq = Counts.load(args.q)
        if not np.array_equal(cq.indices, cp.indices):
            raise ValueError("--p and --q must hold the same inputs in the same order")
        Q = XPlus() if args.x_plus else Noise.from_description(cq.noise)
        q_low, q_high = _interval(cq, predict, args.alpha)
        extra.update(q_low=q_low, q_high=q_high)
        radius = dsrs(P, Q, p_low, p_high, q_low, q_high)
    per_input = (time.perf_counter() - start) / max(len(cp), 1)
    labels = cp.labels if cp.labels is not None else np.full(len(cp), -1)
    writer = ResultsWriter(args.out, extra_columns=tuple(extra), resume=args.resume)
    try:
        for i, idx in enumerate(cp.indices):
            if int(idx) in writer.done:
                continue
            abstain = not np.isfinite(radius[i])
            writer.write(idx=int(idx), label=int(labels[i]), predict=-1 if abstain else int(predict[i]),
                         radius=0.0 if abstain else float(radius[i]),
                         correct=int(not abstain and predict[i] == labels[i]), time=per_input,
                         **{k: float(v[i]) for k, v in extra.items()})
    finally:
        writer.close()
    print(f"wrote {len(cp)} rows ({args.method}) to {args.out}")
    return 0
