"""Argument groups and helpers shared by the subcommands."""

from __future__ import annotations

import argparse
import inspect
import json
from pathlib import Path
from typing import Any

import torch

from smoothcert.noises import Noise

#: Family shape parameters settable from the command line (passed when the family accepts them).
SHAPE_PARAMS = {"k": float, "j": float, "a": float, "p": float, "beta": float,
                "selection_prob": float, "p_plus": float, "p_minus": float}
#: --sigma when neither --sigma nor --lambd is given.
DEFAULT_SIGMA = 0.25


def add_data_arguments(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("model and data")
    g.add_argument("--model", default=None,
                   help="'module:callable' returning a torch model (default: the shipped digits model)")
    g.add_argument("--dataset", default=None,
                   help="'digits' (test split, default), 'digits:train', a .npz with x and y, "
                        "or 'module:callable' returning (x, y) or a dataset")
    g.add_argument("--num-classes", type=int, default=None,
                   help="number of classes (default: inferred from one forward pass)")
    g.add_argument("--skip", type=int, default=1, help="take every skip-th input")
    g.add_argument("--quantize", type=int, default=None, metavar="LEVELS",
                   help="round inputs to the grid 1/LEVELS (DSSN certifies inputs on the 1/255 grid)")
    # --limit / --num-samples: spellings that torchrun's own parser does not mistake for its
    # abbreviated options (--max-restarts, --nnodes) when launched as `torchrun -m smoothcert ...`.
    g.add_argument("--max", "--limit", dest="max", type=int, default=None, help="at most this many inputs")


def add_noise_arguments(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("noise")
    g.add_argument("--noise", default="gaussian", help=f"noise family: one of {', '.join(sorted(Noise.registry))}")
    g.add_argument("--sigma", type=float, default=None,
                   help=f"per-coordinate standard deviation (default {DEFAULT_SIGMA} unless --lambd is given)")
    g.add_argument("--lambd", type=float, default=None, help="the family's scale parameter instead of sigma")
    for name, typ in SHAPE_PARAMS.items():
        g.add_argument(f"--{name.replace('_', '-')}", dest=name, type=typ, default=None,
                       help=f"family parameter {name}")


def build_noise(args: argparse.Namespace, dim: int) -> Noise:
    """The noise named by --noise with --sigma/--lambd, --dim and the shape parameters given."""
    if args.noise not in Noise.registry:
        raise ValueError(f"--noise must be one of {sorted(Noise.registry)}, got {args.noise!r}")
    cls = Noise.registry[args.noise]
    accepted = inspect.signature(cls.__init__).parameters
    kwargs: dict[str, Any] = {}
    if args.lambd is not None:
        if args.sigma is not None:
            raise ValueError("give --sigma or --lambd, not both")
        if "lambd" not in accepted:
            raise ValueError(f"--noise {args.noise} has no scale parameter lambd; use --sigma")
        kwargs["lambd"] = args.lambd
    elif "sigma" in accepted:
        kwargs["sigma"] = args.sigma if args.sigma is not None else DEFAULT_SIGMA
    if "dim" in accepted:
        kwargs["dim"] = dim
    for name in SHAPE_PARAMS:
        value = getattr(args, name, None)
        if value is None:
            continue
        if name not in accepted:
            raise ValueError(f"--{name.replace('_', '-')} is not a parameter of --noise {args.noise}")
        kwargs[name] = int(value) if float(value).is_integer() and name in ("k", "j") else value
    missing = [name for name, param in accepted.items()
               if name != "self" and param.default is inspect.Parameter.empty and name not in kwargs
               and param.kind not in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)]
    if missing:
        raise ValueError(f"--noise {args.noise} needs " + ", ".join(f"--{m.replace('_', '-')}" for m in missing))
    return cls(**kwargs)


def quantize_inputs(x: torch.Tensor, levels: int | None) -> torch.Tensor:
    if levels is None:
        return x
    if levels < 1:
        raise ValueError(f"--quantize must be >= 1, got {levels}")
    return torch.round(x * levels) / levels


def select_inputs(x: torch.Tensor, skip: int, maximum: int | None) -> list[int]:
    if skip < 1:
        raise ValueError(f"--skip must be >= 1, got {skip}")
    idx = list(range(0, x.shape[0], skip))
    if maximum is not None:
        if maximum < 1:
            raise ValueError(f"--max must be >= 1, got {maximum}")
        idx = idx[:maximum]
    return idx


def infer_num_classes(model: Any, x: torch.Tensor) -> int:
    with torch.inference_mode():
        out = model(x[:1])
    if not isinstance(out, torch.Tensor) or out.dim() != 2:
        raise ValueError("the model must return scores of shape [batch, num_classes]")
    return int(out.shape[1])


def check_run_config(path: Path, config: dict[str, Any], resume: bool) -> None:
    """Write the run's configuration beside its output; on resume, refuse a different one."""
    if resume and path.exists():
        old = json.loads(path.read_text())
        diff = {k: (old.get(k), v) for k, v in config.items() if old.get(k) != v}
        if diff:
            raise ValueError(f"--resume with a different configuration than {path}: {diff}")
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(config, indent=1, sort_keys=True))
