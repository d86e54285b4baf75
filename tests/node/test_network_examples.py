"""Each example action of actions_examples/ on a real 4-node network."""

from __future__ import annotations

from pathlib import Path

import pytest
from aiohttp import web
from eth_account import Account
from eth_account.messages import encode_defunct

from runtime.client import ActionError, LitClient
from runtime.client.transactions import signed_legacy_transaction
from runtime.crypto.hd import eth_address

pytestmark = pytest.mark.slow

EXAMPLES = Path(__file__).resolve().parents[2] / "actions_examples"


async def _pkp_for(client: LitClient, owner_key: str, example: str, scopes=(1,)):
    cid = await client.upload_action((EXAMPLES / example).read_text())
    pkp = await client.mint_pkp(owner_key)
    await client.permit_action(owner_key, pkp.token_id, cid, list(scopes))
    return cid, pkp, "0x" + pkp.pubkey.hex()


async def test_sign_transaction_gives_a_raw_transaction_from_the_pkp(network, owner_key):
    async with await LitClient.connect(network.state_dir) as client:
        cid, pkp, pub = await _pkp_for(client, owner_key, "sign_transaction.js")
        params = {
            "publicKey": pub, "to": "0x" + "11" * 20, "valueWei": "1000", "nonce": 0,
            "chainId": network.chain_id, "gasPrice": "1000000000", "gasLimit": "21000",
        }
        result = await client.execute_js(ipfs_id=cid, js_params=params)
        raw = signed_legacy_transaction(result.response["unsignedTransaction"], result.signatures["tx"])
        assert Account.recover_transaction(raw) == eth_address(pkp.pubkey)


async def test_conditional_sign_signs_only_above_the_threshold(network, owner_key, aiohttp_price_server):
    async with await LitClient.connect(network.state_dir) as client:
        cid, pkp, pub = await _pkp_for(client, owner_key, "conditional_sign.js")
        base = {"publicKey": pub, "url": aiohttp_price_server, "message": "buy"}
        low = await client.execute_js(ipfs_id=cid, js_params={**base, "minPrice": 100})
        assert low.response == {"signed": False, "price": 42} and not low.signatures
        high = await client.execute_js(ipfs_id=cid, js_params={**base, "minPrice": 10})
        assert high.response == {"signed": True, "price": 42}
        assert high.signatures["cond"]["address"] == eth_address(pkp.pubkey)


async def test_personal_sign_with_scope_two(network, owner_key):
    async with await LitClient.connect(network.state_dir) as client:
        cid, pkp, pub = await _pkp_for(client, owner_key, "personal_sign.js", scopes=(2,))
        result = await client.execute_js(ipfs_id=cid, js_params={"publicKey": pub, "message": "gm"})
        sig = result.signatures["personal"]["signature"]
        assert Account.recover_message(encode_defunct(text="gm"), signature=sig) == eth_address(pkp.pubkey)


async def test_call_child_runs_hello_by_cid(network):
    async with await LitClient.connect(network.state_dir) as client:
        hello = await client.upload_action((EXAMPLES / "hello.js").read_text())
        parent = await client.upload_action((EXAMPLES / "call_child.js").read_text())
        result = await client.execute_js(ipfs_id=parent, js_params={"childIpfsId": hello, "name": "Ada"})
        assert result.response == {"fromChild": "Hello, Ada!"}


@pytest.fixture
async def aiohttp_price_server():
    async def price(_request: web.Request) -> web.Response:
        return web.json_response({"price": 42})

    app = web.Application()
    app.router.add_get("/price", price)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}/price"
    await runner.cleanup()


async def test_sign_hash_signs_the_given_hash_and_rejects_bad_hex(network, owner_key):
    async with await LitClient.connect(network.state_dir) as client:
        cid, pkp, pub = await _pkp_for(client, owner_key, "sign_hash.js")
        digest = "ab" * 32
        result = await client.execute_js(ipfs_id=cid, js_params={"publicKey": pub, "toSignHex": "0x" + digest})
        sig = result.signatures["sig1"]
        assert sig["dataSigned"] == "0x" + digest
        assert Account._recover_hash(bytes.fromhex(digest), signature=sig["signature"]) == eth_address(pkp.pubkey)
        with pytest.raises(ActionError, match="toSignHex must be 32 bytes"):
            await client.execute_js(ipfs_id=cid, js_params={"publicKey": pub, "toSignHex": "abc"})
