"""`litrt run FILE`: run a Lit Action locally in the sandbox, with fetch but no keys.

Exit codes: 0 the action succeeded, 1 the action failed (its error is printed), 2 usage.
With --mock-fetch, each mocked request is reported on stderr ("mocked: GET https://... -> prices.json
(200)"), or in the "mocked" list of the --json object.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from runtime.cli.common import add_mock_fetch, load_params, mock_fetch

if TYPE_CHECKING:
    from runtime.cli.common import Subparsers
    from sandbox import ExecutionResult

__all__ = ["register", "run_action"]

_DEFAULT_TIMEOUT_MS = 30_000  # sandbox.Limits().timeout_ms; a test keeps the two equal (the sandbox is slow to import)


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "run", help="run a Lit Action locally (fetch works, signing does not)",
        description="Run a Lit Action in a fresh V8 sandbox and print its response and console output.",
    )
    parser.add_argument("file", type=Path, help="the action's JavaScript file")
    parser.add_argument("--params", metavar="JSON|@FILE", help="jsParams as inline JSON or @file.json")
    parser.add_argument("--json", action="store_true", help='print one object {"response","logs","error"}')
    parser.add_argument(
        "--allow-private-fetch", action="store_true",
        help="let fetch reach loopback and private addresses (local development)",
    )
    parser.add_argument("--timeout-ms", type=int, default=_DEFAULT_TIMEOUT_MS, help=f"wall-time limit (default {_DEFAULT_TIMEOUT_MS})")
    add_mock_fetch(parser)
    parser.set_defaults(handler=run_action)


def _usage_error(message: str) -> int:
    print(f"litrt run: {message}", file=sys.stderr)
    return 2


# The end of sandbox.addresses' refusal of a private address; only `litrt run` knows the flags that lift it.
_PRIVATE_REFUSAL = "this host does not allow fetching it"
_PRIVATE_HINT = (
    "litrt run refuses loopback and private addresses by default: pass --allow-private-fetch to reach "
    "this machine's servers, or --mock-fetch HOST=FILE.json|URL to answer the host from a file or a local server"
)


def _private_hint(result: ExecutionResult) -> str | None:
    """The flags to name when the action failed because a fetch went to a private address."""
    refused = result.error is not None and _PRIVATE_REFUSAL in result.error.message
    return _PRIVATE_HINT if refused else None


def _print_human(result: ExecutionResult) -> None:
    if result.logs:
        sys.stdout.write(result.logs if result.logs.endswith("\n") else result.logs + "\n")
    if result.response:
        print(f"response: {result.response}")
    if result.error is not None:
        where = f" (line {result.error.line})" if result.error.line is not None else ""
        print(f"error: {result.error.message}{where}", file=sys.stderr)
        hint = _private_hint(result)
        if hint:
            print(f"hint: {hint}", file=sys.stderr)


def run_action(args: argparse.Namespace) -> int:
    try:
        code = args.file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return _usage_error(f"cannot read {args.file}: {exc}")
    try:
        params = load_params(args.params)
    except (ValueError, OSError) as exc:
        return _usage_error(str(exc))
    if args.timeout_ms <= 0:
        return _usage_error("--timeout-ms must be positive")
    from sandbox import FetchPolicy, Limits, SandboxSetupError, execute
    from sandbox.fetch_mocks import MockSpecError
    from sandbox.solo import SoloHost

    mocked: list[str] = []

    def report(line: str) -> None:
        mocked.append(line)
        if not args.json:
            print(line, file=sys.stderr, flush=True)

    try:
        mocks = mock_fetch(args, report)
    except MockSpecError as exc:
        return _usage_error(str(exc))
    host = SoloHost(FetchPolicy(allow_private=args.allow_private_fetch, mocks=mocks))
    try:
        import asyncio
        result = asyncio.run(execute(code, params, host, Limits(timeout_ms=args.timeout_ms)))
    except SandboxSetupError as exc:
        print(f"litrt run: {exc}", file=sys.stderr)
        return 1
    except ValueError as exc:
        return _usage_error(str(exc))
    if args.json:
        shown = {**result.to_json(), "mocked": mocked} if mocks is not None else result.to_json()
        hint = None if args.allow_private_fetch else _private_hint(result)
        print(json.dumps({**shown, "hint": hint} if hint else shown))
    else:
        _print_human(result)
    return 0 if result.error is None else 1
