"""One ECDSA signature from the nodes' share payloads (what `Signer.sign` returns on each node).

Used by the client, which opens the payloads sealed for it, and by nodes, which exchange them for
Lit.Actions.signAndCombineEcdsa. Either way every share is checked before it is used.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .agreement import Certificate
from .ecdsa import SignatureShare, agreed_value, combine_signature_shares
from .errors import CryptoError, NotEnoughShares, VerificationFailed
from .hd import derive_key, eth_address
from .presignature import PresignaturePublic
from .secp256k1 import SECP256K1, Point

__all__ = ["combine_share_payloads"]


def combine_share_payloads(
    sig_name: str, payloads: Mapping[int, dict[str, Any]], root_commitments: list[list[Point]], t: int
) -> dict[str, Any]:
    """One signature from the nodes' payloads for `sig_name`; liars are named in `badNodes`.
    VerificationFailed, naming the fault, when no signature can be made.

    The public parts (presignature, key id, message, agreement certificate) are taken as the value
    t+1 nodes agree on, so up to t liars cannot choose them; every share is then checked against
    those public parts."""
    need = t + 1
    try:
        presig = PresignaturePublic.from_dict(agreed_value({i: p.get("presignature") for i, p in payloads.items()}, need))
        key_id = bytes.fromhex(agreed_value({i: p.get("keyId") for i, p in payloads.items()}, need).removeprefix("0x"))
        data = bytes.fromhex(agreed_value({i: p.get("dataSigned") for i, p in payloads.items()}, need).removeprefix("0x"))
        certificate = Certificate.from_dict(agreed_value({i: p.get("certificate") for i, p in payloads.items()}, need))
        certificate.check(presig)
    except (CryptoError, AttributeError, ValueError) as exc:
        raise VerificationFailed(f"signature {sig_name!r}: nodes do not agree on what was signed ({exc})") from None
    key = derive_key(key_id, root_commitments)
    delta = certificate.rerandomizer(SECP256K1.encode(key.public_key), data)
    shares, malformed = [], []
    for index, payload in payloads.items():
        try:
            share = SignatureShare.from_dict(payload.get("signatureShare"))
        except CryptoError:
            malformed.append(index)
            continue
        if share.index != index:  # a node may only send its own share
            malformed.append(index)
        else:
            shares.append(share)
    try:
        signature = combine_signature_shares(presig, key, data, shares, delta)
    except NotEnoughShares as exc:
        bad = sorted(set(exc.bad_parties) | set(malformed))
        raise VerificationFailed(
            f"signature {sig_name!r}: {exc.have} valid shares, need {exc.need}; bad shares from nodes {bad}", tuple(bad)
        ) from None
    public_key = SECP256K1.encode_uncompressed(key.public_key)
    return {
        **signature.to_dict(),
        "publicKey": "0x" + public_key.hex(),
        "address": eth_address(key.public_key),
        "dataSigned": "0x" + data.hex(),
        "badNodes": sorted(set(signature.bad_parties) | set(malformed)),
        "committee": list(presig.committee),
        "signingSet": list(certificate.signers),
        "presignatureId": presig.id,
    }
