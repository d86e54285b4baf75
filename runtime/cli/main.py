"""`litrt`: the command line. Each area adds its subcommands in its own module.

A command module exposes `register(subparsers)`, which adds its parsers and sets
`handler=<callable(args) -> int>` as a default. Exit codes: 0 ok, 1 action or network error, 2 usage.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

__all__ = ["main", "build_parser"]

COMMAND_MODULES = (
    "runtime.cli.run_cmd",
    "runtime.cli.ipfs_cmd",
    "runtime.cli.network_cmd",
    "runtime.cli.client_cmd",
    "runtime.cli.access_cmd",
    "runtime.cli.auth_cmd",
    "runtime.cli.dev_cmd",
    "runtime.cli.init_cmd",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="litrt", description="Run, develop and test Lit Actions on a real threshold network."
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help(sys.stderr)
        return 2
    try:
        return int(handler(args) or 0)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
