"""The dev chain's JSON-RPC surface, spoken raw over HTTP as any client would."""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Any

import aiohttp
import pytest
from eth_account import Account

from runtime.chain.devchain import DevChain

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def rpc(url: str, method: str, params: list[Any] | None = None) -> dict[str, Any]:
    async with aiohttp.ClientSession() as session:
        body = {"jsonrpc": "2.0", "id": 7, "method": method, "params": params or []}
        async with session.post(url, json=body) as resp:
            return await resp.json()


async def test_basic_reads(devchain) -> None:
    assert (await rpc(devchain.url, "eth_chainId"))["result"] == hex(devchain.chain_id)
    assert (await rpc(devchain.url, "net_version"))["result"] == str(devchain.chain_id)
    accounts = (await rpc(devchain.url, "eth_accounts"))["result"]
    assert accounts == [a.address for a in devchain.accounts]
    balance = int((await rpc(devchain.url, "eth_getBalance", [accounts[0], "latest"]))["result"], 16)
    assert balance > 0
    block = (await rpc(devchain.url, "eth_getBlockByNumber", ["latest", False]))["result"]
    assert block["number"].startswith("0x") and int(block["baseFeePerGas"], 16) > 0
    assert (await rpc(devchain.url, "eth_getBlockByNumber", ["0xffffff", False]))["result"] is None
    assert (await rpc(devchain.url, "eth_getTransactionReceipt", ["0x" + "ab" * 32]))["result"] is None


async def test_errors_are_json_rpc_errors(devchain) -> None:
    missing = await rpc(devchain.url, "eth_doesNotExist")
    assert missing["error"]["code"] == -32601 and missing["id"] == 7
    bad = await rpc(devchain.url, "eth_getBalance", ["0x1234", "latest"])
    assert bad["error"]["code"] == -32602
    async with aiohttp.ClientSession() as session:
        async with session.post(devchain.url, data=b"{not json") as resp:
            assert (await resp.json())["error"]["code"] == -32700
        batch = [{"jsonrpc": "2.0", "id": i, "method": "eth_blockNumber", "params": []} for i in range(3)]
        async with session.post(devchain.url, json=batch) as resp:
            assert [r["id"] for r in await resp.json()] == [0, 1, 2]


async def test_send_raw_transaction_and_chain_id_check(devchain) -> None:
    sender = Account.from_key(devchain.accounts[8].private_key)
    to = devchain.accounts[9].address
    nonce = int((await rpc(devchain.url, "eth_getTransactionCount", [sender.address, "pending"]))["result"], 16)
    gas_price = int((await rpc(devchain.url, "eth_gasPrice"))["result"], 16)
    tx = {"to": to, "value": 12345, "gas": 21000, "gasPrice": gas_price, "nonce": nonce}

    wrong = sender.sign_transaction({**tx, "chainId": devchain.chain_id + 1})
    refused = await rpc(devchain.url, "eth_sendRawTransaction", ["0x" + wrong.raw_transaction.hex()])
    assert "chain id" in refused["error"]["message"]

    signed = sender.sign_transaction({**tx, "chainId": devchain.chain_id})
    tx_hash = (await rpc(devchain.url, "eth_sendRawTransaction", ["0x" + signed.raw_transaction.hex()]))["result"]
    receipt = (await rpc(devchain.url, "eth_getTransactionReceipt", [tx_hash]))["result"]
    assert receipt["status"] == "0x1" and receipt["to"].lower() == to.lower()
    got = (await rpc(devchain.url, "eth_getTransactionByHash", [tx_hash]))["result"]
    assert int(got["value"], 16) == 12345 and got["from"] == sender.address

    again = await rpc(devchain.url, "eth_sendRawTransaction", ["0x" + signed.raw_transaction.hex()])
    assert "nonce" in again["error"]["message"].lower()


async def test_call_needs_no_balance_and_reports_reverts(devchain) -> None:
    from runtime.chain.pkp import deploy

    contracts = await deploy(devchain.url, devchain.accounts[0].private_key)
    # ownerOf(1) reverts with a reason; called from an empty account and from no account at all
    data = "0x6352211e" + (1).to_bytes(32, "big").hex()
    for sender in ({}, {"from": "0x" + "11" * 20}):
        reply = await rpc(devchain.url, "eth_call", [{"to": contracts.pkp_registry, "data": data, **sender}, "latest"])
        assert reply["error"]["code"] == 3
        assert reply["error"]["message"] == "execution reverted: PKPRegistry: unknown tokenId"
        assert reply["error"]["data"].startswith("0x08c379a0")
    total = await rpc(devchain.url, "eth_call", [{"to": contracts.pkp_registry, "data": "0x18160ddd"}])
    assert int(total["result"], 16) == 0  # totalSupply()
    code = await rpc(devchain.url, "eth_getCode", [contracts.pkp_registry, "latest"])
    assert len(code["result"]) > 1000


async def test_only_loopback() -> None:
    chain = DevChain()
    with pytest.raises(ValueError, match="loopback"):
        await chain.start("0.0.0.0", 0)
    await chain.stop()


@pytest.mark.slow
async def test_command_line_entry() -> None:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "runtime.chain.devchain", "--port", "0", "--accounts", "2",
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        assert proc.stdout is not None
        info = json.loads(await asyncio.wait_for(proc.stdout.readline(), 120))
        assert len(info["accounts"]) == 2 and info["accounts"][0]["privateKey"].startswith("0x")
        assert (await rpc(info["url"], "eth_chainId"))["result"] == hex(info["chainId"])
    finally:
        proc.terminate()
        assert await proc.wait() == 0
