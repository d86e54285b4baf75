"""Threshold BLS: signature shares σ_i = x_i·H(m), per-share verification, Lagrange combination.

The network key x is shared with a degree-2t polynomial (docs/architecture.md §Threshold keys), so any 2t+1 verified shares
interpolate "in the exponent" to σ = x·H(m). A share is checked by pairing against the party's
public key share X_i = x_i·G1, which everyone computes from the DKG's Feldman commitments.

Wire format of a share, as Lit's nodes send it and `blsCombine` in npm @lit-protocol/wasm reads it
(blsful `SignatureShare::ProofOfPossession` of an `InnerPointShareG2`):
    {"ProofOfPossession":{"identifier":"<32-byte scalar, little-endian, hex>","value":"<96-byte G2, hex>"}}
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from . import shamir, vss
from .bls import G1, G2, ORDER, G1Point, G2Point, hash_to_g2, verify_hashed, verify_point
from .errors import InvalidInput, InvalidPoint, NotEnoughShares, VerificationFailed

__all__ = [
    "SignatureShare",
    "ThresholdPublicKey",
    "sign_share",
    "verify_share",
    "verify_shares",
    "interpolate",
    "combine",
    "combine_verified",
]

_SCHEME = "ProofOfPossession"
# Batch-verification weights: 128 bits make a forged batch pass with probability 2^-128.
_WEIGHT_BITS = 128


@dataclass(frozen=True)
class SignatureShare:
    """Party `index`'s share of a signature on one message (or of a decryption key on one identity)."""

    index: int
    value: G2Point

    def to_json(self) -> str:
        """The blsful / @lit-protocol/wasm share string."""
        body = {_SCHEME: {"identifier": self.index.to_bytes(32, "little").hex(), "value": G2.encode(self.value).hex()}}
        return json.dumps(body, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str | bytes, field: str = "share") -> "SignatureShare":
        """Parse and validate one share string; InvalidInput / InvalidPoint name `field`."""
        try:
            data = json.loads(text)
            inner = data[_SCHEME]
            ident_hex, value_hex = inner["identifier"], inner["value"]
        except (ValueError, TypeError, KeyError):
            raise InvalidInput(field, f'expected {{"{_SCHEME}":{{"identifier":hex,"value":hex}}}}') from None
        if not isinstance(ident_hex, str) or not isinstance(value_hex, str):
            raise InvalidInput(field, "identifier and value must be hex strings")
        try:
            ident = bytes.fromhex(ident_hex)
        except ValueError:
            raise InvalidInput(f"{field}.identifier", "not a hex string") from None
        if len(ident) != 32:
            raise InvalidInput(f"{field}.identifier", f"expected 32 bytes, got {len(ident)}")
        index = int.from_bytes(ident, "little")
        _check_index(index, f"{field}.identifier")
        return cls(index, G2.decode_hex(value_hex, f"{field}.value"))


@dataclass(frozen=True)
class ThresholdPublicKey:
    """The network key as verifiers see it: X, every party's X_i, and how many shares a result needs."""

    public_key: G1Point
    public_shares: Mapping[int, G1Point] = field(repr=False)
    need: int

    @classmethod
    def from_commitments(cls, commitments: Sequence[G1Point], n: int) -> "ThresholdPublicKey":
        """From Feldman commitments C_0..C_d (d = 2t): X = C_0, X_i = Σ C_k·i^k, need = d+1."""
        if not commitments:
            raise InvalidInput("commitments", "empty")
        for k, c in enumerate(commitments):
            G1.check(c, f"commitments[{k}]", allow_identity=k > 0)
        shares = {i: vss.public_share(G1, commitments, i) for i in range(1, n + 1)}
        return cls(commitments[0], shares, len(commitments))


def _check_index(index: int, field: str) -> None:
    if not isinstance(index, int) or isinstance(index, bool) or not 0 < index < ORDER:
        raise InvalidInput(field, f"party index {index!r} out of range")


