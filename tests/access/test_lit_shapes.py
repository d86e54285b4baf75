"""checkConditions' lists as lit-peer reads them: each condition typed by its shape, and conditions
that read no chain allowed to name any chain a Lit node knows (runtime.access.shapes, lit_chains)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from eth_account import Account

from node.access_ops import AccessOps
from runtime.access import ConditionError, EvmBasicCondition, EvmContractCondition, evaluate, parse_conditions
from runtime.access.lit_chains import LIT_CHAINS
from runtime.access.shapes import conditions_by_shape, shape_of
from runtime.chain.rpc import ChainRpc
from sandbox import HostError

AND, OR = {"operator": "and"}, {"operator": "or"}
UNI = "unifiedAccessControlConditions"
# Nothing listens here: a test that reaches this URL fails with ChainReadFailed.
NO_CHAIN = {"local": "http://127.0.0.1:9"}


def is_user(address: str, chain: str = "ethereum") -> dict[str, Any]:
    """Lit's "is this wallet" condition: no chain read."""
    return {
        "contractAddress": "", "standardContractType": "", "chain": chain, "method": "",
        "parameters": [":userAddress"], "returnValueTest": {"comparator": "=", "value": address},
    }


def balance_gate(chain: str = "local") -> dict[str, Any]:
    return {
        "contractAddress": "0x" + "22" * 20, "functionName": "balanceOf", "functionParams": [":userAddress"],
        "functionAbi": {
            "name": "balanceOf", "stateMutability": "view",
            "inputs": [{"name": "who", "type": "address"}], "outputs": [{"name": "", "type": "uint256"}],
        },
        "chain": chain, "returnValueTest": {"key": "", "comparator": ">", "value": "0"},
    }


def test_each_lit_shape_is_recognised_by_its_fields() -> None:
    assert shape_of(is_user("0x" + "11" * 20), "c") == "evmBasic"
    assert shape_of(balance_gate(), "c") == "evmContract"
    sol = {"method": "getBalance", "params": [":userAddress"], "chain": "solana", "returnValueTest": {}}
    with pytest.raises(ConditionError, match="a solRpc condition: not supported"):
        shape_of(sol, "c")
    with pytest.raises(ConditionError, match="a cosmos condition: not supported"):
        shape_of({"path": "/x", "chain": "cosmos", "returnValueTest": {}}, "c")


def test_a_condition_of_no_shape_names_the_nearest_and_what_it_lacks() -> None:
    broken = {k: v for k, v in is_user("0x" + "11" * 20).items() if k != "method"}
    with pytest.raises(ConditionError) as info:
        conditions_by_shape([broken])
    assert info.value.path == "conditions[0]"
    assert "nearest is evmBasic, which lacks method" in info.value.message


def test_evm_basic_evm_contract_and_unified_lists_all_parse_mixed() -> None:
    me = "0x" + "11" * 20
    unified = {**balance_gate(), "conditionType": "evmContract"}
    parsed = conditions_by_shape([is_user(me), AND, [balance_gate(), OR, unified]])
    kinds = [type(c) for c in parsed.conditions()]
    assert kinds == [EvmBasicCondition, EvmContractCondition, EvmContractCondition]
    assert [c.path for c in parsed.conditions()] == ["conditions[0]", "conditions[2][0]", "conditions[2][2]"]


def test_the_shape_decides_not_the_condition_type() -> None:
    # serde's untagged enum in lit-peer never reads conditionType
    mislabelled = {**is_user("0x" + "11" * 20), "conditionType": "evmContract"}
    (condition,) = conditions_by_shape([mislabelled]).conditions()
    assert isinstance(condition, EvmBasicCondition)


def test_no_implicit_and_between_conditions_in_check_conditions() -> None:
    me = "0x" + "11" * 20
    with pytest.raises(ConditionError, match="missing operator between conditions\\[0\\] and this item"):
        conditions_by_shape([is_user(me), is_user(me)])


@pytest.mark.parametrize("raw, fault", [
    ({"accessControlConditions": []}, "expected an array of conditions, got object"),
    ([], "empty list"),
    ([{"operator": "and"}], "an operator cannot come first"),
    ([7], "expected a condition, an operator or a nested array, got number"),
])
def test_bad_lists_are_refused_by_name(raw: Any, fault: str) -> None:
    with pytest.raises(ConditionError, match=fault):
        conditions_by_shape(raw)


async def test_a_condition_reading_no_chain_may_name_a_chain_lit_knows() -> None:
    me = Account.create().address
    assert "ethereum" in LIT_CHAINS and "polygon" in LIT_CHAINS and "mainnet" not in LIT_CHAINS
    async with ChainRpc(NO_CHAIN) as chains:
        for chain in ("ethereum", "polygon", "local"):
            parsed = conditions_by_shape([is_user(me, chain)])
            assert (await evaluate(UNI, parsed, me, chains)).ok
            assert not (await evaluate(UNI, parsed, Account.create().address, chains)).ok
        # the request-style kinds go through the same check
        acc = parse_conditions("accessControlConditions", [is_user(me, "base")])
        assert (await evaluate("accessControlConditions", acc, me, chains)).chain_calls == 0


async def test_a_made_up_chain_or_a_read_on_an_unconfigured_chain_is_refused() -> None:
    me = Account.create().address
    async with ChainRpc(NO_CHAIN) as chains:
        with pytest.raises(ConditionError) as info:
            await evaluate(UNI, conditions_by_shape([is_user(me, "notachain")]), me, chains)
        assert info.value.path == "conditions[0].chain"
        assert "'notachain' is not configured on this node; configured: ['local']" in info.value.message
        assert "may also name any chain Lit knows" in info.value.message
        # ethereum is a chain Lit knows, but this condition reads it, and this node has no RPC for it
        with pytest.raises(ConditionError, match="'ethereum' is not configured on this node") as info:
            await evaluate(UNI, conditions_by_shape([is_user(me), AND, balance_gate("ethereum")]), me, chains)
        assert info.value.path == "conditions[2].chain"


async def test_check_conditions_with_no_auth_sig_anywhere_is_refused_as_lit_does() -> None:
    # lit-peer: "No auth_sig found. You must either pass one to the function, or set one in your
    # client when sending the request". Our client always sends one, so the node's op is run alone.
    class Host(AccessOps):
        _service = SimpleNamespace()
        _request = SimpleNamespace(auth_sig=None)
        action_cid = "QmAction"

    args = {"conditions": [is_user("0x" + "11" * 20)], "authSig": None, "chain": "ethereum"}
    with pytest.raises(HostError, match="checkConditions: no authSig: pass one, or send the request with one"):
        await Host().op_checkConditions(args, None)  # type: ignore[arg-type]
    with pytest.raises(HostError, match="checkConditions: chain is required"):
        await Host().op_checkConditions({**args, "chain": " "}, None)  # type: ignore[arg-type]
