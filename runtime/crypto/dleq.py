"""Chaum–Pedersen proof of equal discrete logs on secp256k1, made non-interactive by Fiat–Shamir.

Statement: P1 = x·B1 and P2 = x·B2 for one secret x. Presigning uses it to tie an opened
w_i to the public commitments (K_i = k_i·G, W_i − Z_i = k_i·A_i); signing to tie P_i = k_i·X_i to
K_i. The challenge hashes a caller-chosen context (session, presignature, party) so a proof cannot
be replayed in another place. Proof = (c, z) with z = ρ + c·x; the verifier rebuilds
T1 = z·B1 − c·P1, T2 = z·B2 − c·P2 and checks the challenge.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import Any, Callable

from .errors import InvalidInput
from .secp256k1 import ORDER, SECP256K1, Point, parse_scalar

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
    def from_dict(cls, data: Any, field: str = "proof") -> "DleqProof":
        if not isinstance(data, dict) or set(data) != {"c", "z"}:
            raise InvalidInput(field, "expected {c, z}")
        c = _hex_scalar(data["c"], f"{field}.c")
        z = _hex_scalar(data["z"], f"{field}.z")
        return cls(c, z)


def _hex_scalar(value: Any, field: str) -> int:
    if not isinstance(value, str) or len(value) != 64:
        raise InvalidInput(field, "expected 64 hex digits")
    return parse_scalar(value, field, allow_zero=True)


def _hash_to_int(tag: bytes, parts: list[bytes]) -> int:
    h = hashlib.sha512()
    h.update(len(tag).to_bytes(2, "big") + tag)
    for part in parts:
        h.update(len(part).to_bytes(4, "big") + part)
    # 512 bits reduced mod a 256-bit n: bias below 2^-256.
    return int.from_bytes(h.digest(), "big") % ORDER


def _challenge(context: bytes, points: list[Point]) -> int:
    return _hash_to_int(_CHALLENGE_TAG, [context] + [SECP256K1.encode(p) for p in points])


def prove_dleq(
    base1: Point,
    base2: Point,
    secret: int,
    *,
    context: bytes,
    random_bytes: RandomBytes = secrets.token_bytes,
) -> tuple[Point, Point, DleqProof]:
    """Returns (P1, P2, proof) with P1 = secret·base1, P2 = secret·base2."""
    if not isinstance(secret, int) or not 0 <= secret < ORDER:
        raise InvalidInput("secret", "scalar out of range")
    p1 = SECP256K1.mul(base1, secret)
    p2 = SECP256K1.mul(base2, secret)
    statement = [base1, p1, base2, p2]
    # Hedged nonce: fresh randomness mixed with the secret and statement, so a broken or
    # replayed random source cannot produce the same nonce for two different statements.
    rho = _hash_to_int(
        _NONCE_TAG,
        [secret.to_bytes(32, "big"), random_bytes(32), context]
        + [SECP256K1.encode(p) for p in statement],
    )
    if rho == 0:
        rho = 1  # probability 2^-256; keeps T1, T2 well defined
    t1 = SECP256K1.mul(base1, rho)
    t2 = SECP256K1.mul(base2, rho)
    c = _challenge(context, statement + [t1, t2])
    z = (rho + c * secret) % ORDER
    return p1, p2, DleqProof(c, z)


def verify_dleq(
    base1: Point, p1: Point, base2: Point, p2: Point, proof: DleqProof, *, context: bytes
) -> bool:
    if not isinstance(proof, DleqProof):
        return False
    c, z = proof.challenge, proof.response
    if not (0 <= c < ORDER and 0 <= z < ORDER):
        return False
    t1 = SECP256K1.add(SECP256K1.mul(base1, z), SECP256K1.neg(SECP256K1.mul(p1, c)))
    t2 = SECP256K1.add(SECP256K1.mul(base2, z), SECP256K1.neg(SECP256K1.mul(p2, c)))
    return _challenge(context, [base1, p1, base2, p2, t1, t2]) == c
