"""H3 (2), the host's side: the caps hold in the driver even if the prelude's own checks were bypassed.

The prelude stops a flood early, but nothing in the isolate is trusted; the driver counts pending
timers and host calls itself and bounds each drained outbox before parsing it. These tests hand the
driver what a subverted prelude could send.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from sandbox import ExecutionResult, Host, Limits, OpContext
from sandbox.errors import LimitExceeded
from sandbox.runner import _Run


class NeverAnswers(Host):
    async def op_getRpcUrl(self, args: dict[str, Any], ctx: OpContext) -> str:
        await asyncio.sleep(60)
        return "never"


def _run(limits: Limits) -> _Run:
    return _Run("", NeverAnswers(), limits, OpContext(limits, {}, {}), ExecutionResult())


async def test_driver_refuses_the_timer_past_the_cap() -> None:
    run = _run(Limits(max_timers=3))
    try:
        for ident in range(3):
            run._handle({"t": "timer", "id": ident, "ms": 1e9})
        run._handle({"t": "timer", "id": 1, "ms": 5})  # re-arming a pending timer is not a new one
        with pytest.raises(LimitExceeded) as refused:
            run._handle({"t": "timer", "id": 99, "ms": 1e9})
        assert refused.value.error.kind == "timer_limit"
        assert len(run.timers) == 3
    finally:
        run.close()


async def test_driver_refuses_the_call_past_the_cap() -> None:
    run = _run(Limits(max_calls_in_flight=2, max_contract_calls=100))
    try:
        run._handle({"t": "timer", "id": 1, "ms": 1e9})  # timers are not calls
        for ident in (2, 3):
            run._handle({"t": "call", "id": ident, "op": "getRpcUrl", "args": "{}"})
        with pytest.raises(LimitExceeded) as refused:
            run._handle({"t": "call", "id": 4, "op": "getRpcUrl", "args": "{}"})
        assert refused.value.error.kind == "call_limit"
        assert len(run.pending) == 3
    finally:
        run.close()


@pytest.mark.parametrize(
    ("limits", "text"),
    [
        (Limits(max_outbox_chars=1000), json.dumps([{"t": "log", "text": "x" * 3000}])),
        (Limits(max_outbox_messages=10), json.dumps([{"t": "cleartimer", "id": i} for i in range(12)])),
    ],
    ids=["characters", "messages"],
)
async def test_driver_bounds_a_drained_outbox(limits: Limits, text: str) -> None:
    run = _run(limits)

    async def subverted_drain(code: str, syntax_allowed: bool = False) -> str:
        return text

    run._v8 = subverted_drain  # type: ignore[method-assign]
    with pytest.raises(LimitExceeded) as refused:
        await run._drain()
    assert refused.value.error.kind == "outbox_limit"
    assert run.logs == []
