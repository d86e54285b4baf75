"""Deploy and drive the test tokens and AccessGate, on both chains.

Every value read through a client is also read with a hand-encoded eth_call (selector from the
signature, eth_abi for the words), so a wrong ABI in the artifact or client cannot hide itself.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio
from eth_abi import decode, encode
from eth_utils import function_signature_to_4byte_selector
from web3 import AsyncHTTPProvider, AsyncWeb3

from runtime.chain.contract import load_artifact
from runtime.chain.errors import ContractReverted, InvalidArgument
from runtime.chain.tokens import AccessGate, Erc20, Erc721, Erc1155, TestTokenContracts, deploy_test_tokens

pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest_asyncio.fixture(loop_scope="module")
async def tokens(any_chain) -> TestTokenContracts:
    return await deploy_test_tokens(any_chain.url, any_chain.accounts[0].private_key)


@pytest_asyncio.fixture(loop_scope="module")
async def raw_call(any_chain) -> AsyncIterator[Any]:
    """eth_call(to, "fn(types)", args, out_types) through plain web3, without any ABI."""
    w3 = AsyncWeb3(AsyncHTTPProvider(any_chain.url))

    async def call(to: str, signature: str, args: list[Any], out_types: list[str]) -> tuple[Any, ...]:
        in_types = signature[signature.index("(") + 1 : -1]
        data = function_signature_to_4byte_selector(signature) + encode(in_types.split(",") if in_types else [], args)
        return decode(out_types, await w3.eth.call({"to": to, "data": "0x" + data.hex()}))

    yield call
    await w3.provider.disconnect()


async def test_deploy_gives_four_distinct_checksum_addresses(any_chain, tokens) -> None:
    addresses = [tokens.erc20, tokens.erc721, tokens.erc1155, tokens.gate]
    assert len(set(addresses)) == 4
    assert all(AsyncWeb3.is_checksum_address(a) for a in addresses)
    again = await deploy_test_tokens(any_chain.url, any_chain.accounts[0].private_key)
    assert again.erc20 != tokens.erc20  # a fresh set each call: tests do not share balances


async def test_erc20_mint_transfer(any_chain, tokens, raw_call) -> None:
    alice, bob = any_chain.accounts[1], any_chain.accounts[2]
    async with Erc20(any_chain.url, tokens.erc20, alice.private_key) as erc20:
        tx = await erc20.mint(alice.address, 10**18)
        assert tx.startswith("0x") and len(tx) == 66
        await erc20.transfer(bob.address, 3 * 10**17)
        assert await erc20.balance_of(alice.address) == 7 * 10**17
        assert await erc20.balance_of(bob.address) == 3 * 10**17
        with pytest.raises(ContractReverted) as info:
            await erc20.transfer(bob.address, 10**18)
        assert info.value.reason == "TestERC20: insufficient balance"
        with pytest.raises(InvalidArgument, match="amount"):
            await erc20.mint(alice.address, -1)
        with pytest.raises(InvalidArgument, match="to"):
            await erc20.transfer("0x1234", 1)
    assert await raw_call(tokens.erc20, "balanceOf(address)", [bob.address], ["uint256"]) == (3 * 10**17,)
    assert await raw_call(tokens.erc20, "totalSupply()", [], ["uint256"]) == (10**18,)
    assert await raw_call(tokens.erc20, "decimals()", [], ["uint8"]) == (18,)


async def test_erc721_mint_transfer_owner(any_chain, tokens, raw_call) -> None:
    alice, bob = any_chain.accounts[1], any_chain.accounts[2]
    async with Erc721(any_chain.url, tokens.erc721, alice.private_key) as nft:
        assert [await nft.mint(alice.address), await nft.mint(alice.address)] == [1, 2]
        assert await nft.owner_of(1) == alice.address
        await nft.transfer(alice.address, bob.address, 2)
        assert await nft.owner_of(2) == bob.address
        assert await nft.balance_of(alice.address) == 1
        assert await nft.balance_of(bob.address) == 1
        with pytest.raises(ContractReverted) as info:
            await nft.owner_of(99)
        assert info.value.reason == "TestERC721: nonexistent token"
        assert "TestERC721.ownerOf" in str(info.value)
        with pytest.raises(ContractReverted, match="neither owner nor approved"):
            await nft.transfer(bob.address, alice.address, 2)  # signed by alice, owned by bob
    (owner,) = await raw_call(tokens.erc721, "ownerOf(uint256)", [2], ["address"])
    assert AsyncWeb3.to_checksum_address(owner) == bob.address
    assert await raw_call(tokens.erc721, "balanceOf(address)", [alice.address], ["uint256"]) == (1,)
    for interface_id, supported in ((0x01FFC9A7, True), (0x80AC58CD, True), (0xFFFFFFFF, False)):
        args = [interface_id.to_bytes(4, "big")]
        assert await raw_call(tokens.erc721, "supportsInterface(bytes4)", args, ["bool"]) == (supported,)


async def test_erc1155_mint_balances(any_chain, tokens, raw_call) -> None:
    alice, bob = any_chain.accounts[1], any_chain.accounts[2]
    async with Erc1155(any_chain.url, tokens.erc1155, alice.private_key) as multi:
        await multi.mint(alice.address, 7, 5)
        await multi.mint(bob.address, 8, 2)
        assert await multi.balance_of(alice.address, 7) == 5
        assert await multi.balance_of(alice.address, 8) == 0
    args = [[alice.address, bob.address, bob.address], [7, 8, 7]]
    assert await raw_call(tokens.erc1155, "balanceOfBatch(address[],uint256[])", args, ["uint256[]"]) == ((5, 2, 0),)


async def test_access_gate_set_and_read(any_chain, tokens, raw_call) -> None:
    alice, bob = any_chain.accounts[1], any_chain.accounts[2]
    async with AccessGate(any_chain.url, tokens.gate, bob.private_key) as gate:
        assert not await gate.is_member(alice.address)
        await gate.set_member(alice.address, True, 3, "alice")
        assert await gate.is_member(alice.address)
        assert await gate.level(alice.address) == 3
        assert await gate.level(bob.address) == 0
    assert await raw_call(tokens.gate, "isMember(address)", [alice.address], ["bool"]) == (True,)
    profile = await raw_call(tokens.gate, "profile(address)", [alice.address], ["bool", "uint256", "string"])
    assert profile == (True, 3, "alice")
    # the named outputs a condition's returnValueTest.key picks from
    (abi,) = [f for f in load_artifact("AccessGate").abi if f.get("name") == "profile"]
    assert [o["name"] for o in abi["outputs"]] == ["member", "level", "name"]


async def test_reads_need_no_key_and_writes_do(any_chain, tokens) -> None:
    async with AccessGate(any_chain.url, tokens.gate) as gate:
        assert await gate.level(any_chain.accounts[3].address) == 0
        with pytest.raises(InvalidArgument, match="private_key"):
            await gate.set_member(any_chain.accounts[3].address, True, 1, "x")

