"""secp256k1 as a `Group`: points are `coincurve.PublicKey`, or None for the identity.

coincurve (libsecp256k1) cannot represent the point at infinity, so the identity is None here and
every operation handles it. Scalars are Python ints mod ORDER.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from coincurve import PublicKey

from .errors import InvalidPoint
from .group import decode_point_hex, parse_scalar as _parse_scalar

__all__ = ["SECP256K1", "Secp256k1", "Point", "ORDER", "FIELD_PRIME", "scalar_bytes", "parse_scalar"]

ORDER = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
FIELD_PRIME = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEFFFFFC2F

Point = PublicKey | None


def scalar_bytes(k: int) -> bytes:
    return (k % ORDER).to_bytes(32, "big")


def parse_scalar(value: int | str | bytes, field: str = "scalar", allow_zero: bool = False) -> int:
    """A scalar from an int, 0x-hex or 32 raw bytes, checked to lie in [0 or 1, ORDER)."""
    return _parse_scalar(value, ORDER, field, allow_zero)


class Secp256k1:
    name = "secp256k1"
    order = ORDER

    def __init__(self) -> None:
        self._g = PublicKey.from_secret(scalar_bytes(1))
        self._h = self._nothing_up_my_sleeve_point(b"litrt/pedersen-h/secp256k1")

    @staticmethod
    def _nothing_up_my_sleeve_point(tag: bytes) -> PublicKey:
        # Try-and-increment: x from a hash, even y. Nobody knows log_G of the result.
        counter = 0
        while True:
            x = int.from_bytes(hashlib.sha256(tag + counter.to_bytes(4, "big")).digest(), "big")
            if x < FIELD_PRIME and pow(x**3 + 7, (FIELD_PRIME - 1) // 2, FIELD_PRIME) == 1:
                return PublicKey(b"\x02" + x.to_bytes(32, "big"))
            counter += 1

    def identity(self) -> Point:
        return None

    def generator(self) -> Point:
        return self._g

    def pedersen_h(self) -> Point:
        return self._h

    def base_mul(self, k: int) -> Point:
        k %= ORDER
        return None if k == 0 else PublicKey.from_secret(scalar_bytes(k))

    def mul(self, point: Point, k: int) -> Point:
        k %= ORDER
        if point is None or k == 0:
            return None
        return point.multiply(scalar_bytes(k))

    def add(self, a: Point, b: Point) -> Point:
        if a is None:
            return b
        if b is None:
            return a
        try:
            return PublicKey.combine_keys([a, b])
        except ValueError:  # libsecp256k1 refuses a sum at infinity, i.e. a == -b
            return None

    def neg(self, a: Point) -> Point:
        if a is None:
            return None
        raw = a.format(compressed=True)
        return PublicKey(bytes([raw[0] ^ 1]) + raw[1:])

    def eq(self, a: Point, b: Point) -> bool:
        if a is None or b is None:
            return a is None and b is None
        return a.format() == b.format()

    def is_identity(self, a: Point) -> bool:
        return a is None

    def encode(self, point: Point) -> bytes:
        """33-byte compressed; the identity encodes as 33 zero bytes."""
        return bytes(33) if point is None else point.format(compressed=True)

    def encode_uncompressed(self, point: Point) -> bytes:
        if point is None:
            raise InvalidPoint("point", "the identity has no uncompressed encoding")
        return point.format(compressed=False)

    def decode(self, data: bytes, field: str = "point", allow_identity: bool = False) -> Point:
        if not isinstance(data, (bytes, bytearray)):
            raise InvalidPoint(field, f"expected bytes, got {type(data).__name__}")
        data = bytes(data)
        if data == bytes(33):
            if allow_identity:
                return None
            raise InvalidPoint(field, "identity point not allowed")
        if len(data) not in (33, 65):
            raise InvalidPoint(field, f"expected 33 or 65 bytes, got {len(data)}")
        try:
            return PublicKey(data)
        except Exception:
            raise InvalidPoint(field, "not a point on secp256k1") from None

    def decode_hex(self, text: str, field: str = "point", allow_identity: bool = False) -> Point:
        return decode_point_hex(self, text, field, allow_identity)

    def msm(self, points: Sequence[Point], scalars: Sequence[int]) -> Point:
        terms = [p.multiply(scalar_bytes(k)) for p, k in zip(points, scalars) if p is not None and k % ORDER]
        if not terms:
            return None
        # One combine call for the whole sum: each separate add costs a round trip through the C library.
        try:
            return PublicKey.combine_keys(terms)
        except ValueError:  # the sum is the point at infinity
            return None


SECP256K1 = Secp256k1()
