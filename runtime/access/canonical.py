"""The canonical form of conditions and its hash, byte for byte as npm
`@lit-protocol/access-control-conditions` 8.0.2 computes them.

That package (`canonicalFormatter.js`, `hashing.js`) rebuilds every item with a fixed key order
and drops every other field, then hashes `JSON.stringify` of the list with SHA-256:
    evmBasic     contractAddress, chain, standardContractType, method, parameters,
                 returnValueTest {comparator, value}
    evmContract  contractAddress, functionName, functionParams,
                 functionAbi {name, inputs [{name, type}], outputs [{name, type}],
                              constant (false when absent), stateMutability},
                 chain, returnValueTest {key, comparator, value}
    operator     {operator}
    group        a nested list
In unified lists `conditionType` is dropped too: the evmBasic and evmContract formatters are the
same ones. The hash names an encrypted secret (the identity
`lit-accesscontrolcondition://{hex hash}/{hex sha256(data)}`), so any difference locks data out.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from ._model import EvmBasicCondition, Group, Item, Operator, check_kind

__all__ = ["canonical_json", "conditions_hash"]


def canonical_json(kind: str, parsed: Group) -> str:
    """JSON.stringify of npm's canonical form of `parsed` (conditions of request field `kind`)."""
    check_kind(kind, parsed)
    return _dump(_form(parsed))


def conditions_hash(kind: str, parsed: Group) -> bytes:
    """SHA-256 of the UTF-8 canonical JSON: npm's hash{AccessControl,EVMContract,UnifiedAccessControl}Conditions."""
    return hashlib.sha256(canonical_json(kind, parsed).encode("utf-8")).digest()


def _form(item: Item) -> Any:
    if isinstance(item, Group):
        return [_form(x) for x in item.items]
    if isinstance(item, Operator):
        return {"operator": item.operator}
    rvt = item.return_value_test
    if isinstance(item, EvmBasicCondition):
        return {
            "contractAddress": item.contract_address,
            "chain": item.chain,
            "standardContractType": item.standard_contract_type,
            "method": item.method,
            "parameters": list(item.parameters),
            "returnValueTest": {"comparator": rvt.comparator, "value": rvt.value},
        }
    abi = item.function_abi
    return {
        "contractAddress": item.contract_address,
        "functionName": item.function_name,
        "functionParams": list(item.function_params),
        "functionAbi": {
            "name": abi.name,
            "inputs": [{"name": p.name, "type": p.type} for p in abi.inputs],
            "outputs": [{"name": p.name, "type": p.type} for p in abi.outputs],
            "constant": bool(abi.constant),
            "stateMutability": abi.state_mutability,
        },
        "chain": item.chain,
        "returnValueTest": {"key": rvt.key, "comparator": rvt.comparator, "value": rvt.value},
    }


# JSON.stringify escapes `"`, `\`, the C0 controls (short forms where JSON has them, else
# \u00xx in lower case) and, since ES2019, lone surrogates; every other character is written
# as it is: non-ASCII, U+2028/2029, DEL and "</" included.
_SHORT = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}
_NEEDS_ESCAPE = re.compile('["\\\\\x00-\x1f\ud800-\udfff]')


def _escape(match: re.Match[str]) -> str:
    c = match.group()
    return _SHORT.get(c) or f"\\u{ord(c):04x}"


def _js_string(s: str) -> str:
    # A surrogate pair held as two code points (possible in a Python str, never from json.loads)
    # is one character to JS: join such pairs, leaving only lone surrogates to escape.
    joined = s.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")
    return '"' + _NEEDS_ESCAPE.sub(_escape, joined) + '"'


def _dump(value: Any) -> str:
    if isinstance(value, str):
        return _js_string(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ",".join(_dump(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ",".join(f"{_js_string(k)}:{_dump(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"no canonical JSON for {type(value).__name__}")  # the parsed forms hold no other type
