"""One signature from the nodes' share payloads: ECDSA (what `Signer.sign` returns on each node)
and FROST (what node/frost_signing.py returns: the coordinator's signing package and the shares).

Used by the client, which opens the payloads sealed for it, and by nodes, which exchange them for
Lit.Actions.signAndCombine and signAsAction. Either way every share is checked before it is used.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .agreement import Certificate
from .ecdsa import SignatureShare, agreed_value, certificate_delta, combine_signature_shares
from .errors import CryptoError, InvalidInput, NotEnoughShares, VerificationFailed
from .frost import Commitment, SigningPackage, signing_package, verify_share
from .hd import HD_CURVES, HD_K256, DerivedKey, derive_key, eth_address
from .presignature import PresignaturePublic, ecdsa_group
from .schemes import Scheme, scheme as scheme_named
from .secp256k1 import Point

__all__ = [
    "combine_share_payloads",
    "FrostPackage",
    "frost_signature",
    "combine_frost_payloads",
    "is_frost_payload",
    "valid_share",
]


def combine_share_payloads(
    sig_name: str, payloads: Mapping[int, dict[str, Any]], root_commitments: list[list[Point]], t: int,
    other_roots: Mapping[str, list[list[Any]]] | None = None,
) -> dict[str, Any]:
    """One signature from the nodes' payloads for `sig_name`; liars are named in `badNodes`.
    VerificationFailed, naming the fault, when no signature can be made.

    The public parts (presignature, key id, message, agreement certificate) are taken as the value
    t+1 nodes agree on, so up to t liars cannot choose them; every share is then checked against
    those public parts. `root_commitments` are the K256 root keys; a presignature on another curve
    (P-256) takes that curve's from `other_roots` (by key type, as combine_frost_payloads)."""
    need = t + 1
    try:
        presig = PresignaturePublic.from_dict(agreed_value({i: p.get("presignature") for i, p in payloads.items()}, need))
        key_id = bytes.fromhex(agreed_value({i: p.get("keyId") for i, p in payloads.items()}, need).removeprefix("0x"))
        data = bytes.fromhex(agreed_value({i: p.get("dataSigned") for i, p in payloads.items()}, need).removeprefix("0x"))
        certificate = Certificate.from_dict(agreed_value({i: p.get("certificate") for i, p in payloads.items()}, need))
        certificate.check(presig)
    except (CryptoError, AttributeError, ValueError) as exc:
        raise VerificationFailed(f"signature {sig_name!r}: nodes do not agree on what was signed ({exc})") from None
    curve = next(c for c in HD_CURVES.values() if c.group is presig.group)
    roots = root_commitments if curve is HD_K256 else (other_roots or {}).get(curve.name)
    if not roots:
        raise VerificationFailed(f"signature {sig_name!r}: the network publishes no {curve.name} root keys")
    key = derive_key(key_id, roots, curve)
    delta = certificate_delta(certificate, presig.group, key.public_key, data)
    shares, malformed = [], []
    for index, payload in payloads.items():
        try:
            share = SignatureShare.from_dict(payload.get("signatureShare"), presig.group)
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
    public_key = ecdsa_group(presig.group.name).encode_uncompressed(key.public_key)
    address = {"address": eth_address(key.public_key)} if curve is HD_K256 else {}
    return {
        **signature.to_dict(),
        "publicKey": "0x" + public_key.hex(),
        **address,
        "dataSigned": "0x" + data.hex(),
        "badNodes": sorted(set(signature.bad_parties) | set(malformed)),
        "committee": list(presig.committee),
        "signingSet": list(certificate.signers),
        "presignatureId": presig.id,
    }


# ---- FROST ---------------------------------------------------------------------------------------


class FrostPackage:
    """The coordinator's choice for one FROST signature: scheme, key id, message and the signers'
    commitments, as JSON (`to_dict`) every node and the client read the same way."""

    def __init__(self, scheme: Scheme, key_id: bytes, message: bytes, commitments: tuple[Commitment, ...]) -> None:
        if scheme.frost is None:
            raise InvalidInput("signingScheme", f"{scheme.name} is not a FROST scheme")
        self.scheme, self.key_id, self.message = scheme, key_id, message
        self.commitments = tuple(sorted(commitments, key=lambda c: c.identifier))

    @property
    def signers(self) -> tuple[int, ...]:
        return tuple(c.identifier for c in self.commitments)

    def to_dict(self) -> dict[str, Any]:
        suite = self.scheme.frost
        assert suite is not None
        return {
            "scheme": self.scheme.name,
            "keyId": self.key_id.hex(),
            "message": self.message.hex(),
            "commitments": [c.to_dict(suite) for c in self.commitments],
        }

    @classmethod
    def from_dict(cls, data: Any) -> "FrostPackage":
        if not isinstance(data, dict):
            raise InvalidInput("package", "expected an object")
        chosen = scheme_named(data.get("scheme"))  # type: ignore[arg-type]
        if chosen.frost is None:
            raise InvalidInput("package.scheme", f"{chosen.name} is not a FROST scheme")
        raw = data.get("commitments")
        if not isinstance(raw, list) or not raw or len(raw) > 1024:
            raise InvalidInput("package.commitments", "expected a non-empty list")
        try:
            key_id, message = bytes.fromhex(str(data["keyId"])), bytes.fromhex(str(data["message"]))
        except (KeyError, ValueError):
            raise InvalidInput("package", "keyId and message must be hex") from None
        return cls(chosen, key_id, message, tuple(Commitment.from_dict(chosen.frost, c) for c in raw))

    def signing_package(self, key: DerivedKey) -> SigningPackage:
        assert self.scheme.frost is not None
        return signing_package(self.scheme.frost, key.public_key, self.message, self.commitments)


