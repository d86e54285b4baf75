"""Short, bounded descriptions of host-call arguments for ExecutionResult.operations."""

from __future__ import annotations

from typing import Any

__all__ = ["summarize"]

MAX_TEXT = 200
MAX_ITEMS = 20


def summarize(value: Any, depth: int = 0) -> Any:
    """A JSON value no bigger than a few KB: long strings and lists are cut, byte lists are counted."""
    if isinstance(value, str):
        return value if len(value) <= MAX_TEXT else value[:MAX_TEXT] + f"... ({len(value)} chars)"
    if isinstance(value, list):
        if value and all(isinstance(x, int) and 0 <= x <= 255 for x in value):
            return f"<{len(value)} bytes>"
        if depth >= 3:
            return f"<list of {len(value)}>"
        items = [summarize(x, depth + 1) for x in value[:MAX_ITEMS]]
        if len(value) > MAX_ITEMS:
            items.append(f"... ({len(value)} items)")
        return items
    if isinstance(value, dict):
        if depth >= 3:
            return f"<object with {len(value)} keys>"
        return {str(k): summarize(v, depth + 1) for k, v in list(value.items())[:MAX_ITEMS]}
    return value
