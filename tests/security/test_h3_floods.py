"""H3 (2): timer, host-call and outbox floods end with a limit error before the host does the work.

reviews/poc/poc_loop_block.py: 400,000 setTimeout calls under a 1 s limit stalled the event loop for
5 s, because every timer became an asyncio task. Now at most `max_timers` timers and
`max_calls_in_flight` host calls may wait at once, and one turn may hand the host at most
`max_outbox_messages` messages of at most `max_outbox_chars` characters. Each test checks the error
names the limit and that no more than the cap was ever created (no test measures time).
"""

from __future__ import annotations

import asyncio
from typing import Any

from sandbox import Host, Limits, OpContext, execute

LIMITS = Limits(timeout_ms=10_000)


async def test_timer_flood_stops_at_the_cap() -> None:
    code = """
        let made = 0;
        try {
          for (let i = 0; i < 400000; i++) { setTimeout(() => {}, 1e9); made++; }
        } finally {
          console.log("timers made: " + made);
        }
    """
    result = await execute(code, {}, Host(), LIMITS)
    assert result.error is not None and result.error.kind == "timer_limit"
    assert result.error.message == "Your function exceeded the maximum of 1000 pending timers and was terminated."
    assert result.logs == "timers made: 1000\n"


async def test_timer_flood_that_swallows_the_error_still_ends() -> None:
    code = """
        let made = 0, refused = 0;
        for (let i = 0; i < 400000; i++) {
          try { setInterval(() => {}, 1e9); made++; } catch (e) { refused++; }
        }
        console.log("made " + made + ", refused " + refused);
    """
    result = await execute(code, {}, Host(), Limits(timeout_ms=10_000, max_timers=50))
    assert result.error is not None and result.error.kind == "timer_limit"
    assert result.error.message == "Your function exceeded the maximum of 50 pending timers and was terminated."
    assert result.logs == "made 50, refused 399950\n"


async def test_cleared_timers_do_not_count() -> None:
    code = """
        (async () => {
          for (let i = 0; i < 3000; i++) clearTimeout(setTimeout(() => {}, 1e9));
          await new Promise((resolve) => setTimeout(resolve, 1));
          for (let i = 0; i < 3000; i++) clearTimeout(setTimeout(() => {}, 1e9));
          Lit.Actions.setResponse({ response: "ok" });
        })();
    """
    result = await execute(code, {}, Host(), LIMITS)
    assert result.error is None, result.error
    assert result.response == "ok"


class SlowHost(Host):
    """Answers getRpcUrl only after the execution is over."""

    async def op_getRpcUrl(self, args: dict[str, Any], ctx: OpContext) -> str:
        await asyncio.sleep(60)
        return "http://rpc.invalid"


async def test_host_call_flood_stops_at_the_cap() -> None:
    # The first turn fills the cap (the host starts all of them); a timer's turn then floods.
    code = """
        const flood = (n) => { for (let i = 0; i < n; i++) Lit.Actions.getRpcUrl({ chain: "ethereum" }).catch(() => {}); };
        flood(20);
        setTimeout(() => flood(100000), 0);
    """
    # A cap below the per-operation budgets, so that only it can end the flood.
    result = await execute(code, {}, SlowHost(), Limits(timeout_ms=10_000, max_calls_in_flight=20))
    assert result.error is not None and result.error.kind == "call_limit"
    assert result.error.message == "Your function exceeded the maximum of 20 host calls in flight and was terminated."
    # Every call the host started is listed: exactly the cap, none past it.
    assert len(result.operations) == 20


async def test_outbox_message_flood_stops_at_the_cap() -> None:
    # Each round trip leaves two messages (set and clear) but never more than one pending timer.
    code = """
        for (;;) clearTimeout(setTimeout(() => {}, 1e9));
    """
    limits = Limits(timeout_ms=10_000, max_outbox_messages=100)
    result = await execute(code, {}, Host(), limits)
    assert result.error is not None and result.error.kind == "outbox_limit"
    assert result.error.message == (
        "Your function exceeded the maximum of 100 messages to the host in one turn and was terminated."
    )


async def test_outbox_size_flood_stops_at_the_cap() -> None:
    code = """
        const text = "x".repeat(100000);
        for (;;) Lit.Actions.setResponse({ response: text });
    """
    result = await execute(code, {}, Host(), Limits(timeout_ms=10_000, max_outbox_chars=1_000_000))
    assert result.error is not None and result.error.kind == "outbox_limit"
    assert result.error.message == (
        "Your function exceeded the maximum of 1000000 characters of messages to the host in one turn "
        "and was terminated."
    )
    # What was handed over before the cap still counts; it never exceeded the cap.
    assert result.response == "x" * 100000


async def test_console_lines_share_one_message() -> None:
    """Many short lines in one turn are within the console budget, so they must not trip the message cap."""
    code = "for (let i = 0; i < 5000; i++) console.log(i % 10);"
    limits = Limits(timeout_ms=10_000, max_outbox_messages=100)
    result = await execute(code, {}, Host(), limits)
    assert result.error is None, result.error
    assert result.logs == "".join(f"{i % 10}\n" for i in range(5000))
