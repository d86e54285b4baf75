"""Network-signed JWTs: the compact form Lit's nodes produce and `verify_jwt` checks.

A token is `b64url(header).b64url(payload).b64url(signature)`, where the signature is the network's
BLS12-381 signature (96-byte G2, the POP ciphersuite) on the ASCII bytes of `header.payload`. Every
node must produce the same unsigned part byte for byte, so the JSON is written one way only: compact,
keys in the order built here.
"""

from __future__ import annotations

import base64
import binascii
import json
import time
from typing import Any

from runtime.crypto import bls
from runtime.crypto.errors import CryptoError

__all__ = ["JWT_HEADER", "JwtError", "jwt_payload", "unsigned_jwt", "verify_jwt", "b64url", "b64url_decode"]

JWT_HEADER = {"alg": "BLS12-381", "typ": "JWT"}
CONDITION_FIELDS = (
    "accessControlConditions",
    "evmContractConditions",
    "solRpcConditions",
    "unifiedAccessControlConditions",
)


class JwtError(ValueError):
    """A token that is malformed, badly signed, expired or not yet valid; says which."""


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(text: str, field: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise JwtError(f"{field} is not base64url") from None


def _compact(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


def jwt_payload(address: str, chain: str, iat: int, exp: int, kind: str, conditions: Any) -> dict[str, Any]:
    """Lit's payload: issuer, the caller's address as subject, validity, and the conditions met
    (under their request field; the other condition fields are null)."""
    payload: dict[str, Any] = {"iss": "LIT", "sub": address, "chain": chain, "iat": iat, "exp": exp}
    for name in CONDITION_FIELDS:
        payload[name] = conditions if name == kind else None
    return payload


def unsigned_jwt(payload: dict[str, Any]) -> str:
    return b64url(_compact(JWT_HEADER)) + "." + b64url(_compact(payload))


def verify_jwt(token: str, network_public_key: bytes | str, now: float | None = None) -> dict[str, Any]:
    """The payload of `token` if the network signed it and it is valid at `now`; else JwtError."""
    now = time.time() if now is None else now
    parts = token.split(".") if isinstance(token, str) else []
    if len(parts) != 3:
        raise JwtError("a JWT has three dot-separated parts")
    try:
        header = json.loads(b64url_decode(parts[0], "header"))
        payload = json.loads(b64url_decode(parts[1], "payload"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise JwtError("header and payload must be base64url JSON") from None
    if header != JWT_HEADER:
        raise JwtError(f"header must be {JWT_HEADER}, got {header}")
    key = bytes.fromhex(network_public_key.removeprefix("0x")) if isinstance(network_public_key, str) else network_public_key
    signature = b64url_decode(parts[2], "signature")
    try:
        valid = bls.verify(key, f"{parts[0]}.{parts[1]}".encode(), signature)
    except CryptoError as exc:
        raise JwtError(f"signature: {exc}") from None
    if not valid:
        raise JwtError("signature does not verify with the network's BLS public key")
    if not isinstance(payload, dict) or not isinstance(payload.get("exp"), int) or not isinstance(payload.get("iat"), int):
        raise JwtError("payload must be an object with integer iat and exp")
    if payload["exp"] <= now:
        raise JwtError(f"expired at {payload['exp']} (now {int(now)})")
    if payload["iat"] > now + 300:
        raise JwtError(f"issued in the future ({payload['iat']}, now {int(now)})")
    return payload
