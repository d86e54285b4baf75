"""Waiting for just enough of the nodes' answers.

A request goes to every node at once, but the client needs only a quorum of good answers: waiting
for the slowest node (or a dead one's timeout) would make every call as slow as the worst node.
`gather_until_decided` asks a `decide` function after each answer whether the answers so far settle
the outcome, and stops as soon as they do.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar

from .errors import NetworkError

__all__ = ["gather_until_decided", "Decide"]

T = TypeVar("T")

# decide(answers, final) -> the outcome, or None while more answers could still change it.
# With final=True every node has answered (or failed), so it must return or raise.
Decide = Callable[[dict[int, Any], bool], T | None]


async def gather_until_decided(calls: Mapping[int, Awaitable[Any]], decide: Decide[T], grace_s: float = 0.0) -> T:
    """Run every call concurrently; return the first outcome `decide` settles on.

    Once decided, stragglers get `grace_s` more to answer (so a late liar can still be named) and
    the outcome is decided again on the fuller set; calls still running then are cancelled and
    reported to `decide` as a NetworkError saying they had not answered. A call is expected to turn
    its node's failure into an answer (the client's `_fan_out` does); one that raises instead ends
    the gathering with that error."""
    tasks = {asyncio.ensure_future(call): index for index, call in calls.items()}
    answers: dict[int, Any] = {}
    pending = set(tasks)
    try:
        outcome: T | None = None
        while pending and outcome is None:
            done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                answers[tasks[task]] = task.result()
            outcome = decide(dict(answers), not pending)
        if not pending:
            return outcome  # type: ignore[return-value]  # never None when final
        if grace_s > 0:
            done, pending = await asyncio.wait(pending, timeout=grace_s)
            for task in done:
                answers[tasks[task]] = task.result()
        for task in pending:
            answers[tasks[task]] = NetworkError("had not answered when a quorum of the other nodes had")
        return decide(answers, True)  # type: ignore[return-value]  # never None when final
    finally:
        for task in tasks:
            if not task.done():
                task.cancel()
            elif not task.cancelled():
                # A call that raised (not answered) while another's error was propagating: mark its error
                # seen, or asyncio reports it later from a finalizer, which can run anywhere.
                task.exception()
