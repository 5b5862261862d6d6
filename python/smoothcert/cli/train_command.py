"""``smoothcert train``: train the digits model with Gaussian noise augmentation."""

from __future__ import annotations

import argparse
from pathlib import Path

import torch

from smoothcert.data import load_digits_split, train_digits_model


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("train", help="train the digits MLP with Gaussian noise augmentation",
                       description="Train a base classifier for smoothing on the bundled digits; certify it with "
                                   "`smoothcert certify --model digits:OUT --sigma SIGMA`.")
    p.add_argument("--sigma", type=float, default=0.25, help="augmentation noise level")
    p.add_argument("--epochs", type=int, default=300)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", type=Path, default=Path("results/digits_mlp.pt"))
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    model = train_digits_model(args.sigma, args.epochs, args.seed)
    x, y = load_digits_split("test")
    with torch.no_grad():
        clean = (model(x).argmax(1) == y).float().mean().item()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    torch.save(model.state_dict(), args.out)
    print(f"clean test accuracy {clean:.4f}; weights: {args.out}")
    return 0
