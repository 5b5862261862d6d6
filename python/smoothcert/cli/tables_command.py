"""``smoothcert tables build|check``: precomputed radius tables with provenance."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from smoothcert import tables


def _spec(text: str) -> tuple[str, str, int, dict[str, float]]:
    """``family:norm:dim[:name=value,...]``."""
    parts = text.split(":")
    if len(parts) not in (3, 4):
        raise argparse.ArgumentTypeError(f"table spec must be family:norm:dim[:k=v,...], got {text!r}")
    params = {}
    if len(parts) == 4 and parts[3]:
        for item in parts[3].split(","):
            key, _, value = item.partition("=")
            params[key] = float(value)
    return parts[0], parts[1], int(parts[2]), params


def _build(args: argparse.Namespace) -> int:
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    specs = args.table or list(tables.SHIPPED)
    for family, norm, dim, params in specs:
        table = tables.build(family, norm, dim, **params)
        name = tables.table_name(family, norm, table.meta["dim"], table.meta["params"])
        table.save(out / f"{name}.npz")
        print(f"{name}: {len(table.rho)} entries, {table.meta['method']}, "
              f"{table.meta['build_seconds']:.1f} s")
    return 0


def _check(args: argparse.Namespace) -> int:
    directory = Path(args.dir) if args.dir else tables.shipped_dir()
    files = sorted(directory.glob("*.npz"))
    if not files:
        print(f"no tables in {directory}", file=sys.stderr)
        return 1
    rng = np.random.default_rng(args.seed)
    failed = 0
    for path in files:
        table = tables.Table.read(path)
        meta = table.meta
        idx = rng.choice(np.arange(1, len(table.rho)), size=min(args.samples, len(table.rho) - 1), replace=False)
        what, drift = table.rederive(idx)
        worst = float(np.max(drift))
        ok = worst <= args.tol and meta.get("version") == tables.TABLE_VERSION
        failed += not ok
        print(f"{'ok   ' if ok else 'DRIFT'} {path.name}: {len(idx)} {what} entries re-derived, "
              f"max relative drift {worst:.2e} (tol {args.tol:.0e}); {json.dumps(meta['grid'])}")
    return 1 if failed else 0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("tables", help="build or check precomputed radius tables")
    sub = parser.add_subparsers(dest="tables_command", required=True)
    b = sub.add_parser("build", help="compute tables (default: the shipped set) into --out")
    b.add_argument("--out", default="tables", help="output directory (default: ./tables)")
    b.add_argument("--table", action="append", type=_spec,
                   help="family:norm:dim[:k=v,...] (repeatable; default: every shipped table)")
    b.set_defaults(func=_build)
    c = sub.add_parser("check", help="re-derive a sample of entries; non-zero exit on drift")
    c.add_argument("--dir", default=None, help="table directory (default: the installed tables)")
    c.add_argument("--samples", type=int, default=8, help="entries re-derived per table")
    c.add_argument("--tol", type=float, default=1e-8, help="relative drift tolerated")
    c.add_argument("--seed", type=int, default=0)
    c.set_defaults(func=_check)
