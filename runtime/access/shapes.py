"""Conditions told apart by their shape, as `Lit.Actions.checkConditions` takes them.

lit-peer's op_check_conditions reads `conditions` as one list of UnifiedAccessControlConditionItem
(`lit-node/src/functions/action_client.rs`, CheckConditions), a serde untagged enum
(`lit-node-core/src/models/control_condition_item.rs`): each condition is the first of these
shapes whose fields it has, whatever its `conditionType` says:

    evmBasic     contractAddress, chain, standardContractType, method, parameters, returnValueTest
    solRpc       method, params, chain, returnValueTest
    evmContract  contractAddress, functionName, functionParams, functionAbi, chain, returnValueTest
    cosmos       path, chain, returnValueTest

So one list may hold evmBasic items (accessControlConditions), evmContract items
(evmContractConditions) or unified items, mixed. The list is then checked as unified conditions
(`access_control/unified.rs::check_condition_group`): operators must alternate with conditions
and, unlike a request's accessControlConditions, no implicit "and" joins a list without operators.
Solana and Cosmos conditions are refused by name: this runtime reads EVM chains only.
"""

from __future__ import annotations

from typing import Any

from ._fields import json_type
from ._model import Group
from .conditions import parse_conditions
from .errors import ConditionError

__all__ = ["SHAPES", "conditions_by_shape", "shape_of"]

UNIFIED = "unifiedAccessControlConditions"

# (conditionType, the fields that make a condition that type), in lit-peer's order of trying
SHAPES: tuple[tuple[str, frozenset[str]], ...] = (
    ("evmBasic", frozenset(
        {"contractAddress", "chain", "standardContractType", "method", "parameters", "returnValueTest"}
    )),
    ("solRpc", frozenset({"method", "params", "chain", "returnValueTest"})),
    ("evmContract", frozenset(
        {"contractAddress", "functionName", "functionParams", "functionAbi", "chain", "returnValueTest"}
    )),
    ("cosmos", frozenset({"path", "chain", "returnValueTest"})),
)
_UNSUPPORTED = ("solRpc", "cosmos")


def shape_of(condition: dict[str, Any], path: str) -> str:
    """The conditionType that `condition`'s fields make it, or ConditionError naming what is missing."""
    for ctype, fields in SHAPES:
        if fields <= condition.keys():
            if ctype in _UNSUPPORTED:
                raise ConditionError(path, f"a {ctype} condition: not supported, this runtime reads EVM chains only")
            return ctype
    nearest = min(SHAPES, key=lambda shape: len(shape[1] - condition.keys()))
    missing = sorted(nearest[1] - condition.keys())
    raise ConditionError(
        path,
        f"matches no condition shape Lit knows; nearest is {nearest[0]}, which lacks {', '.join(missing)}",
    )


def conditions_by_shape(raw: Any, path: str = "conditions") -> Group:
    """A checkConditions list, each condition typed by its shape, parsed as unified conditions."""
    if not isinstance(raw, list):
        raise ConditionError(path, f"expected an array of conditions, got {json_type(raw)}")
    return parse_conditions(UNIFIED, _typed(raw, path), path)


def _typed(raw: Any, path: str) -> Any:
    """`raw` with each condition's conditionType set from its shape; anything else is left to the parser."""
    if isinstance(raw, list):
        return [_typed(item, f"{path}[{i}]") for i, item in enumerate(raw)]
    if isinstance(raw, dict) and "operator" not in raw:
        return {**raw, "conditionType": shape_of(raw, path)}
    if raw is None or isinstance(raw, (str, int, float, bool)):
        raise ConditionError(path, f"expected a condition, an operator or a nested array, got {json_type(raw)}")
    return raw
