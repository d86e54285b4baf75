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
    InvalidInput,
    InvalidPoint,
    NotEnoughShares,
    PresignatureReused,
    VerificationFailed,
)
from .hd import DerivedKey
from .presignature import Presignature, PresignaturePublic
from .secp256k1 import ORDER, SECP256K1, Point, parse_scalar
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
]

_G = SECP256K1
_HALF_ORDER = ORDER // 2
RandomBytes = Callable[[int], bytes]


@dataclass(frozen=True)
class SignatureShare:
    presignature_id: str
    index: int
    s: int
    p: Point  # k_i·X_i
    proof: DleqProof

    def to_dict(self) -> dict[str, Any]:
        return {
            "presignature_id": self.presignature_id,
            "index": self.index,
            "s": f"{self.s:064x}",
            "p": _G.encode(self.p).hex(),
            "proof": self.proof.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: Any) -> "SignatureShare":
        if not isinstance(data, dict):
            raise InvalidInput("share", "expected an object")
        pid, index, s_hex, p_hex = (data.get(k) for k in ("presignature_id", "index", "s", "p"))
        if not isinstance(pid, str) or not pid:
            raise InvalidInput("presignature_id", "expected a non-empty string")
        if not isinstance(index, int) or isinstance(index, bool) or not 0 < index < ORDER:
            raise InvalidInput("index", "expected a positive party index")
        if not isinstance(s_hex, str) or len(s_hex) != 64:
            raise InvalidInput("s", "expected 64 hex digits")
        if not isinstance(p_hex, str):
            raise InvalidPoint("p", "expected hex")
        return cls(
            presignature_id=pid,
            index=index,
            s=parse_scalar(s_hex, "s", allow_zero=True),
            p=_G.decode_hex(p_hex, "p"),
            proof=DleqProof.from_dict(data.get("proof")),
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


def message_scalar(to_sign: bytes) -> int:
    """h from `toSign`: exactly 32 bytes (Lit's rule), and not 0 mod n."""
    if not isinstance(to_sign, (bytes, bytearray)):
        raise InvalidInput("to_sign", f"expected bytes, got {type(to_sign).__name__}")
    if len(to_sign) != 32:
        raise InvalidInput("to_sign", f"must be exactly 32 bytes, got {len(to_sign)}")
    h = int.from_bytes(to_sign, "big") % ORDER
    if h == 0:
        raise InvalidInput("to_sign", "message hash is zero")
    return h


def usage_record(to_sign: bytes, public_key: Point) -> str:
    """The string a node persists for a presignature's one use: binds the key and the message."""
    message_scalar(to_sign)
    if public_key is None:
        raise InvalidPoint("public_key", "identity point not allowed")
    return hashlib.sha256(b"litrt/presignature-use/v1" + _G.encode(public_key) + bytes(to_sign)).hexdigest()


def check_presignature_use(previous: str | None, to_sign: bytes, public_key: Point) -> str:
    """Pure rule: None (unused) or the same record is fine; anything else is reuse. Returns the
    record to persist *before* calling `sign_share`."""
    record = usage_record(to_sign, public_key)
    if previous is not None and previous != record:
        raise PresignatureReused("presignature already used for a different message or key")
    return record


def _share_context(presig_id: str, index: int, public_key: Point, to_sign: bytes) -> bytes:
    return b"litrt/ecdsa/share|" + presig_id.encode() + b"|" + str(index).encode() + b"|" + _G.encode(public_key) + bytes(to_sign)


def rerandomized_r(presig: PresignaturePublic, delta: int) -> tuple[Point, int]:
    """R' = δ·R and r = R'.x mod n."""
    if not 0 < delta < ORDER:
        raise InvalidInput("delta", "re-randomiser out of range")
    big_r = _G.mul(presig.big_r, delta)
    x = int.from_bytes(_G.encode(big_r)[1:], "big")
    if x >= ORDER:  # probability ~2^-128; recovery ids 2 and 3 have no Ethereum encoding
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
    h = message_scalar(to_sign)
    if recorded_use != usage_record(to_sign, key.public_key):
        raise PresignatureReused(f"presignature {presignature.id} is not recorded for this message and key")
    pub = presignature.public
    certificate.check(pub)
    if certificate.record != recorded_use:
        raise AgreementFailed(
            f"presignature {pub.id} is certified for another message or key (by nodes {list(certificate.signers)})",
            certificate.signers,
        )
    delta = certificate.rerandomizer(_G.encode(key.public_key), to_sign)
    _, r = rerandomized_r(pub, delta)
    if key.threshold != pub.threshold:
        raise InvalidInput("key", f"key degree {key.threshold} differs from presignature threshold {pub.threshold}")
    if not isinstance(key_share, int) or not 0 < key_share < ORDER:
        raise InvalidInput("key_share", "scalar out of range")
    i = presignature.index
    x_pub = key.public_share(i)
    if not _G.eq(_G.base_mul(key_share), x_pub):
        raise InvalidInput("key_share", f"does not match party {i}'s public key share")
    k_i = presignature.k_share
    s_i = (pow(delta, -1, ORDER) * k_i * (h + r * key_share) + presignature.e_share + h * presignature.d_share) % ORDER
    _, p_i, proof = prove_dleq(
        _G.generator(), x_pub, k_i, context=_share_context(pub.id, i, key.public_key, to_sign), random_bytes=random_bytes
    )
    return SignatureShare(pub.id, i, s_i, p_i, proof)


def verify_share(presig: PresignaturePublic, key: DerivedKey, to_sign: bytes, share: SignatureShare, delta: int) -> bool:
    """s_i·G == δ⁻¹·(h·K_i + r·P_i) + E_i + h·D_i, and P_i = k_i·X_i for the k_i behind K_i."""
    h = message_scalar(to_sign)
    _, r = rerandomized_r(presig, delta)
    if share.presignature_id != presig.id or share.index not in presig.committee:
        return False
    if not 0 <= share.s < ORDER or share.p is None:
        return False
    i = share.index
    k_pub, e_pub, d_pub, x_pub = presig.k_public(i), presig.e_public(i), presig.d_public(i), key.public_share(i)
    ctx = _share_context(presig.id, i, key.public_key, to_sign)
    if not verify_dleq(_G.generator(), k_pub, x_pub, share.p, share.proof, context=ctx):
        return False
    nonce_part = _G.mul(_G.add(_G.mul(k_pub, h), _G.mul(share.p, r)), pow(delta, -1, ORDER))
    expected = _G.add(_G.add(nonce_part, e_pub), _G.mul(d_pub, h))
    return _G.eq(_G.base_mul(share.s), expected)


def combine_signature_shares(
    presig: PresignaturePublic, key: DerivedKey, to_sign: bytes, shares: Sequence[SignatureShare], delta: int
) -> EcdsaSignature:
    """A verified low-s signature from any 2t+1 good shares; bad shares are named in errors."""
    message_scalar(to_sign)
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
    s = interpolate(dict(sorted(good.items())[:need]), ORDER)
    big_r, r = rerandomized_r(presig, delta)
    signature = _finish(big_r, r, s, tuple(bad))
    if not verify_signature(key.public_key, bytes(to_sign), signature):
        # Each share checked out, so the public data itself must be inconsistent.
        raise VerificationFailed("combined signature does not verify against the public key", tuple(bad))
    return signature


def _finish(big_r: Point, r: int, s: int, bad: tuple[int, ...]) -> EcdsaSignature:
    if r == 0 or s == 0:
        raise VerificationFailed("degenerate signature (r or s is zero)")
    encoded = _G.encode(big_r)
    recid = (encoded[0] & 1) | (2 if int.from_bytes(encoded[1:], "big") >= ORDER else 0)
    if s > _HALF_ORDER:
        # (r, n − s) is the same signature with R negated: flip the y-parity bit.
        s = ORDER - s
        recid ^= 1
    return EcdsaSignature(r, s, recid, bad)


def verify_signature(public_key: Point, to_sign: bytes, signature: EcdsaSignature) -> bool:
    """Recover the key from (r, s, recid) and compare: checks the signature and the recovery id."""
    message_scalar(to_sign)
    if public_key is None or not (0 < signature.r < ORDER and 0 < signature.s <= _HALF_ORDER):
        return False
    if signature.recid not in (0, 1, 2, 3):
        return False
    compact = signature.r.to_bytes(32, "big") + signature.s.to_bytes(32, "big") + bytes([signature.recid])
    try:
        recovered = PublicKey.from_signature_and_message(compact, bytes(to_sign), hasher=None)
    except Exception:
        return False
    return recovered.format() == public_key.format()


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
