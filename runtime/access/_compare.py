"""returnValueTest: which comparators each kind of result takes, and how a result is compared.

From lit-peer `rust/lit-node/lit-node/src/access_control/{mod,evm_contract}.rs`
(`check_return_value_{int,uint,addr,bool,str,string}`):
- uint results: the value is a decimal uint256; `= != > >= < <=` compare numbers.
- address results: the value is a hex address (or `:userAddress`); compared as 20-byte values,
  so case never matters; the ordering comparators order the bytes. `!=` is taken too (lit-peer's
  evmContract check has it; its evmBasic check lacks it and so answers "not met").
- bool results: the value is "true" or "false"; false < true.
- string results: all eight comparators; ordering is by code point (the same as Rust's byte
  order of UTF-8); `contains` / `!contains` are substring tests.
Lit answers "not met" for a comparator a result kind does not take; we refuse it when parsing.
"""

from __future__ import annotations

import enum
import operator
from collections.abc import Callable
from typing import Any

from eth_utils.address import to_checksum_address

from ._fields import parse_address, parse_uint
from .errors import ConditionError

ORDERING = ("=", "!=", ">", ">=", "<", "<=")
COMPARATORS = (*ORDERING, "contains", "!contains")

_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "=": operator.eq,
    "!=": operator.ne,
    ">": operator.gt,
    ">=": operator.ge,
    "<": operator.lt,
    "<=": operator.le,
    "contains": lambda actual, expected: expected in actual,
    "!contains": lambda actual, expected: expected not in actual,
}


class ResultKind(enum.Enum):
    UINT = "uint"
    ADDRESS = "address"
    BOOL = "bool"
    STRING = "string"

    @property
    def comparators(self) -> tuple[str, ...]:
        return COMPARATORS if self is ResultKind.STRING else ORDERING


USER_ADDRESS = ":userAddress"


def check_test(kind: ResultKind, comparator: str, value: str, path: str) -> None:
    """Refuse a comparator or value that `kind` cannot be compared with."""
    if comparator not in COMPARATORS:
        raise ConditionError(
            f"{path}.comparator", f"unknown comparator {comparator!r}; expected one of {list(COMPARATORS)}"
        )
    if comparator not in kind.comparators:
        raise ConditionError(
            f"{path}.comparator",
            f"comparator {comparator!r} does not apply to a {kind.value} result; use one of {list(kind.comparators)}",
        )
    expected_value(kind, value, None, f"{path}.value")


def expected_value(kind: ResultKind, value: str, user_address: bytes | None, path: str) -> Any:
    """The returnValueTest value as the Python value a result of `kind` is compared with.

    `user_address` None only validates `:userAddress` (at parse time, before a user is known).
    """
    if kind is ResultKind.UINT:
        return parse_uint(value, path)
    if kind is ResultKind.BOOL:
        if value.lower() not in ("true", "false"):
            raise ConditionError(path, f'expected "true" or "false" for a bool result, got {value!r}')
        return value.lower() == "true"
    if kind is ResultKind.ADDRESS:
        if value == USER_ADDRESS:
            return user_address
        return parse_address(value, path)
    return value


def compare(comparator: str, actual: Any, expected: Any) -> bool:
    return _OPS[comparator](actual, expected)


def show(kind: ResultKind, value: Any) -> str:
    """A result or expected value as a person reads it in a failure message."""
    if kind is ResultKind.ADDRESS and isinstance(value, bytes):
        return to_checksum_address(value)
    if kind is ResultKind.BOOL:
        return "true" if value else "false"
    if kind is ResultKind.STRING:
        return repr(value)
    return str(value)
