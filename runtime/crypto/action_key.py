"""A Lit Action's own key, and the signature output Lit's signAsAction returns, for the ECDSA schemes.

Lit derives an action's key like any PKP (runtime/crypto/hd.py) from the key id
keccak256("lit_action_" + CID), with the context of the scheme's curve: the K256 one for
EcdsaK256Sha256, the P256 one for EcdsaP256Sha256, each from that curve's root keys (lit-peer
`lit-sdk/src/signature.rs::get_lit_action_public_key`). No PKP is minted for it: only the action with
that CID may sign with it, and anyone can compute its public key. (FROST schemes: node/frost_ops.py.)

signAsAction's result is Lit's `SignedDataOutput` as JSON (`signature.rs`):
`{"signature", "verifying_key", "signed_data", "recovery_id"}`, where for ECDSA on either curve
`signature` is itself JSON, a quoted upper-case hex r‖s (the `ecdsa` crate's serde form) with s
normalised low, `verifying_key` the lower-case uncompressed SEC1 hex (the ECDSA schemes' preferred
format), `signed_data` the hex of the 32 signed bytes and `recovery_id` the trial recovery's id.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from coincurve import PublicKey
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed, encode_dss_signature

from .ecdsa import EcdsaSignature
from .errors import InvalidInput
from .hd import HD_K256, HdCurve, action_key_id, derive_public_key
from .presignature import ecdsa_group
from .schemes import ECDSA_CURVES

__all__ = [
    "action_public_key",
    "public_key_hex",
    "signed_data_output",
    "verify_signed_data_output",
]


def _ecdsa_curve(curve: HdCurve) -> HdCurve:
    if curve not in ECDSA_CURVES.values():  # an action has a key per ECDSA scheme
        raise InvalidInput("curve", f"an action's ECDSA key is on k256 or p256, not {curve.name}")
    return curve


def action_public_key(ipfs_cid: str, root_public_keys: Sequence[Any], curve: HdCurve = HD_K256) -> Any:
    """The public key on `curve` of the action with this CID, from that curve's root keys."""
    if not isinstance(ipfs_cid, str) or not ipfs_cid:
        raise InvalidInput("ipfs_cid", "empty")
    return derive_public_key(action_key_id(ipfs_cid), root_public_keys, _ecdsa_curve(curve))


def _uncompressed(public_key: Any, curve: HdCurve) -> bytes:
    return ecdsa_group(_ecdsa_curve(curve).group.name).encode_uncompressed(public_key)


def public_key_hex(public_key: Any, curve: HdCurve = HD_K256) -> str:
    """What getActionPublicKey returns for an ECDSA scheme: uncompressed SEC1, lower-case hex, no 0x."""
    return _uncompressed(public_key, curve).hex()


def signed_data_output(
    signature: EcdsaSignature, public_key: Any, to_sign: bytes, curve: HdCurve = HD_K256
) -> dict[str, Any]:
    rs = signature.r.to_bytes(32, "big") + signature.s.to_bytes(32, "big")
    return {
        "signature": json.dumps(rs.hex().upper()),
        "verifying_key": public_key_hex(public_key, curve),
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


def verify_signed_data_output(
    sign_output: Any, expected_public_key: Any, to_sign: bytes, curve: HdCurve = HD_K256
) -> bool:
    """Whether `sign_output` is a valid ECDSA signature on `curve` over `to_sign` by `expected_public_key`.

    Lit checks the output's key against the action's and the signature against the output's own
    signed_data; it also must be over `to_sign` here, or any output of the action would "verify"
    whatever message the caller names. InvalidInput if it is not a SignedDataOutput at all."""
    r, s, signed, key = _parse_output(sign_output)
    if key != _uncompressed(expected_public_key, curve) or signed != bytes(to_sign) or len(signed) != 32:
        return False
    order = curve.group.order
    if not 0 < r < order or not 0 < s < order:
        return False
    der = encode_dss_signature(r, s)
    if curve is HD_K256:
        if s > order // 2:
            return False  # high s is refused, as the k256 verifier Lit uses refuses it
        try:
            return PublicKey(key).verify(der, signed, hasher=None)
        except ValueError:
            return False
    # P-256: the p256 crate's verifier Lit uses takes either s, as OpenSSL does.
    try:
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), key).verify(der, signed, ec.ECDSA(Prehashed(hashes.SHA256())))
    except (InvalidSignature, ValueError):
        return False
    return True
