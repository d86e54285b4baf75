"""Threshold ECDSA signing from presignatures: signature shares, their proofs, robust combining.

Re-randomised (Groth–Shoup): the agreement certificate fixes δ (agreement.Certificate.rerandomizer),
R' = δ·R = (k/δ)⁻¹·G and r = R'.x, so the nonce actually used is k' = k/δ.

Node (signer):  s_i = δ⁻¹·k_i·(h + r·x_i) + e_i + h·d_i, with x_i the party's derived key share
                (degree t), k_i, e_i, d_i from a presignature (degree t, 2t, 2t; e and d share zero),
                so s_i lies on a degree-2t polynomial whose value at 0 is s = k'·(h + r·x). The share
                carries P_i = k_i·X_i and a Chaum–Pedersen proof that log_G K_i = log_{X_i} P_i.
Client (combiner): checks each share on its own, s_i·G == δ⁻¹·(h·K_i + r·P_i) + E_i + h·D_i with
                K_i, E_i, D_i from the presignature's commitments and X_i from the derived key's,
                names the bad ones, interpolates 2t+1 good ones, normalises to low-s, computes the
                recovery id and verifies the result against the public key before returning it.

Use rule: a presignature signs one (key, message) only, network-wide. `check_presignature_use` is
the pure per-node rule; the node persists the record it returns (fsync), then needs a certificate of
2t+1 committee members that recorded the same use (agreement.py). `sign_share` refuses to run
without both, so no share leaves before the use is durable and agreed.

Curves: the presignature's group decides (secp256k1, or P-256 for EcdsaP256Sha256, whose 32-byte
toSign is likewise the SHA-256 digest the client made: lit-peer's `hash_prior_to_sending`). The key
must be on the same curve. secp256k1 keeps its coincurve recovery check and its bytes on the wire;
on P-256 the recovery is done with the group's own arithmetic, and δ is the certificate's value
hashed once more into P-256's order (`certificate_delta`).
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from coincurve import PublicKey

from .agreement import AgreementFailed, Certificate
from .dleq import DleqProof, prove_dleq, verify_dleq
from .errors import (
    CryptoError,
    InvalidInput,
    InvalidPoint,
    NotEnoughShares,
    PresignatureReused,
    VerificationFailed,
)
from .group import Group, Point, decode_point_hex, parse_scalar
from .hash_to_curve import hash_to_field
from .hd import DerivedKey
from .presignature import Presignature, PresignaturePublic
from .secp256k1 import ORDER, SECP256K1
from .shamir import interpolate

__all__ = [
    "SignatureShare",
    "EcdsaSignature",
    "message_scalar",
    "usage_record",
    "check_presignature_use",
    "sign_share",
    "verify_share",
    "combine_signature_shares",
    "verify_signature",
    "agreed_value",
    "rerandomized_r",
    "certificate_delta",
]

_DELTA_DST = b"litrt/ecdsa/rerandomize/v1/"
RandomBytes = Callable[[int], bytes]


def _check_same_curve(key: DerivedKey, group: Group[Any]) -> None:
    if key.curve.group is not group:
        raise InvalidInput("key", f"the key is on {key.curve.group.name} but the presignature on {group.name}")


def certificate_delta(certificate: Certificate, group: Group[Any], public_key: Any, to_sign: bytes) -> int:
    """δ for a signature on `group` with `public_key` (a point): the certificate's re-randomiser,
    which lies below secp256k1's order; on another curve hashed into that curve's order (48 bytes,
    so without bias) rather than reduced, as P-256's order is smaller."""
    delta = certificate.rerandomizer(group.encode(public_key), to_sign)
    if group is SECP256K1:
        return delta
    return hash_to_field(delta.to_bytes(32, "big"), _DELTA_DST + group.name.encode(), 1, group.order)[0] or 1


