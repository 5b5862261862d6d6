"""The ``smoothcert`` command.

Each ``<verb>_command`` module in this package is one subcommand: it defines
``register(subparsers)``, which adds its parser and sets ``func`` (called with the parsed
arguments, returning an exit code). The suffix keeps command modules apart from the library
modules they drive (``tables_command`` runs ``smoothcert.tables``). This package is the only place
argparse is used.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys

__all__ = ["main", "build_parser"]

#: Module name ending of a subcommand.
COMMAND_SUFFIX = "_command"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="smoothcert",
        description="Randomized-smoothing certified robustness: sample, certify, certify saved counts, report.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.endswith(COMMAND_SUFFIX):
            importlib.import_module(f"{__name__}.{info.name}").register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    try:
        return int(args.func(args) or 0)
    except ValueError as exc:
        print(f"smoothcert {args.command}: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
