"""Lit.Actions calls for the FROST schemes (SchnorrEd25519Sha512, SchnorrK256Sha256,
SchnorrK256Taproot), called from node/signing_ops.py when the signingScheme names one of them.

The action's own key is derived as Lit does (keccak256("lit_action_" + CID) as key id) from the
root keys of the scheme's curve, so it needs no PKP registry.

Keys and signatures are written as Lit writes them for FROST (lit-sdk `signature.rs`
`get_derived_public_key` and `combine_and_verify_signature_shares`): serde_json of lit-frost's
`VerifyingKey` / `Signature`, whose human-readable form is the pair [lit-frost scheme name, hex]
(lit-frost `macros.rs` serde_impl), e.g. ["Ed25519Sha512","<32-byte key hex>"]. Key bytes are the
suite's encoding (32 bytes for Ed25519, 33-byte compressed SEC1 for secp256k1), signatures R ‖ z
with R as each ciphersuite serializes it: 64 bytes for Ed25519, 65 for both secp256k1 schemes (R
compressed; for Taproot 0x02 ‖ the 64-byte BIP-340 signature, as the frost-taproot suite Lit's
lit-frost uses serializes it). getActionPublicKey returns that
key string; signAsAction returns Lit's `SignedDataOutput` with `recovery_id` null.

One difference from Lit: lit-frost's K256Taproot signs SHA-256(toSign) (lib.rs `signing_round2`);
litrt signs toSign itself, so that a BIP-341 sighash is what BIP-340 verifiers check.
"""

from __future__ import annotations

import json
from typing import Any

from runtime.crypto.errors import CryptoError
from runtime.crypto.hd import action_key_id, derive_public_key
from runtime.crypto.schemes import Scheme, scheme as scheme_named
from sandbox import HostError

from .agreement import SignatureSlot
from .context import NodeContext
from .errors import BadRequest
from .frost_service import frost_for
from .request import RequestContext

__all__ = [
    "LIT_FROST_NAMES",
    "lit_frost_value",
    "frost_scheme",
    "frost_payload",
    "frost_sign",
    "action_public_key_text",
    "signed_data_output",
    "sign_and_combine_text",
    "verify_signed_data_output",
]


# lit-frost's Scheme names (its Display/FromStr), by Lit's signingScheme.
LIT_FROST_NAMES = {
    "SchnorrEd25519Sha512": "Ed25519Sha512",
    "SchnorrK256Sha256": "K256Sha256",
    "SchnorrK256Taproot": "K256Taproot",
}


def lit_frost_value(chosen: Scheme, value: bytes) -> str:
    """lit-frost's serde_json form of a key or signature: ["<scheme>","<hex>"]."""
    return json.dumps([LIT_FROST_NAMES[chosen.name], value.hex()], separators=(",", ":"))


def _lit_frost_bytes(chosen: Scheme, text: Any, field: str) -> bytes:
    try:
        name, value = json.loads(text)
        raw = bytes.fromhex(value)
    except (TypeError, ValueError) as exc:
        raise HostError(f"signOutput: {field} is not a lit-frost [scheme, hex] pair ({exc})") from None
    if name != LIT_FROST_NAMES[chosen.name]:
        raise HostError(f"signOutput: {field} is for scheme {name!r}, not {LIT_FROST_NAMES[chosen.name]}")
    return raw


def frost_scheme(name: str) -> Scheme | None:
    """The FROST scheme `name` names, or None for an ECDSA (or other) scheme."""
    try:
        chosen = scheme_named(name)
    except CryptoError:
        return None
    return chosen if chosen.frost is not None else None


async def frost_payload(node: NodeContext, slot: SignatureSlot, chosen: Scheme, key_id: bytes, to_sign: bytes) -> dict[str, Any]:
    """This node's part of one FROST signature with the key `key_id` (a PKP's, or an action's own):
    the payload the client combines. For any request, in an action or not (e.g. /web/pkp/sign)."""
    frost = frost_for(node)
    try:
        key = frost.key(chosen, key_id)
    except CryptoError as exc:
        raise BadRequest(f"{chosen.name}: {exc}") from None
    return await frost.signing.sign(slot, chosen, key, to_sign)


