"""`litrt run`'s host is a one-node network: runOnce runs here, broadcastAndCollect hears itself."""

from __future__ import annotations

import json

from sandbox.solo import SoloHost

from tests.sandbox.conftest import run


async def test_run_once_runs_the_function_here_and_returns_its_string():
    code = """(async () => {
      const value = await Lit.Actions.runOnce({ waitForResponse: true, name: "tx" }, async () => 42);
      const failed = await Lit.Actions.runOnce({ waitForResponse: true }, async () => { throw new Error("x"); });
      const all = await Lit.Actions.broadcastAndCollect({ name: "n", value: "only me" });
      Lit.Actions.setResponse({ response: JSON.stringify({ value, failed, all }) });
    })();"""
    result = await run(code, host=SoloHost())
    assert result.error is None, result.error
    assert json.loads(result.response) == {"value": "42", "failed": "[ERROR]", "all": ["only me"]}


async def test_broadcast_needs_a_string():
    code = "(async () => { await Lit.Actions.broadcastAndCollect({ name: 'n', value: 7 }); })();"
    result = await run(code, host=SoloHost())
    assert result.error is not None and "value must be a string" in result.error.message
