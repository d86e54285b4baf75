"""dag-pb: the protobuf node format (PBNode with PBLinks) that UnixFS is written in.

Field order follows the dag-pb spec and Kubo: a node's Links (field 2) are written before its
Data (field 1); a link is Hash (1), Name (2), Tsize (3). Kubo writes an empty Name for file chunks,
and that byte pair is part of the hash, so `name=""` and `name=None` encode differently.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .cid import CID
from .errors import CidError, DagError
from .protobuf import LEN, VARINT, bytes_field, iter_fields, varint_field

__all__ = ["PBLink", "PBNode", "encode_node", "decode_node"]


@dataclass(frozen=True)
class PBLink:
    cid: CID
    name: str | None = ""
    tsize: int | None = None


@dataclass(frozen=True)
class PBNode:
    links: tuple[PBLink, ...] = field(default_factory=tuple)
    data: bytes | None = None


def encode_node(node: PBNode) -> bytes:
    out = bytearray()
    for link in node.links:
        body = bytes_field(1, link.cid.encode())
        if link.name is not None:
            body += bytes_field(2, link.name.encode("utf-8"))
        if link.tsize is not None:
            body += varint_field(3, link.tsize)
        out += bytes_field(2, body)
    if node.data is not None:
        out += bytes_field(1, node.data)
    return bytes(out)


def decode_node(block: bytes, cid: str | None = None) -> PBNode:
    """Decode a dag-pb block; `cid` only labels errors."""
    links: list[PBLink] = []
    data: bytes | None = None
    try:
        for number, wire, value in iter_fields(block):
            if number == 2 and wire == LEN:
                if data is not None:
                    raise ValueError("PBNode Links after Data")
                assert isinstance(value, bytes)
                links.append(_decode_link(value))
            elif number == 1 and wire == LEN:
                if data is not None:
                    raise ValueError("PBNode has two Data fields")
                assert isinstance(value, bytes)
                data = value
            else:
                raise ValueError(f"unexpected PBNode field {number} (wire type {wire})")
    except (ValueError, CidError) as exc:
        raise DagError(cid, f"not a valid dag-pb node: {exc}") from None
    return PBNode(tuple(links), data)


def _decode_link(body: bytes) -> PBLink:
    cid: CID | None = None
    name: str | None = None
    tsize: int | None = None
    last = 0
    for number, wire, value in iter_fields(body):
        if number <= last:
            raise ValueError(f"PBLink field {number} out of order or repeated")
        last = number
        if number == 1 and wire == LEN:
            assert isinstance(value, bytes)
            cid = CID.decode(value)
        elif number == 2 and wire == LEN:
            assert isinstance(value, bytes)
            try:
                name = value.decode("utf-8")
            except UnicodeDecodeError:
                raise ValueError("PBLink Name is not UTF-8") from None
        elif number == 3 and wire == VARINT:
            assert isinstance(value, int)
            tsize = value
        else:
            raise ValueError(f"unexpected PBLink field {number} (wire type {wire})")
    if cid is None:
        raise ValueError("PBLink without Hash")
    return PBLink(cid, name, tsize)
