"""What the CLI's command modules share: the state directory option, JSON output, errors."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sandbox.fetch_mocks import FetchMocks

__all__ = [
    "DEFAULT_STATE_DIR", "add_state_dir", "add_json", "add_mock_fetch", "emit", "fail", "load_params", "mock_fetch",
]

DEFAULT_STATE_DIR = Path(os.environ.get("LITRT_STATE_DIR", ".litrt/network"))


def add_state_dir(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--state-dir", type=Path, default=DEFAULT_STATE_DIR,
        help=f"the local network's directory (default {DEFAULT_STATE_DIR}, or $LITRT_STATE_DIR)",
    )


def add_mock_fetch(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--mock-fetch", action="append", default=[], metavar="HOST=FILE.json|URL",
        help="answer fetches to HOST (host[:port][/path]) from FILE.json, or forward them to a local URL; "
        "repeatable (development only)",
    )


def mock_fetch(args: argparse.Namespace, report: Callable[[str], None] | None = None) -> FetchMocks | None:
    """The --mock-fetch options as mocks (None when none given); MockSpecError naming the bad one."""
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
