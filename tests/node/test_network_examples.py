"""Each example action of actions_examples/ on a real 4-node network, through litrt's own pytest plugin
(runtime/testing/plugin.py): lit_network, lit_client and dev_pkp, as a user's tests would."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from aiohttp import web
from eth_account import Account
from eth_account.messages import encode_defunct
from eth_utils import keccak

from runtime.client import ActionError
from runtime.client.transactions import signed_legacy_transaction
from tests.oracles import needs_oracle

pytestmark = pytest.mark.slow

EXAMPLES = Path(__file__).resolve().parents[2] / "actions_examples"


async def test_sign_transaction_gives_a_raw_transaction_from_the_pkp(lit_network, lit_client, dev_pkp):
    cid = await dev_pkp.upload_and_permit(EXAMPLES / "sign_transaction.js")
    params = {
        "publicKey": dev_pkp.public_key, "to": "0x" + "11" * 20, "valueWei": "1000", "nonce": 0,
        "chainId": lit_network.chain_id, "gasPrice": "1000000000", "gasLimit": "21000",
    }
    result = await lit_client.execute_js(ipfs_id=cid, js_params=params)
    raw = signed_legacy_transaction(result.response["unsignedTransaction"], result.signatures["tx"])
    assert Account.recover_transaction(raw) == dev_pkp.address


async def test_conditional_sign_signs_only_above_the_threshold(lit_client, dev_pkp, aiohttp_price_server):
    cid = await dev_pkp.upload_and_permit(EXAMPLES / "conditional_sign.js")
    base = {"publicKey": dev_pkp.public_key, "url": aiohttp_price_server, "message": "buy"}
    low = await lit_client.execute_js(ipfs_id=cid, js_params={**base, "minPrice": 100})
    assert low.response == {"signed": False, "price": 42} and not low.signatures
    high = await lit_client.execute_js(ipfs_id=cid, js_params={**base, "minPrice": 10})
    assert high.response == {"signed": True, "price": 42}
    digest = keccak(text="buy")
    assert Account._recover_hash(digest, signature=high.signatures["cond"]["signature"]) == dev_pkp.address


async def test_personal_sign_with_scope_two(lit_client, dev_pkp):
    cid = await dev_pkp.upload_and_permit(EXAMPLES / "personal_sign.js", scopes=[2])
    result = await lit_client.execute_js(ipfs_id=cid, js_params={"publicKey": dev_pkp.public_key, "message": "gm"})
    sig = result.signatures["personal"]["signature"]
    assert Account.recover_message(encode_defunct(text="gm"), signature=sig) == dev_pkp.address


async def test_call_child_runs_hello_by_cid(lit_client):
    hello = await lit_client.upload_action(EXAMPLES / "hello.js")
    parent = await lit_client.upload_action(EXAMPLES / "call_child.js")
    result = await lit_client.execute_js(ipfs_id=parent, js_params={"childIpfsId": hello, "name": "Ada"})
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


async def test_sign_hash_signs_the_given_hash_and_rejects_bad_hex(lit_client, dev_pkp):
    cid = await dev_pkp.upload_and_permit(EXAMPLES / "sign_hash.js")
    digest = "ab" * 32
    params = {"publicKey": dev_pkp.public_key, "toSignHex": "0x" + digest}
    result = await lit_client.execute_js(ipfs_id=cid, js_params=params)
    sig = result.signatures["sig1"]
    assert sig["dataSigned"] == "0x" + digest
    assert Account._recover_hash(bytes.fromhex(digest), signature=sig["signature"]) == dev_pkp.address
    with pytest.raises(ActionError, match="toSignHex must be 32 bytes"):
        await lit_client.execute_js(ipfs_id=cid, js_params={**params, "toSignHex": "abc"})


@needs_oracle(None if importlib.util.find_spec("solders") else "needs solders (PyPI) to check a Solana transaction")
async def test_sign_solana_transfer_gives_a_transaction_solders_accepts(lit_client):
    from solders.hash import Hash
    from solders.message import Message
    from solders.pubkey import Pubkey
    from solders.signature import Signature
    from solders.system_program import TransferParams, transfer
    from solders.transaction import Transaction

    cid = await lit_client.upload_action(EXAMPLES / "sign_solana_transfer.js")
    to, blockhash = Pubkey.new_unique(), Hash.new_unique()
    params = {"to": str(to), "lamports": "1500000", "recentBlockhash": str(blockhash)}
    result = await lit_client.execute_js(ipfs_id=cid, js_params=params)
    payer = Pubkey.from_string(result.response["from"])
    # The message the action built is the one solders builds for the same transfer.
    expected = Message.new_with_blockhash(
        [transfer(TransferParams(from_pubkey=payer, to_pubkey=to, lamports=1_500_000))], payer, blockhash
    )
    assert bytes.fromhex(result.response["message"]) == bytes(expected)
    signature = Signature.from_bytes(bytes.fromhex(result.response["signature"]))
    Transaction.populate(expected, [signature]).verify()  # raises unless the payer signed it
    with pytest.raises(ActionError, match="to must be 32 bytes of base58"):
        await lit_client.execute_js(ipfs_id=cid, js_params={**params, "to": "abc"})


@needs_oracle(None if importlib.util.find_spec("embit") else "needs embit (PyPI) to check a Bitcoin transaction")
async def test_sign_taproot_gives_a_key_path_witness_embit_accepts(lit_client):
    from embit import ec
    from embit.script import Script, Witness
    from embit.transaction import Transaction, TransactionInput, TransactionOutput

    cid = await lit_client.upload_action(EXAMPLES / "sign_taproot.js")
    # First learn the action's output key (any sighash will do), then spend an output paying to it.
    first = await lit_client.execute_js(ipfs_id=cid, js_params={"sighash": "00" * 32})
    output_key = bytes.fromhex(first.response["outputKey"])
    spent = Script(b"\x51\x20" + output_key)  # OP_1 <x-only key>: a P2TR output, key path only
    spend = Transaction(
        vin=[TransactionInput(bytes(range(32)), 0)], vout=[TransactionOutput(49_000, Script(b"\x00\x14" + bytes(20)))]
    )
    sighash = spend.sighash_taproot(0, [spent], [50_000])
    result = await lit_client.execute_js(ipfs_id=cid, js_params={"sighash": sighash.hex()})
    assert result.response["outputKey"] == output_key.hex()
    spend.vin[0].witness = Witness([bytes.fromhex(result.response["witness"])])
    signed = Transaction.parse(spend.serialize())
    (witness,) = signed.vin[0].witness.items
    assert ec.PublicKey.from_xonly(output_key).schnorr_verify(ec.SchnorrSig(witness), signed.sighash_taproot(0, [spent], [50_000]))
