"""``smoothcert sample``: draw class counts under a noise and save them (certify later, any method)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import numpy as np

from smoothcert.cli._common import (add_data_arguments, add_noise_arguments, build_noise, check_run_config,
                                    infer_num_classes, quantize_inputs, select_inputs)
from smoothcert.counts import Counts
from smoothcert.data import load_dataset, load_model
from smoothcert.noises.base import ROLE_ESTIMATE, ROLE_SECOND, ROLE_SELECT
from smoothcert.smooth import SmoothedClassifier

ROLES = {"estimate": ROLE_ESTIMATE, "select": ROLE_SELECT, "second": ROLE_SECOND}


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("sample", help="sample class counts under a noise and write a Counts file",
                       description="Draw n noisy copies of every input, classify them and save the per-class "
                                   "counts (npz + JSON header) for certification by any method.")
    add_data_arguments(p)
    add_noise_arguments(p)
    p.add_argument("--n", "--num-samples", dest="n", type=int, default=10_000, help="draws per input")
    p.add_argument("--batch-size", type=int, default=1000, help="noisy copies per forward pass")
    p.add_argument("--seed", type=int, default=0, help="noise seed (recorded)")
    p.add_argument("--role", choices=sorted(ROLES), default="estimate",
                   help="independent stream: 'estimate', 'select' or 'second' (e.g. a second distribution)")
    p.add_argument("--sample-offset", type=int, default=0, help="index of the first draw (to extend a run)")
    p.add_argument("--out", type=Path, default=Path("results/counts.npz"), help="Counts file")
    p.add_argument("--resume", action="store_true",
                   help="continue an interrupted run: inputs already in OUT.rows are not sampled again")
    p.add_argument("--no-progress", action="store_true")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    x, y = load_dataset(args.dataset)
    x = quantize_inputs(x, args.quantize)
    model = load_model(args.model, sigma=args.sigma)
    num_classes = args.num_classes or infer_num_classes(model, x)
    noise = build_noise(args, dim=int(x[0].numel()))
    smoothed = SmoothedClassifier(model, noise, num_classes, seed=args.seed)
    indices = select_inputs(x, args.skip, args.max)
    role = ROLES[args.role]
    config = {"noise": noise.describe(), "seed": args.seed, "role": role, "n": args.n,
              "sample_offset": args.sample_offset, "model": args.model or "digits", "dataset": args.dataset or "digits"}
    rows_path = args.out.with_name(args.out.name + ".rows")
    check_run_config(args.out.with_name(args.out.name + ".json"), config, args.resume)
    # Finished inputs are appended to a text file as they complete (idx, label, counts...), so a
    # killed run resumes without losing any; the npz is written from it at the end.
    done: dict[int, list[int]] = {}
    if args.resume and rows_path.exists():
        for line in rows_path.read_text().split("\n")[:-1]:
            fields = [int(v) for v in line.split("\t")]
            done[fields[0]] = fields[1:]
    else:
        rows_path.parent.mkdir(parents=True, exist_ok=True)
        rows_path.write_text("")
    with open(rows_path, "a") as fh:
        todo = [i for i in indices if i not in done]
        for i in tqdm(todo, desc=f"sample {noise.name}", unit="input", disable=args.no_progress, file=sys.stderr):
            c = smoothed.sample_counts(x[i:i + 1], args.n, args.batch_size, index=i, role=role,
                                       sample_offset=args.sample_offset).counts[0]
            done[i] = [int(y[i]), *map(int, c)]
            fh.write("\t".join(map(str, [i, *done[i]])) + "\n")
            fh.flush()
            os.fsync(fh.fileno())
    order = sorted(done)
    counts = Counts(np.array([done[i][1:] for i in order], dtype=np.int64), order, noise.describe(), args.seed, role,
                    args.sample_offset, np.array([done[i][0] for i in order]), {"n": args.n})
    args.out.parent.mkdir(parents=True, exist_ok=True)
    counts.save(args.out)
    print(f"wrote counts of {len(counts)} inputs x {num_classes} classes ({args.n} draws each) to {args.out}")
    return 0
