"""Evaluating conditions on the embedded dev chain against the test tokens and AccessGate."""

from __future__ import annotations

from typing import Any

import pytest
from coincurve import PrivateKey
from eth_account import Account

from runtime.access import ChainReadFailed, ConditionError, evaluate, parse_conditions
from runtime.chain.pkp import SCOPE_SIGN_ANYTHING, PkpRegistry, cid_to_bytes, deploy
from runtime.chain.rpc import ChainRpc
from runtime.chain.tokens import AccessGate, Erc20, Erc721, Erc1155

pytestmark = pytest.mark.asyncio(loop_scope="module")

AND, OR = {"operator": "and"}, {"operator": "or"}
ACC, EVM, UNI = "accessControlConditions", "evmContractConditions", "unifiedAccessControlConditions"


def basic(
    ctype: str, method: str, params: list[str], comparator: str, value: str, address: str = "", chain: str = "local"
) -> dict[str, Any]:
    return {
        "contractAddress": address,
        "standardContractType": ctype,
        "chain": chain,
        "method": method,
        "parameters": params,
        "returnValueTest": {"comparator": comparator, "value": value},
    }


def gate(
    address: str, function: str, outputs: list[tuple[str, str]], key: str, comparator: str, value: str
) -> dict[str, Any]:
    return {
        "contractAddress": address,
        "functionName": function,
        "functionParams": [":userAddress"],
        "functionAbi": {
            "name": function,
            "stateMutability": "view",
            "inputs": [{"name": "who", "type": "address"}],
            "outputs": [{"name": n, "type": t} for n, t in outputs],
        },
        "chain": "local",
        "returnValueTest": {"key": key, "comparator": comparator, "value": value},
    }


async def check(chains: ChainRpc, user: str, kind: str, raw: list[Any], **kwargs: Any):
    return await evaluate(kind, parse_conditions(kind, raw), user, chains, **kwargs)


def stranger() -> str:
    return Account.create().address


async def test_erc721_holder_non_holder_and_after_transfer(token_chain) -> None:
    alice, bob = token_chain.accounts[1], token_chain.accounts[2]
    async with Erc721(token_chain.url, token_chain.tokens.erc721, alice.private_key) as nft:
        token_id = await nft.mint(alice.address)
        holds = [basic("ERC721", "balanceOf", [":userAddress"], ">", "0", token_chain.tokens.erc721)]
        owns = [basic("ERC721", "ownerOf", [str(token_id)], "=", ":userAddress", token_chain.tokens.erc721)]
        assert (await check(token_chain.chains, alice.address, ACC, holds)).ok
        assert (await check(token_chain.chains, alice.address.lower(), ACC, owns)).ok  # case never matters
        no = await check(token_chain.chains, bob.address, ACC, holds)
        assert not no.ok
        assert no.failed == (
            f"accessControlConditions[0]: ERC721 balanceOf({bob.address}) at {token_chain.tokens.erc721} on local"
            " returned 0, required > 0"
        )
        assert not (await check(token_chain.chains, bob.address, ACC, owns)).ok
        await nft.transfer(alice.address, bob.address, token_id)
    assert not (await check(token_chain.chains, alice.address, ACC, owns)).ok
    assert (await check(token_chain.chains, bob.address, ACC, owns)).ok
    assert (await check(token_chain.chains, bob.address, ACC, holds)).ok


async def test_erc20_threshold(token_chain) -> None:
    alice, bob = token_chain.accounts[3], token_chain.accounts[4]
    async with Erc20(token_chain.url, token_chain.tokens.erc20, alice.private_key) as erc20:
        await erc20.mint(alice.address, 5 * 10**18)
    at_least = [basic("ERC20", "balanceOf", [":userAddress"], ">=", str(5 * 10**18), token_chain.tokens.erc20)]
    more = [basic("ERC20", "balanceOf", [":userAddress"], ">", str(5 * 10**18), token_chain.tokens.erc20)]
    assert (await check(token_chain.chains, alice.address, ACC, at_least)).ok
    assert not (await check(token_chain.chains, alice.address, ACC, more)).ok
    assert not (await check(token_chain.chains, bob.address, ACC, at_least)).ok
    # a fixed address instead of :userAddress reads that address whoever asks
    fixed = [basic("ERC20", "balanceOf", [alice.address], "=", str(5 * 10**18), token_chain.tokens.erc20)]
    assert (await check(token_chain.chains, bob.address, ACC, fixed)).ok


