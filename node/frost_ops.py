"""Lit.Actions calls for the FROST schemes (SchnorrEd25519Sha512, SchnorrK256Sha256,
SchnorrK256Taproot), called from node/signing_ops.py when the signingScheme names one of them.

The action's own key is derived as Lit does (keccak256("lit_action_" + CID) as key id) from the
root keys of the scheme's curve, so it needs no PKP registry. Public keys are the suite's encoding:
32 bytes for Ed25519 (RFC 8032), 33-byte compressed SEC1 for secp256k1 (the BIP-340 key is its x).

signAsAction's answer is shaped like Lit's `SignedDataOutput` (lit-sdk `signature.rs`) with
`recovery_id` null, as Lit's is for FROST; `signature` is the JSON string of the signature's hex
and `verifying_key` the key's hex. Lit serialises lit-frost's own serde types in those two fields;
that form is not reproduced here.
"""

from __future__ import annotations

import json
from typing import Any

from runtime.crypto.errors import CryptoError
from runtime.crypto.hd import action_key_id, derive_public_key
from runtime.crypto.schemes import Scheme, scheme as scheme_named
from sandbox import HostError

from .context import NodeContext
from .frost_service import frost_for
from .request import RequestContext

__all__ = ["frost_scheme", "frost_sign", "action_public_key_hex", "signed_data_output", "verify_signed_data_output"]


def frost_scheme(name: str) -> Scheme | None:
    """The FROST scheme `name` names, or None for an ECDSA (or other) scheme."""
    try:
        chosen = scheme_named(name)
    except CryptoError:
        return None
    return chosen if chosen.frost is not None else None


async def frost_sign(
    node: NodeContext, request: RequestContext, sig_name: str, chosen: Scheme, key_id: bytes, to_sign: bytes
) -> dict[str, Any]:
    """Run the FROST signing for `sig_name` and record its payload for the client."""
    frost = frost_for(node)
    try:
        key = frost.key(chosen, key_id)
    except CryptoError as exc:
        raise HostError(f"{chosen.name}: {exc}") from None
    slot = request.slot(sig_name)
    request.signed[sig_name] = {}  # taken while the nodes sign: a second sign with it is refused
    try:
        payload = await frost.signing.sign(slot, chosen, key, to_sign)
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


def action_public_key_hex(node: NodeContext, chosen: Scheme, cid: str) -> str:
    suite = chosen.frost
    assert suite is not None
    return suite.encode_point(action_public_key(node, chosen, cid)).hex()


def signed_data_output(payload: dict[str, Any]) -> dict[str, Any]:
    return {
        "signature": json.dumps(payload["signature"].removeprefix("0x")),
        "verifying_key": payload["publicKey"].removeprefix("0x"),
        "signed_data": payload["dataSigned"].removeprefix("0x"),
        "recovery_id": None,
    }


def verify_signed_data_output(node: NodeContext, chosen: Scheme, cid: str, to_sign: bytes, sign_output: Any) -> bool:
    """Whether `sign_output` is this action's signature over `to_sign` under the scheme."""
    suite = chosen.frost
    assert suite is not None
    key = action_public_key(node, chosen, cid)
    try:
        output = json.loads(sign_output) if isinstance(sign_output, str) else sign_output
        signature, verifying_key, signed = (
            bytes.fromhex(text) for text in (json.loads(output["signature"]), output["verifying_key"], output["signed_data"])
        )
    except (TypeError, ValueError, KeyError, AttributeError) as exc:
        raise HostError(f"signOutput: not a signAsAction output ({type(exc).__name__}: {exc})") from None
    if verifying_key != suite.encode_point(key) or signed != bytes(to_sign):
        return False
    even = key if suite.key_parity(key) == 1 else suite.group.neg(key)
    return bool(suite.verify(even, signed, signature))
