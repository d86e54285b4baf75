"""Parsing refuses every malformed or unsupported condition with an error that names its place."""

from __future__ import annotations

import copy
import pkgutil
import subprocess
import sys
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from runtime.access import (
    MAX_CONDITIONS,
    MAX_DEPTH,
    ConditionError,
    EvmBasicCondition,
    EvmContractCondition,
    Group,
    Operator,
    conditions_from_request,
    parse_conditions,
)

ADDR = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
ERC20 = {
    "contractAddress": ADDR,
    "standardContractType": "ERC20",
    "chain": "local",
    "method": "balanceOf",
    "parameters": [":userAddress"],
    "returnValueTest": {"comparator": ">", "value": "0"},
}
GATE = {
    "contractAddress": ADDR,
    "functionName": "profile",
    "functionParams": [":userAddress"],
    "functionAbi": {
        "name": "profile",
        "stateMutability": "view",
        "inputs": [{"name": "who", "type": "address"}],
        "outputs": [
            {"name": "member", "type": "bool"},
            {"name": "level", "type": "uint256"},
            {"name": "name", "type": "string"},
        ],
    },
    "chain": "local",
    "returnValueTest": {"key": "level", "comparator": ">=", "value": "2"},
}
AND, OR = {"operator": "and"}, {"operator": "or"}
DELETE = object()
ACC, EVM, UNI = "accessControlConditions", "evmContractConditions", "unifiedAccessControlConditions"


