"""BLS12-381 groups as `Group`s, and plain BLS signatures (public keys in G1, signatures in G2).

Points are `py_arkworks_bls12381` objects (G1Point / G2Point); scalars are Python ints mod ORDER.
Signatures follow the IETF BLS draft's proof-of-possession ciphersuite
`BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_` (minimal-pubkey-size: 48-byte keys, 96-byte
signatures), the ciphersuite Lit's network key uses and py_ecc's `G2ProofOfPossession` implements.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Generic, TypeVar

from py_arkworks_bls12381 import GT, G1Point, G2Point, Scalar

from .errors import InvalidInput, InvalidPoint
from .group import decode_point_hex, parse_scalar as _parse_scalar

__all__ = [
    "ORDER",
    "SIG_DST",
    "POP_DST",
    "G1",
    "G2",
    "BLS12381G1",
    "BLS12381G2",
    "G1Point",
    "G2Point",
    "to_scalar",
    "parse_scalar",
    "hash_to_g2",
    "sk_to_pk",
    "sign",
    "sign_point",
    "verify",
    "verify_point",
    "verify_hashed",
    "prove_possession",
    "verify_possession",
]

ORDER = 0x73EDA753299D7D483339D80809A1D80553BDA402FFFE5BFEFFFFFFFF00000001
SIG_DST = b"BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_"
POP_DST = b"BLS_POP_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_"
# Our own suite tag: H must not be the hash of anything a signer might be asked to sign.
_PEDERSEN_DST = b"LITRT-V01-PEDERSEN-H-with-BLS12381G1_XMD:SHA-256_SSWU_RO_"

PointT = TypeVar("PointT", G1Point, G2Point)


def to_scalar(k: int) -> Scalar:
    """An arkworks Scalar from any int (reduced mod ORDER first: arkworks rejects negatives)."""
    return Scalar(k % ORDER)


def parse_scalar(value: int | str | bytes, field: str = "scalar", allow_zero: bool = False) -> int:
    """A scalar from an int, hex text or 32 big-endian bytes, checked to lie in [0 or 1, ORDER)."""
    return _parse_scalar(value, ORDER, field, allow_zero)


class _ArkworksGroup(Generic[PointT]):
    """What G1 and G2 share; `_cls` is the arkworks point class, `size` its compressed length."""

    name: str
    order = ORDER
    size: int
    _cls: type[PointT]

    def __init__(self, pedersen_tag: bytes) -> None:
        self._g: PointT = self._cls()  # arkworks' no-argument constructor is the standard generator
        self._id: PointT = self._cls.identity()
        self._h: PointT = self._cls.hash_to_curve(pedersen_tag, _PEDERSEN_DST)

    def identity(self) -> PointT:
        return self._id

    def generator(self) -> PointT:
        return self._g

    def pedersen_h(self) -> PointT:
        return self._h

    def base_mul(self, k: int) -> PointT:
        return self._g * to_scalar(k)

    def mul(self, point: PointT, k: int) -> PointT:
        return point * to_scalar(k)

    def add(self, a: PointT, b: PointT) -> PointT:
        return a + b

    def neg(self, a: PointT) -> PointT:
        return -a

    def eq(self, a: PointT, b: PointT) -> bool:
        return bool(a == b)

    def is_identity(self, a: PointT) -> bool:
        return bool(a == self._id)

    def encode(self, point: PointT) -> bytes:
        """Compressed (ZCash) encoding: 48 bytes in G1, 96 in G2; the identity is 0xc0 then zeros."""
        return bytes(point.to_compressed_bytes())

    def decode(self, data: bytes, field: str = "point", allow_identity: bool = False) -> PointT:
        if not isinstance(data, (bytes, bytearray)):
            raise InvalidPoint(field, f"expected bytes, got {type(data).__name__}")
        data = bytes(data)
        if len(data) != self.size:
            raise InvalidPoint(field, f"expected {self.size} bytes, got {len(data)}")
        try:
            # Unchecked = on-curve only; the subgroup check follows so the error can say which failed.
            point = self._cls.from_compressed_bytes_unchecked(data)
        except (ValueError, OverflowError):
            raise InvalidPoint(field, f"not a point on {self.name}") from None
        if not point.is_in_subgroup():
            raise InvalidPoint(field, f"not in the prime-order subgroup of {self.name}")
        # Canonical encodings only: one point must have one byte string (flag bits, x < p).
        if bytes(point.to_compressed_bytes()) != data:
            raise InvalidPoint(field, "non-canonical encoding")
        if point == self._id and not allow_identity:
            raise InvalidPoint(field, "identity point not allowed")
        return point

    def decode_hex(self, text: str, field: str = "point", allow_identity: bool = False) -> PointT:
        return decode_point_hex(self, text, field, allow_identity)

    def check(self, point: object, field: str = "point", allow_identity: bool = False) -> PointT:
        """Validate a point object built in-process (it skipped `decode`)."""
        if not isinstance(point, self._cls):
            raise InvalidPoint(field, f"expected a {self.name} point, got {type(point).__name__}")
        if not point.is_in_subgroup():
            raise InvalidPoint(field, f"not in the prime-order subgroup of {self.name}")
        if point == self._id and not allow_identity:
            raise InvalidPoint(field, "identity point not allowed")
        return point

    def msm(self, points: Sequence[PointT], scalars: Sequence[int]) -> PointT:
        if len(points) != len(scalars):
            # arkworks' multiexp silently truncates to the shorter list.
            raise InvalidInput("scalars", f"{len(scalars)} scalars for {len(points)} points")
        if not points:
            return self._id
        return self._cls.multiexp_unchecked(list(points), [to_scalar(k) for k in scalars])


class BLS12381G1(_ArkworksGroup[G1Point]):
    name = "bls12-381-g1"
    size = 48
    _cls = G1Point

    def __init__(self) -> None:
        super().__init__(b"litrt/pedersen-h/bls12-381-g1")


class BLS12381G2(_ArkworksGroup[G2Point]):
    name = "bls12-381-g2"
    size = 96
    _cls = G2Point

    def __init__(self) -> None:
        super().__init__(b"litrt/pedersen-h/bls12-381-g2")


G1 = BLS12381G1()
G2 = BLS12381G2()


def hash_to_g2(message: bytes, dst: bytes = SIG_DST) -> G2Point:
    """RFC 9380 hash_to_curve to G2 (expand_message_xmd SHA-256, SSWU, random oracle)."""
    return G2Point.hash_to_curve(bytes(message), dst)


def sk_to_pk(secret_key: int) -> bytes:
    """48-byte compressed G1 public key (SkToPk)."""
    return G1.encode(G1.base_mul(parse_scalar(secret_key, "secret_key")))


def sign_point(secret_key: int, message: bytes, dst: bytes = SIG_DST) -> G2Point:
    return hash_to_g2(message, dst) * to_scalar(parse_scalar(secret_key, "secret_key"))


def sign(secret_key: int, message: bytes) -> bytes:
    """96-byte signature σ = sk·H(message)."""
    return G2.encode(sign_point(secret_key, message))


def verify_point(pk: G1Point, message: bytes, signature: G2Point, dst: bytes = SIG_DST) -> bool:
    """e(pk, H(m)) == e(G1, σ), as one product of pairings. Points must already be validated."""
    return verify_hashed(pk, hash_to_g2(message, dst), signature)


def verify_hashed(pk: G1Point, hashed: G2Point, signature: G2Point) -> bool:
    """`verify_point` with H(m) already computed (threshold code checks many σ_i on one H(m))."""
    return bool(GT.pairing_check([pk, -G1.generator()], [hashed, signature]))


def verify(public_key: bytes, message: bytes, signature: bytes) -> bool:
    """False for a well-formed signature that does not match; InvalidPoint for malformed input."""
    pk = G1.decode(public_key, "public_key")
    sig = G2.decode(signature, "signature")
    return verify_point(pk, message, sig)


def prove_possession(secret_key: int) -> bytes:
    """PopProve: a signature on the public key's own encoding under the POP tag."""
    sk = parse_scalar(secret_key, "secret_key")
    return G2.encode(sign_point(sk, sk_to_pk(sk), POP_DST))


def verify_possession(public_key: bytes, proof: bytes) -> bool:
    pk = G1.decode(public_key, "public_key")
    sig = G2.decode(proof, "proof")
    return verify_point(pk, G1.encode(pk), sig, POP_DST)
