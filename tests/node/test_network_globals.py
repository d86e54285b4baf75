"""The JS globals real Lit Actions use, on a real 4-node network: crypto.subtle, node:buffer, jwt, URL,
structuredClone and pubkeyToTokenId in one action; an unhandled rejection failing the execution."""

from __future__ import annotations

import base64
import hashlib
import hmac

import pytest

from runtime.client import ActionError, LitClient

pytestmark = pytest.mark.slow

GLOBALS_ACTION = """
(async () => {
  const { Buffer } = await import("node:buffer");
  const bytes = new TextEncoder().encode(message);
  const digest = await crypto.subtle.digest("SHA-256", bytes);
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode("k"), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const mac = await crypto.subtle.sign("HMAC", key, bytes);
  const pair = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, false, ["sign", "verify"]);
  const sig = await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, pair.privateKey, bytes);
  const verified = await crypto.subtle.verify({ name: "ECDSA", hash: "SHA-256" }, pair.publicKey, sig, bytes);
  const token = jwt.sign({ message }, "a jwt secret", { noTimestamp: true });
  const url = new URL("https://example.com/path?q=1");
  url.searchParams.set("m", message);
  Lit.Actions.setResponse({ response: JSON.stringify({
    digest: Buffer.from(digest).toString("hex"),
    mac: Buffer.from(mac).toString("base64url"),
    verified,
    claims: jwt.verify(token, "a jwt secret"),
    url: url.href,
    cloned: structuredClone(new Map([["k", [1, 2]]])).get("k"),
    tokenId: Lit.Actions.pubkeyToTokenId({ publicKey }),
    global: global === globalThis,
  }) });
})();
"""


async def test_globals_work_on_every_node(network, owner_key):
    message = "hello from litrt"
    async with await LitClient.connect(network.state_dir) as client:
        pkp = await client.mint_pkp(owner_key)
        result = await client.execute_js(code=GLOBALS_ACTION, js_params={"message": message, "publicKey": "0x" + pkp.pubkey.hex()})
    mac = hmac.new(b"k", message.encode(), hashlib.sha256).digest()
    assert result.response == {
        "digest": hashlib.sha256(message.encode()).hexdigest(),
        "mac": base64.urlsafe_b64encode(mac).rstrip(b"=").decode(),
        "verified": True,
        "claims": {"message": message},
        "url": "https://example.com/path?q=1&m=hello+from+litrt",
        "cloned": [1, 2],
        # The chain's token id of the PKP is keccak256 of its public key: the action computes the same.
        "tokenId": f"0x{pkp.token_id:064x}",
        "global": True,
    }


async def test_an_unawaited_failing_signature_fails_the_execution(network):
    code = (
        "(async () => {\n"
        "  Lit.Actions.signEcdsa({ toSign: [1, 2, 3], publicKey, sigName: 'sig' });\n"
        "  Lit.Actions.setResponse({ response: 'looks like success' });\n"
        "})();"
    )
    async with await LitClient.connect(network.state_dir) as client:
        with pytest.raises(ActionError, match=r"Uncaught \(in promise\)") as info:
            await client.execute_js(code=code, js_params={"publicKey": "0x04" + "11" * 64})
    assert info.value.line == 2


async def test_lit_headers_are_the_http_request_headers(network):
    code = "Lit.Actions.setResponse({ response: JSON.stringify([Lit.Headers.get('content-type'), LitHeaders.has('host')]) });"
    async with await LitClient.connect(network.state_dir) as client:
        result = await client.execute_js(code=code)
    assert result.response == ["application/json", True]
