"""Train the shipped digits model with Gaussian noise augmentation.

Cohen et al. train the base classifier on inputs corrupted by the same noise used for smoothing,
so that f is accurate on x + delta. This script does that for the small MLP of
``smoothcert.data.DigitsMLP`` on scikit-learn's bundled digits (train split only), deterministically
(fixed seed, single thread), and writes ``python/smoothcert/data/digits_mlp_sigma<sigma>.pt``.

Usage: python scripts/train_digits.py --sigma 0.25
"""

from __future__ import annotations

import argparse
from pathlib import Path

import torch
from torch import nn

from smoothcert.data import DigitsMLP, load_digits_split


def train(sigma: float, epochs: int, seed: int) -> DigitsMLP:
    torch.manual_seed(seed)
    torch.set_num_threads(1)
    x, y = load_digits_split("train")
    model = DigitsMLP()
    opt = torch.optim.Adam(model.parameters(), lr=2e-3, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, epochs)
    loss_fn = nn.CrossEntropyLoss()
    for _ in range(epochs):
        perm = torch.randperm(len(y))
        for b in range(0, len(y), 64):
            idx = perm[b:b + 64]
            xb = x[idx] + sigma * torch.randn_like(x[idx])
            opt.zero_grad()
            loss_fn(model(xb), y[idx]).backward()
            opt.step()
        sched.step()
    return model


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sigma", type=float, default=0.25)
    ap.add_argument("--epochs", type=int, default=300)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args()
    model = train(args.sigma, args.epochs, args.seed)
    xt, yt = load_digits_split("test")
    model.eval()
    with torch.no_grad():
        clean = (model(xt).argmax(1) == yt).float().mean().item()
        noisy = (model(xt + args.sigma * torch.randn_like(xt)).argmax(1) == yt).float().mean().item()
    out = args.out or Path(__file__).resolve().parents[1] / "python" / "smoothcert" / "data" / f"digits_mlp_sigma{args.sigma:.2f}.pt"
    torch.save(model.state_dict(), out)
    print(f"test accuracy clean {clean:.4f}, under noise {noisy:.4f}; wrote {out}")


if __name__ == "__main__":
    main()
