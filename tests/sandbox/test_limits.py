"""Every limit ends the execution with its own message, and the next execution still works."""

from __future__ import annotations

from typing import Any

import pytest

from sandbox import Host, HostError, OpContext
from tests.sandbox.conftest import run

TIMEOUT_MESSAGE = "Your function exceeded the maximum runtime of 1000ms and was terminated."


async def assert_next_execution_works() -> None:
    result = await run('Lit.Actions.setResponse({ response: "still fine" });')
    assert result.error is None and result.response == "still fine"


@pytest.mark.parametrize(
    "code",
    [
        "while (true) {}",
        "(async () => { await null; while (true) {} })();",
        "new Promise(() => {});",
        "const go = async () => { await new Promise(() => {}); };\ngo();",
        "setInterval(() => {}, 5);",
    ],
    ids=["busy-loop", "busy-loop-in-continuation", "never-resolving", "never-resolving-go", "interval"],
)
async def test_wall_time(code: str) -> None:
    result = await run(code, timeout_ms=1000)
    assert result.error is not None
    assert result.error.kind == "timeout"
    assert result.error.message == TIMEOUT_MESSAGE
    await assert_next_execution_works()


@pytest.mark.parametrize(
    "code",
    [
        "const a = []; while (true) a.push(new Array(100000).fill(1.5));",
        "(async () => { await null; const a = []; while (true) a.push('x'.repeat(1e6) + Math.random()); })();",
        "const b = []; for (let i = 0; i < 100; i++) b.push(new Uint8Array(10e6));",
        "const b = []; const big = new Uint8Array(40e6); for (let i = 0; i < 10; i++) b.push(big.slice());",
    ],
    ids=["heap", "heap-in-continuation", "array-buffers", "array-buffer-slices"],
)
async def test_memory(code: str) -> None:
    result = await run(code, memory_mb=64)
    assert result.error is not None
    assert result.error.kind == "memory"
    assert result.error.message == "Your function exceeded the maximum memory of 64 MB and was terminated."
    await assert_next_execution_works()


async def test_code_size() -> None:
    result = await run("// " + "x" * 2000, max_code_bytes=1000)
    assert result.error is not None and result.error.kind == "code_size"
    assert result.error.message == "Your code is too large: 2003 bytes; the maximum is 1000 bytes."
    await assert_next_execution_works()


async def test_response_size() -> None:
    result = await run("Lit.Actions.setResponse({ response: 'x'.repeat(102401) });")
    assert result.error is not None and result.error.kind == "response_size"
    assert result.error.message == "The response is too large: 102401 bytes; the maximum is 102400 bytes."
    await assert_next_execution_works()


async def test_console_size_keeps_what_fit() -> None:
    result = await run("for (;;) console.log('0123456789');", max_console_bytes=1000)
    assert result.error is not None and result.error.kind == "console_size"
    assert result.error.message == "Console output is too large: your function logged more than 1000 bytes."
    await assert_next_execution_works()


class SigningHost(Host):
    """A host that signs nothing but counts like a real one."""

    async def op_signEcdsa(self, args: dict[str, Any], ctx: OpContext) -> str:
        return "success"

    async def op_callContract(self, args: dict[str, Any], ctx: OpContext) -> str:
        return "0x"

    async def op_getRpcUrl(self, args: dict[str, Any], ctx: OpContext) -> str:
        if args.get("chain") != "ethereum":
            raise HostError(f"unknown chain {args.get('chain')!r}")
        return "http://rpc.invalid"


async def test_signature_count() -> None:
    code = (
        "(async () => { for (let i = 0; i < 11; i++) "
        "await Lit.Actions.signEcdsa({ toSign: new Uint8Array(32), publicKey: '0x04', sigName: 's' + i }); })();"
    )
    result = await run(code, host=SigningHost())
    assert result.error is not None and result.error.kind == "signature_limit"
    assert result.error.message == (
        "You may not sign more than 10 times per session and you have attempted to exceed that limit."
    )
    assert result.signatures == 11
    assert [op["op"] for op in result.operations] == ["signEcdsa"] * 11
    assert result.operations[0]["args"] == {"toSign": "<32 bytes>", "publicKey": "0x04", "sigName": "s0"}
    await assert_next_execution_works()


async def test_contract_call_count() -> None:
    code = "(async () => { for (let i = 0; i < 4; i++) await Lit.Actions.callContract({ chain: 'x', txn: '0x' }); })();"
    result = await run(code, host=SigningHost(), max_contract_calls=3)
    assert result.error is not None and result.error.kind == "contract_call_limit"
    await assert_next_execution_works()


async def test_subclass_op_and_host_error_reach_the_action() -> None:
    code = (
        "(async () => {\n"
        "  const url = await Lit.Actions.getRpcUrl({ chain: 'ethereum' });\n"
        "  try { await Lit.Actions.getRpcUrl({ chain: 'mars' }); } catch (e) { console.log(e.name, e.message); }\n"
        "  Lit.Actions.setResponse({ response: url });\n"
        "  await Lit.Actions.getRpcUrl({ chain: 'venus' });\n"
        "})();"
    )
    result = await run(code, host=SigningHost())
    assert result.response == "http://rpc.invalid"
    assert result.logs == "HostError unknown chain 'mars'\n"
    assert result.error is not None and result.error.kind == "host_error"
    assert result.error.message == "unknown chain 'venus'"
    assert [op["ok"] for op in result.operations] == [True, False, False]
