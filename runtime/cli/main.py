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

# Which module registers each command (tests/test_cli_output.py checks this against the modules), so
# that a call such as `litrt execute` builds its own parser only: all forty take ~10 ms.
COMMANDS = {
    "run": "runtime.cli.run_cmd",
    "ipfs": "runtime.cli.ipfs_cmd",
    **dict.fromkeys(("up", "down", "status"), "runtime.cli.network_cmd"),
    **dict.fromkeys(("upload", "execute", "pkp", "demo"), "runtime.cli.client_cmd"),
    **dict.fromkeys(("encrypt", "decrypt", "jwt"), "runtime.cli.access_cmd"),
    **dict.fromkeys(("auth-sig", "session-sigs"), "runtime.cli.auth_cmd"),
    "dev": "runtime.cli.dev_cmd",
    "init": "runtime.cli.init_cmd",
}
COMMAND_MODULES = tuple(dict.fromkeys(COMMANDS.values()))


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser of every command, or of `command`'s module alone when it names one (the help and
    the error for an unknown command list them all)."""
    parser = argparse.ArgumentParser(
        prog="litrt", description="Run, develop and test Lit Actions on a real threshold network."
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    module = COMMANDS.get(command or "")
    for name in (module,) if module else COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args_given = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(args_given[0] if args_given else None)
    args = parser.parse_args(args_given)
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
