"""``smoothcert optimize-sigma``: per-input noise scales for data-dependent smoothing."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import torch

from smoothcert.cli._common import add_data_arguments, select_inputs
from smoothcert.data import load_dataset, load_model
from smoothcert.data_dependent import NORMS, OUTPUTS, optimize_sigma, save_sigma_file


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("optimize-sigma", help="optimise a noise scale per input (data-dependent smoothing)",
                       description="Gradient ascent on each input's certified-radius proxy over its noise "
                                   "scale (Alfarra et al., UAI 2022; per element with --anisotropic, Eiras "
                                   "et al., ANCER). Certify afterwards with `smoothcert certify --sigma-file`.")
    add_data_arguments(p)
    g = p.add_argument_group("optimisation")
    g.add_argument("--norm", choices=NORMS, default="l2", help="l2 (Gaussian noise) or l1 (uniform noise)")
    g.add_argument("--sigma0", type=float, default=0.25, help="initial scale")
    g.add_argument("--iterations", type=int, default=100, help="most gradient steps per input")
    g.add_argument("--lr", type=float, default=0.1, help="step size in log(sigma)")
    g.add_argument("--samples", type=int, default=32, help="noise draws per input and step")
    g.add_argument("--patience", type=int, default=10, help="steps without improvement before stopping")
    g.add_argument("--rel-tol", type=float, default=1e-3, help="relative improvement that resets patience")
    g.add_argument("--outputs", choices=OUTPUTS, default="logits", help="what the model returns")
    g.add_argument("--anisotropic", action="store_true", help="one scale per input element (ANCER)")
    g.add_argument("--batch-size", type=int, default=4096, help="noisy inputs per forward pass")
    g.add_argument("--seed", type=int, default=0, help="noise seed")
    p.add_argument("--out", type=Path, default=Path("results/sigma.tsv"),
                   help="sigma file: .tsv (idx, sigma) or .npy (one entry/row per input, NaN if skipped)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    x, _ = load_dataset(args.dataset)
    model = load_model(args.model)
    indices = select_inputs(x, args.skip, args.max)
    if args.anisotropic and args.out.suffix != ".npy":
        raise ValueError("--anisotropic writes one scale per element: --out must end in .npy")
    if args.out.suffix not in (".npy", ".tsv"):
        raise ValueError(f"--out must end in .npy or .tsv, got {args.out.name!r}")
    sigma = []
    chunk = max(1, args.batch_size // args.samples)
    for start in range(0, len(indices), chunk):
        rows = torch.as_tensor(indices[start:start + chunk])
        # Contiguous global indices keep each input's noise stream fixed; a strided selection is
        # optimised one input at a time for the same reason.
        runs = [rows] if bool((rows.diff() == 1).all()) else [r.reshape(1) for r in rows]
        for run_rows in runs:
            res = optimize_sigma(model, x[run_rows], sigma0=args.sigma0, norm=args.norm, outputs=args.outputs,
                                 iterations=args.iterations, lr=args.lr, samples=args.samples,
                                 rel_tol=args.rel_tol, patience=args.patience, anisotropic=args.anisotropic,
                                 batch_size=args.batch_size, seed=args.seed, index=int(run_rows[0]))
            sigma.append(res.sigma.cpu())
        print(f"optimised {min(start + chunk, len(indices))}/{len(indices)} inputs", file=sys.stderr)
    save_sigma_file(args.out, indices, torch.cat(sigma), x.shape[0])
    print(f"sigma file: {args.out}")
    return 0
