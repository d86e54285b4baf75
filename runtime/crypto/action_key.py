"""A Lit Action's own key, and the signature output Lit's signAsAction returns.

Lit derives an action's key like any PKP (runtime/crypto/hd.py) from the key id
keccak256("lit_action_" + CID), with the K256 context for the K256 schemes
(lit-peer `lit-sdk/src/signature.rs::get_lit_action_public_key`). No PKP is minted for it: only
the action with that CID may sign with it, and anyone can compute its public key.

signAsAction's result is Lit's `SignedDataOutput` as JSON (`signature.rs`):
`{"signature", "verifying_key", "signed_data", "recovery_id"}`, where for ECDSA `signature` is
itself JSON, a quoted upper-case hex r‖s (the `ecdsa` crate's serde form), `verifying_key` the
lower-case uncompressed SEC1 hex and `signed_data` the hex of the 32 signed bytes.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from coincurve import PublicKey
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from .ecdsa import EcdsaSignature
from .errors import InvalidInput
from .hd import action_key_id, derive_public_key
from .secp256k1 import ORDER, SECP256K1, Point

__all__ = [
    "action_public_key",
    "public_key_hex",
    "signed_data_output",
    "verify_signed_data_output",
]

_HALF_ORDER = ORDER // 2


def action_public_key(ipfs_cid: str, root_public_keys: Sequence[Point]) -> Point:
    """The K256 public key of the action with this CID."""
    if not isinstance(ipfs_cid, str) or not ipfs_cid:
        raise InvalidInput("ipfs_cid", "empty")
    return derive_public_key(action_key_id(ipfs_cid), root_public_keys)


def public_key_hex(public_key: Point) -> str:
    """What getActionPublicKey returns for an ECDSA scheme: uncompressed SEC1, lower-case hex, no 0x."""
    return SECP256K1.encode_uncompressed(public_key).hex()


def signed_data_output(signature: EcdsaSignature, public_key: Point, to_sign: bytes) -> dict[str, Any]:
    rs = signature.r.to_bytes(32, "big") + signature.s.to_bytes(32, "big")
    return {
        "signature": json.dumps(rs.hex().upper()),
        "verifying_key": public_key_hex(public_key),
        "signed_data": bytes(to_sign).hex(),
        "recovery_id": signature.recid,
    }


def _parse_output(sign_output: Any) -> tuple[int, int, bytes, bytes]:
    """(r, s, signed bytes, verifying key bytes) of a SignedDataOutput JSON string."""
    try:
        output = json.loads(sign_output) if isinstance(sign_output, str) else sign_output
        rs = bytes.fromhex(json.loads(output["signature"]))
        signed = bytes.fromhex(output["signed_data"])
        key = bytes.fromhex(output["verifying_key"])
    except (TypeError, ValueError, KeyError, AttributeError) as exc:
        raise InvalidInput("signOutput", f"not a signAsAction output ({type(exc).__name__}: {exc})") from None
    if len(rs) != 64:
        raise InvalidInput("signOutput", f"signature must be 64 bytes r||s, got {len(rs)}")
    return int.from_bytes(rs[:32], "big"), int.from_bytes(rs[32:], "big"), signed, key


def verify_signed_data_output(sign_output: Any, expected_public_key: Point, to_sign: bytes) -> bool:
    """Whether `sign_output` is a valid ECDSA signature over `to_sign` by `expected_public_key`.

    Lit checks the output's key against the action's and the signature against the output's own
    signed_data; it also must be over `to_sign` here, or any output of the action would "verify"
    whatever message the caller names. InvalidInput if it is not a SignedDataOutput at all."""
    r, s, signed, key = _parse_output(sign_output)
    if key != SECP256K1.encode_uncompressed(expected_public_key) or signed != bytes(to_sign):
        return False
    if not (0 < r < ORDER and 0 < s <= _HALF_ORDER) or len(signed) != 32:
        return False  # high s is refused, as the k256 verifier Lit uses refuses it
    try:
        return PublicKey(key).verify(encode_dss_signature(r, s), signed, hasher=None)
    except ValueError:
        return False
