"""WebCrypto's errors and argument readers, shared by the host's WebCrypto modules."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from sandbox.errors import HostError

__all__ = ["WebCryptoError", "MAX_DATA_BYTES", "b64url", "b64url_bytes", "bytes_arg", "hash_name", "name_of"]

# One call's input; far above what an action signs or hashes, far below what would stall the host.
MAX_DATA_BYTES = 16 * 1024 * 1024
HASHES = ("SHA-1", "SHA-256", "SHA-384", "SHA-512")


class WebCryptoError(HostError):
    """A WebCrypto failure; the action receives a DOMException (or TypeError) of this name."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.js_name = name


def name_of(algorithm: Any, supported: tuple[str, ...], operation: str) -> str:
    """The canonical spelling of an algorithm's name (WebCrypto matches names case-insensitively)."""
    raw = algorithm.get("name") if isinstance(algorithm, dict) else algorithm
    if not isinstance(raw, str):
        raise WebCryptoError("TypeError", f"{operation}: the algorithm must be a name or an object with a name")
    for name in supported:
        if name.lower() == raw.lower():
            return name
    raise WebCryptoError("NotSupportedError", f"{operation}: algorithm {raw!r} is not supported (supported: {', '.join(supported)})")


def hash_name(value: Any) -> str:
    if value is None:
        raise WebCryptoError("TypeError", "the algorithm needs a hash (SHA-1, SHA-256, SHA-384 or SHA-512)")
    return name_of(value, HASHES, "hash")


def bytes_arg(value: Any, what: str) -> bytes:
    """A BufferSource as the prelude sends it: base64."""
    if not isinstance(value, str):
        raise WebCryptoError("TypeError", f"{what} must be an ArrayBuffer, a typed array or a DataView")
    if len(value) > (MAX_DATA_BYTES + 2) // 3 * 4:
        raise WebCryptoError("OperationError", f"{what} is over {MAX_DATA_BYTES} bytes, the most one call may pass")
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise WebCryptoError("TypeError", f"{what} must be an ArrayBuffer, a typed array or a DataView") from None


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_bytes(value: Any, what: str) -> bytes:
    if not isinstance(value, str):
        raise WebCryptoError("DataError", f"the jwk member {what!r} is missing or not a string")
    try:
        return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError):
        raise WebCryptoError("DataError", f"the jwk member {what!r} is not base64url") from None