def sign_share(index: int, key_share: int, message: bytes) -> SignatureShare:
    """σ_i = x_i·H(m) under the POP ciphersuite's signing tag."""
    _check_index(index, "index")
    if not 0 < key_share < ORDER:
        raise InvalidInput("key_share", "scalar out of range")
    return SignatureShare(index, G2.mul(hash_to_g2(message), key_share))


def verify_share(share: SignatureShare, public_share: G1Point, message: bytes) -> bool:
    """One pairing check: e(X_i, H(m)) == e(G1, σ_i). Identity and non-subgroup points fail."""
    try:
        G2.check(share.value, "share.value")
        G1.check(public_share, "public_share")
    except InvalidPoint:
        return False
    return verify_point(public_share, message, share.value)


def verify_shares(
    shares: Iterable[SignatureShare],
    key: ThresholdPublicKey,
    message: bytes,
    rand: Callable[[int], int] = secrets.randbits,
) -> tuple[list[SignatureShare], tuple[int, ...]]:
    """Split shares into (valid, indices of bad parties).

    All shares sign the same H(m), so one randomised check covers them all:
    e(Σ ρ_i X_i, H(m)) == e(G1, Σ ρ_i σ_i). Only when that fails is each share checked alone,
    to name the bad ones. A party not in `key`, a repeated index, an identity or non-subgroup
    point is bad.
    """
    candidates: list[SignatureShare] = []
    bad: list[int] = []
    seen: set[int] = set()
    for s in shares:
        if s.index in seen:
            raise InvalidInput("shares", f"duplicate party index {s.index}")
        seen.add(s.index)
        if s.index not in key.public_shares:
            bad.append(s.index)
            continue
        try:
            G2.check(s.value, f"shares[{s.index}].value")
        except InvalidPoint:
            bad.append(s.index)
            continue
        candidates.append(s)
    if not candidates:
        return [], tuple(sorted(bad))
    h = hash_to_g2(message)
    weights = [rand(_WEIGHT_BITS) | 1 for _ in candidates]
    xs = G1.msm([key.public_shares[s.index] for s in candidates], weights)
    sigs = G2.msm([s.value for s in candidates], weights)
    if verify_hashed(xs, h, sigs):
        return candidates, tuple(sorted(bad))
    valid = []
    for s in candidates:
        if verify_hashed(key.public_shares[s.index], h, s.value):
            valid.append(s)
        else:
            bad.append(s.index)
    return valid, tuple(sorted(bad))


def interpolate(shares: Sequence[SignatureShare]) -> G2Point:
    """Σ λ_i σ_i at x = 0 over exactly these shares. Verifies nothing: use `combine`."""
    lam = shamir.lagrange_coefficients([s.index for s in shares], ORDER)
    return G2.msm([s.value for s in shares], [lam[s.index] for s in shares])


def combine(shares: Iterable[SignatureShare], key: ThresholdPublicKey, message: bytes) -> G2Point:
    """Verify every share, combine `key.need` valid ones, and check the result against X.

    Raises NotEnoughShares (naming the bad parties) when fewer than `need` shares verify.
    """
    valid, bad = verify_shares(shares, key, message)
    if len(valid) < key.need:
        raise NotEnoughShares(len(valid), key.need, bad)
    return combine_verified(valid, key, message)


def combine_verified(valid: Sequence[SignatureShare], key: ThresholdPublicKey, message: bytes) -> G2Point:
    """`combine` for shares that `verify_shares` already passed (callers that name the bad ones)."""
    if len(valid) < key.need:
        raise NotEnoughShares(len(valid), key.need)
    chosen = sorted(valid, key=lambda s: s.index)[: key.need]
    signature = interpolate(chosen)
    if not verify_point(key.public_key, message, signature):
        # Every share matched its X_i, so the X_i are not a degree-(need-1) sharing of X.
        raise VerificationFailed("combined signature does not verify: public shares inconsistent with key")
    return signature