async def frost_sign(
    node: NodeContext, request: RequestContext, sig_name: str, chosen: Scheme, key_id: bytes, to_sign: bytes
) -> dict[str, Any]:
    """Run the FROST signing for `sig_name` in an action and record its payload for the client."""
    slot = request.slot(sig_name)
    request.signed[sig_name] = {}  # taken while the nodes sign: a second sign with it is refused
    try:
        payload = await frost_payload(node, slot, chosen, key_id, to_sign)
    except BaseException:
        del request.signed[sig_name]
        raise
    request.signed[sig_name] = {**payload, "sigName": sig_name}
    return payload


def action_public_key(node: NodeContext, chosen: Scheme, cid: str) -> Any:
    try:
        roots = [row[0] for row in node.require_keys().root_commitments_for(chosen.hd)]
        return derive_public_key(action_key_id(cid), roots, chosen.hd)
    except CryptoError as exc:
        raise HostError(f"actionIpfsCid: {exc}") from None


def action_public_key_text(node: NodeContext, chosen: Scheme, cid: str) -> str:
    """What Lit's getActionPublicKey returns for a FROST scheme."""
    suite = chosen.frost
    assert suite is not None
    return lit_frost_value(chosen, suite.encode_point(action_public_key(node, chosen, cid)))


def _taproot_value(chosen: Scheme, signature: bytes) -> bytes:
    """Lit's FROST(secp256k1, Taproot) serializes R compressed (65 bytes); R's y is even, so 0x02."""
    return b"\x02" + signature if chosen.name == "SchnorrK256Taproot" else signature


def signed_data_output(chosen: Scheme, payload: dict[str, Any]) -> dict[str, Any]:
    signature = _taproot_value(chosen, bytes.fromhex(payload["signature"].removeprefix("0x")))
    return {
        "signature": lit_frost_value(chosen, signature),
        "verifying_key": lit_frost_value(chosen, bytes.fromhex(payload["publicKey"].removeprefix("0x"))),
        "signed_data": payload["dataSigned"].removeprefix("0x"),
        "recovery_id": None,
    }


def sign_and_combine_text(chosen: Scheme, payload: dict[str, Any]) -> str:
    """What Lit's signAndCombine gives an action for a FROST scheme (lit-node `action_client.rs`,
    SignAndCombine): lit-frost's signature value cut at half its length, as compact JSON
    {"r": first half, "s": the rest}. The value is R ‖ z as the ciphersuite serializes it, so for
    the 65-byte secp256k1 values the cut falls inside R (r 32 bytes, s 33); r ‖ s is the value."""
    value = _taproot_value(chosen, bytes.fromhex(payload["signature"].removeprefix("0x")))
    mid = len(value) // 2
    return json.dumps({"r": value[:mid].hex(), "s": value[mid:].hex()}, separators=(",", ":"))


def verify_signed_data_output(node: NodeContext, chosen: Scheme, cid: str, to_sign: bytes, sign_output: Any) -> bool:
    """Whether `sign_output` is this action's signature over `to_sign` under the scheme."""
    suite = chosen.frost
    assert suite is not None
    key = action_public_key(node, chosen, cid)
    try:
        output = json.loads(sign_output) if isinstance(sign_output, str) else sign_output
        raw_signature, raw_key, signed_hex = output["signature"], output["verifying_key"], output["signed_data"]
        signed = bytes.fromhex(signed_hex)
    except (TypeError, ValueError, KeyError, AttributeError) as exc:
        raise HostError(f"signOutput: not a signAsAction output ({type(exc).__name__}: {exc})") from None
    signature = _lit_frost_bytes(chosen, raw_signature, "signature")
    if chosen.name == "SchnorrK256Taproot":
        if signature[:1] != b"\x02":
            return False
        signature = signature[1:]
    verifying_key = _lit_frost_bytes(chosen, raw_key, "verifying_key")
    if verifying_key != suite.encode_point(key) or signed != bytes(to_sign):
        return False
    even = key if suite.key_parity(key) == 1 else suite.group.neg(key)
    return bool(suite.verify(even, signed, signature))
