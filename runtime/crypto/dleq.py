"""Chaum–Pedersen proof of equal discrete logs in a prime-order `Group` (secp256k1 unless a caller
passes another, e.g. P-256), made non-interactive by Fiat–Shamir.

Statement: P1 = x·B1 and P2 = x·B2 for one secret x. Presigning uses it to tie an opened
w_i to the public commitments (K_i = k_i·G, W_i − Z_i = k_i·A_i); signing to tie P_i = k_i·X_i to
K_i. The challenge hashes a caller-chosen context (session, presignature, party) so a proof cannot
be replayed in another place. Proof = (c, z) with z = ρ + c·x; the verifier rebuilds
T1 = z·B1 − c·P1, T2 = z·B2 − c·P2 and checks the challenge. On secp256k1 the transcript is what it
always was; on any other group the group's name is hashed in too, so a proof holds on one curve only.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import Any, Callable

from .errors import InvalidInput
from .group import Group, parse_scalar
from .secp256k1 import ORDER, SECP256K1, Point

__all__ = ["DleqProof", "prove_dleq", "verify_dleq"]

_CHALLENGE_TAG = b"litrt/dleq/v1/challenge"
_NONCE_TAG = b"litrt/dleq/v1/nonce"

RandomBytes = Callable[[int], bytes]


@dataclass(frozen=True)
class DleqProof:
    challenge: int
    response: int

    def to_dict(self) -> dict[str, str]:
        return {"c": f"{self.challenge:064x}", "z": f"{self.response:064x}"}

    @classmethod
    def from_dict(cls, data: Any, field: str = "proof", order: int = ORDER) -> "DleqProof":
        """`order`: the group's, which c and z must lie below."""
        if not isinstance(data, dict) or set(data) != {"c", "z"}:
            raise InvalidInput(field, "expected {c, z}")
        c = _hex_scalar(data["c"], f"{field}.c", order)
        z = _hex_scalar(data["z"], f"{field}.z", order)
        return cls(c, z)


def _hex_scalar(value: Any, field: str, order: int) -> int:
    if not isinstance(value, str) or len(value) != 64:
        raise InvalidInput(field, "expected 64 hex digits")
    return parse_scalar(value, order, field, allow_zero=True)


def _tags(group: Group[Any], tag: bytes) -> bytes:
    return tag if group is SECP256K1 else tag + b"/" + group.name.encode()


def _hash_to_int(tag: bytes, parts: list[bytes], order: int) -> int:
    h = hashlib.sha512()
    h.update(len(tag).to_bytes(2, "big") + tag)
    for part in parts:
        h.update(len(part).to_bytes(4, "big") + part)
    # 512 bits reduced mod a 256-bit n: bias below 2^-256.
    return int.from_bytes(h.digest(), "big") % order


def _challenge(group: Group[Any], context: bytes, points: list[Any]) -> int:
    return _hash_to_int(_tags(group, _CHALLENGE_TAG), [context] + [group.encode(p) for p in points], group.order)


def prove_dleq(
    base1: Point,
    base2: Point,
    secret: int,
    *,
    context: bytes,
    random_bytes: RandomBytes = secrets.token_bytes,
    group: Group[Any] = SECP256K1,
) -> tuple[Point, Point, DleqProof]:
    """Returns (P1, P2, proof) with P1 = secret·base1, P2 = secret·base2."""
    if not isinstance(secret, int) or not 0 <= secret < group.order:
        raise InvalidInput("secret", f"scalar out of range for {group.name}")
    p1 = group.mul(base1, secret)
    p2 = group.mul(base2, secret)
    statement = [base1, p1, base2, p2]
    # Hedged nonce: fresh randomness mixed with the secret and statement, so a broken or
    # replayed random source cannot produce the same nonce for two different statements.
    rho = _hash_to_int(
        _tags(group, _NONCE_TAG),
        [secret.to_bytes(32, "big"), random_bytes(32), context] + [group.encode(p) for p in statement],
        group.order,
    )
    if rho == 0:
        rho = 1  # probability 2^-256; keeps T1, T2 well defined
    t1 = group.mul(base1, rho)
    t2 = group.mul(base2, rho)
    c = _challenge(group, context, statement + [t1, t2])
    z = (rho + c * secret) % group.order
    return p1, p2, DleqProof(c, z)


def verify_dleq(
    base1: Point, p1: Point, base2: Point, p2: Point, proof: DleqProof, *, context: bytes,
    group: Group[Any] = SECP256K1,
) -> bool:
    if not isinstance(proof, DleqProof):
        return False
    c, z = proof.challenge, proof.response
    if not (0 <= c < group.order and 0 <= z < group.order):
        return False
    t1 = group.add(group.mul(base1, z), group.neg(group.mul(p1, c)))
    t2 = group.add(group.mul(base2, z), group.neg(group.mul(p2, c)))
    return _challenge(group, context, [base1, p1, base2, p2, t1, t2]) == c