def frost_signature(
    package: SigningPackage, key: DerivedKey, candidates: Mapping[int, list[Any]]
) -> tuple[bytes | None, tuple[int, ...]]:
    """(signature or None, signers none of whose candidate shares verify). `candidates[i]` lists
    what was received as signer i's share (hex strings, from i itself or relayed by others); the
    first that verifies against i's public share and commitments is used."""
    suite = package.suite
    chosen: dict[int, int] = {}
    missing: list[int] = []
    for i in package.signers:
        for raw in candidates.get(i, []):
            try:
                z = suite.decode_scalar(bytes.fromhex(str(raw)), f"share[{i}]")
            except (InvalidInput, ValueError):
                continue
            if verify_share(package, i, key.public_share(i), z):
                chosen[i] = z
                break
        else:
            missing.append(i)
    if missing:
        return None, tuple(missing)
    signature = suite.signature(package.group_commitment, sum(chosen.values()) % suite.order)
    if not suite.verify(package.group_public_key, package.message, signature):
        raise VerificationFailed("FROST shares all verified but their sum does not: the key's public shares are inconsistent")
    return signature, ()


def is_frost_payload(payload: Any) -> bool:
    return isinstance(payload, dict) and isinstance(payload.get("frost"), dict)


def combine_frost_payloads(
    sig_name: str, payloads: Mapping[int, dict[str, Any]], root_commitments: Mapping[str, list[list[Any]]], t: int
) -> dict[str, Any]:
    """One FROST signature from the nodes' payloads (`root_commitments` by key type: "k256",
    "ed25519"). The package is the one t+1 nodes report; each signer's share is taken from whichever
    payload carries one that verifies, so a liar is named (`badNodes`) and outvoted by the others'
    copies of the honest shares. VerificationFailed naming the fault when no signature can be made."""
    need = t + 1
    try:
        package = FrostPackage.from_dict(agreed_value({i: p["frost"].get("package") for i, p in payloads.items()}, need))
    except (CryptoError, AttributeError, KeyError, TypeError) as exc:
        raise VerificationFailed(f"signature {sig_name!r}: nodes do not agree on the FROST signing package ({exc})") from None
    roots = root_commitments.get(package.scheme.key_type)
    if not roots:
        raise VerificationFailed(f"signature {sig_name!r}: the network publishes no {package.scheme.key_type} root keys")
    key = derive_key(package.key_id, roots, package.scheme.hd)
    signing = package.signing_package(key)
    candidates: dict[int, list[Any]] = {}
    liars = set()
    for index, payload in payloads.items():
        shares = payload["frost"].get("shares")
        if not isinstance(shares, dict):
            liars.add(index)
            continue
        for who, raw in shares.items():
            if str(who).isdigit():
                candidates.setdefault(int(who), []).append(raw)
        own = shares.get(str(index))
        if index in signing.signers and (own is None or not valid_share(signing, key, index, own)):
            liars.add(index)  # a signer that sent the client no valid share of its own
    signature, missing = frost_signature(signing, key, candidates)
    if signature is None:
        raise VerificationFailed(
            f"signature {sig_name!r}: no valid FROST share from signers {list(missing)} of {list(signing.signers)}",
            missing,
        )
    suite = signing.suite
    return {
        "signature": "0x" + signature.hex(),
        "publicKey": "0x" + suite.encode_point(key.public_key).hex(),
        "dataSigned": "0x" + package.message.hex(),
        "keyId": "0x" + package.key_id.hex(),
        "signingScheme": package.scheme.name,
        "badNodes": sorted(liars | _named_by(payloads, need)),
        "signingSet": list(signing.signers),
    }


def _named_by(payloads: Mapping[int, dict[str, Any]], need: int) -> set[int]:
    """Nodes that at least `need` payloads name as having sent a bad share in an earlier attempt."""
    counts: dict[int, int] = {}
    for payload in payloads.values():
        named = payload.get("badNodes")
        for node in set(named) if isinstance(named, list) else ():
            if isinstance(node, int):
                counts[node] = counts.get(node, 0) + 1
    return {node for node, count in counts.items() if count >= need}


def valid_share(package: SigningPackage, key: DerivedKey, index: int, raw: Any) -> bool:
    """Whether `raw` (hex) is signer `index`'s valid share in `package` (RFC 9591 §5.4)."""
    try:
        z = package.suite.decode_scalar(bytes.fromhex(str(raw)), f"share[{index}]")
    except (InvalidInput, ValueError):
        return False
    return verify_share(package, index, key.public_share(index), z)