def edit(item: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """A copy of `item` with dotted fields ("returnValueTest.value") set, or removed with DELETE."""
    out = copy.deepcopy(item)
    for dotted, value in changes.items():
        *parents, last = dotted.split("__")
        target = out
        for key in parents:
            target = target[int(key)] if isinstance(target, list) else target[key]
        if value is DELETE:
            del target[last]
        elif isinstance(target, list):
            target[int(last)] = value
        else:
            target[last] = value
    return out


def basic(
    ctype: str, method: str, params: list[str], comparator: str = "=", value: str = "1", address: str = ADDR
) -> dict[str, Any]:
    return edit(
        ERC20,
        standardContractType=ctype,
        method=method,
        parameters=params,
        contractAddress=address,
        returnValueTest={"comparator": comparator, "value": value},
    )


def nest(depth: int) -> list[Any]:
    tree: list[Any] = [ERC20]
    for _ in range(depth - 1):
        tree = [tree]
    return tree


P = "accessControlConditions[0]"
C = "evmContractConditions[0]"
U = "unifiedAccessControlConditions[0]"
RV, ABI, CRV = f"{P}.returnValueTest", f"{C}.functionAbi", f"{C}.returnValueTest"


def gate_input(type_: str, param: str) -> list[dict[str, Any]]:
    """GATE with its one input of `type_`, given `param`."""
    return [edit(GATE, functionAbi__inputs__0__type=type_, functionParams=[param])]


def gate_output(index: int, type_: str, key: str = "level") -> list[dict[str, Any]]:
    return [edit(GATE, **{f"functionAbi__outputs__{index}__type": type_, "returnValueTest__key": key})]


def gate_test(key: str, comparator: str, value: str) -> list[dict[str, Any]]:
    return [edit(GATE, returnValueTest={"key": key, "comparator": comparator, "value": value})]


def erc20_test(comparator: str = ">", value: Any = "0") -> list[dict[str, Any]]:
    return [edit(ERC20, returnValueTest={"comparator": comparator, "value": value})]


def unified(ctype: Any, item: dict[str, Any] = ERC20) -> dict[str, Any]:
    return {"conditionType": ctype, **item}


BATCH_PARAMS = [f"{ADDR},{ADDR}", "1"]
NO_ADDR = {"address": ""}
# fmt: off
BAD: list[tuple[str, Any, str, str]] = [
    # the list and its items
    (ACC, {"a": 1}, ACC, "expected an array"),
    (ACC, [], ACC, "empty list"),
    (ACC, [42], P, "got number"),
    (ACC, [ERC20, OR, []], f"{ACC}[2]", "empty list"),
    (ACC, nest(MAX_DEPTH + 1), ACC + "[0]" * MAX_DEPTH, f"more than {MAX_DEPTH} levels"),
    (ACC, [ERC20, *[OR, ERC20] * MAX_CONDITIONS], f"{ACC}[{2 * MAX_CONDITIONS}]", "more than 30"),
    # operators
    (ACC, [ERC20, {"operator": "xor"}, ERC20], f"{ACC}[1].operator", "unknown operator 'xor'"),
    (ACC, [ERC20, {"operator": "AND"}, ERC20], f"{ACC}[1].operator", "unknown operator"),
    (ACC, [ERC20, {"operator": 1}, ERC20], f"{ACC}[1].operator", "got number"),
    (ACC, [ERC20, {"operator": "and", "chain": "x"}, ERC20], f"{ACC}[1].chain", "unknown field"),
    (ACC, [AND, ERC20], P, "cannot come first"),
    (ACC, [ERC20, AND], f"{ACC}[1]", "cannot come last"),
    (ACC, [ERC20, AND, OR, ERC20], f"{ACC}[2]", "two operators in a row"),
    (ACC, [ERC20, AND, ERC20, ERC20], f"{ACC}[3]", "missing operator"),
    (ACC, [ERC20, [ERC20, ERC20]], f"{ACC}[1][1]", "missing operator"),
    (EVM, [GATE, GATE], f"{EVM}[1]", "missing operator"),
    (UNI, [[unified("evmBasic"), OR]], f"{UNI}[0][1]", "cannot come last"),
    # evmBasic fields
    (ACC, [edit(ERC20, contractAddress=DELETE)], f"{P}.contractAddress", "missing field"),
    (ACC, [edit(ERC20, chain=1)], f"{P}.chain", "expected a string, got number"),
    (ACC, [edit(ERC20, method=None)], f"{P}.method", "got null"),
    (ACC, [edit(ERC20, parameters=":userAddress")], f"{P}.parameters", "expected an array of strings"),
    (ACC, [edit(ERC20, parameters=[7])], f"{P}.parameters[0]", "got number"),
    (ACC, [edit(ERC20, returnValueTest=[])], RV, "expected an object"),
    (ACC, [edit(ERC20, returnValueTest__comparator=DELETE)], f"{RV}.comparator", "missing field"),
    (ACC, [edit(ERC20, returnValueTest__key="")], f"{RV}.key", "unknown field"),
    (ACC, [edit(ERC20, extra=True)], f"{P}.extra", "unknown field"),
    (ACC, [edit(ERC20, conditionType="evmContract")], f"{P}.conditionType", "unknown conditionType"),
    # comparators and values
    (ACC, erc20_test(value=0), f"{RV}.value", "got number"),
    (ACC, erc20_test("=="), f"{RV}.comparator", "unknown comparator '=='"),
    (ACC, erc20_test("contains"), f"{RV}.comparator", "does not apply to a uint"),
    (ACC, erc20_test(value="0x10"), f"{RV}.value", "decimal unsigned integer"),
    (ACC, erc20_test(value="-1"), f"{RV}.value", "decimal unsigned integer"),
    (ACC, erc20_test(value=str(2**256)), f"{RV}.value", "does not fit in uint256"),
    (ACC, [basic("ERC721", "ownerOf", ["1"], "=", "0x1234")], f"{RV}.value", "20 bytes"),
    (ACC, [basic("ERC721", "ownerOf", ["1"], "contains", ":userAddress")], f"{RV}.comparator", "address result"),
    (ACC, [basic("PKPPermissions", "isPermittedAddress", ["1"], "=", "yes")], f"{RV}.value", '"true" or "false"'),
    # types, methods and parameters
    (ACC, [basic("ERC9999", "balanceOf", [":userAddress"])], f"{P}.standardContractType", "unknown standardContract"),
    (ACC, [basic("POAP", "tokenURI", [])], f"{P}.standardContractType", "not supported"),
    (ACC, [basic("LitAction", "go", [])], f"{P}.standardContractType", "not supported"),
    (ACC, [basic("ERC20", "totalSupply", [])], f"{P}.method", "'totalSupply' is not supported for 'ERC20'"),
    (ACC, [basic("", "eth_call", [], **NO_ADDR)], f"{P}.method", "not supported"),
    (ACC, [basic("", "", [], **NO_ADDR)], f"{P}.parameters", "needs the parameter"),
    (ACC, [basic("ERC20", "balanceOf", [])], f"{P}.parameters", "takes 1 parameter"),
    (ACC, [basic("ERC20", "balanceOf", [ADDR, ADDR])], f"{P}.parameters", "takes 1 parameter"),
    (ACC, [basic("ERC20", "balanceOf", ["0x123"])], f"{P}.parameters[0]", "20 bytes"),
    (ACC, [basic("ERC20", "balanceOf", [":litParam:secret"])], f"{P}.parameters[0]", ":litParam"),
    (ACC, [basic("ERC20", "balanceOf", [":userAddress"], **NO_ADDR)], f"{P}.contractAddress", "20 bytes"),
    (ACC, [basic("ERC721", "ownerOf", ["seven"])], f"{P}.parameters[0]", "unsigned integer"),
    (ACC, [basic("ERC1155", "balanceOf", [":userAddress", "0xzz"])], f"{P}.parameters[1]", "unsigned integer"),
    (ACC, [basic("ERC1155", "balanceOfBatch", BATCH_PARAMS)], f"{P}.parameters", "as many token ids"),
    (ACC, [basic("PKPPermissions", "isPermittedAction", ["1", "not-a-cid"], "=", "true")], f"{P}.parameters[1]", "CID"),
    (ACC, [basic("", "eth_getBalance", [ADDR, "0x10"], ">", "0", **NO_ADDR)], f"{P}.parameters[1]", '"latest"'),
    (ACC, [basic("timestamp", "eth_getBlockByNumber", ["earliest"], **NO_ADDR)], f"{P}.parameters[0]", '"latest"'),
    (ACC, [basic("timestamp", "eth_getBlock", ["latest"], **NO_ADDR)], f"{P}.method", "not supported"),
    # evmContract
    (EVM, [edit(GATE, functionName="other")], f"{C}.functionName", "differs from functionAbi.name"),
    (EVM, [edit(GATE, functionAbi=DELETE)], ABI, "missing field"),
    (EVM, [edit(GATE, functionAbi__stateMutability=DELETE)], f"{ABI}.stateMutability", "missing field"),
    (EVM, [edit(GATE, functionAbi__stateMutability="readonly")], f"{ABI}.stateMutability", "unknown stateMutability"),
    (EVM, [edit(GATE, functionAbi__constant="yes")], f"{ABI}.constant", "expected a boolean"),
    (EVM, [edit(GATE, functionAbi__type="event")], f"{ABI}.type", 'expected "function"'),
    (EVM, [edit(GATE, functionAbi__payable=False)], f"{ABI}.payable", "unknown field"),
    (EVM, [edit(GATE, functionAbi__inputs={})], f"{ABI}.inputs", "expected an array"),
    (EVM, [edit(GATE, functionAbi__inputs__0__type=DELETE)], f"{ABI}.inputs[0].type", "missing field"),
    (EVM, [edit(GATE, functionAbi__outputs__0__components=[])], f"{ABI}.outputs[0].components", "unknown field"),
    (EVM, [edit(GATE, functionAbi__outputs=[])], f"{ABI}.outputs", "must return a value"),
    (EVM, gate_input("uint7", "1"), f"{ABI}.inputs[0].type", "not a valid ABI type"),
    (EVM, gate_input("uint256[][]", "[]"), f"{ABI}.inputs[0].type", "not supported"),
    (EVM, gate_input("fixed128x18", "1"), f"{ABI}.inputs[0].type", "not supported"),
    (EVM, gate_output(0, "tuple"), f"{ABI}.outputs[0].type", "tuple types"),
    (EVM, [edit(GATE, functionParams=[])], f"{C}.functionParams", "1 input(s), got 0"),
    (EVM, gate_input("address", "0xnothex"), f"{C}.functionParams[0]", "20 bytes"),
    (EVM, gate_input("uint8[]", "1,2"), f"{C}.functionParams[0]", "[a,b,...]"),
    (EVM, gate_input("uint8[2]", "[1]"), f"{C}.functionParams[0]", "exactly 2"),
    (EVM, gate_input("uint8", "256"), f"{C}.functionParams[0]", "uint8"),
    (EVM, gate_input("int8", "-129"), f"{C}.functionParams[0]", "int8"),
    (EVM, gate_input("bytes4", "0x01"), f"{C}.functionParams[0]", "4 bytes"),
    (EVM, gate_input("bool", "yes"), f"{C}.functionParams[0]", "true or false"),
    (EVM, [edit(GATE, returnValueTest__key=DELETE)], f"{CRV}.key", "missing field"),
    (EVM, [edit(GATE, returnValueTest__key="levels")], f"{CRV}.key", "no output named 'levels'"),
    (EVM, gate_test("member", "=", "1"), f"{CRV}.value", '"true" or "false"'),
    (EVM, gate_test("member", "contains", "true"), f"{CRV}.comparator", "bool"),
    (EVM, gate_output(0, "bytes32", key=""), f"{ABI}.outputs[0].type", "cannot be compared"),
    (EVM, gate_output(1, "int256"), f"{ABI}.outputs[1].type", "cannot be compared"),
    (EVM, gate_output(1, "uint256[]"), f"{ABI}.outputs[1].type", "cannot be compared"),
    # unified
    (UNI, [ERC20], f"{U}.conditionType", "missing field"),
    (UNI, [unified("solRpc")], f"{U}.conditionType", "not supported"),
    (UNI, [unified("cosmos")], f"{U}.conditionType", "not supported"),
    (UNI, [unified("evm")], f"{U}.conditionType", "unknown conditionType"),
    (UNI, [unified(3)], f"{U}.conditionType", "got number"),
    (UNI, [unified("evmContract")], f"{U}.functionName", "missing field"),
    (UNI, [unified("evmBasic"), OR, [unified("evmContract", edit(GATE, chain=[]))]], f"{UNI}[2][0].chain", "got array"),
    # the kind itself
    ("solRpcConditions", [ERC20], "solRpcConditions", "Solana"),
    ("cosmosConditions", [ERC20], "kind", "unknown conditions field"),
]
# fmt: on


@pytest.mark.parametrize(("kind", "raw", "path", "message"), BAD, ids=[f"{i}-{b[2]}" for i, b in enumerate(BAD)])
def test_malformed_is_named_by_path(kind: str, raw: Any, path: str, message: str) -> None:
    with pytest.raises(ConditionError) as info:
        parse_conditions(kind, raw)
    assert info.value.path == path, str(info.value)
    assert message in info.value.message
    assert str(info.value).startswith(path + ": ")


def test_parsed_tree_keeps_structure_paths_and_raw_strings() -> None:
    odd_chain = edit(ERC20, chain="Ünknown chain")
    assert parse_conditions(ACC, [odd_chain]).items[0].chain == "Ünknown chain"  # chains are node config
    tree = parse_conditions(
        UNI,
        [
            {"conditionType": "evmBasic", **odd_chain},
            OR,
            [{"conditionType": "evmContract", **GATE}, AND, {"conditionType": "evmBasic", **ERC20}],
        ],
    )
    assert isinstance(tree, Group) and tree.path == UNI
    first, op, group = tree.items
    assert isinstance(first, EvmBasicCondition) and first.path == f"{UNI}[0]"
    assert op == Operator(f"{UNI}[1]", "or")
    assert isinstance(group, Group) and isinstance(group.items[0], EvmContractCondition)
    assert group.items[0].function_abi.outputs[1].name == "level"
    assert [c.path for c in tree.conditions()] == [f"{UNI}[0]", f"{UNI}[2][0]", f"{UNI}[2][2]"]


def test_limits_are_inclusive() -> None:
    assert parse_conditions(ACC, nest(MAX_DEPTH))
    many = [ERC20, *[x for _ in range(MAX_CONDITIONS - 1) for x in (AND, ERC20)]]
    assert len(list(parse_conditions(ACC, many).conditions())) == MAX_CONDITIONS


def test_legacy_implicit_and_only_for_access_control_conditions() -> None:
    assert len(parse_conditions(ACC, [ERC20, ERC20, [ERC20]]).items) == 3
    with pytest.raises(ConditionError, match="missing operator"):
        parse_conditions(UNI, [{"conditionType": "evmBasic", **ERC20}] * 2)


def test_placeholders_and_lenient_forms_parse() -> None:
    parse_conditions(
        ACC,
        [
            basic("", "", [":currentActionIpfsId"], "contains", "Qm", address=""),
            AND,
            basic("ERC721", "ownerOf", ["0x10"], "=", ADDR.lower()),
            AND,
            basic("ERC1155", "balanceOfBatch", [":userAddress, " + ADDR, "1, 0x2"], ">", "0"),
        ],
    )
    parse_conditions(EVM, [edit(GATE, functionAbi__inputs__0__type="uint", functionParams=["0xff"])])


def test_request_field_is_found_once() -> None:
    kind, tree = conditions_from_request(
        {"evmContractConditions": [GATE], "accessControlConditions": None, "chain": "x"}
    )
    assert kind == EVM and isinstance(tree.items[0], EvmContractCondition)
    for body, message in [
        ({"chain": "local"}, "no access control conditions"),
        ({ACC: [ERC20], UNI: [ERC20]}, "exactly one"),
        ([ERC20], "expected a JSON object"),
    ]:
        with pytest.raises(ConditionError, match=message) as info:
            conditions_from_request(body)  # type: ignore[arg-type]
        assert info.value.path == "request"
    with pytest.raises(ConditionError, match="Solana") as info:
        conditions_from_request({"solRpcConditions": []})
    assert info.value.path == "solRpcConditions"


IMPORT_ALONE = """
import importlib, sys
for name in sys.argv[1:]:
    for loaded in [m for m in sys.modules if m == "runtime.access" or m.startswith("runtime.access.")]:
        del sys.modules[loaded]
    importlib.import_module(name)
forbidden = [m for m in sys.modules if m.split(".")[0] in ("node", "sandbox") or m.startswith("runtime.client")]
assert not forbidden, forbidden
"""


def test_each_module_imports_alone_and_never_reaches_node_sandbox_or_client() -> None:
    import runtime.access as access

    modules = ["runtime.access", *(f"runtime.access.{m.name}" for m in pkgutil.iter_modules(access.__path__))]
    subprocess.run([sys.executable, "-c", IMPORT_ALONE, *modules], check=True)


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8) | st.sampled_from(["", ":userAddress", "0", ADDR]),
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.sampled_from(sorted({*ERC20, *GATE, "key", "operator", "conditionType"})), inner),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(
    kind=st.sampled_from([ACC, EVM, UNI]),
    base=st.sampled_from([ERC20, GATE]),
    field=st.sampled_from(sorted({*ERC20, *GATE})),
    junk=_JSON,
)
def test_any_json_either_parses_or_raises_condition_error(
    kind: str, base: dict[str, Any], field: str, junk: Any
) -> None:
    for raw in ([edit(base, **{field: junk})], [base, AND, junk], junk):
        try:
            parse_conditions(kind, raw)
        except ConditionError:
            pass
