"""RFC 9380 pieces needed for scalars: expand_message_xmd (SHA-256, or SHA-512 for Ed25519) and hash_to_field.

Only the scalar-field hash is implemented here, because HD key derivation (Lit's `hd-keys-curves`,
`k256::Secp256k1::hash_to_scalar::<ExpandMsgXmd<Sha256>>`) needs nothing else. Lit's parameters:
L = 48 bytes of expanded output (⌈(256 + k)/8⌉ with k = 128), read big-endian and reduced mod n.
"""

from __future__ import annotations

import hashlib

from .errors import InvalidInput
from .secp256k1 import ORDER

__all__ = ["expand_message_xmd", "hash_to_field", "hash_to_scalar"]

_SCALAR_L = 48  # bytes per field element for a 256-bit prime at 128-bit security


def expand_message_xmd(msg: bytes, dst: bytes, length: int, hash_name: str = "sha256") -> bytes:
    """RFC 9380 §5.3.1 with SHA-256, or with `hash_name` "sha512" (Lit's Ed25519 derivation)."""
    if hash_name not in ("sha256", "sha512"):
        raise InvalidInput("hash_name", f"expected sha256 or sha512, got {hash_name!r}")
    digest = getattr(hashlib, hash_name)
    b_in_bytes, r_in_bytes = digest().digest_size, digest().block_size
    if not isinstance(msg, (bytes, bytearray)):
        raise InvalidInput("msg", f"expected bytes, got {type(msg).__name__}")
    if not isinstance(dst, (bytes, bytearray)) or not dst:
        raise InvalidInput("dst", "expected non-empty bytes")
    if len(dst) > 255:
        # RFC 9380 §5.3.3 would hash an oversize DST; no caller of ours uses one, so refuse it.
        raise InvalidInput("dst", "longer than 255 bytes")
    ell = -(-length // b_in_bytes)
    if length <= 0 or ell > 255 or length > 65535:
        raise InvalidInput("length", f"cannot expand to {length} bytes")
    dst_prime = bytes(dst) + bytes([len(dst)])
    b0 = digest(bytes(r_in_bytes) + bytes(msg) + length.to_bytes(2, "big") + b"\x00" + dst_prime).digest()
    blocks = [digest(b0 + b"\x01" + dst_prime).digest()]
    for i in range(2, ell + 1):
        mixed = bytes(x ^ y for x, y in zip(b0, blocks[-1]))
        blocks.append(digest(mixed + bytes([i]) + dst_prime).digest())
    return b"".join(blocks)[:length]


def hash_to_field(msg: bytes, dst: bytes, count: int = 1, modulus: int = ORDER) -> list[int]:
    """RFC 9380 §5.2 for a prime field of ≤ 256 bits (m = 1, L = 48)."""
    if count < 1:
        raise InvalidInput("count", "must be at least 1")
    uniform = expand_message_xmd(msg, dst, count * _SCALAR_L)
    return [
        int.from_bytes(uniform[i * _SCALAR_L : (i + 1) * _SCALAR_L], "big") % modulus for i in range(count)
    ]


def hash_to_scalar(msg: bytes, dst: bytes) -> int:
    """One secp256k1 scalar, exactly as k256's `hash_to_scalar` with ExpandMsgXmd<Sha256>."""
    return hash_to_field(msg, dst, 1, ORDER)[0]
