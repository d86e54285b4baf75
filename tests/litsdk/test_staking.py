"""The Staking contract Lit's SDK reads (contracts/LitStaking.sol), checked through raw JSON-RPC
with an ABI decoding of its own, as the SDK's ethers decodes it."""

from __future__ import annotations

import json
import time

import aiohttp
import pytest
from eth_abi import decode as abi_decode
from eth_utils import keccak

from runtime.chain.errors import ContractReverted, InvalidArgument
from runtime.chain.staking import EPOCH_LENGTH_S, LitStaking, deploy_staking, validator_for_url
from runtime.network.lit_sdk import LIT_SDK_FILE, NotIPv4, connect_snippet, publish_for_lit_sdk

pytestmark = pytest.mark.asyncio(loop_scope="module")

# Lit's return type of getActiveUnkickedValidatorStructsAndCounts (datil-dev Staking ABI).
_LIT_RETURN = [
    "(uint256,uint256,uint256,uint256,uint256)",
    "uint256",
    "(uint32,uint128,uint32,address,uint256,uint256,uint256)[]",
]
_SELECTOR = "0xc51d020e"
_STATE_CHANGED = "0x" + keccak(b"StateChanged(uint8)").hex()
_NODE_ADDRESSES = ["0x" + f"{i:02x}" * 20 for i in (0x11, 0x22, 0x33, 0x44)]


async def _rpc(url: str, method: str, params: list) -> object:
    async with aiohttp.ClientSession() as session:
        async with session.post(url, json={"jsonrpc": "2.0", "id": 1, "method": method, "params": params}) as resp:
            answer = await resp.json()
    assert "error" not in answer, answer
    return answer["result"]


async def test_selector_and_event_are_lits() -> None:
    assert "0x" + keccak(b"getActiveUnkickedValidatorStructsAndCounts()")[:4].hex() == _SELECTOR
    assert _STATE_CHANGED.startswith("0x551dc401")


async def test_validators_as_the_sdk_decodes_them(devchain) -> None:
    admin = devchain.accounts[0].private_key
    address = await deploy_staking(devchain.url, admin)
    urls = [f"http://127.0.0.1:{7470 + i}" for i in range(4)]
    async with LitStaking(devchain.url, address, admin) as staking:
        await staking.set_validators([validator_for_url(u, a) for u, a in zip(urls, _NODE_ADDRESSES)], 3)
        epoch, threshold, validators = await staking.active_validators()
    assert threshold == 3 and [v.url for v in validators] == urls

    raw = await _rpc(devchain.url, "eth_call", [{"to": address, "data": _SELECTOR}, "latest"])
    (length, number, end_time, retries, timeout), count, rows = abi_decode(_LIT_RETURN, bytes.fromhex(str(raw)[2:]))
    assert (length, count, retries, timeout) == (EPOCH_LENGTH_S, 3, 3, 60)
    # The SDK sends epoch `number` as is when number < 3 or the epoch began 45 s ago or more.
    assert number == 2 and time.time() - 120 < end_time - length <= time.time() + 5
    assert [(row[0], row[2], row[3]) for row in rows] == [
        (0x7F000001, 7470 + i, a) for i, a in enumerate(_NODE_ADDRESSES)
    ]
    logs = await _rpc(devchain.url, "eth_getLogs", [{"fromBlock": "0x0", "address": address, "topics": [_STATE_CHANGED]}])
    assert isinstance(logs, list) and len(logs) == 1 and int(logs[0]["data"], 16) == 0  # States.Active


async def test_only_the_admin_publishes(devchain) -> None:
    address = await deploy_staking(devchain.url, devchain.accounts[0].private_key)
    other = devchain.accounts[1].private_key
    async with LitStaking(devchain.url, address, other) as staking:
        with pytest.raises(ContractReverted, match="caller is not the admin"):
            await staking.set_validators([validator_for_url("http://127.0.0.1:7470", _NODE_ADDRESSES[0])], 1)


async def test_host_names_are_refused() -> None:
    with pytest.raises(InvalidArgument, match="IPv4 addresses only"):
        validator_for_url("http://localhost:7470", _NODE_ADDRESSES[0])
    with pytest.raises(InvalidArgument, match="names no port"):
        validator_for_url("http://127.0.0.1", _NODE_ADDRESSES[0])


async def test_lit_sdk_json(devchain, tmp_path) -> None:
    urls = [f"http://127.0.0.1:{7480 + i}" for i in range(4)]
    settings = await publish_for_lit_sdk(
        tmp_path, devchain.url, devchain.chain_id, devchain.accounts[0].private_key, urls, _NODE_ADDRESSES, 3
    )
    written = json.loads((tmp_path / LIT_SDK_FILE).read_text())
    assert written == settings and written["rpcUrl"] == devchain.url and written["chainId"] == devchain.chain_id
    assert written["blockHashUrl"] == urls[0] + "/get_most_recent_valid_block"
    abi = written["contractContext"]["Staking"]["abi"]
    assert {e["name"] for e in abi if e["type"] == "event"} == {"StateChanged"}
    async with LitStaking(devchain.url, written["contractContext"]["Staking"]["address"]) as staking:
        _, threshold, validators = await staking.active_validators()
    assert threshold == 3 and [v.url for v in validators] == urls
    assert str(tmp_path / LIT_SDK_FILE) in connect_snippet(tmp_path)


async def test_a_network_on_a_host_name_is_not_published(devchain, tmp_path) -> None:
    with pytest.raises(NotIPv4, match="IPv4 addresses only"):
        await publish_for_lit_sdk(
            tmp_path, devchain.url, devchain.chain_id, devchain.accounts[0].private_key, ["http://localhost:7470"],
            _NODE_ADDRESSES[:1], 1,
        )
    assert not (tmp_path / LIT_SDK_FILE).exists()
