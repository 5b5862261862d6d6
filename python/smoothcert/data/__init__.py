"""Embedded default data and model, so the main job runs offline.

The data set is scikit-learn's bundled handwritten digits (1,797 8x8 images, 10 classes, shipped
inside scikit-learn); the model is a small MLP trained with Gaussian noise augmentation by
``scripts/train_digits.py``, whose weights ship with the package.
"""

from __future__ import annotations

import importlib
from importlib import resources
from pathlib import Path
from typing import Any, Callable

import numpy as np
import torch
from torch import nn

__all__ = ["DigitsMLP", "load_digits_split", "default_model", "load_model", "load_dataset",
           "DEFAULT_SIGMA", "weights_path", "train_digits_model", "shipped_sigmas"]

#: Noise level the shipped model was trained for.
DEFAULT_SIGMA = 0.25
#: Test split: a stratified 20 % of the digits, fixed by this seed.
SPLIT_SEED = 0


class DigitsMLP(nn.Module):
    """MLP for 8x8 digits in [0, 1]: 64 -> 256 -> 256 -> 10 logits. Input [N, 1, 8, 8] or [N, 64]."""

    def __init__(self, hidden: int = 256, num_classes: int = 10) -> None:
        super().__init__()
        self.net = nn.Sequential(nn.Flatten(), nn.Linear(64, hidden), nn.ReLU(), nn.Linear(hidden, hidden),
                                 nn.ReLU(), nn.Linear(hidden, num_classes))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)


def load_digits_split(split: str = "test") -> tuple[torch.Tensor, torch.Tensor]:
    """The digits as float32 images [N, 1, 8, 8] scaled to [0, 1] and int64 labels.

    ``split`` is "train" (80 %), "test" (20 %, stratified, fixed seed) or "all".
    """
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    digits = load_digits()
    x = (digits.data / 16.0).astype(np.float32).reshape(-1, 1, 8, 8)
    y = digits.target.astype(np.int64)
    if split == "all":
        return torch.from_numpy(x), torch.from_numpy(y)
    idx = np.arange(len(y))
    train, test = train_test_split(idx, test_size=0.2, random_state=SPLIT_SEED, stratify=y)
    chosen = {"train": train, "test": test}.get(split)
    if chosen is None:
        raise ValueError(f"split must be 'train', 'test' or 'all', got {split!r}")
    chosen = np.sort(chosen)
    return torch.from_numpy(x[chosen]), torch.from_numpy(y[chosen])


def weights_path(sigma: float = DEFAULT_SIGMA) -> Path:
    name = f"digits_mlp_sigma{sigma:.2f}.pt"
    path = Path(str(resources.files("smoothcert.data").joinpath(name)))
    if not path.exists():
        raise ValueError(f"no shipped digits model for sigma={sigma}; train one with scripts/train_digits.py")
    return path


def default_model(sigma: float = DEFAULT_SIGMA) -> DigitsMLP:
    """The shipped digits model trained with Gaussian augmentation at ``sigma``."""
    model = DigitsMLP()
    state = torch.load(weights_path(sigma), map_location="cpu", weights_only=True)
    model.load_state_dict(state)
    model.eval()
    return model


def train_digits_model(sigma: float, epochs: int = 300, seed: int = 0) -> DigitsMLP:
    """Train :class:`DigitsMLP` on the digits train split with Gaussian noise augmentation.

    Cohen et al. train the base classifier on x + N(0, sigma^2 I) so that it is accurate on the
    noisy copies it will vote on. Deterministic: fixed seed, one thread.
    """
    from torch import nn

    if not sigma >= 0:
        raise ValueError(f"sigma must be >= 0, got {sigma}")
    if epochs < 1:
        raise ValueError(f"epochs must be >= 1, got {epochs}")
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        gen = torch.Generator().manual_seed(seed)
        torch.manual_seed(seed)
        x, y = load_digits_split("train")
        model = DigitsMLP()
        opt = torch.optim.Adam(model.parameters(), lr=2e-3, weight_decay=1e-4)
        sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, epochs)
        loss_fn = nn.CrossEntropyLoss()
        for _ in range(epochs):
            perm = torch.randperm(len(y), generator=gen)
            for b in range(0, len(y), 64):
                idx = perm[b:b + 64]
                xb = x[idx] + sigma * torch.randn(x[idx].shape, generator=gen)
                opt.zero_grad()
                loss_fn(model(xb), y[idx]).backward()
                opt.step()
            sched.step()
    finally:
        torch.set_num_threads(threads)
    return model.eval()


