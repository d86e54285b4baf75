"""ABI types for contract-call conditions: validating types, turning parameter strings into
values, encoding the call and decoding its result with eth_abi.

Parameter strings follow lit-peer's use of ethabi's LenientTokenizer
(`access_control/evm_contract.rs`): addresses and bytes as hex with or without 0x, integers in
decimal (we also take 0x-hex), bools as true/false/1/0, strings as they are, and one-dimensional
arrays of those written `[a,b,c]`. Tuples are refused: the canonical form the hash covers keeps
only each parameter's `name` and `type`, so a tuple's components could not be known.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from eth_abi.abi import decode as abi_decode
from eth_abi.abi import encode as abi_encode
from eth_abi.exceptions import DecodingError, EncodingError, ParseError
from eth_abi.grammar import BasicType, TupleType, normalize, parse
from eth_utils.abi import function_signature_to_4byte_selector

from ._compare import ResultKind
from ._fields import parse_address, parse_hex_bytes, parse_uint
from .errors import ConditionError

__all__ = ["normalize_type", "result_kind", "convert_arg", "encode_call", "decode_result", "DecodingError"]


_BASES = ("address", "bool", "string", "bytes", "uint", "int")


def _parsed(type_str: str, path: str) -> BasicType:
    try:
        # normalize: "uint" means uint256, as in Solidity. eth_abi's grammar is untyped: parse() gives
        # one of these two.
        parsed: BasicType | TupleType = parse(normalize(type_str))  # type: ignore[no-untyped-call]
        parsed.validate()  # type: ignore[no-untyped-call]
    except (ParseError, ValueError) as exc:
        raise ConditionError(path, f"not a valid ABI type {type_str!r} ({exc})") from None
    if isinstance(parsed, TupleType) or parsed.base == "tuple":
        raise ConditionError(path, "tuple types are not supported (the canonical ABI keeps no components)")
    if parsed.base not in _BASES:
        raise ConditionError(path, f"ABI type {type_str!r} is not supported; base types are {list(_BASES)}")
    return parsed


def _is_scalar(t: BasicType) -> bool:
    return not t.is_array


def normalize_type(type_str: str, path: str, *, for_input: bool) -> str:
    """The canonical spelling of an ABI type ("uint" -> "uint256"); inputs must be convertible."""
    t = _parsed(type_str, path)
    if for_input:
        inner = t.item_type if t.is_array and len(t.arrlist or ()) == 1 else t
        if not _is_scalar(inner):
            raise ConditionError(
                path, f"input type {type_str!r} is not supported (scalars and 1-D arrays of scalars are)"
            )
    canonical: str = t.to_type_str()  # type: ignore[no-untyped-call]
    return canonical


def result_kind(type_str: str, path: str) -> ResultKind:
    """How a result of this (normalized) type is compared; Lit compares only these four."""
    t = _parsed(type_str, path)
    if not t.is_array:
        if t.base == "uint":
            return ResultKind.UINT
        if t.base == "address":
            return ResultKind.ADDRESS
        if t.base == "bool":
            return ResultKind.BOOL
        if t.base == "string":
            return ResultKind.STRING
    raise ConditionError(
        path, f"a {type_str} result cannot be compared (uint, address, bool and string can, as in Lit)"
    )


def _int(text: str, bits: int, path: str) -> int:
    negative = text.startswith("-")
    value = parse_uint(text[1:] if negative else text, path, bits=bits, allow_hex=not negative)
    value = -value if negative else value
    if not -(1 << (bits - 1)) <= value < (1 << (bits - 1)):
        raise ConditionError(path, f"{text!r} does not fit in int{bits}")
    return value


def _scalar(t: BasicType, text: str, path: str) -> Any:
    if t.base == "address":
        return parse_address(text, path)
    if t.base == "bool":
        if text.lower() in ("true", "1"):
            return True
        if text.lower() in ("false", "0"):
            return False
        raise ConditionError(path, f"expected true or false for a bool, got {text!r}")
    if t.base == "string":
        return text
    if t.base == "bytes":
        return parse_hex_bytes(text, path, length=t.sub if isinstance(t.sub, int) else None)
    bits = t.sub if isinstance(t.sub, int) else 256
    if t.base == "uint":
        return parse_uint(text, path, bits=bits, allow_hex=True)
    return _int(text, bits, path)


def convert_arg(type_str: str, text: str, path: str, substitute: Callable[[str], str] = str) -> Any:
    """The value eth_abi encodes for parameter string `text` of (normalized) type `type_str`.

    `substitute` replaces placeholders in the whole string, or in each item of an array.
    """
    t = _parsed(type_str, path)
    if not t.is_array:
        return _scalar(t, substitute(text), path)
    if not (text.startswith("[") and text.endswith("]")):
        raise ConditionError(path, f"expected an array written [a,b,...] for {type_str}, got {text!r}")
    parts = [p.strip() for p in text[1:-1].split(",")] if text[1:-1].strip() else []
    size = t.arrlist[-1] if t.arrlist else ()
    if size and len(parts) != size[0]:
        raise ConditionError(path, f"{type_str} takes exactly {size[0]} items, got {len(parts)}")
    return [_scalar(t.item_type, substitute(p), f"{path}[{i}]") for i, p in enumerate(parts)]


def encode_call(name: str, input_types: tuple[str, ...], values: list[Any], path: str) -> bytes:
    """The calldata of `name(input_types)(values)`."""
    try:
        args = abi_encode(list(input_types), values)
    except EncodingError as exc:
        raise ConditionError(path, f"cannot encode the parameters of {name}: {exc}") from None
    return function_signature_to_4byte_selector(f"{name}({','.join(input_types)})") + args


def decode_result(output_types: tuple[str, ...], data: bytes) -> tuple[Any, ...]:
    """The decoded outputs; raises eth_abi's DecodingError on short or malformed data."""
    try:
        return tuple(abi_decode(list(output_types), data))
    except UnicodeDecodeError as exc:  # a string output that is not UTF-8
        raise DecodingError(f"a string output is not UTF-8: {exc}") from None
