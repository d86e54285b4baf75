"""Lit.Actions.claimKey results, collected from the nodes' claimData as Lit's JS SDK does.

Each node answers `claimData: {keyId: {signature, derivedKeyId}}`: its wallet's EIP-191 signature
(hex r‖s‖v) over derivedKeyId = keccak256(actionCid + "_" + keyId) (lit-node
`functions/action_client.rs`, ClaimKeyIdentifier). The SDK gathers them per keyId into
`{signatures: [{r, s, v}], derivedKeyId}` (js-sdk v7 `helpers/get-claims.ts`). Here a node's entry
is used only if its derivedKeyId is the one the action's CID gives and its signature is well formed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from runtime.crypto.errors import CryptoError
from runtime.crypto.eth import keccak256 as keccak, recover_personal

__all__ = ["claim_key_id", "collect_claims"]


def claim_key_id(action_cid: str, key_id: str) -> bytes:
    """The key id a claim made by action `action_cid` for `key_id` stands for."""
    return keccak(f"{action_cid}_{key_id}".encode())


def _split(signature: Any) -> dict[str, Any] | None:
    """{r, s, v} of a 65-byte hex signature (v as 27/28), or None if it is not one."""
    try:
        raw = bytes.fromhex(str(signature).replace('"', "").removeprefix("0x"))
    except ValueError:
        return None
    if len(raw) != 65:
        return None
    v = raw[64] if raw[64] >= 27 else raw[64] + 27
    return {"r": "0x" + raw[:32].hex(), "s": "0x" + raw[32:64].hex(), "v": v}


def _signer(derived: bytes, signature: dict[str, Any]) -> str | None:
    try:
        raw = bytes.fromhex(signature["r"][2:] + signature["s"][2:]) + bytes([signature["v"]])
        return recover_personal(derived, raw)
    except (CryptoError, ValueError, KeyError, TypeError, IndexError):  # a node's malformed claim is its own failure
        return None


def collect_claims(
    answers: Mapping[int, Any], action_cid: str, errors: dict[int, str], claim_addresses: Mapping[int, str] | None = None
) -> dict[str, dict[str, Any]]:
    """keyId -> {signatures (node order), derivedKeyId, signers (recovered addresses)}; nodes whose
    entry is wrong are named in `errors`. `claim_addresses` (node -> the claim wallet it publishes in
    /status): a node's claim counts only if signed by its own wallet, so no node speaks for another."""
    claims: dict[str, dict[str, Any]] = {}
    for index in sorted(answers):
        answer = answers[index]
        data = answer.get("claimData") if isinstance(answer, dict) else None
        if not isinstance(data, dict):
            continue
        for key_id, entry in data.items():
            derived = claim_key_id(action_cid, key_id)
            sig = _split(entry.get("signature")) if isinstance(entry, dict) else None
            given = str(entry.get("derivedKeyId", "")).replace('"', "").removeprefix("0x") if isinstance(entry, dict) else ""
            signer = _signer(derived, sig) if sig is not None and given == derived.hex() else None
            if signer is None:
                errors.setdefault(index, f"sent a malformed claim for keyId {key_id!r}")
                continue
            expected = (claim_addresses or {}).get(index)
            if expected is not None and signer.lower() != expected.lower():
                errors.setdefault(index, f"signed its claim for keyId {key_id!r} as {signer}, not its claim wallet {expected}")
                continue
            claim = claims.setdefault(key_id, {"signatures": [], "derivedKeyId": derived.hex(), "signers": []})
            claim["signatures"].append(sig)
            claim["signers"].append(signer)
    return claims
