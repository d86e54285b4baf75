"""NIST P-256 (secp256r1) as a `Group`, on python-ecdsa's `PointJacobi`.

Why python-ecdsa: `cryptography` (OpenSSL) signs and verifies on P-256 but exposes no point
addition, which VSS, DKG and FROST need; coincurve is secp256k1 only. python-ecdsa is the widely
used, maintained pure-Python implementation (tlsfuzzer), with Jacobian coordinates and a precomputed
generator table (≈0.3 ms per base multiplication, ≈3 ms per variable-base one). It is not constant
time, which a local development network accepts. It ships no type information, so its objects are
kept behind this module's typed functions.

Points are `PointJacobi`, or None for the identity (as in `secp256k1.py`). P-256 has cofactor 1,
so a point on the curve is in the group.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

from ecdsa import NIST256p  # type: ignore[import-untyped]
from ecdsa.ellipticcurve import INFINITY, PointJacobi  # type: ignore[import-untyped]
from ecdsa.errors import MalformedPointError  # type: ignore[import-untyped]

from .errors import InvalidPoint

__all__ = ["P256", "P256Group", "Point", "ORDER", "FIELD_PRIME", "scalar_bytes"]

ORDER: int = NIST256p.order
FIELD_PRIME: int = NIST256p.curve.p()
_CURVE = NIST256p.curve
_G = NIST256p.generator

Point = Any  # a PointJacobi, or None for the identity


def scalar_bytes(k: int) -> bytes:
    return (k % ORDER).to_bytes(32, "big")


def _normal(p: Any) -> Point:
    """python-ecdsa returns its affine INFINITY for a zero result; None is our identity."""
    if p is None or p is INFINITY or p == INFINITY:
        return None
    return p


def _parse_sec1(data: bytes, field: str) -> Point:
    if data[0] in (2, 3) and int.from_bytes(data[1:33], "big") >= FIELD_PRIME:
        raise InvalidPoint(field, "non-canonical encoding (x ≥ p)")
    if data[0] == 4 and max(int.from_bytes(data[1:33], "big"), int.from_bytes(data[33:], "big")) >= FIELD_PRIME:
        raise InvalidPoint(field, "non-canonical encoding (coordinate ≥ p)")
    try:
        point = PointJacobi.from_bytes(
            _CURVE, data, validate_encoding=True, valid_encodings=("compressed", "uncompressed"), order=ORDER
        )
    except (MalformedPointError, AssertionError, ValueError):
        raise InvalidPoint(field, "not a point on P-256") from None
    # from_bytes derives y for a compressed point but takes an uncompressed one on trust.
    if not _CURVE.contains_point(point.x(), point.y()):
        raise InvalidPoint(field, "not a point on P-256")
    return _normal(point)


class P256Group:
    name = "p256"
    order = ORDER

    def __init__(self) -> None:
        self._h = self._nothing_up_my_sleeve_point(b"litrt/pedersen-h/p256")

    @staticmethod
    def _nothing_up_my_sleeve_point(tag: bytes) -> Point:
        # Try-and-increment: x from a hash, even y (as secp256k1.py). Nobody knows log_G of it.
        counter = 0
        while True:
            x = hashlib.sha256(tag + counter.to_bytes(4, "big")).digest()
            try:
                return _parse_sec1(b"\x02" + x, "pedersen_h")
            except InvalidPoint:
                counter += 1

    def identity(self) -> Point:
        return None

    def generator(self) -> Point:
        return _G

    def pedersen_h(self) -> Point:
        return self._h

    def base_mul(self, k: int) -> Point:
        k %= ORDER
        return None if k == 0 else _normal(_G * k)

    def mul(self, point: Point, k: int) -> Point:
        k %= ORDER
        if point is None or k == 0:
            return None
        return _normal(point * k)

    def add(self, a: Point, b: Point) -> Point:
        if a is None:
            return b
        if b is None:
            return a
        return _normal(a + b)

    def neg(self, a: Point) -> Point:
        if a is None:
            return None
        # python-ecdsa's own negation leaves y unreduced (−y), which then encodes with the wrong
        # parity byte; build −a from reduced affine coordinates instead.
        return PointJacobi(_CURVE, a.x(), (-a.y()) % FIELD_PRIME, 1, ORDER)

    def eq(self, a: Point, b: Point) -> bool:
        if a is None or b is None:
            return a is None and b is None
        return bool(a == b)

    def is_identity(self, a: Point) -> bool:
        return a is None

    def encode(self, point: Point) -> bytes:
        """33-byte SEC1 compressed; the identity encodes as 33 zero bytes (as secp256k1.py)."""
        return bytes(33) if point is None else bytes(point.to_bytes("compressed"))

    def encode_uncompressed(self, point: Point) -> bytes:
        if point is None:
            raise InvalidPoint("point", "the identity has no uncompressed encoding")
        return bytes(point.to_bytes("uncompressed"))

    def decode(self, data: bytes, field: str = "point", allow_identity: bool = False) -> Point:
        if not isinstance(data, (bytes, bytearray)):
            raise InvalidPoint(field, f"expected bytes, got {type(data).__name__}")
        data = bytes(data)
        if data == bytes(33):
            if allow_identity:
                return None
            raise InvalidPoint(field, "identity point not allowed")
        if not ((len(data) == 33 and data[0] in (2, 3)) or (len(data) == 65 and data[0] == 4)):
            raise InvalidPoint(field, f"expected 33-byte compressed or 65-byte uncompressed SEC1, got {len(data)} bytes")
        return _parse_sec1(data, field)

    def msm(self, points: Sequence[Point], scalars: Sequence[int]) -> Point:
        terms = [(p, k % ORDER) for p, k in zip(points, scalars) if p is not None and k % ORDER]
        acc: Point = None
        # Two terms at a time through python-ecdsa's mul_add (Shamir's trick): about the cost of
        # one variable-base multiplication instead of two, which halves commitment checks.
        for i in range(0, len(terms), 2):
            (p, a), rest = terms[i], terms[i + 1 : i + 2]
            part = _normal(p.mul_add(a, rest[0][0], rest[0][1])) if rest else self.mul(p, a)
            acc = self.add(acc, part)
        return acc


P256 = P256Group()
