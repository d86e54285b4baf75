"""The canonical JSON and hash of conditions equal npm @lit-protocol/access-control-conditions'.

Each case is hashed by our code and by the npm package in node (the oracle in conftest.py);
both the JSON text and the SHA-256 must agree, so a difference shows where it starts.
"""

from __future__ import annotations

import copy
import hashlib
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runtime.access import canonical_json, conditions_hash, parse_conditions

ADDR = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
USER = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
CID = "QmZULkCELmmk5XNfCgTnCyFgAVxBRBXyDHGGMVoLFLiXEN"


def basic(ctype: str, method: str, params: list[str], comparator: str, value: str, **extra: Any) -> dict[str, Any]:
    return {
        "contractAddress": extra.pop("contractAddress", ADDR if ctype not in ("", "timestamp") else ""),
        "standardContractType": ctype,
        "chain": extra.pop("chain", "ethereum"),
        "method": method,
        "parameters": params,
        "returnValueTest": {"comparator": comparator, "value": value},
        **extra,
    }


def contract(
    name: str,
    inputs: list[tuple[str, str]],
    outputs: list[tuple[str, str]],
    params: list[str],
    key: str,
    comparator: str,
    value: str,
    **abi_extra: Any,
) -> dict[str, Any]:
    return {
        "contractAddress": ADDR,
        "functionName": name,
        "functionParams": params,
        "functionAbi": {
            "name": name,
            "inputs": [{"name": n, "type": t} for n, t in inputs],
            "outputs": [{"name": n, "type": t} for n, t in outputs],
            "stateMutability": "view",
            **abi_extra,
        },
        "chain": "local",
        "returnValueTest": {"key": key, "comparator": comparator, "value": value},
    }


def unified(item: dict[str, Any], ctype: str) -> dict[str, Any]:
    return {"conditionType": ctype, **item}


AND, OR = {"operator": "and"}, {"operator": "or"}
SIG = basic("", "", [":userAddress"], "=", USER)
BALANCE = basic("", "eth_getBalance", [":userAddress", "latest"], ">=", "1000000000000000000")
TIME = basic("timestamp", "eth_getBlockByNumber", ["latest"], ">=", "1700000000")
ERC20 = basic("ERC20", "balanceOf", [":userAddress"], ">", "0")
OWNER = basic("ERC721", "ownerOf", ["7"], "=", ":userAddress")
NFTS = basic("ERC721", "balanceOf", [":userAddress"], ">=", "2")
NAME = basic("ERC721MetadataName", "name", [], "contains", "Test")
E1155 = basic("ERC1155", "balanceOf", [":userAddress", "0x1f"], ">", "0")
BATCH = basic("ERC1155", "balanceOfBatch", [f":userAddress,{USER}", "1,2"], ">", "0")
PKP_ACTION = basic("PKPPermissions", "isPermittedAction", ["0x01", CID], "=", "true")
PKP_ADDRESS = basic("PKPPermissions", "isPermittedAddress", ["12345"], "=", "true")
GATE = contract("isMember", [("who", "address")], [("", "bool")], [":userAddress"], "", "=", "true")
PROFILE = contract(
    "profile",
    [("who", "address")],
    [("member", "bool"), ("level", "uint256"), ("name", "string")],
    [":userAddress"],
    "level",
    ">=",
    "3",
)

CASES: dict[str, tuple[str, list[Any]]] = {
    "signature": ("accessControlConditions", [SIG]),
    "every evmBasic type": (
        "accessControlConditions",
        [
            SIG,
            OR,
            BALANCE,
            AND,
            TIME,
            OR,
            ERC20,
            AND,
            OWNER,
            OR,
            NFTS,
            AND,
            NAME,
            OR,
            E1155,
            AND,
            BATCH,
            OR,
            PKP_ACTION,
            AND,
            PKP_ADDRESS,
        ],
    ),
    "nested groups": ("accessControlConditions", [[ERC20, OR, [NFTS, AND, [TIME]]], AND, [[SIG]]]),
    "legacy list without operators": ("accessControlConditions", [ERC20, NFTS, TIME]),
    "shuffled keys and conditionType": (
        "accessControlConditions",
        [
            dict(reversed(list({**ERC20, "conditionType": "evmBasic"}.items()))),
        ],
    ),
    "big numbers": (
        "accessControlConditions",
        [
            basic("ERC20", "balanceOf", [USER], "<=", str(2**256 - 1)),
            OR,
            basic("", "eth_getBalance", [USER], "=", "000001"),
        ],
    ),
    "evmContract bool": ("evmContractConditions", [GATE]),
    "evmContract keyed output": ("evmContractConditions", [PROFILE, OR, [GATE]]),
    "evmContract constant and extras": (
        "evmContractConditions",
        [
            contract(
                "level", [("who", "address")], [("", "uint256")], [USER], "", ">", "0", constant=True, type="function"
            ),
            AND,
            {
                **contract(
                    "f",
                    [("a", "int256"), ("b", "bytes32"), ("c", "string"), ("d", "uint8[]")],
                    [("x", "string")],
                    ["-5", "0x" + "ab" * 32, "hello, world", "[1,2,3]"],
                    "x",
                    "contains",
                    "o",
                ),
                "conditionType": "evmContract",
            },
        ],
    ),
    "evmContract internalType": (
        "evmContractConditions",
        [
            contract("isMember", [("who", "address")], [("", "bool")], [":userAddress"], "", "!=", "false"),
        ],
    ),
    "unified mix": (
        "unifiedAccessControlConditions",
        [
            unified(ERC20, "evmBasic"),
            OR,
            [unified(GATE, "evmContract"), AND, unified(TIME, "evmBasic")],
        ],
    ),
    "unified single contract": ("unifiedAccessControlConditions", [unified(PROFILE, "evmContract")]),
}