@dataclass(frozen=True)
class SignatureShare:
    presignature_id: str
    index: int
    s: int
    p: Point  # k_i·X_i
    proof: DleqProof
    group: Group[Any] = field(default=SECP256K1, compare=False, repr=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "presignature_id": self.presignature_id,
            "index": self.index,
            "s": f"{self.s:064x}",
            "p": self.group.encode(self.p).hex(),
            "proof": self.proof.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: Any, group: Group[Any] = SECP256K1) -> "SignatureShare":
        """`group`: the curve of the presignature the share is for (its points and scalars are checked on it)."""
        if not isinstance(data, dict):
            raise InvalidInput("share", "expected an object")
        pid, index, s_hex, p_hex = (data.get(k) for k in ("presignature_id", "index", "s", "p"))
        if not isinstance(pid, str) or not pid:
            raise InvalidInput("presignature_id", "expected a non-empty string")
        if not isinstance(index, int) or isinstance(index, bool) or not 0 < index < ORDER:
            raise InvalidInput("index", "expected a positive party index")
        if not isinstance(s_hex, str) or len(s_hex) != 64:
            raise InvalidInput("s", "expected 64 hex digits")
        return cls(
            presignature_id=pid,
            index=index,
            s=parse_scalar(s_hex, group.order, "s", allow_zero=True),
            p=decode_point_hex(group, p_hex, "p"),
            proof=DleqProof.from_dict(data.get("proof"), order=group.order),
            group=group,
        )


@dataclass(frozen=True)
class EcdsaSignature:
    r: int
    s: int
    recid: int  # 0..3; bit 0 = R.y odd, bit 1 = R.x ≥ n (never from our presignatures)
    bad_parties: tuple[int, ...] = field(default=(), compare=False)  # shares that failed their check

    def to_bytes(self) -> bytes:
        """65 bytes r ‖ s ‖ v with v = 27 + recid, as Ethereum and Lit's SDK return it."""
        if self.recid > 1:
            raise InvalidInput("recid", "recovery ids 2 and 3 have no Ethereum encoding")
        return self.r.to_bytes(32, "big") + self.s.to_bytes(32, "big") + bytes([27 + self.recid])

    def to_hex(self) -> str:
        return "0x" + self.to_bytes().hex()

    def to_dict(self) -> dict[str, Any]:
        return {"r": f"{self.r:064x}", "s": f"{self.s:064x}", "recid": self.recid, "signature": self.to_hex()}


def message_scalar(to_sign: bytes, order: int = ORDER) -> int:
    """h from `toSign`: exactly 32 bytes (Lit's rule for EcdsaK256Sha256 and EcdsaP256Sha256: the
    client's digest), and not 0 mod n (`order`: the curve's)."""
    if not isinstance(to_sign, (bytes, bytearray)):
        raise InvalidInput("to_sign", f"expected bytes, got {type(to_sign).__name__}")
    if len(to_sign) != 32:
        raise InvalidInput("to_sign", f"must be exactly 32 bytes, got {len(to_sign)}")
    h = int.from_bytes(to_sign, "big") % order
    if h == 0:
        raise InvalidInput("to_sign", "message hash is zero")
    return h


def usage_record(to_sign: bytes, public_key: Point, group: Group[Any] = SECP256K1) -> str:
    """The string a node persists for a presignature's one use: binds the key and the message."""
    message_scalar(to_sign, group.order)
    if group.is_identity(public_key):
        raise InvalidPoint("public_key", "identity point not allowed")
    tag = b"litrt/presignature-use/v1" + (b"" if group is SECP256K1 else b"/" + group.name.encode())
    return hashlib.sha256(tag + group.encode(public_key) + bytes(to_sign)).hexdigest()


def check_presignature_use(previous: str | None, to_sign: bytes, public_key: Point, group: Group[Any] = SECP256K1) -> str:
    """Pure rule: None (unused) or the same record is fine; anything else is reuse. Returns the
    record to persist *before* calling `sign_share`."""
    record = usage_record(to_sign, public_key, group)
    if previous is not None and previous != record:
        raise PresignatureReused("presignature already used for a different message or key")
    return record


def _share_context(group: Group[Any], presig_id: str, index: int, public_key: Point, to_sign: bytes) -> bytes:
    head = b"litrt/ecdsa/share|" if group is SECP256K1 else b"litrt/ecdsa/share/" + group.name.encode() + b"|"
    return head + presig_id.encode() + b"|" + str(index).encode() + b"|" + group.encode(public_key) + bytes(to_sign)


def rerandomized_r(presig: PresignaturePublic, delta: int) -> tuple[Point, int]:
    """R' = δ·R and r = R'.x mod n."""
    g = presig.group
    if not 0 < delta < g.order:
        raise InvalidInput("delta", f"re-randomiser out of range for {g.name}")
    big_r = g.mul(presig.big_r, delta)
    x = int.from_bytes(g.encode(big_r)[1:], "big")
    if x >= g.order:  # probability ~2^-128; recovery ids 2 and 3 have no Ethereum encoding
        raise VerificationFailed(f"presignature {presig.id}: re-randomised R.x ≥ n")
    return big_r, x


