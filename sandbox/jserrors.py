"""Turn V8's error reports into ExecutionErrors that point into the action's own source."""

from __future__ import annotations

import re
from typing import Any

from sandbox.assets import ACTION_URL
from sandbox.errors import ExecutionError, FetchRefused, HostError

__all__ = ["from_eval_exception", "from_described", "action_line"]

_HEADER = re.compile(r"^(?P<file>[^\n]*?):(?P<line>\d+): (?P<message>[^\n]*)")
_FRAME = re.compile(re.escape(ACTION_URL) + r":(\d+):\d+")
_MAX_STACK = 4000
_KIND_BY_NAME = {HostError.js_name: "host_error", FetchRefused.js_name: "forbidden"}


def action_line(stack: str | None, source_lines: int) -> int | None:
    """The first line of the action's source named in a stack trace."""
    if not stack:
        return None
    match = _FRAME.search(stack)
    return _clamp(int(match.group(1)), source_lines) if match else None


def _clamp(line: int, source_lines: int) -> int:
    # A parse error at end of input is reported on the sourceURL comment we append.
    return max(1, min(line, source_lines))


def _trim(stack: str | None) -> str | None:
    if stack is None:
        return None
    return stack if len(stack) <= _MAX_STACK else stack[:_MAX_STACK] + "\n..."


def from_eval_exception(text: str, kind: str, source_lines: int) -> ExecutionError:
    """From mini-racer's text: 'file:line: Type: message\\n<source line>\\n^\\n\\n<stack>'."""
    header = _HEADER.match(text)
    _, _, trace = text.partition("\n\n")
    stack = trace.strip() or None
    if header is None:
        return ExecutionError(kind, text.strip().splitlines()[0] if text.strip() else "JavaScript error", None, _trim(stack))
    line = action_line(stack, source_lines)
    if line is None and header.group("file") == ACTION_URL:
        line = _clamp(int(header.group("line")), source_lines)
    return ExecutionError(kind, header.group("message"), line, _trim(stack))


def from_described(error: Any, source_lines: int, prefix: str = "") -> ExecutionError:
    """From the prelude's {name, message, stack} description of a thrown value."""
    if not isinstance(error, dict):
        return ExecutionError("js_error", f"{prefix}{error!r}")
    name = str(error.get("name") or "Error")
    message = str(error.get("message") or "")
    stack = error.get("stack") if isinstance(error.get("stack"), str) else None
    kind = _KIND_BY_NAME.get(name, "js_error")
    text = message if kind != "js_error" else f"{name}: {message}"
    return ExecutionError(kind, prefix + text, action_line(stack, source_lines), _trim(stack))
