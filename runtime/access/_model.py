"""The parsed forms of Lit access-control conditions (re-exported by runtime.access.conditions).

Every string is kept exactly as the request gave it: the canonical form, and so the hash that
names an encrypted secret, is computed from these values, and must equal the npm package's.
Each item carries `path`, its place in the request, for error and failure messages.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal, Union

Kind = Literal["accessControlConditions", "evmContractConditions", "unifiedAccessControlConditions"]
KINDS: tuple[Kind, ...] = ("accessControlConditions", "evmContractConditions", "unifiedAccessControlConditions")


@dataclass(frozen=True)
class ReturnValueTest:
    comparator: str
    value: str
    key: str | None = None  # evmContract only: the output to test ("" = the first)


@dataclass(frozen=True)
class EvmBasicCondition:
    """Lit's JsonAccessControlCondition (`conditionType: "evmBasic"` in unified lists)."""

    path: str
    contract_address: str
    chain: str
    standard_contract_type: str
    method: str
    parameters: tuple[str, ...]
    return_value_test: ReturnValueTest


@dataclass(frozen=True)
class AbiParam:
    name: str
    type: str


@dataclass(frozen=True)
class FunctionAbi:
    name: str
    inputs: tuple[AbiParam, ...]
    outputs: tuple[AbiParam, ...]
    state_mutability: str
    constant: bool | None = None  # absent in the request; the canonical form writes false


@dataclass(frozen=True)
class EvmContractCondition:
    """Lit's EVMContractCondition: any view function, described by its ABI."""

    path: str
    contract_address: str
    function_name: str
    function_params: tuple[str, ...]
    function_abi: FunctionAbi
    chain: str
    return_value_test: ReturnValueTest


@dataclass(frozen=True)
class Operator:
    path: str
    operator: Literal["and", "or"]


@dataclass(frozen=True)
class Group:
    """A list of items: conditions and nested groups separated by operators.

    The parsed conditions of a request are one Group whose path is the request field's name.
    """

    path: str
    items: tuple["Item", ...]

    def conditions(self) -> Iterator["Condition"]:
        """Every condition in the tree, depth first, in request order."""
        for item in self.items:
            if isinstance(item, Group):
                yield from item.conditions()
            elif not isinstance(item, Operator):
                yield item


Condition = Union[EvmBasicCondition, EvmContractCondition]
Item = Union[EvmBasicCondition, EvmContractCondition, Operator, Group]


_ALLOWED: dict[str, tuple[type, ...]] = {
    "accessControlConditions": (EvmBasicCondition,),
    "evmContractConditions": (EvmContractCondition,),
    "unifiedAccessControlConditions": (EvmBasicCondition, EvmContractCondition),
}


def check_kind(kind: str, parsed: Group) -> None:
    """Refuse a kind that is not Lit's, or a tree holding conditions that kind cannot hold."""
    if kind not in _ALLOWED:
        raise ValueError(f"kind: expected one of {list(KINDS)}, got {kind!r}")
    for condition in parsed.conditions():
        if not isinstance(condition, _ALLOWED[kind]):
            raise ValueError(f"{condition.path}: a {type(condition).__name__} cannot stand in {kind}")


def has_operator(group: Group) -> bool:
    return any(isinstance(x, Operator) or (isinstance(x, Group) and has_operator(x)) for x in group.items)
