"""Lit access-control conditions: parse and validate, canonical form and hash, evaluation.

    kind, parsed = conditions_from_request(body)       # ConditionError names the bad field
    identity_hash = conditions_hash(kind, parsed)      # = npm's hash*Conditions
    result = await evaluate(kind, parsed, user, chains)
    if not result.ok: deny(result.failed)

Submodules: `conditions` (parsed forms, parsing), `canonical` (canonical JSON, hash),
`evaluate` (chain reads and the and/or fold), `errors`. Pure logic plus async chain reads
through runtime.chain; nothing here knows of nodes, the sandbox or the client.
"""

from __future__ import annotations

from ._fields import json_type
from .canonical import canonical_json, conditions_hash
from .conditions import (
    KINDS,
    MAX_CONDITIONS,
    MAX_DEPTH,
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
    conditions_field,
    conditions_from_request,
    parse_conditions,
)
from .errors import ChainReadFailed, ConditionError
from .evaluate import DEFAULT_MAX_CHAIN_CALLS, ConditionResult, Evaluation, evaluate

__all__ = [
    "DEFAULT_MAX_CHAIN_CALLS",
    "KINDS",
    "MAX_CONDITIONS",
    "MAX_DEPTH",
    "AbiParam",
    "ChainReadFailed",
    "Condition",
    "ConditionError",
    "ConditionResult",
    "Evaluation",
    "EvmBasicCondition",
    "EvmContractCondition",
    "FunctionAbi",
    "Group",
    "Item",
    "Kind",
    "Operator",
    "ReturnValueTest",
    "canonical_json",
    "conditions_field",
    "conditions_from_request",
    "conditions_hash",
    "evaluate",
    "json_type",
    "parse_conditions",
]