def _import_callable(spec: str, what: str) -> Callable[..., Any]:
    module_name, sep, attr = spec.partition(":")
    if not sep or not module_name or not attr:
        raise ValueError(f"{what} must be 'module:callable', got {spec!r}")
    try:
        obj: Any = importlib.import_module(module_name)
    except ImportError as exc:
        raise ValueError(f"{what}: cannot import module {module_name!r}: {exc}") from exc
    for part in attr.split("."):
        if not hasattr(obj, part):
            raise ValueError(f"{what}: {module_name!r} has no attribute {attr!r}")
        obj = getattr(obj, part)
    if not callable(obj):
        raise ValueError(f"{what}: {spec!r} is not callable")
    return obj


def shipped_sigmas() -> list[float]:
    """Noise levels with a shipped digits model."""
    names = [p.name for p in resources.files("smoothcert.data").iterdir()]
    return sorted(float(n[len("digits_mlp_sigma"):-3]) for n in names if n.startswith("digits_mlp_sigma"))


def load_model(spec: str | None, sigma: float | None = None) -> Callable[[torch.Tensor], torch.Tensor]:
    """``None``/"digits" → the shipped digits model (the one trained at ``sigma`` when shipped,
    else the default); "digits:PATH" → a :class:`DigitsMLP` with the
    weights saved at PATH (by ``smoothcert train``); "module:callable" → ``callable()``."""
    if spec in (None, "digits"):
        return default_model(sigma if sigma in shipped_sigmas() else DEFAULT_SIGMA)
    if spec.startswith("digits:"):
        path = Path(spec.split(":", 1)[1])
        if not path.exists():
            raise ValueError(f"--model {spec}: no such weights file")
        model = DigitsMLP()
        model.load_state_dict(torch.load(path, map_location="cpu", weights_only=True))
        return model.eval()
    model = _import_callable(spec, "--model")()
    if not callable(model):
        raise ValueError(f"--model {spec!r} must return a callable model")
    return model


def load_dataset(spec: str | None) -> tuple[torch.Tensor, torch.Tensor]:
    """Inputs [N, ...] and labels [N].

    ``None``/"digits" → digits test split; "digits:train"/"digits:all"; a ``.npz`` file with
    arrays ``x`` and ``y``; or "module:callable" returning ``(x, y)`` tensors or a map-style
    dataset of ``(x, y)`` pairs.
    """
    if spec in (None, "digits"):
        return load_digits_split("test")
    if spec.startswith("digits:"):
        return load_digits_split(spec.split(":", 1)[1])
    if spec.endswith(".npz"):
        with np.load(spec, allow_pickle=False) as data:
            if "x" not in data.files or "y" not in data.files:
                raise ValueError(f"--dataset {spec}: the npz file needs arrays 'x' and 'y'")
            return torch.from_numpy(np.asarray(data["x"])).float(), torch.from_numpy(np.asarray(data["y"])).long()
    obj = _import_callable(spec, "--dataset")()
    if isinstance(obj, tuple) and len(obj) == 2:
        x, y = obj
        return torch.as_tensor(x).float(), torch.as_tensor(y).long()
    try:
        pairs = [obj[i] for i in range(len(obj))]
    except TypeError as exc:
        raise ValueError(f"--dataset {spec!r} must return (x, y) or a dataset of (x, y) pairs") from exc
    return torch.stack([torch.as_tensor(p[0]) for p in pairs]).float(), torch.as_tensor([int(p[1]) for p in pairs])
