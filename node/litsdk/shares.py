"""Signature shares in the forms Lit's JavaScript SDK (v7) combines.

ECDSA: the SDK adds the shares up (no interpolation) and takes `bigR` from the first one. Our
shares lie on a degree-2t polynomial, and the agreement certificate names the 2t+1 members whose
accepts certified the signature (the same certificate reaches every member). So each member of
that signing set S sends λ_i(S)·s_i, which sum to s, with the re-randomised R' = δ·R they all
compute from the certificate; a node outside S sends an empty share, which the SDK drops (as
Lit's nodes outside their deterministic subset do). Our own clients never see these: they keep
the proven, un-multiplied shares (node/execute.py). The additive share is worked out on the presignature's
curve (`additive_ecdsa_share`, which naga_shares.py also sends for P-256); the v7 forms are secp256k1's.

BLS: the SDK interpolates itself (blsful `combine_shares_group`), so a decryption share is the
node's own, as 97 bytes: the identifier byte (the node index) then the 96-byte compressed G2 point.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from runtime.crypto.agreement import Certificate
from runtime.crypto.bls import G2
from runtime.crypto.bls_threshold import SignatureShare as BlsShare
from runtime.crypto.ecdsa import SignatureShare, certificate_delta, rerandomized_r
from runtime.crypto.group import EcdsaGroup, Point, decode_point_hex
from runtime.crypto.presignature import PresignaturePublic, ecdsa_group
from runtime.crypto.share_payloads import is_frost_payload
from runtime.crypto.secp256k1 import SECP256K1
from runtime.crypto.shamir import lagrange_coefficient

__all__ = ["AdditiveShare", "additive_ecdsa_share", "sdk_combines", "sdk_ecdsa_share", "sdk_pkp_sign_share", "sdk_bls_share", "K256"]

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


@dataclass(frozen=True)
class AdditiveShare:
    """One node's ECDSA share as the SDKs add them up, on the presignature's curve."""

    group: EcdsaGroup[Any]
    index: int  # the node's party index
    to_sign: bytes  # the prehash
    public_key: Point
    big_r: Point  # R' = δ·R, the same for every node of the signing set
    s: int | None  # λ_i(S)·s_i, or None outside the certified signing set S


def additive_ecdsa_share(share: dict[str, Any]) -> AdditiveShare:
    """This node's share, as signer.Signer.sign returns it, premultiplied for adding up; any curve
    threshold ECDSA runs on (the presignature names it)."""
    presig = PresignaturePublic.from_dict(share["presignature"])
    group = ecdsa_group(presig.group.name)  # the same group, typed as one ECDSA runs on
    own = SignatureShare.from_dict(share["signatureShare"], group)
    certificate = Certificate.from_dict(share["certificate"])
    public_key = decode_point_hex(group, share["publicKey"], "publicKey")
    to_sign = bytes.fromhex(share["dataSigned"].removeprefix("0x"))
    big_r, _ = rerandomized_r(presig, certificate_delta(certificate, group, public_key, to_sign))
    signing_set = sorted(certificate.signers)
    additive = None
    if own.index in signing_set:
        additive = lagrange_coefficient(own.index, signing_set, group.order) * own.s % group.order
    return AdditiveShare(group, own.index, to_sign, public_key, big_r, additive)


def sdk_ecdsa_share(share: dict[str, Any]) -> dict[str, Any]:
    """This node's secp256k1 share, as signer.Signer.sign returns it, in the SDK's executeJs form
    (camelCase, hex without 0x); `signatureShare` is "" when this node is outside the certified
    signing set. ValueError for another curve, which the v7 SDK is not given (sdk_combines)."""
    ours = additive_ecdsa_share(share)
    if ours.group is not SECP256K1:
        raise ValueError(f"Lit's v7 SDK combines secp256k1 ECDSA shares only, not {ours.group.name}")
    return {
        "sigType": K256,
        "dataSigned": _hex(ours.to_sign),
        "signatureShare": "" if ours.s is None else f"{ours.s:064x}",
        "shareIndex": 0,  # Lit's Datil nodes send 0; the SDK only sorts by it
        "bigR": _hex(SECP256K1.encode(ours.big_r)),
        "publicKey": _hex(SECP256K1.encode_uncompressed(ours.public_key)),
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
