"""Signature shares in the forms Lit's JavaScript SDK (v7) combines.

ECDSA: the SDK adds the shares up (no interpolation) and takes `bigR` from the first one. Our
shares lie on a degree-2t polynomial, and the agreement certificate names the 2t+1 members whose
accepts certified the signature (the same certificate reaches every member). So each member of
that signing set S sends λ_i(S)·s_i, which sum to s, with the re-randomised R' = δ·R they all
compute from the certificate; a node outside S sends an empty share, which the SDK drops (as
Lit's nodes outside their deterministic subset do). Our own clients never see these: they keep
the proven, un-multiplied shares (node/execute.py).

BLS: the SDK interpolates itself (blsful `combine_shares_group`), so a decryption share is the
node's own, as 97 bytes: the identifier byte (the node index) then the 96-byte compressed G2 point.
"""

from __future__ import annotations

from typing import Any

from runtime.crypto.agreement import Certificate
from runtime.crypto.bls import G2
from runtime.crypto.bls_threshold import SignatureShare as BlsShare
from runtime.crypto.ecdsa import SignatureShare, rerandomized_r
from runtime.crypto.presignature import PresignaturePublic
from runtime.crypto.share_payloads import is_frost_payload
from runtime.crypto.secp256k1 import ORDER, SECP256K1
from runtime.crypto.shamir import lagrange_coefficient

__all__ = ["sdk_combines", "sdk_ecdsa_share", "sdk_pkp_sign_share", "sdk_bls_share", "K256"]

K256 = "K256"  # LIT_CURVE.EcdsaK256, what Lit's Datil nodes put in sigType


def _hex(data: bytes) -> str:
    return data.hex()


def sdk_combines(share: Any) -> bool:
    """Whether this signature payload goes to Lit's v7 SDK: ECDSA on secp256k1 only. It combines no
    FROST, and its P-256 path (sigType EcdsaCaitSithP256) is untried, so those payloads (a P-256
    presignature names its curve) are left out rather than sent in a shape it might misread."""
    if not isinstance(share, dict) or is_frost_payload(share):
        return False
    presignature = share.get("presignature")
    return isinstance(presignature, dict) and presignature.get("curve", SECP256K1.name) == SECP256K1.name


def sdk_ecdsa_share(share: dict[str, Any]) -> dict[str, Any]:
    """This node's share, as signer.Signer.sign returns it, in the SDK's executeJs form (camelCase,
    hex without 0x); `signatureShare` is "" when this node is outside the certified signing set."""
    own = SignatureShare.from_dict(share["signatureShare"])
    presig = PresignaturePublic.from_dict(share["presignature"])
    certificate = Certificate.from_dict(share["certificate"])
    public_key = SECP256K1.decode_hex(share["publicKey"], "publicKey")
    to_sign = bytes.fromhex(share["dataSigned"].removeprefix("0x"))
    delta = certificate.rerandomizer(SECP256K1.encode(public_key), to_sign)
    big_r, _ = rerandomized_r(presig, delta)
    signing_set = sorted(certificate.signers)
    additive = ""
    if own.index in signing_set:
        additive = f"{lagrange_coefficient(own.index, signing_set, ORDER) * own.s % ORDER:064x}"
    return {
        "sigType": K256,
        "dataSigned": _hex(to_sign),
        "signatureShare": additive,
        "shareIndex": 0,  # Lit's Datil nodes send 0; the SDK only sorts by it
        "bigR": _hex(SECP256K1.encode(big_r)),
        "publicKey": _hex(SECP256K1.encode_uncompressed(public_key)),
    }


def sdk_pkp_sign_share(share: dict[str, Any]) -> dict[str, Any]:
    """The same share in /web/pkp/sign/v1's snake_case form (the SDK camel-cases it itself)."""
    ours = sdk_ecdsa_share(share)
    return {
        "digest": ours["dataSigned"],
        "result": "success" if ours["signatureShare"] else "fail",
        "share_index": ours["shareIndex"],
        "signature_share": ours["signatureShare"],
        "big_r": ours["bigR"],
        "public_key": ours["publicKey"],
        "sig_type": ours["sigType"],
    }


def sdk_bls_share(share: BlsShare) -> str:
    """blsful's SignatureShare<Bls12381G2> hex for the POP scheme: identifier byte ‖ G2 point."""
    if not 0 < share.index < 256:
        raise ValueError(f"share index {share.index} does not fit blsful's one-byte identifier")
    return _hex(bytes([share.index]) + G2.encode(share.value))
