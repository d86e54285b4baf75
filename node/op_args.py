"""Arguments of Lit.Actions calls, checked on the node: a bad one is a HostError naming it."""

from __future__ import annotations

from typing import Any

from sandbox import HostError

__all__ = ["text_arg", "token_arg", "bytes32_arg"]


def text_arg(args: dict[str, Any], name: str) -> str:
    value = args.get(name)
    if not isinstance(value, str) or not value:
        raise HostError(f"{name} must be a non-empty string")
    return value


def token_arg(args: dict[str, Any]) -> int:
    value = args.get("tokenId")
    try:
        return int(value, 0) if isinstance(value, str) else int(value)
    except (TypeError, ValueError):
        raise HostError("tokenId must be an integer or a decimal/hex string") from None


def bytes32_arg(value: Any, name: str) -> bytes:
    """Lit passes toSign as an array of bytes (a Uint8Array): exactly 32 of them."""
    if isinstance(value, dict):  # a Uint8Array serialised as {"0": .., "1": ..}
        value = [value[k] for k in sorted(value, key=int)]
    if not isinstance(value, list) or not all(isinstance(b, int) and 0 <= b < 256 for b in value):
        raise HostError(f"{name} must be a Uint8Array or an array of bytes")
    if len(value) != 32:
        raise HostError(f"{name} must be exactly 32 bytes, got {len(value)}")
    return bytes(value)
