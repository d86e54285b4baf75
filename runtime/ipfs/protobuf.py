"""The few protobuf wire-format pieces that dag-pb and UnixFS need (varint and bytes fields)."""

from __future__ import annotations

from collections.abc import Iterator

from .encoding import decode_varint, encode_varint

__all__ = ["VARINT", "LEN", "varint_field", "bytes_field", "iter_fields"]

VARINT = 0
LEN = 2


def varint_field(number: int, value: int) -> bytes:
    return encode_varint(number << 3 | VARINT) + encode_varint(value)


def bytes_field(number: int, value: bytes) -> bytes:
    return encode_varint(number << 3 | LEN) + encode_varint(len(value)) + value


def iter_fields(data: bytes) -> Iterator[tuple[int, int, int | bytes]]:
    """Yield (field number, wire type, value) for varint and length-delimited fields.

    Raises ValueError on truncation or on wire types that dag-pb and UnixFS never use, because a
    block that carries them was not made by an IPFS implementation and must not be guessed at.
    """
    pos = 0
    end = len(data)
    while pos < end:
        key, pos = decode_varint(data, pos)
        number, wire = key >> 3, key & 7
        if number == 0:
            raise ValueError("protobuf field number 0")
        if wire == VARINT:
            value, pos = decode_varint(data, pos)
            yield number, wire, value
        elif wire == LEN:
            length, pos = decode_varint(data, pos)
            if pos + length > end:
                raise ValueError(f"field {number} claims {length} bytes, only {end - pos} left")
            yield number, wire, bytes(data[pos : pos + length])
            pos += length
        else:
            raise ValueError(f"field {number} has unsupported wire type {wire}")
