"""Ed25519's prime-order subgroup as a `Group`, on libsodium (PyNaCl's `crypto_core_ed25519_*` bindings).

Points are their canonical 32-byte RFC 8032 encodings, so equality is byte equality: every point
either came out of libsodium (which always encodes canonically) or went through `decode`, which
accepts only canonical encodings of points in the order-L subgroup. The identity is the encoding of
(0, 1). Scalars are Python ints mod L; libsodium takes them as 32 little-endian bytes.

libsodium refuses the identity and small-order points as inputs to scalar multiplication (and a
product equal to the identity), so those cases are handled here before calling it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from nacl.bindings import (
    crypto_core_ed25519_add,
    crypto_core_ed25519_from_uniform,
    crypto_core_ed25519_is_valid_point,
    crypto_core_ed25519_sub,
    crypto_scalarmult_ed25519_base_noclamp,
    crypto_scalarmult_ed25519_noclamp,
)

from .errors import InvalidPoint

__all__ = ["ED25519", "Ed25519", "Point", "ORDER", "IDENTITY", "scalar_bytes"]

ORDER = 2**252 + 27742317777372353535851937790883648493
FIELD_PRIME = 2**255 - 19
IDENTITY = b"\x01" + bytes(31)

Point = bytes


def scalar_bytes(k: int) -> bytes:
    """32 little-endian bytes, as RFC 8032 and libsodium encode scalars."""
    return (k % ORDER).to_bytes(32, "little")



class Ed25519:
    name = "ed25519"
    order = ORDER

    def __init__(self) -> None:
        self._g = crypto_scalarmult_ed25519_base_noclamp(scalar_bytes(1))
        # Elligator 2 of a hash, cofactor cleared by libsodium: a point nobody knows the log of.
        self._h = crypto_core_ed25519_from_uniform(hashlib.sha512(b"litrt/pedersen-h/ed25519").digest()[:32])

    def identity(self) -> Point:
        return IDENTITY

    def generator(self) -> Point:
        return self._g

    def pedersen_h(self) -> Point:
        return self._h

    def base_mul(self, k: int) -> Point:
        k %= ORDER
        return IDENTITY if k == 0 else crypto_scalarmult_ed25519_base_noclamp(scalar_bytes(k))

    def mul(self, point: Point, k: int) -> Point:
        k %= ORDER
        if k == 0 or point == IDENTITY:
            return IDENTITY
        # k < L and the point has order L, so the product is never the identity libsodium refuses.
        return crypto_scalarmult_ed25519_noclamp(scalar_bytes(k), point)

    def add(self, a: Point, b: Point) -> Point:
        return crypto_core_ed25519_add(a, b)

    def neg(self, a: Point) -> Point:
        return crypto_core_ed25519_sub(IDENTITY, a)

    def eq(self, a: Point, b: Point) -> bool:
        return a == b

    def is_identity(self, a: Point) -> bool:
        return a == IDENTITY

    def encode(self, point: Point) -> bytes:
        """The 32-byte RFC 8032 encoding (y little-endian, sign of x in the top bit)."""
        return point

    def decode(self, data: bytes, field: str = "point", allow_identity: bool = False) -> Point:
        if not isinstance(data, (bytes, bytearray)):
            raise InvalidPoint(field, f"expected bytes, got {type(data).__name__}")
        data = bytes(data)
        if len(data) != 32:
            raise InvalidPoint(field, f"expected 32 bytes, got {len(data)}")
        if data == IDENTITY:
            if allow_identity:
                return IDENTITY
            raise InvalidPoint(field, "identity point not allowed")
        # libsodium checks the encoding is canonical, on the curve, not of small order and in the
        # prime-order subgroup. It tolerates a y ≥ p only for the few small-order points, so the
        # explicit bound keeps one point to one encoding whatever the library version.
        if int.from_bytes(data, "little") & ((1 << 255) - 1) >= FIELD_PRIME:
            raise InvalidPoint(field, "non-canonical encoding (y ≥ p)")
        if not crypto_core_ed25519_is_valid_point(data):
            raise InvalidPoint(field, "not a point of the prime-order subgroup of Ed25519")
        return data


    def msm(self, points: Sequence[Point], scalars: Sequence[int]) -> Point:
        acc = IDENTITY
        for p, k in zip(points, scalars):
            acc = self.add(acc, self.mul(p, k))
        return acc


ED25519 = Ed25519()
