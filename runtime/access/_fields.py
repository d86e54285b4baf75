"""Reading JSON fields and scalar values with the path of each, so every error names its place."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from .errors import ConditionError

UINT256_MAX = 2**256 - 1


def json_type(value: Any) -> str:
    """The JSON name of a decoded value's type, for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def expect_object(value: Any, path: str, required: Collection[str], optional: Collection[str] = ()) -> dict[str, Any]:
    """`value` as an object with every `required` key and no key outside `required`/`optional`."""
    if not isinstance(value, dict):
        raise ConditionError(path, f"expected an object, got {json_type(value)}")
    missing = [k for k in required if k not in value]
    if missing:
        raise ConditionError(f"{path}.{missing[0]}", "missing field")
    # Unknown keys are refused (as the js-sdk's strict schemas do): a misspelt optional field
    # would otherwise be dropped from the canonical form without anyone noticing.
    extra = sorted(k for k in value if k not in required and k not in optional)
    if extra:
        raise ConditionError(f"{path}.{extra[0]}", f"unknown field (expected {sorted([*required, *optional])})")
    return value


def expect_str(obj: dict[str, Any], key: str, path: str) -> str:
    value = obj[key]
    if not isinstance(value, str):
        raise ConditionError(f"{path}.{key}", f"expected a string, got {json_type(value)}")
    return value


def expect_str_list(obj: dict[str, Any], key: str, path: str) -> tuple[str, ...]:
    value = obj[key]
    if not isinstance(value, list):
        raise ConditionError(f"{path}.{key}", f"expected an array of strings, got {json_type(value)}")
    for i, item in enumerate(value):
        if not isinstance(item, str):
            raise ConditionError(f"{path}.{key}[{i}]", f"expected a string, got {json_type(item)}")
    return tuple(value)


def expect_one_of(value: str, allowed: Collection[str], path: str, what: str) -> str:
    if value not in allowed:
        raise ConditionError(path, f"unknown {what} {value!r}; expected one of {sorted(allowed)}")
    return value


def parse_uint(text: str, path: str, *, bits: int = 256, allow_hex: bool = False) -> int:
    """A decimal (or, when allowed, 0x-hex) unsigned integer of at most `bits` bits."""
    digits, base = (text[2:], 16) if allow_hex and text[:2] in ("0x", "0X") else (text, 10)
    valid = "0123456789abcdefABCDEF" if base == 16 else "0123456789"
    if not digits or any(c not in valid for c in digits):
        form = "a decimal or 0x-hex" if allow_hex else "a decimal"
        raise ConditionError(path, f"expected {form} unsigned integer, got {text!r}")
    value = int(digits, base)
    if value >= 1 << bits:
        raise ConditionError(path, f"{text!r} does not fit in uint{bits}")
    return value


def parse_hex_bytes(text: str, path: str, *, length: int | None = None) -> bytes:
    """Hex with or without 0x (Lit strips it); exactly `length` bytes when given."""
    digits = text[2:] if text[:2] in ("0x", "0X") else text
    try:
        raw = bytes.fromhex(digits)
    except ValueError:
        raise ConditionError(path, f"expected hex data, got {text!r}") from None
    if len(digits) != 2 * len(raw):  # fromhex skips spaces; hex data has none
        raise ConditionError(path, f"expected hex data, got {text!r}")
    if length is not None and len(raw) != length:
        raise ConditionError(path, f"expected {length} bytes of hex, got {len(raw)} in {text!r}")
    return raw


def parse_address(text: str, path: str) -> bytes:
    """An Ethereum address as its 20 bytes; case (and so an EIP-55 checksum) is not checked, as in Lit."""
    try:
        return parse_hex_bytes(text, path, length=20)
    except ConditionError:
        raise ConditionError(path, f"expected an address (20 bytes of hex), got {text!r}") from None