STRINGS = {
    "non-ascii": "ünïcödé — 日本語 🚀",
    "html": "</script><script>alert(1)</script>",
    "line separators": "a\u2028b\u2029c",
    "controls": "\x00\x01\x07\x08\t\n\x0b\x0c\r\x1b\x1f\x7f",
    "quotes": "\"'\\/ \\u0041",
    "lone surrogates": "x\ud800y\udfffz\udbff",
    "pair as two code points": "\ud83d\ude80",
    "empty": "",
}
for name, text in STRINGS.items():
    CASES[f"string {name}"] = (
        "accessControlConditions",
        [
            basic("", "", [text], "contains", text, chain=text or "x"),
            OR,
            basic("ERC721MetadataName", "name", [], "!=", text),
        ],
    )
    CASES[f"contract string {name}"] = (
        "evmContractConditions",
        [
            contract(text or "f", [("s", "string")], [(text, "string")], [text], text, "=", text),
        ],
    )
# the internalType variant of the ABI carries a field the canonical form drops
CASES["evmContract internalType"][1][0]["functionAbi"]["inputs"][0]["internalType"] = "address"


def _ours(kind: str, raw: Any) -> tuple[str, str]:
    parsed = parse_conditions(kind, copy.deepcopy(raw))
    return canonical_json(kind, parsed), conditions_hash(kind, parsed).hex()


@pytest.mark.parametrize("name", list(CASES))
def test_matches_npm(npm_oracle, name: str) -> None:
    kind, raw = CASES[name]
    theirs = npm_oracle(kind, raw)
    assert "error" not in theirs, theirs
    ours_json, ours_hash = _ours(kind, raw)
    assert ours_json == theirs["json"]
    assert ours_hash == theirs["hash"]


def test_hash_is_sha256_of_utf8_canonical_json() -> None:
    kind, raw = CASES["string non-ascii"]
    parsed = parse_conditions(kind, raw)
    text = canonical_json(kind, parsed)
    assert "ü" in text and "\\u" not in text  # non-ASCII is written as it is, like JSON.stringify
    assert conditions_hash(kind, parsed) == hashlib.sha256(text.encode()).digest()


def test_key_order_and_dropped_fields_do_not_change_the_hash() -> None:
    plain = parse_conditions("accessControlConditions", [ERC20])
    shuffled = parse_conditions("accessControlConditions", CASES["shuffled keys and conditionType"][1])
    assert conditions_hash("accessControlConditions", plain) == conditions_hash("accessControlConditions", shuffled)
    # unified drops conditionType, exactly as npm's formatter does
    as_unified = parse_conditions("unifiedAccessControlConditions", [unified(ERC20, "evmBasic")])
    assert canonical_json("unifiedAccessControlConditions", as_unified) == canonical_json(
        "accessControlConditions", plain
    )


def test_a_kind_that_does_not_hold_the_tree_is_refused() -> None:
    parsed = parse_conditions("unifiedAccessControlConditions", [unified(GATE, "evmContract")])
    with pytest.raises(ValueError, match="cannot stand in accessControlConditions"):
        canonical_json("accessControlConditions", parsed)
    with pytest.raises(ValueError, match="kind"):
        conditions_hash("solRpcConditions", parsed)


_ANY_CHAR = st.characters(exclude_categories=())  # surrogates included


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    chain=st.text(_ANY_CHAR, max_size=12), param=st.text(_ANY_CHAR, max_size=20), value=st.text(_ANY_CHAR, max_size=20)
)
def test_any_strings_match_npm(npm_oracle, chain: str, param: str, value: str) -> None:
    kind = "unifiedAccessControlConditions"
    raw = [
        unified(basic("", "", [param or "p"], "!contains", value, chain=chain), "evmBasic"),
        AND,
        unified(contract("f", [("s", "string")], [(value, "string")], [param], value, ">=", param), "evmContract"),
    ]
    theirs = npm_oracle(kind, raw)
    assert (canonical_json(kind, parse_conditions(kind, raw)), _ours(kind, raw)[1]) == (theirs["json"], theirs["hash"])
