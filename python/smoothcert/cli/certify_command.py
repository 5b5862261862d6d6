"""``smoothcert certify``: Cohen et al.'s CERTIFY over a data set, written row by row.

With ``--sigma-file`` every input is certified with its own scale (data-dependent smoothing,
:mod:`smoothcert.data_dependent`), through a memory of the inputs before it.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from smoothcert import __version__
from smoothcert.cli._common import (add_data_arguments, add_noise_arguments, build_noise, check_run_config,
                                    infer_num_classes, quantize_inputs, select_inputs)
from smoothcert.data import load_dataset, load_model
from smoothcert.data_dependent import per_input_certifier
from smoothcert.distributed import current_shard, finish, part_path
from smoothcert.noises import Noise
from smoothcert.results import ResultsWriter, plot_certified_accuracy, read_results, report
from smoothcert.smooth import SmoothedClassifier

EXTRA_COLUMNS = ("p_a_lower", "norm")
#: --memory choice that turns the memory off.
NO_MEMORY = "none"


def add_sigma_file_arguments(parser: argparse.ArgumentParser) -> None:
    """``--sigma-file`` and ``--memory``: data-dependent smoothing."""
    g = parser.add_argument_group("data-dependent smoothing")
    g.add_argument("--sigma-file", type=Path, default=None,
                   help="per-input scales from `smoothcert optimize-sigma` (.npy or .tsv); the noise is "
                        "Gaussian for --norm l2 (per-element scales: anisotropic) and uniform for --norm l1")
    g.add_argument("--memory", choices=("shrink", "abstain", NO_MEMORY), default="shrink",
                   help="memory-based certification across inputs, in input order (default shrink); "
                        f"'{NO_MEMORY}' reports per-input radii, which are not sound for the data-dependent "
                        "classifier in general")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("certify", help="certify a data set (default: the shipped digits model and data)",
                       description="Certify every input of a data set with randomized smoothing and write "
                                   "Cohen et al.'s results TSV (idx label predict radius correct time ...).")
    add_data_arguments(p)
    add_noise_arguments(p)
    add_sigma_file_arguments(p)
    g = p.add_argument_group("certification")
    g.add_argument("--norm", default=None, help="threat model norm (default: the noise's first certified norm)")
    g.add_argument("--n0", type=int, default=100, help="selection draws")
    g.add_argument("--n", "--num-samples", dest="n", type=int, default=10_000, help="estimation draws")
    g.add_argument("--alpha", type=float, default=0.001, help="failure probability")
    g.add_argument("--batch-size", type=int, default=1000, help="noisy copies per forward pass")
    g.add_argument("--seed", type=int, default=0, help="noise seed (recorded)")
    g.add_argument("--multiclass", action="store_true", help="p_A/p_B radius with Bonferroni bounds (Gaussian)")
    o = p.add_argument_group("output")
    o.add_argument("--out", type=Path, default=Path("results/certify.tsv"), help="results TSV")
    o.add_argument("--resume", action="store_true", help="keep finished rows of --out and skip them")
    o.add_argument("--plot", type=Path, default=None, help="also plot certified accuracy to this PNG")
    o.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    x, y = load_dataset(args.dataset)
    x = quantize_inputs(x, args.quantize)
    if x.shape[0] != y.shape[0]:
        raise ValueError(f"--dataset gives {x.shape[0]} inputs but {y.shape[0]} labels")
    model = load_model(args.model, sigma=args.sigma)
    num_classes = args.num_classes or infer_num_classes(model, x)
    noise = build_noise(args, dim=int(x[0].numel()))
    norm = _certified_norm(args, noise)
    indices = select_inputs(x, args.skip, args.max)
    shard = current_shard()
    if args.sigma_file is None:
        smoothed = SmoothedClassifier(model, noise, num_classes, seed=args.seed)
    else:
        if args.memory != NO_MEMORY and shard.world > 1:
            raise ValueError("--memory needs one process certifying every input in order; "
                             f"run unsharded or pass --memory {NO_MEMORY}")
        smoothed = per_input_certifier(model, args.sigma_file, num_classes, norm=norm, seed=args.seed,
                                       memory_policy=None if args.memory == NO_MEMORY else args.memory)
    out = part_path(args.out, shard)
    config = {"noise": noise.describe(), "norm": norm, "n0": args.n0, "n": args.n, "alpha": args.alpha,
              "seed": args.seed, "model": args.model or "digits", "dataset": args.dataset or "digits",
              "multiclass": args.multiclass, "skip": args.skip, "max": args.max, "quantize": args.quantize,
              "version": __version__,
              "sigma_file": None if args.sigma_file is None else str(args.sigma_file), "memory": args.memory}
    check_run_config(out.with_name(out.name + ".json"), config, args.resume)
    todo = shard.take(indices)
    with ResultsWriter(out, EXTRA_COLUMNS, resume=args.resume) as writer:
        if args.sigma_file is not None and writer.done:
            done = read_results(out)
            smoothed.replay(x, done["idx"], done["predict"], done["radius"])
        todo = [i for i in todo if i not in writer.done]
        bar = tqdm(todo, desc=f"certify {noise.name}", unit="input", disable=args.no_progress,
                   file=sys.stderr)
        for i in bar:
            t0 = time.perf_counter()
            cert = smoothed.certify(x[i:i + 1], args.n0, args.n, args.alpha, args.batch_size, index=i,
                                    norm=norm, multiclass=args.multiclass)[0]
            label = int(y[i])
            writer.write(idx=i, label=label, predict=cert.prediction,
                         radius=0.0 if cert.abstained else cert.radius,
                         correct=int(cert.prediction == label), time=round(time.perf_counter() - t0, 6),
                         p_a_lower=cert.p_a_lower, norm=norm)
    if not finish(args.out, shard):
        if shard.launcher == "slurm":
            print(f"shard {shard.rank}/{shard.world} wrote {out}; merge the parts with `smoothcert merge`")
        return 0
    rep = report(args.out)
    print(rep.table())
    if args.plot is not None:
        plot_certified_accuracy([rep], args.plot)
        print(f"plot: {args.plot}")
    print(f"results: {args.out}")
    return 0


def _certified_norm(args: argparse.Namespace, noise: Noise) -> str:
    """--norm, or the noise's first certified norm; checked before any file is touched."""
    if args.sigma_file is not None and args.norm is not None:
        return args.norm  # the per-input noise follows the norm; smoothcert.data_dependent checks it
    if not noise.norms:
        raise ValueError(f"--noise {args.noise} ({type(noise).__name__}) has no single-radius certificate, so "
                         "`certify` cannot give it a radius: sample its counts with `smoothcert sample` and "
                         "certify those (a thresholded Q with `smoothcert certify-counts --method dsrs --q`, "
                         "hierarchical-sparse with smoothcert.certify.hierarchical_sparse)")
    norm = args.norm or noise.norms[0]
    if norm not in noise.norms:
        raise ValueError(f"--norm {norm} is not certified by --noise {args.noise}; it certifies {list(noise.norms)}")
    return norm
