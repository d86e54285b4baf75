"""The prime-order group interface that VSS, DKG and presigning are written against.

Both curves implement it: secp256k1 (`runtime.crypto.secp256k1.SECP256K1`) and BLS12-381 G1
(`runtime.crypto.bls.G1`). Points are opaque to the generic code; scalars are Python ints mod `order`.
Every point that arrives from outside goes through `decode`, which validates it.
"""

from __future__ import annotations

from typing import Any, Protocol, TypeVar, runtime_checkable

from .errors import InvalidInput, InvalidPoint

P = TypeVar("P")
# A point of a group the code is written over, not knowing which (coincurve's PublicKey on secp256k1).
Point = Any

__all__ = ["Group", "EcdsaGroup", "Point", "decode_point_hex", "threshold_for", "signing_threshold", "parse_scalar"]


@runtime_checkable
class Group(Protocol[P]):
    name: str
    order: int

    def identity(self) -> P: ...
    def generator(self) -> P: ...
    def pedersen_h(self) -> P:
        """A second generator whose discrete log to the base is unknown to everyone."""
        ...
    def base_mul(self, k: int) -> P: ...
    def mul(self, point: P, k: int) -> P: ...
    def add(self, a: P, b: P) -> P: ...
    def neg(self, a: P) -> P: ...
    def eq(self, a: P, b: P) -> bool: ...
    def is_identity(self, a: P) -> bool: ...
    def encode(self, point: P) -> bytes:
        """Canonical compressed encoding."""
        ...
    def decode(self, data: bytes, field: str = "point", allow_identity: bool = False) -> P:
        """Parse and validate (on curve, in subgroup, not identity unless allowed); raises InvalidPoint."""
        ...
    def msm(self, points: list[P], scalars: list[int]) -> P:
        """Σ scalars[i]·points[i]."""
        ...


@runtime_checkable
class EcdsaGroup(Group[P], Protocol[P]):
    """A curve threshold ECDSA signs on (secp256k1, P-256): its public keys also travel uncompressed."""

    def encode_uncompressed(self, point: P) -> bytes:
        """65 bytes, 04 ‖ x ‖ y; refuses the identity."""
        ...


def decode_point_hex(group: Group[P], text: Any, field: str = "point", allow_identity: bool = False) -> P:
    """A point of `group` from hex (0x optional), validated by the group's `decode`."""
    if not isinstance(text, str):
        raise InvalidPoint(field, "not a hex string")
    try:
        raw = bytes.fromhex(text.removeprefix("0x"))
    except ValueError:
        raise InvalidPoint(field, "not a hex string") from None
    return group.decode(raw, field, allow_identity)


def threshold_for(n: int) -> int:
    """t: how many faulty or colluding nodes a network of n tolerates (docs/architecture.md §Threshold keys)."""
    if n < 1:
        raise ValueError("n must be at least 1")
    return max(1, (n - 1) // 3) if n > 1 else 0


def signing_threshold(n: int) -> int:
    """How many shares an ECDSA or BLS result needs: 2t+1."""
    return 2 * threshold_for(n) + 1


def parse_scalar(
    value: int | str | bytes, order: int, field: str = "scalar", allow_zero: bool = False
) -> int:
    """A scalar mod `order` from an int, hex text or 32 big-endian bytes, checked to lie in [0 or 1, order)."""
    if isinstance(value, (bytes, bytearray)):
        if len(value) != 32:
            raise InvalidInput(field, f"expected 32 bytes, got {len(value)}")
        k = int.from_bytes(value, "big")
    elif isinstance(value, str):
        try:
            k = int(value, 16)
        except ValueError:
            raise InvalidInput(field, "not a hex string") from None
    elif isinstance(value, int) and not isinstance(value, bool):
        k = value
    else:
        raise InvalidInput(field, f"expected int, hex or bytes, got {type(value).__name__}")
    if not (0 if allow_zero else 1) <= k < order:
        raise InvalidInput(field, "scalar out of range")
    return k
