"""``smoothcert merge``: join the part files of a sharded run (SLURM arrays) into one TSV."""

from __future__ import annotations

import argparse
from pathlib import Path

from smoothcert.distributed import merge_results


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("merge", help="merge results TSV parts of a sharded run, sorted by idx")
    p.add_argument("out", type=Path, help="merged results TSV")
    p.add_argument("parts", type=Path, nargs="+", help="part files")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    rows = merge_results(args.parts, args.out)
    print(f"merged {rows} rows into {args.out}")
    return 0