def sign_share(
    presignature: Presignature,
    key: DerivedKey,
    key_share: int,
    to_sign: bytes,
    *,
    recorded_use: str,
    certificate: Certificate,
    random_bytes: RandomBytes = secrets.token_bytes,
) -> SignatureShare:
    """This party's share. `recorded_use` must be the record already persisted for this use, and
    `certificate` 2t+1 committee members' agreement on that same use (its signatures checked by
    the caller, which holds the peers' keys)."""
    pub = presignature.public
    g, order = pub.group, pub.group.order
    _check_same_curve(key, g)
    h = message_scalar(to_sign, order)
    if recorded_use != usage_record(to_sign, key.public_key, g):
        raise PresignatureReused(f"presignature {presignature.id} is not recorded for this message and key")
    certificate.check(pub)
    if certificate.record != recorded_use:
        raise AgreementFailed(
            f"presignature {pub.id} is certified for another message or key (by nodes {list(certificate.signers)})",
            certificate.signers,
        )
    delta = certificate_delta(certificate, g, key.public_key, to_sign)
    _, r = rerandomized_r(pub, delta)
    if key.threshold != pub.threshold:
        raise InvalidInput("key", f"key degree {key.threshold} differs from presignature threshold {pub.threshold}")
    if not isinstance(key_share, int) or not 0 < key_share < order:
        raise InvalidInput("key_share", "scalar out of range")
    i = presignature.index
    x_pub = key.public_share(i)
    if not g.eq(g.base_mul(key_share), x_pub):
        raise InvalidInput("key_share", f"does not match party {i}'s public key share")
    k_i = presignature.k_share
    s_i = (pow(delta, -1, order) * k_i * (h + r * key_share) + presignature.e_share + h * presignature.d_share) % order
    _, p_i, proof = prove_dleq(
        g.generator(), x_pub, k_i, context=_share_context(g, pub.id, i, key.public_key, to_sign),
        random_bytes=random_bytes, group=g,
    )
    return SignatureShare(pub.id, i, s_i, p_i, proof, g)


def verify_share(presig: PresignaturePublic, key: DerivedKey, to_sign: bytes, share: SignatureShare, delta: int) -> bool:
    """s_i·G == δ⁻¹·(h·K_i + r·P_i) + E_i + h·D_i, and P_i = k_i·X_i for the k_i behind K_i."""
    g = presig.group
    _check_same_curve(key, g)
    h = message_scalar(to_sign, g.order)
    _, r = rerandomized_r(presig, delta)
    if share.presignature_id != presig.id or share.index not in presig.committee:
        return False
    if share.group is not g or not 0 <= share.s < g.order or g.is_identity(share.p):
        return False
    i = share.index
    k_pub, e_pub, d_pub, x_pub = presig.k_public(i), presig.e_public(i), presig.d_public(i), key.public_share(i)
    ctx = _share_context(g, presig.id, i, key.public_key, to_sign)
    if not verify_dleq(g.generator(), k_pub, x_pub, share.p, share.proof, context=ctx, group=g):
        return False
    nonce_part = g.mul(g.add(g.mul(k_pub, h), g.mul(share.p, r)), pow(delta, -1, g.order))
    expected = g.add(g.add(nonce_part, e_pub), g.mul(d_pub, h))
    return g.eq(g.base_mul(share.s), expected)


