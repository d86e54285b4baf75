"""Parsing Lit access-control conditions from a request into typed, validated trees.

A request names its conditions with one of Lit's fields: `accessControlConditions` (evmBasic
items), `evmContractConditions` (evmContract items) or `unifiedAccessControlConditions` (each
item says its `conditionType`). Each is a non-empty list of items: a condition, an operator
`{"operator": "and"|"or"}`, or a nested list. Conditions and groups must alternate with
operators, starting and ending with a condition or group (lit-peer
`access_control/mod.rs::validate_boolean_expression`). One legacy form is kept: in
`accessControlConditions` with no operator anywhere, the top-level items are all joined by
"and" (lit-peer `insert_ands_if_necessary`; the other two kinds never had it).

Limits (lit-peer sets none; these bound the work one request can cause, the conditions' chain
reads, to Lit's 30 contract calls per action): lists nest at most MAX_DEPTH levels, counting the
top-level list, and a tree holds at most MAX_CONDITIONS conditions.

Every type, method, parameter and comparator is checked here, so a condition that parses can
be evaluated; only the chain name is left to the node's configuration.
"""

from __future__ import annotations

from typing import Any

from ._checks import plan
from ._fields import expect_object, expect_one_of, expect_str, expect_str_list, json_type
from ._model import (
    KINDS,
    AbiParam,
    Condition,
    EvmBasicCondition,
    EvmContractCondition,
    FunctionAbi,
    Group,
    Item,
    Kind,
    Operator,
    ReturnValueTest,
    has_operator,
)
from .errors import ConditionError

__all__ = [
    "conditions_field",
    "KINDS",
    "MAX_CONDITIONS",
    "MAX_DEPTH",
    "AbiParam",
    "Condition",
    "EvmBasicCondition",
    "EvmContractCondition",
    "FunctionAbi",
    "Group",
    "Item",
    "Kind",
    "Operator",
    "ReturnValueTest",
    "conditions_from_request",
    "parse_conditions",
]

MAX_DEPTH = 5
MAX_CONDITIONS = 30

_UNSUPPORTED_KINDS = {
    "solRpcConditions": "Solana RPC conditions are not supported: this runtime reads EVM chains only",
}
_UNSUPPORTED_CONDITION_TYPES = ("solRpc", "cosmos")
_MUTABILITIES = ("pure", "view", "nonpayable", "payable")


def conditions_from_request(body: dict[str, Any]) -> tuple[Kind, Group]:
    """The one conditions field of a JSON request body, parsed."""
    if not isinstance(body, dict):
        raise ConditionError("request", f"expected a JSON object, got {json_type(body)}")
    present = [k for k in (*KINDS, *_UNSUPPORTED_KINDS) if body.get(k) is not None]
    if not present:
        raise ConditionError("request", f"no access control conditions: expected one of {list(KINDS)}")
    if len(present) > 1:
        raise ConditionError("request", f"expected exactly one conditions field, got {present}")
    kind = present[0]
    return kind, parse_conditions(kind, body[kind])  # type: ignore[return-value]


def conditions_field(conditions: Any) -> dict[str, Any]:
    """`{kind: conditions}` as a request carries them. A bare list means Lit's
    `accessControlConditions`; an object must hold exactly one conditions field."""
    body = {"accessControlConditions": conditions} if isinstance(conditions, list) else conditions
    kind, _ = conditions_from_request(body)
    return {kind: body[kind]}


def parse_conditions(kind: str, raw: Any, path: str | None = None) -> Group:
    """The conditions `raw` of request field `kind` as a validated tree; ConditionError names the fault.

    Paths in errors start at `path`, by default the field's name."""
    if kind in _UNSUPPORTED_KINDS:
        raise ConditionError(kind, _UNSUPPORTED_KINDS[kind])
    expect_one_of(kind, KINDS, "kind", "conditions field")
    parser = _Parser(kind)  # type: ignore[arg-type]
    tree = parser.group(raw, path or kind, depth=1)
    implicit_and = kind == "accessControlConditions" and not has_operator(tree)
    _check_alternation(tree, implicit_and=implicit_and)
    return tree


class _Parser:
    def __init__(self, kind: Kind) -> None:
        self.kind = kind
        self.count = 0

    def group(self, raw: Any, path: str, depth: int) -> Group:
        if not isinstance(raw, list):
            raise ConditionError(path, f"expected an array of conditions, got {json_type(raw)}")
        if not raw:
            raise ConditionError(path, "empty list: a group needs at least one condition")
        if depth > MAX_DEPTH:
            raise ConditionError(path, f"groups nest more than {MAX_DEPTH} levels deep (counting the top-level list)")
        return Group(path, tuple(self.item(x, f"{path}[{i}]", depth) for i, x in enumerate(raw)))

    def item(self, raw: Any, path: str, depth: int) -> Item:
        if isinstance(raw, list):
            return self.group(raw, path, depth + 1)
        if not isinstance(raw, dict):
            raise ConditionError(path, f"expected a condition, an operator or a nested array, got {json_type(raw)}")
        if "operator" in raw:
            obj = expect_object(raw, path, ["operator"])
            if not isinstance(obj["operator"], str):
                raise ConditionError(
                    f"{path}.operator", f"expected \"and\" or \"or\", got {json_type(obj['operator'])}"
                )
            op = expect_one_of(obj["operator"], ("and", "or"), f"{path}.operator", "operator")
            return Operator(path, op)  # type: ignore[arg-type]
        self.count += 1
        if self.count > MAX_CONDITIONS:
            raise ConditionError(path, f"more than {MAX_CONDITIONS} conditions")
        condition = self.condition(raw, path)
        plan(condition)  # refuses what could not be evaluated, naming the field
        return condition

    def condition(self, raw: dict[str, Any], path: str) -> Condition:
        ctype = raw.get("conditionType")
        if self.kind == "unifiedAccessControlConditions":
            if ctype is None:
                raise ConditionError(
                    f"{path}.conditionType", 'missing field (unified conditions need "evmBasic" or "evmContract")'
                )
            if ctype in _UNSUPPORTED_CONDITION_TYPES:
                raise ConditionError(
                    f"{path}.conditionType",
                    f"{ctype!r} conditions are not supported: this runtime reads EVM chains only",
                )
        else:
            ctype = raw.get("conditionType", "evmContract" if self.kind == "evmContractConditions" else "evmBasic")
        if not isinstance(ctype, str):
            raise ConditionError(f"{path}.conditionType", f"expected a string, got {json_type(ctype)}")
        allowed = (
            ("evmBasic", "evmContract")
            if self.kind == "unifiedAccessControlConditions"
            else (("evmContract",) if self.kind == "evmContractConditions" else ("evmBasic",))
        )
        expect_one_of(ctype, allowed, f"{path}.conditionType", f"conditionType in {self.kind}")
        return _evm_basic(raw, path) if ctype == "evmBasic" else _evm_contract(raw, path)


