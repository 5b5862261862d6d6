"""``smoothcert report``: certified accuracy, ACR and abstain rate of results TSVs, optionally plotted."""

from __future__ import annotations

import argparse
from pathlib import Path

from smoothcert.results import plot_certified_accuracy, report


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("report", help="certified accuracy table (and plot) of results TSVs")
    p.add_argument("results", type=Path, nargs="+", help="results TSV files (several runs: one curve each)")
    p.add_argument("--grid", type=float, nargs="+", default=None, help="radii at which to report accuracy")
    p.add_argument("--plot", type=Path, default=None, help="PNG with all runs on one plot")
    p.add_argument("--title", default="", help="plot title")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    for path in args.results:
        if not path.exists():
            raise ValueError(f"no such results file: {path}")
    reports = [report(path, args.grid) for path in args.results]
    print("\n\n".join(rep.table() for rep in reports))
    if args.plot is not None:
        plot_certified_accuracy(reports, args.plot, args.title)
        print(f"plot: {args.plot}")
    return 0