def combine_signature_shares(
    presig: PresignaturePublic, key: DerivedKey, to_sign: bytes, shares: Sequence[SignatureShare], delta: int
) -> EcdsaSignature:
    """A verified low-s signature from any 2t+1 good shares; bad shares are named in errors."""
    g = presig.group
    _check_same_curve(key, g)
    message_scalar(to_sign, g.order)
    seen: set[int] = set()
    for share in shares:
        if not isinstance(share, SignatureShare):
            raise InvalidInput("shares", f"expected SignatureShare, got {type(share).__name__}")
        if share.index in seen:
            raise InvalidInput("shares", f"duplicate share index {share.index}")
        seen.add(share.index)
    need = 2 * presig.threshold + 1
    good: dict[int, int] = {}
    bad: list[int] = []
    # Every share is checked (at most 3t+1 of them) so that every liar is named, not only
    # those that happen to sort before the first 2t+1 good ones.
    for share in sorted(shares, key=lambda sh: sh.index):
        if verify_share(presig, key, to_sign, share, delta):
            good[share.index] = share.s
        else:
            bad.append(share.index)
    if len(good) < need:
        raise NotEnoughShares(len(good), need, tuple(bad))
    # Any 2t+1 good shares lie on the same degree-2t polynomial: take the lowest indices.
    s = interpolate(dict(sorted(good.items())[:need]), g.order)
    big_r, r = rerandomized_r(presig, delta)
    signature = _finish(g, big_r, r, s, tuple(bad))
    if not verify_signature(key.public_key, bytes(to_sign), signature, g):
        # Each share checked out, so the public data itself must be inconsistent.
        raise VerificationFailed("combined signature does not verify against the public key", tuple(bad))
    return signature


def _finish(g: Group[Any], big_r: Point, r: int, s: int, bad: tuple[int, ...]) -> EcdsaSignature:
    if r == 0 or s == 0:
        raise VerificationFailed("degenerate signature (r or s is zero)")
    encoded = g.encode(big_r)
    recid = (encoded[0] & 1) | (2 if int.from_bytes(encoded[1:], "big") >= g.order else 0)
    if s > g.order // 2:
        # (r, n − s) is the same signature with R negated: flip the y-parity bit.
        s = g.order - s
        recid ^= 1
    return EcdsaSignature(r, s, recid, bad)


def verify_signature(public_key: Point, to_sign: bytes, signature: EcdsaSignature, group: Group[Any] = SECP256K1) -> bool:
    """Recover the key from (r, s, recid) and compare: checks the signature and the recovery id."""
    n = group.order
    message_scalar(to_sign, n)
    if group.is_identity(public_key) or not (0 < signature.r < n and 0 < signature.s <= n // 2):
        return False
    if signature.recid not in (0, 1, 2, 3):
        return False
    if group is not SECP256K1:
        return _recovers_to(group, public_key, to_sign, signature)
    compact = signature.r.to_bytes(32, "big") + signature.s.to_bytes(32, "big") + bytes([signature.recid])
    try:
        recovered = PublicKey.from_signature_and_message(compact, bytes(to_sign), hasher=None)
    except Exception:
        return False
    return bool(recovered.format() == public_key.format())


def _recovers_to(group: Group[Any], public_key: Any, to_sign: bytes, signature: EcdsaSignature) -> bool:
    """SEC 1 §4.1.6 public key recovery in `group`'s arithmetic: Q = r⁻¹·(s·R − h·G), with R the
    point of x-coordinate r (+ n when recid bit 1 is set) and y-parity recid bit 0."""
    n = group.order
    x = signature.r + (n if signature.recid & 2 else 0)
    try:
        big_r = group.decode(bytes([2 | (signature.recid & 1)]) + x.to_bytes(32, "big"), "R")
    except (CryptoError, OverflowError):
        return False
    r_inv = pow(signature.r, -1, n)
    h = int.from_bytes(bytes(to_sign), "big") % n
    recovered = group.add(group.mul(big_r, signature.s * r_inv % n), group.base_mul(-h * r_inv % n))
    return group.eq(recovered, public_key)


def agreed_value(views: Mapping[int, Any], need: int) -> Any:
    """The value at least `need` parties reported identically; a client uses it to pick the
    presignature's public part and the derived key's commitments out of the nodes' answers.
    Values are compared by their canonical JSON (`to_dict()` when they have one)."""
    groups: dict[str, tuple[Any, list[int]]] = {}
    for party, value in sorted(views.items()):
        plain = value.to_dict() if hasattr(value, "to_dict") else value
        canon = json.dumps(plain, sort_keys=True, separators=(",", ":"))
        groups.setdefault(canon, (value, []))[1].append(party)
    best = max(groups.values(), key=lambda g: len(g[1]), default=None)
    if best is None or len(best[1]) < need:
        have = 0 if best is None else len(best[1])
        outliers = tuple(sorted(p for v, ps in groups.values() if best is None or v is not best[0] for p in ps))
        raise NotEnoughShares(have, need, outliers)
    return best[0]
