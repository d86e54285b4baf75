"""`litrt run FILE`: run a Lit Action locally in the sandbox, with fetch but no keys.

Exit codes: 0 the action succeeded, 1 the action failed (its error is printed), 2 usage.
With --mock-fetch, each mocked request is reported on stderr ("mocked: GET https://... -> prices.json
(200)"), or in the "mocked" list of the --json object.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path

from runtime.cli.common import add_mock_fetch, load_params, mock_fetch
from sandbox import ExecutionResult, FetchPolicy, Limits, SandboxSetupError, execute
from sandbox.fetch_mocks import MockSpecError
from sandbox.solo import SoloHost

__all__ = ["register", "run_action"]


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
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
    parser.add_argument("--timeout-ms", type=int, default=Limits().timeout_ms, help="wall-time limit")
    add_mock_fetch(parser)
    parser.set_defaults(handler=run_action)


def _usage_error(message: str) -> int:
    print(f"litrt run: {message}", file=sys.stderr)
    return 2


def _print_human(result: ExecutionResult) -> None:
    if result.logs:
        sys.stdout.write(result.logs if result.logs.endswith("\n") else result.logs + "\n")
    if result.response:
        print(f"response: {result.response}")
    if result.error is not None:
        where = f" (line {result.error.line})" if result.error.line is not None else ""
        print(f"error: {result.error.message}{where}", file=sys.stderr)


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
        result = asyncio.run(execute(code, params, host, Limits(timeout_ms=args.timeout_ms)))
    except SandboxSetupError as exc:
        print(f"litrt run: {exc}", file=sys.stderr)
        return 1
    except ValueError as exc:
        return _usage_error(str(exc))
    if args.json:
        print(json.dumps({**result.to_json(), "mocked": mocked} if mocks is not None else result.to_json()))
    else:
        _print_human(result)
    return 0 if result.error is None else 1
