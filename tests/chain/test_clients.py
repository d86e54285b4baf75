"""web3.py and ethers v5 (node) talk to the same dev chain; chain-name RPC helpers."""

from __future__ import annotations

import asyncio
import json
import shutil
from pathlib import Path

import pytest
from eth_account import Account
from web3 import AsyncHTTPProvider, AsyncWeb3

from runtime.chain.contract import ARTIFACTS_DIR
from runtime.chain.errors import ContractReverted, InvalidArgument, RpcUnavailable, UnknownChain
from runtime.chain.ganache import GANACHE_BIN
from runtime.chain.pkp import deploy
from runtime.chain.rpc import ChainRpc
from tests.oracles import needs_oracle

pytestmark = pytest.mark.asyncio(loop_scope="module")

HERE = Path(__file__).parent


async def test_web3_transfer(devchain) -> None:
    w3 = AsyncWeb3(AsyncHTTPProvider(devchain.url))
    try:
        sender = Account.from_key(devchain.accounts[1].private_key)
        to = Account.create().address
        tx = {
            "to": to,
            "value": 10**18,
            "gas": 21000,
            "maxFeePerGas": 10**10,
            "maxPriorityFeePerGas": await w3.eth.max_priority_fee,
            "nonce": await w3.eth.get_transaction_count(sender.address),
            "chainId": await w3.eth.chain_id,
        }
        tx_hash = await w3.eth.send_raw_transaction(sender.sign_transaction(tx).raw_transaction)
        receipt = await w3.eth.wait_for_transaction_receipt(tx_hash)
        assert receipt["status"] == 1
        assert await w3.eth.get_balance(to) == 10**18
        assert (await w3.eth.get_block(receipt["blockNumber"]))["transactions"] == [tx_hash]
        history = await w3.eth.fee_history(1, "latest", [50])
        assert len(history["reward"]) == 1
    finally:
        await w3.provider.disconnect()


@needs_oracle(
    None if shutil.which("node") and GANACHE_BIN.parent.exists() else "node or npm deps missing (scripts/setup.sh)"
)
async def test_ethers_v5_client(devchain) -> None:
    contracts = await deploy(devchain.url, devchain.accounts[0].private_key)
    to = Account.create().address
    proc = await asyncio.create_subprocess_exec(
        "node", str(HERE / "v5_rpc_client.js"), devchain.url, devchain.accounts[2].private_key, to,
        contracts.pkp_registry, str(ARTIFACTS_DIR / "PKPRegistry.json"),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    out, err = await proc.communicate()
    assert proc.returncode == 0, err.decode()
    seen = json.loads(out)
    assert seen["chainId"] == devchain.chain_id
    assert seen["status"] == 1 and seen["after"] == seen["before"] + 1
    assert seen["balance"] == str(15 * 10**17)
    assert seen["supply"] == "0"
    assert "PKPRegistry: unknown tokenId" in seen["revertReason"]

    # what ethers sent, web3 reads back
    w3 = AsyncWeb3(AsyncHTTPProvider(devchain.url))
    try:
        tx = await w3.eth.get_transaction(seen["txHash"])
        assert tx["to"] == to and tx["from"] == devchain.accounts[2].address
    finally:
        await w3.provider.disconnect()


async def test_chain_rpc_helpers(devchain) -> None:
    contracts = await deploy(devchain.url, devchain.accounts[0].private_key)
    async with ChainRpc({"litrt": devchain.url, "down": "http://127.0.0.1:9"}) as chains:
        assert chains.get_rpc_url("litrt") == devchain.url
        deployer = devchain.accounts[0].address
        nonce = await chains.get_latest_nonce(deployer, "litrt")
        assert nonce >= 2  # at least the two deployments
        assert await chains.get_latest_nonce(Account.create().address, "litrt") == 0
        # totalSupply() of the fresh registry
        result = await chains.call_contract("litrt", contracts.pkp_registry, "0x18160ddd")
        assert result == "0x" + "00" * 32
        with pytest.raises(ContractReverted, match="unknown tokenId"):
            await chains.call_contract("litrt", contracts.pkp_registry, "0x6352211e" + "00" * 31 + "01")
        with pytest.raises(UnknownChain, match="'ethereum'.*known chains"):
            await chains.get_latest_nonce(deployer, "ethereum")
        with pytest.raises(RpcUnavailable, match="JSON-RPC endpoint unavailable") as down:
            await chains.get_latest_nonce(deployer, "down")
        assert "127.0.0.1:9" in down.value.url and "127.0.0.1:9" not in str(down.value)  # may carry an API key
        with pytest.raises(InvalidArgument, match="address"):
            await chains.get_latest_nonce("0x12", "litrt")
    with pytest.raises(InvalidArgument, match="http"):
        ChainRpc({"x": "ws://127.0.0.1:1"})


@pytest.mark.slow
async def test_ganache_funds_the_dev_accounts(ganache, devchain) -> None:
    async with ChainRpc({"ganache": ganache.url, "dev": devchain.url}) as chains:
        for name in ("ganache", "dev"):
            w3 = chains.web3(name)
            assert await w3.eth.accounts == [a.address for a in devchain.accounts]
            assert await w3.eth.get_balance(devchain.accounts[9].address) > 10**18
