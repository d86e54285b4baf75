"""What the CLI's command modules share: the state directory option, JSON output, errors.

Every command module imports only light standard-library modules at its top, so that `litrt --help`
and the parsing of any command stay fast: web3, aiohttp, V8, the client, even asyncio (70 ms) and
urllib.request load inside the handlers that use them.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from typing import TypeAlias

    from sandbox.fetch_mocks import FetchMocks

    # What each command module's register() receives. argparse's action is generic in typeshed only,
    # so the alias exists for the type checker alone.
    Subparsers: TypeAlias = argparse._SubParsersAction[argparse.ArgumentParser]

__all__ = [
    "DEFAULT_STATE_DIR", "Handler", "NoNetwork", "add_state_dir", "add_json", "add_mock_fetch", "emit", "fail", "load_params",
    "mock_fetch", "node_problems", "require_network", "NOT_WAITED_FOR",
]

# A command's handler: parsed arguments in, exit code out (main.py's contract).
Handler = Callable[[argparse.Namespace], int]

DEFAULT_STATE_DIR = Path(os.environ.get("LITRT_STATE_DIR", ".litrt/network"))


def add_state_dir(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--state-dir", type=Path, default=DEFAULT_STATE_DIR,
        help=f"the local network's directory (default {DEFAULT_STATE_DIR}, or $LITRT_STATE_DIR)",
    )


class NoNetwork(FileNotFoundError):
    """No network.json in the state directory; the message says where it looked and how to point elsewhere."""


def require_network(state_dir: Path) -> None:
    """Raise NoNetwork unless `state_dir` holds a running network's network.json."""
    if not (Path(state_dir) / "network.json").is_file():
        raise NoNetwork(
            f"no network in {Path(state_dir).resolve()} (no network.json there): start one with `litrt up`, "
            "or name the directory of a running one with --state-dir DIR or the LITRT_STATE_DIR environment variable"
        )


def add_mock_fetch(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--mock-fetch", action="append", default=[], metavar="HOST=FILE.json|URL",
        help="answer fetches to HOST (host[:port][/path]) from FILE.json, or forward them to a local URL; "
        "repeatable (development only)",
    )


def mock_fetch(args: argparse.Namespace, report: Callable[[str], None] | None = None) -> FetchMocks | None:
    """The --mock-fetch options as mocks (None when none given); MockSpecError naming the bad one."""
    from sandbox.fetch_mocks import FetchMocks

    specs = getattr(args, "mock_fetch", None) or []
    return FetchMocks.from_flags(specs, "--mock-fetch", report) if specs else None


def add_json(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def emit(args: argparse.Namespace, data: dict[str, Any], human: str) -> None:
    print(json.dumps(data, indent=2) if getattr(args, "json", False) else human)


def fail(args: argparse.Namespace, message: str, code: int = 1) -> int:
    if getattr(args, "json", False):
        print(json.dumps({"success": False, "error": message}))
    else:
        print(f"error: {message}", file=sys.stderr)
    return code


def load_json_object(text: str | None, what: str) -> dict[str, Any] | None:
    """An option given as inline JSON or @file.json (None when absent); ValueError naming `what`."""
    if not text:
        return None
    raw = Path(text[1:]).read_text() if text.startswith("@") else text
    try:
        value = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{what} is not valid JSON: {exc}") from None
    if not isinstance(value, dict):
        raise ValueError(f"{what} must be a JSON object")
    return value


def load_params(text: str | None) -> dict[str, Any]:
    """--params as inline JSON or @file.json; ValueError naming the problem."""
    return load_json_object(text, "--params") or {}


# runtime.client.quorum's words for a node the client stopped waiting for once the others had settled
# the outcome: not a fault of that node, so it is shown apart from the nodes that answered with an error.
NOT_WAITED_FOR = "had not answered when a quorum of the other nodes had"


def node_problems(errors: dict[int, str]) -> list[str]:
    """A successful call's per-node troubles as lines: the nodes not waited for, then each node's error."""
    late = sorted(i for i, e in errors.items() if e == NOT_WAITED_FOR)
    lines = [f"not waited for (a quorum answered first): node{'s' if len(late) > 1 else ''} {', '.join(map(str, late))}"] if late else []
    failed = sorted((i, e) for i, e in errors.items() if e != NOT_WAITED_FOR)
    if failed:
        lines.append("errors:")
        lines += [f"  node {i}: {e}" for i, e in failed]
    return lines