async def test_erc1155_balance_and_batch(token_chain) -> None:
    alice, bob = token_chain.accounts[5], token_chain.accounts[6]
    address = token_chain.tokens.erc1155
    async with Erc1155(token_chain.url, address, alice.private_key) as multi:
        await multi.mint(alice.address, 31, 3)
    for token_id in ("31", "0x1f"):
        cond = [basic("ERC1155", "balanceOf", [":userAddress", token_id], ">=", "3", address)]
        assert (await check(token_chain.chains, alice.address, ACC, cond)).ok
        assert not (await check(token_chain.chains, bob.address, ACC, cond)).ok
    batch = [basic("ERC1155", "balanceOfBatch", [f":userAddress,{alice.address}", "31,31"], ">", "0", address)]
    result = await check(token_chain.chains, bob.address, ACC, batch)
    assert result.ok and "returned [0, 3]" in result.results[0].description  # any balance may pass
    none = [basic("ERC1155", "balanceOfBatch", [":userAddress", "32"], ">", "0", address)]
    assert not (await check(token_chain.chains, alice.address, ACC, none)).ok


async def test_native_balance(token_chain) -> None:
    funded, empty = token_chain.accounts[9].address, stranger()
    rich = [basic("", "eth_getBalance", [":userAddress", "latest"], ">=", str(10**18))]
    assert (await check(token_chain.chains, funded, ACC, rich)).ok
    result = await check(token_chain.chains, empty, ACC, rich)
    assert not result.ok and f"eth_getBalance({empty}) on local returned 0" in result.failed


async def test_timestamp(token_chain) -> None:
    now = (await token_chain.chains.web3("local").eth.get_block("latest"))["timestamp"]
    user = stranger()
    since = [basic("timestamp", "eth_getBlockByNumber", ["latest"], ">=", str(now - 60))]
    until = [basic("timestamp", "eth_getBlockByNumber", [], "<", str(now - 60))]
    assert (await check(token_chain.chains, user, ACC, since)).ok
    result = await check(token_chain.chains, user, ACC, until)
    assert not result.ok and "latest block timestamp on local returned" in result.failed


async def test_and_or_fold_left_to_right_and_skip_decided_reads(token_chain) -> None:
    alice = token_chain.accounts[1].address
    me = basic("", "", [":userAddress"], "=", alice)  # true for alice, no chain read
    never = basic("timestamp", "eth_getBlockByNumber", ["latest"], "<", "1")  # always false, one read
    # (true or never) and never: false. With "and" binding tighter it would be true.
    result = await check(token_chain.chains, alice, ACC, [me, OR, never, AND, never])
    assert not result.ok
    assert [r.met for r in result.results] == [True, None, False]  # the "or" was decided: never[2] not read
    assert result.failed.startswith("accessControlConditions[4]: latest block timestamp on local returned")
    assert result.chain_calls == 1
    # a group is one value: true or (never and never)
    assert (await check(token_chain.chains, alice, ACC, [me, OR, [never, AND, never]])).ok
    # both sides of a failed "or" are named
    both = await check(token_chain.chains, stranger(), ACC, [[me, AND, me], OR, never])
    assert [p.split(":")[0] for p in both.failed.split("; ")] == [
        "accessControlConditions[0][0]",
        "accessControlConditions[2]",
    ]
    # the legacy list without operators is an "and"
    assert not (await check(token_chain.chains, alice, ACC, [me, never])).ok
    assert (await check(token_chain.chains, alice, ACC, [me, me])).ok


async def test_evm_contract_bool_and_keyed_outputs(token_chain) -> None:
    alice, bob = token_chain.accounts[7], token_chain.accounts[8]
    address = token_chain.tokens.gate
    async with AccessGate(token_chain.url, address, alice.private_key) as g:
        await g.set_member(alice.address, True, 3, "alice in wonderland")
    member = [gate(address, "isMember", [("", "bool")], "", "=", "true")]
    assert (await check(token_chain.chains, alice.address, EVM, member)).ok
    assert not (await check(token_chain.chains, bob.address, EVM, member)).ok
    outputs = [("member", "bool"), ("level", "uint256"), ("name", "string")]
    assert (
        await check(token_chain.chains, alice.address, EVM, [gate(address, "profile", outputs, "level", ">=", "3")])
    ).ok
    assert (
        await check(
            token_chain.chains, alice.address, EVM, [gate(address, "profile", outputs, "name", "contains", "wonder")]
        )
    ).ok
    low = await check(token_chain.chains, alice.address, EVM, [gate(address, "profile", outputs, "level", ">", "3")])
    assert not low.ok and "output 'level'" in low.failed and "returned 3, required > 3" in low.failed
    mixed = [
        {"conditionType": "evmContract", **gate(address, "profile", outputs, "member", "=", "true")},
        AND,
        {
            "conditionType": "evmBasic",
            **basic("ERC721MetadataName", "name", [], "contains", "NFT", token_chain.tokens.erc721),
        },
    ]
    assert (await check(token_chain.chains, alice.address, UNI, mixed)).ok
    assert not (await check(token_chain.chains, bob.address, UNI, mixed)).ok