def _return_value_test(obj: dict[str, Any], path: str, *, keyed: bool) -> ReturnValueTest:
    rvt_path = f"{path}.returnValueTest"
    required = ["key", "comparator", "value"] if keyed else ["comparator", "value"]
    rvt = expect_object(obj["returnValueTest"], rvt_path, required)
    key = expect_str(rvt, "key", rvt_path) if keyed else None
    return ReturnValueTest(expect_str(rvt, "comparator", rvt_path), expect_str(rvt, "value", rvt_path), key)


def _evm_basic(raw: dict[str, Any], path: str) -> EvmBasicCondition:
    fields = ["contractAddress", "chain", "standardContractType", "method", "parameters", "returnValueTest"]
    obj = expect_object(raw, path, fields, ["conditionType"])
    return EvmBasicCondition(
        path=path,
        contract_address=expect_str(obj, "contractAddress", path),
        chain=expect_str(obj, "chain", path),
        standard_contract_type=expect_str(obj, "standardContractType", path),
        method=expect_str(obj, "method", path),
        parameters=expect_str_list(obj, "parameters", path),
        return_value_test=_return_value_test(obj, path, keyed=False),
    )


def _abi_params(abi: dict[str, Any], key: str, path: str) -> tuple[AbiParam, ...]:
    value = abi[key]
    if not isinstance(value, list):
        raise ConditionError(f"{path}.{key}", f"expected an array of parameters, got {json_type(value)}")
    params = []
    for i, raw in enumerate(value):
        p_path = f"{path}.{key}[{i}]"
        param = expect_object(raw, p_path, ["name", "type"], ["internalType"])
        params.append(AbiParam(expect_str(param, "name", p_path), expect_str(param, "type", p_path)))
    return tuple(params)


def _function_abi(obj: dict[str, Any], path: str) -> FunctionAbi:
    abi_path = f"{path}.functionAbi"
    abi = expect_object(
        obj["functionAbi"], abi_path, ["name", "inputs", "outputs", "stateMutability"], ["type", "constant"]
    )
    if "type" in abi and abi["type"] != "function":
        raise ConditionError(f"{abi_path}.type", f"expected \"function\", got {abi['type']!r}")
    constant = abi.get("constant")
    if constant is not None and not isinstance(constant, bool):
        raise ConditionError(f"{abi_path}.constant", f"expected a boolean, got {json_type(constant)}")
    mutability = expect_str(abi, "stateMutability", abi_path)
    expect_one_of(mutability, _MUTABILITIES, f"{abi_path}.stateMutability", "stateMutability")
    return FunctionAbi(
        name=expect_str(abi, "name", abi_path),
        inputs=_abi_params(abi, "inputs", abi_path),
        outputs=_abi_params(abi, "outputs", abi_path),
        state_mutability=mutability,
        constant=constant,
    )


def _evm_contract(raw: dict[str, Any], path: str) -> EvmContractCondition:
    fields = ["contractAddress", "functionName", "functionParams", "functionAbi", "chain", "returnValueTest"]
    obj = expect_object(raw, path, fields, ["conditionType"])
    abi = _function_abi(obj, path)
    name = expect_str(obj, "functionName", path)
    if name != abi.name:
        # Lit calls the ABI's function; a different functionName would mislead whoever reads the condition
        raise ConditionError(f"{path}.functionName", f"{name!r} differs from functionAbi.name {abi.name!r}")
    return EvmContractCondition(
        path=path,
        contract_address=expect_str(obj, "contractAddress", path),
        function_name=name,
        function_params=expect_str_list(obj, "functionParams", path),
        function_abi=abi,
        chain=expect_str(obj, "chain", path),
        return_value_test=_return_value_test(obj, path, keyed=True),
    )


def _check_alternation(group: Group, *, implicit_and: bool) -> None:
    """Conditions/groups and operators alternate, starting and ending with a condition or group."""
    previous: Item | None = None
    for item in group.items:
        if isinstance(item, Operator):
            if previous is None:
                raise ConditionError(item.path, "an operator cannot come first in a group")
            if isinstance(previous, Operator):
                raise ConditionError(item.path, f"two operators in a row ({previous.path} and this one)")
        else:
            if previous is not None and not isinstance(previous, Operator) and not implicit_and:
                raise ConditionError(item.path, f"missing operator between {previous.path} and this item")
            if isinstance(item, Group):
                _check_alternation(item, implicit_and=False)  # lit-peer adds implicit ands only at the top
        previous = item
    if isinstance(previous, Operator):
        raise ConditionError(previous.path, "an operator cannot come last in a group")
