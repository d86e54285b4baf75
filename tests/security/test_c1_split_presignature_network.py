"""C1 on a real 4-node network: a split request, and actions whose nodes compute different messages.

The pure-protocol version (and the attacker's arithmetic) is in test_c1_split_presignature.py.
"""

from __future__ import annotations

import asyncio
import json
import os
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from runtime.client import ActionError, LitClient, create_auth_sig
from runtime.client.combine import combine_ecdsa
from runtime.crypto.channel import ResponseKey
from runtime.crypto.hd import eth_address

pytestmark = pytest.mark.slow

SIGN_FETCHED = """
const go = async () => {
  const text = await (await fetch(url)).text();
  const toSign = ethers.utils.arrayify(ethers.utils.keccak256(ethers.utils.toUtf8Bytes(text)));
  await Lit.Actions.signEcdsa({ toSign, publicKey, sigName: "sig" });
  Lit.Actions.setResponse({ response: text });
};
go();
"""

SIGN_RANDOM = """
const go = async () => {
  const toSign = new Uint8Array(32).map(() => 1 + Math.floor(Math.random() * 255));
  await Lit.Actions.signEcdsa({ toSign, publicKey, sigName: "sig" });
};
go();
"""


async def _post(session: aiohttp.ClientSession, url: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    async with session.post(url, json=body) as resp:
        return resp.status, await resp.json(content_type=None)


async def test_a_client_that_splits_one_signature_gets_nothing_from_the_minority(network, owner_key):
    async with await LitClient.connect(network.state_dir) as client:
        pkp = await client.mint_pkp(owner_key)
        m1, m2 = os.urandom(32), os.urandom(32)
        key = ResponseKey.generate()
        base = {
            "publicKey": "0x" + pkp.pubkey.hex(),
            "authSig": create_auth_sig(owner_key),
            "clientPublicKey": key.public_hex,
            "requestId": "split-" + os.urandom(8).hex(),
            "coordinator": 1,
        }
        async with aiohttp.ClientSession() as session:
            answers = await asyncio.gather(
                *(_post(session, url + "/web/pkp/sign", {**base, "toSign": (m2 if i == 4 else m1).hex()})
                  for i, url in enumerate(network.nodes, start=1))
            )
    by_node = dict(enumerate(answers, start=1))
    status, refused = by_node[4]
    assert status == 409 and "signedData" not in refused
    assert "certified another message" in refused["message"] and "[1, 2, 3]" in refused["message"]
    payloads = {i: json.loads(key.open(a["signedData"], base["requestId"].encode()))["sig"] for i, (s, a) in by_node.items() if i != 4}
    assert all(by_node[i][0] == 200 for i in (1, 2, 3))
    signature = combine_ecdsa("sig", payloads, client.root_commitments, network.t)
    assert signature["dataSigned"] == "0x" + m1.hex() and signature["signingSet"] == [1, 2, 3]
    assert signature["address"] == eth_address(pkp.pubkey)


async def test_an_action_signing_a_different_digest_on_every_node_leaks_no_share(network, owner_key):
    async with await LitClient.connect(network.state_dir) as client:
        pkp = await client.mint_pkp(owner_key)
        cid = await client.upload_action(SIGN_RANDOM)
        await client.permit_action(owner_key, pkp.token_id, cid)
        with pytest.raises(ActionError) as err:
            await client.execute_js(ipfs_id=cid, js_params={"publicKey": "0x" + pkp.pubkey.hex()})
    message = str(err.value)
    assert "did not agree on one message" in message
    assert sum(f"[{i}]" in message for i in range(1, 5)) >= 3  # each node's own message, named


async def test_where_2t_plus_1_nodes_agree_their_signature_comes_back_and_the_odd_node_is_named(network, owner_key):
    calls = 0

    async def answer(request: web.Request) -> web.Response:
        nonlocal calls
        calls += 1
        return web.Response(text="agreed" if calls <= 3 else "odd one out")

    app = web.Application()
    app.router.add_get("/", answer)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        async with await LitClient.connect(network.state_dir, straggler_grace_s=20) as client:
            pkp = await client.mint_pkp(owner_key)
            cid = await client.upload_action(SIGN_FETCHED)
            await client.permit_action(owner_key, pkp.token_id, cid)
            params = {"publicKey": "0x" + pkp.pubkey.hex(), "url": f"http://127.0.0.1:{port}/"}
            result = await client.execute_js(ipfs_id=cid, js_params=params)
    finally:
        await runner.cleanup()
    assert result.success and result.response == "agreed"
    signature = result.signatures["sig"]
    assert signature["address"] == eth_address(pkp.pubkey) and len(signature["signingSet"]) == 3
    odd = [i for i, e in result.errors.items() if "certified another message" in e]
    assert len(odd) == 1 and odd[0] not in signature["signingSet"], result.errors
