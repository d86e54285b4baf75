"""Lit's smaller globals: global, Lit.Headers/LitHeaders, synchronous pubkeyToTokenId, the string message
of ethPersonalSignMessageEcdsa, long timer sleeps; and what stays out (Buffer, WebAssembly)."""

from __future__ import annotations

import json
from typing import Any

import coincurve
import pytest
from eth_utils import keccak

from sandbox import Host, Limits, OpContext, execute
from tests.sandbox.conftest import run

# A real secp256k1 key (the generator point), uncompressed and compressed.
PUBKEY = coincurve.PrivateKey.from_int(1).public_key.format(compressed=False).hex()
COMPRESSED = coincurve.PrivateKey.from_int(1).public_key.format(compressed=True).hex()


class RecordingHost(Host):
    """A host whose personal-sign op answers with the arguments it received."""

    async def op_ethPersonalSignMessageEcdsa(self, args: dict[str, Any], ctx: OpContext) -> Any:
        return args


async def test_global_is_globalthis_and_buffer_and_wasm_stay_out() -> None:
    result = await run(
        "var declared = 1;\n"
        "Lit.Actions.setResponse({ response: [global === globalThis, global.declared, typeof Buffer, typeof WebAssembly].join() });"
    )
    assert result.response == "true,1,undefined,undefined"


async def test_lit_headers_carry_the_request_headers() -> None:
    code = (
        "Lit.Actions.setResponse({ response: JSON.stringify([Lit.Headers === LitHeaders, LitHeaders instanceof Headers,\n"
        "  LitHeaders.get('x-request-id'), LitHeaders.get('User-Agent'), LitHeaders.has('missing'), [...LitHeaders.keys()]]) });"
    )
    result = await execute(code, None, Host(), Limits(timeout_ms=5000), headers={"X-Request-Id": "r-1", "user-agent": "lit-js-sdk"})
    assert result.error is None, result.error
    assert json.loads(result.response) == [True, True, "r-1", "lit-js-sdk", False, ["x-request-id", "user-agent"]]
    empty = await run("Lit.Actions.setResponse({ response: String([...Lit.Headers.keys()].length) });")
    assert empty.response == "0"
    with pytest.raises(ValueError, match="headers"):
        await execute("1", None, Host(), headers={"a": 1})  # type: ignore[dict-item]


def token_id(key: str) -> str:
    """The oracle: eth_utils hashes the bytes as given, as Lit's op does (lit-actions action_client.rs)."""
    return "0x" + keccak(bytes.fromhex(key.removeprefix("0x"))).hex()


@pytest.mark.parametrize("key", [PUBKEY, "0x" + PUBKEY, COMPRESSED])
async def test_pubkey_to_token_id_is_synchronous(key: str) -> None:
    # Synchronous as Lit's op (lit-actions ext/bindings.rs), and Lit's "0x" hex of keccak256(bytes as given).
    result = await run(
        "const id = Lit.Actions.pubkeyToTokenId({ publicKey: key });\n"
        "Lit.Actions.setResponse({ response: JSON.stringify([typeof id, id]) });",
        {"key": key},
    )
    assert result.error is None, result.error
    assert json.loads(result.response) == ["string", token_id(key)]
    assert result.operations == []  # no host call


@pytest.mark.parametrize(
    ("key", "words"),
    [("", "publicKey must not be blank"), ("0xzz", "publicKey is not a hex string"), ("abc", "publicKey is not a hex string")],
)
async def test_pubkey_to_token_id_refuses_bad_keys(key: str, words: str) -> None:
    result = await run("Lit.Actions.pubkeyToTokenId({ publicKey: key });", {"key": key})
    assert result.error is not None and words in result.error.message


async def test_awaiting_pubkey_to_token_id_still_works() -> None:
    result = await run(
        "const go = async () => { const id = await Lit.Actions.pubkeyToTokenId({ publicKey: key }); Lit.Actions.setResponse({ response: id }); };\ngo();",
        {"key": PUBKEY},
    )
    assert result.response == token_id(PUBKEY)


async def test_personal_sign_sends_a_string_message_as_utf8_bytes() -> None:
    code = (
        "(async () => {\n"
        "  const sent = await Lit.Actions.ethPersonalSignMessageEcdsa({ message: 'héllo', publicKey: 'p', sigName: 's' });\n"
        "  const bytes = await Lit.Actions.ethPersonalSignMessageEcdsa({ message: new Uint8Array([1, 2]), publicKey: 'p', sigName: 't' });\n"
        "  Lit.Actions.setResponse({ response: JSON.stringify([sent, bytes]) });\n"
        "})();"
    )
    result = await run(code, host=RecordingHost())
    assert result.error is None, result.error
    sent, raw = json.loads(result.response)
    assert sent == {"message": list("héllo".encode()), "publicKey": "p", "sigName": "s"}
    assert raw["message"] == [1, 2]
    assert [op["op"] for op in result.operations] == ["ethPersonalSignMessageEcdsa"] * 2


async def test_a_long_sleep_within_the_time_limit_completes() -> None:
    code = (
        "(async () => {\n"
        "  await new Promise((resolve) => setTimeout(resolve, 2000));\n"
        "  Lit.Actions.setResponse({ response: 'woke' });\n"
        "})();"
    )
    result = await run(code, timeout_ms=5000)
    assert result.error is None, result.error
    assert result.response == "woke"


async def test_a_sleep_beyond_the_time_limit_is_stopped() -> None:
    result = await run("(async () => { await new Promise((r) => setTimeout(r, 60000)); })();", timeout_ms=1000)
    assert result.error is not None and result.error.kind == "timeout"


async def test_the_prelude_internals_are_gone_before_the_action_runs() -> None:
    # The bundles' door to the prelude (host calls, the module table) is closed by configure().
    code = (
        "(async () => { const { Buffer } = await import('node:buffer'); await crypto.subtle.digest('SHA-256', new Uint8Array(1));\n"
        "  Lit.Actions.setResponse({ response: [typeof __litrtInternal, 'hostCall' in globalThis, typeof globalThis.Buffer,\n"
        "    Object.getOwnPropertyNames(globalThis).filter((n) => n.startsWith('__litrt')).sort().join('+')].join() }); })();"
    )
    result = await run(code, {"__litrtInternal": "param"})
    assert result.error is None, result.error
    assert result.response == "undefined,false,undefined,__litrt+__litrtImport"
