"""Putting a combined PKP signature into the Ethereum transaction an action built."""

from __future__ import annotations

from typing import Any

import rlp  # type: ignore[import-untyped]  # pyrlp ships no types

from ._errors_map import caller_argument
from .errors import InvalidArgument

__all__ = ["signed_legacy_transaction"]


def signed_legacy_transaction(unsigned_hex: str, signature: dict[str, Any]) -> str:
    """The raw signed transaction (0x hex) for an EIP-155 legacy transaction that ethers v5
    `serializeTransaction` left unsigned (its last three fields are chainId, 0, 0)."""
    if not isinstance(unsigned_hex, str):
        raise InvalidArgument(f"unsignedTransaction: expected a hex string, got {type(unsigned_hex).__name__}")
    try:
        fields = rlp.decode(bytes.fromhex(unsigned_hex.removeprefix("0x")))
    except (ValueError, rlp.DecodingError) as exc:
        raise InvalidArgument(f"unsignedTransaction is not an RLP list: {exc}") from exc
    if not isinstance(fields, list) or len(fields) != 9 or fields[7] or fields[8] or not isinstance(fields[6], bytes):
        raise InvalidArgument("unsignedTransaction must be an unsigned EIP-155 legacy transaction (9 fields, r = s = 0)")
    chain_id = int.from_bytes(fields[6], "big")
    with caller_argument("signature (a combined ECDSA signature: {r, s, recid})"):
        v = chain_id * 2 + 35 + int(signature["recid"])
        r, s = int(signature["r"], 16), int(signature["s"], 16)
    signed = fields[:6] + [v, r, s]
    encoded: bytes = rlp.encode(signed)
    return "0x" + encoded.hex()