async def test_placeholders_in_parameters(token_chain) -> None:
    cid = "QmZULkCELmmk5XNfCgTnCyFgAVxBRBXyDHGGMVoLFLiXEN"
    in_action = [basic("", "", [":currentActionIpfsId"], "=", cid)]
    assert (await check(token_chain.chains, stranger(), ACC, in_action, current_action_ipfs_id=cid)).ok
    assert not (await check(token_chain.chains, stranger(), ACC, in_action)).ok  # "" outside an action


async def test_unconfigured_chain_is_refused_before_any_read(token_chain) -> None:
    class Counting(ChainRpc):
        reads = 0

        def web3(self, chain: str):  # every read goes through here
            Counting.reads += 1
            return super().web3(chain)

    async with Counting({"local": token_chain.url}) as chains:
        raw = [
            basic("", "eth_getBalance", [":userAddress"], ">", "0"),
            OR,
            [basic("", "", [":userAddress"], "=", "0x" + "11" * 20, chain="mainnet")],
        ]
        with pytest.raises(ConditionError) as info:
            await check(chains, stranger(), ACC, raw)
    assert info.value.path == "accessControlConditions[2][0].chain"
    assert "'mainnet' is not configured" in info.value.message and "['local']" in info.value.message
    assert Counting.reads == 0


async def test_too_many_reads_are_refused_before_any_read(token_chain) -> None:
    reads = [basic("timestamp", "eth_getBlockByNumber", [], ">", "0")] * 2
    with pytest.raises(ConditionError, match="up to 2 chain reads; at most 1") as info:
        await check(token_chain.chains, stranger(), ACC, [reads[0], OR, reads[1]], max_chain_calls=1)
    assert info.value.path == ACC


async def test_revert_and_non_contract_are_not_met(token_chain) -> None:
    user = stranger()
    missing_token = [basic("ERC721", "ownerOf", ["999999"], "=", ":userAddress", token_chain.tokens.erc721)]
    result = await check(token_chain.chains, user, ACC, missing_token)
    assert not result.ok and "reverted: TestERC721: nonexistent token" in result.failed
    not_a_contract = [basic("ERC20", "balanceOf", [":userAddress"], ">=", "0", token_chain.accounts[2].address)]
    result = await check(token_chain.chains, user, ACC, not_a_contract)
    assert not result.ok and "returned no decodable result" in result.failed
    # one failing read does not stop an "or" from passing
    anyone = basic("timestamp", "eth_getBlockByNumber", [], ">", "0")
    assert (await check(token_chain.chains, user, ACC, [missing_token[0], OR, anyone])).ok


async def test_unreachable_endpoint_raises_naming_the_condition() -> None:
    async with ChainRpc({"local": "http://127.0.0.1:9"}) as chains:  # nothing listens on the discard port
        raw = [
            basic("", "", [":userAddress"], "!=", "0x" + "00" * 20),
            AND,
            basic("", "eth_getBalance", [":userAddress"], ">", "0"),
        ]
        with pytest.raises(ChainReadFailed) as info:
            await check(chains, stranger(), ACC, raw)
    assert info.value.path == "accessControlConditions[2]"
    assert "unavailable" in info.value.message


async def test_pkp_permissions_read_our_pkp_registry(token_chain) -> None:
    owner, permitted = token_chain.accounts[1], token_chain.accounts[2]
    cid = "QmZULkCELmmk5XNfCgTnCyFgAVxBRBXyDHGGMVoLFLiXEN"
    contracts = await deploy(token_chain.url, token_chain.accounts[0].private_key)
    async with PkpRegistry(token_chain.url, contracts.pkp_registry, owner.private_key) as registry:
        key = PrivateKey()  # any key stands in for the network's derivation here
        pkp = await registry.mint(lambda _key_id: key.public_key.format(compressed=False))
        await registry.add_permitted_address(pkp.token_id, permitted.address, [SCOPE_SIGN_ANYTHING])
        await registry.add_permitted_action(pkp.token_id, cid, [SCOPE_SIGN_ANYTHING])
    address_rule = [basic("PKPPermissions", "isPermittedAddress", [str(pkp.token_id)], "=", "true", registry.address)]
    assert (await check(token_chain.chains, permitted.address, ACC, address_rule)).ok
    assert not (await check(token_chain.chains, owner.address, ACC, address_rule)).ok
    for ipfs_id in (cid, "0x" + cid_to_bytes(cid).hex()):
        action_rule = [
            basic("PKPPermissions", "isPermittedAction", [hex(pkp.token_id), ipfs_id], "=", "true", registry.address)
        ]
        assert (await check(token_chain.chains, stranger(), ACC, action_rule)).ok
