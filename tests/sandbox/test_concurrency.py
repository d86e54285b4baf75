"""Executions run side by side and never freeze the asyncio loop."""

from __future__ import annotations

import asyncio

from tests.sandbox.conftest import run


async def test_loop_keeps_running_while_an_action_spins() -> None:
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    task = asyncio.create_task(ticker())
    try:
        result = await run("(async () => { await null; while (true) {} })();", timeout_ms=500)
    finally:
        task.cancel()
    assert result.error is not None and result.error.kind == "timeout"
    assert ticks > 5


async def test_concurrent_executions_are_independent() -> None:
    code = (
        "globalThis.shared = (globalThis.shared || 0) + 1;\n"
        "(async () => { await new Promise((r) => setTimeout(r, 20)); "
        "Lit.Actions.setResponse({ response: String(n) + ':' + shared }); })();"
    )
    results = await asyncio.gather(*(run(code, {"n": i}) for i in range(8)))
    assert [r.response for r in results] == [f"{i}:1" for i in range(8)]


async def test_spinning_action_does_not_block_a_neighbour() -> None:
    spinner = asyncio.create_task(run("while (true) {}", timeout_ms=3000))
    quick = await run("Lit.Actions.setResponse({ response: 'quick' });")
    assert quick.response == "quick"
    assert not spinner.done()
    assert (await spinner).error.kind == "timeout"  # type: ignore[union-attr]
