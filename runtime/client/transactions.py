"""Putting a combined PKP signature into the Ethereum transaction an action built."""

from __future__ import annotations

from typing import Any

import rlp

from .errors import LitError

__all__ = ["signed_legacy_transaction"]


def signed_legacy_transaction(unsigned_hex: str, signature: dict[str, Any]) -> str:
    """The raw signed transaction (0x hex) for an EIP-155 legacy transaction that ethers v5
    `serializeTransaction` left unsigned (its last three fields are chainId, 0, 0)."""
    try:
        fields = rlp.decode(bytes.fromhex(unsigned_hex.removeprefix("0x")))
    except (ValueError, rlp.DecodingError) as exc:
        raise LitError(f"unsignedTransaction is not an RLP list: {exc}") from None
    if not isinstance(fields, list) or len(fields) != 9 or fields[7] or fields[8]:
        raise LitError("unsignedTransaction must be an unsigned EIP-155 legacy transaction (9 fields, r = s = 0)")
    chain_id = int.from_bytes(fields[6], "big")
    v = chain_id * 2 + 35 + int(signature["recid"])
    r, s = int(signature["r"], 16), int(signature["s"], 16)
    signed = fields[:6] + [v, r, s]
    return "0x" + rlp.encode(signed).hex()
