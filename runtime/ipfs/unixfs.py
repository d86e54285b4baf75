"""UnixFS `Data` message: what a dag-pb node means as part of a file or directory.

Only the fields Kubo writes for files are produced (Type, Data, filesize, blocksizes); on
reading, hashType/fanout/mode/mtime are accepted and ignored, since they never change file bytes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum

from .protobuf import LEN, VARINT, bytes_field, iter_fields, varint_field
from .encoding import decode_varint

__all__ = ["DataType", "UnixFSData", "encode_unixfs", "decode_unixfs"]


class DataType(IntEnum):
    RAW = 0
    DIRECTORY = 1
    FILE = 2
    METADATA = 3
    SYMLINK = 4
    HAMT_SHARD = 5


_IGNORED_FIELDS = {5, 6, 7, 8}


@dataclass(frozen=True)
class UnixFSData:
    type: DataType
    data: bytes | None = None
    filesize: int | None = None
    blocksizes: tuple[int, ...] = field(default_factory=tuple)


def encode_unixfs(message: UnixFSData) -> bytes:
    out = varint_field(1, int(message.type))
    if message.data is not None:
        out += bytes_field(2, message.data)
    if message.filesize is not None:
        out += varint_field(3, message.filesize)
    # proto2 `repeated uint64` without [packed=true]: one key per value, as Kubo writes it.
    for size in message.blocksizes:
        out += varint_field(4, size)
    return out


def decode_unixfs(raw: bytes) -> UnixFSData:
    """Decode a UnixFS Data message; raises ValueError naming the problem."""
    kind: int | None = None
    data: bytes | None = None
    filesize: int | None = None
    blocksizes: list[int] = []
    for number, wire, value in iter_fields(raw):
        if number == 1 and wire == VARINT:
            kind = int(value)
        elif number == 2 and wire == LEN:
            data = value  # type: ignore[assignment]
        elif number == 3 and wire == VARINT:
            filesize = int(value)
        elif number == 4 and wire == VARINT:
            blocksizes.append(int(value))
        elif number == 4 and wire == LEN:
            blocksizes.extend(_unpack_varints(value))  # type: ignore[arg-type]
        elif number in _IGNORED_FIELDS:
            continue
        else:
            raise ValueError(f"unexpected UnixFS field {number} (wire type {wire})")
    if kind is None:
        raise ValueError("UnixFS Data without Type")
    try:
        data_type = DataType(kind)
    except ValueError:
        raise ValueError(f"unknown UnixFS type {kind}") from None
    return UnixFSData(data_type, data, filesize, tuple(blocksizes))


def _unpack_varints(packed: bytes) -> list[int]:
    values = []
    pos = 0
    while pos < len(packed):
        value, pos = decode_varint(packed, pos)
        values.append(value)
    return values
