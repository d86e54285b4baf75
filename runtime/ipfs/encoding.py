"""Byte encodings used by CIDs: unsigned varints, base58btc and multibase base32.

Each decoder raises ValueError with the reason; callers that know the context (a CID, a block)
wrap it into their own error.
"""

from __future__ import annotations

import base64
import binascii

__all__ = [
    "encode_varint",
    "decode_varint",
    "b58encode",
    "b58decode",
    "b32encode_lower",
    "b32decode",
]

_B58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_B58_INDEX = {ch: i for i, ch in enumerate(_B58_ALPHABET)}

# Multiformats caps varints at 9 bytes (63 bits); longer ones are attacks or garbage.
_MAX_VARINT_BYTES = 9


def encode_varint(value: int) -> bytes:
    if value < 0:
        raise ValueError(f"varint must be non-negative, got {value}")
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def decode_varint(data: bytes | memoryview, offset: int = 0) -> tuple[int, int]:
    """Return (value, offset just past the varint). Rejects truncated and non-minimal forms."""
    value = 0
    shift = 0
    for i in range(_MAX_VARINT_BYTES):
        pos = offset + i
        if pos >= len(data):
            raise ValueError("truncated varint")
        byte = data[pos]
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            if byte == 0 and i > 0:
                raise ValueError("non-minimal varint encoding")
            return value, pos + 1
        shift += 7
    raise ValueError("varint longer than 9 bytes")


def b58encode(data: bytes) -> str:
    zeros = len(data) - len(data.lstrip(b"\x00"))
    number = int.from_bytes(data, "big")
    chars = []
    while number:
        number, rem = divmod(number, 58)
        chars.append(_B58_ALPHABET[rem])
    return "1" * zeros + "".join(reversed(chars))


def b58decode(text: str) -> bytes:
    number = 0
    for ch in text:
        digit = _B58_INDEX.get(ch)
        if digit is None:
            raise ValueError(f"character {ch!r} is not in the base58btc alphabet")
        number = number * 58 + digit
    zeros = len(text) - len(text.lstrip("1"))
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\x00" * zeros + body


def b32encode_lower(data: bytes) -> str:
    """RFC 4648 base32, lowercase, no padding: multibase 'b'."""
    return base64.b32encode(data).decode("ascii").rstrip("=").lower()


def b32decode(text: str) -> bytes:
    """Decode unpadded RFC 4648 base32 in either case."""
    upper = text.upper()
    if len(upper) % 8 in (1, 3, 6):
        raise ValueError(f"base32 text of length {len(text)} is impossible")
    padded = upper + "=" * (-len(upper) % 8)
    try:
        return base64.b32decode(padded)
    except binascii.Error as exc:
        raise ValueError(f"not base32: {exc}") from exc
