"""Train the shipped digits model (smoothcert.data.DigitsMLP) with Gaussian noise augmentation.

Deterministic (fixed seed, one thread); writes python/smoothcert/data/digits_mlp_sigma<sigma>.pt,
the weights ``smoothcert.data.default_model`` loads. ``smoothcert train`` does the same for any
sigma into a file of your choice.

Usage: python scripts/train_digits.py --sigma 0.25
"""

from __future__ import annotations

import argparse
from pathlib import Path

import torch

from smoothcert.data import load_digits_split, train_digits_model


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sigma", type=float, default=0.25)
    ap.add_argument("--epochs", type=int, default=300)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    model = train_digits_model(args.sigma, args.epochs, args.seed)
    xt, yt = load_digits_split("test")
    with torch.no_grad():
        clean = (model(xt).argmax(1) == yt).float().mean().item()
    out = Path(__file__).resolve().parents[1] / "python" / "smoothcert" / "data" / f"digits_mlp_sigma{args.sigma:.2f}.pt"
    torch.save(model.state_dict(), out)
    print(f"clean test accuracy {clean:.4f}; wrote {out}")


if __name__ == "__main__":
    main()
