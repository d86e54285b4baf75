"""Presigning's wire messages: kinds, phases, and strict structural parsers.

Every message is signed by its sender (`channel.sign_message`); all but forwards are broadcasts.

    kind                    phase          body
    presign.deal            deal           commitments: B entries {k, a, z, e, d: hex points}
                                           shares: {recipient: hex sealed blob of its B·5 scalars}
    presign.complaint       complain       against: [dealer, ...]
    presign.answer          answer         shares: {complainer: hex blob of its B·5 scalars}
    presign.open            open           w: B entries {w: hex scalar, proof: DLEQ proof}
    presign.confirm         confirm        digest: hex SHA-256 of QUAL and the batch's public parts
    presign.echo.<round>    <phase>_echo   digests: {sender: hex content digest} (broadcast.py)
    presign.forward         <phase>_echo   message: another member's signed broadcast, unchanged

A broadcast whose content is malformed but validly signed parses to `Malformed`: it is held and
echoed like any other, so every honest member disqualifies its sender for the same reason. Whether
shares match commitments is the state machine's business. Points are on `Shape.group` (secp256k1
unless the run says otherwise) and scalars below its order.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from .broadcast import parse_digests
from .dleq import DleqProof
from .errors import CryptoError, InvalidInput
from .group import Group, Point, decode_point_hex
from .secp256k1 import SECP256K1

__all__ = [
    "DEAL", "COMPLAINT", "ANSWER", "OPEN", "CONFIRM", "FORWARD",
    "ECHO_OF", "ECHO_PHASE", "PHASES", "ROUND_PHASE", "POLYS", "ZERO_SHARINGS",
    "Malformed", "Shape", "parse_body", "pack", "unpack", "sealed_head", "point_sum",
]

DEAL = "presign.deal"
COMPLAINT = "presign.complaint"
ANSWER = "presign.answer"
OPEN = "presign.open"
CONFIRM = "presign.confirm"
FORWARD = "presign.forward"

# The broadcast rounds, each followed by an echo round; confirmations need none (broadcast.py).
ROUND_PHASE = {DEAL: "deal", COMPLAINT: "complain", ANSWER: "answer", OPEN: "open"}
ECHO_OF = {kind: f"presign.echo.{phase}" for kind, phase in ROUND_PHASE.items()}
ECHO_PHASE = {kind: f"{phase}_echo" for kind, phase in ROUND_PHASE.items()}
PHASES = ("deal", "deal_echo", "complain", "complain_echo", "answer", "answer_echo", "open", "open_echo", "confirm")

POLYS = ("k", "a", "z", "e", "d")
ZERO_SHARINGS = ("z", "e", "d")
_SEALED = b"litrt/presign/v2"
_SCALARS = 32 * len(POLYS)  # bytes of one member's shares of one presignature

Shares = list[tuple[int, ...]]  # per presignature: (k, a, z, e, d) at one member


@dataclass(frozen=True)
class Malformed:
    """A signed broadcast that does not parse: its sender is out, for this reason, everywhere."""

    reason: str


@dataclass(frozen=True)
class Shape:
    t: int
    batch_size: int
    committee: tuple[int, ...]
    group: Group[Any] = SECP256K1


def parse_body(shape: Shape, kind: str, sender: int, body: dict[str, Any]) -> Any:
    """The parsed body. Content broadcasts that do not parse give `Malformed`; an echo or a
    confirmation that does not parse raises InvalidInput (it decides nothing about its sender)."""
    if kind in ECHO_OF.values():
        return parse_digests(body, kind, shape.committee)
    if kind == CONFIRM:
        digest = body.get("digest")
        if not isinstance(digest, str) or len(digest) != 64 or digest.strip("0123456789abcdef"):
            raise InvalidInput("digest", "expected 64 lowercase hex digits")
        return digest
    parser = {DEAL: _deal, COMPLAINT: _complaint, ANSWER: _answer, OPEN: _open}[kind]
    try:
        return parser(shape, sender, body)
    except (CryptoError, ValueError) as exc:
        return Malformed(str(exc))


def _deal(shape: Shape, sender: int, body: dict[str, Any]) -> tuple[list[dict[str, list[Point]]], dict[str, Any]]:
    sealed = body.get("shares")
    if not isinstance(sealed, dict):
        raise InvalidInput("shares", "expected an object")
    return _commitments(shape, body.get("commitments")), sealed


def _commitments(shape: Shape, raw: Any) -> list[dict[str, list[Point]]]:
    if not isinstance(raw, list) or len(raw) != shape.batch_size:
        raise InvalidInput("commitments", f"expected {shape.batch_size} entries")
    out = []
    for b, entry in enumerate(raw):
        if not isinstance(entry, dict):
            raise InvalidInput(f"commitments[{b}]", "expected an object")
        parsed = {}
        for name in POLYS:
            length = shape.t + 1 if name in ("k", "a") else 2 * shape.t + 1
            pts, field = entry.get(name), f"commitments[{b}].{name}"
            if not isinstance(pts, list) or len(pts) != length or not all(isinstance(p, str) for p in pts):
                raise InvalidInput(field, f"expected {length} hex points")
            zero = name in ZERO_SHARINGS
            decoded = [decode_point_hex(shape.group, p, f"{field}[{i}]", allow_identity=i > 0 or zero) for i, p in enumerate(pts)]
            if zero and not shape.group.is_identity(decoded[0]):
                raise InvalidInput(f"{field}[0]", "a zero-sharing must commit to the identity")
            parsed[name] = decoded
        out.append(parsed)
    return out


def _complaint(shape: Shape, sender: int, body: dict[str, Any]) -> frozenset[int]:
    against = body.get("against")
    if not isinstance(against, list) or not all(isinstance(d, int) and not isinstance(d, bool) for d in against):
        raise InvalidInput("against", "expected a list of party indices")
    return frozenset(d for d in against if d in shape.committee and d != sender)


def _answer(shape: Shape, sender: int, body: dict[str, Any]) -> dict[int, Shares]:
    opened = body.get("shares")
    if not isinstance(opened, dict):
        raise InvalidInput("shares", "expected an object")
    out = {}
    for key, blob in opened.items():
        if not isinstance(key, str) or not key.isdigit() or int(key) not in shape.committee:
            raise InvalidInput("shares", f"{key!r} is not a committee member")
        if not isinstance(blob, str):
            raise InvalidInput(f"shares[{key}]", "expected hex")
        out[int(key)] = unpack(bytes.fromhex(blob), shape.batch_size, f"shares[{key}]", shape.group.order)
    return out


def _open(shape: Shape, sender: int, body: dict[str, Any]) -> list[tuple[int, DleqProof]]:
    entries = body.get("w")
    if not isinstance(entries, list) or len(entries) != shape.batch_size:
        raise InvalidInput("w", f"expected {shape.batch_size} entries")
    out = []
    for b, entry in enumerate(entries):
        if not isinstance(entry, dict) or not isinstance(entry.get("w"), str) or len(entry["w"]) != 64:
            raise InvalidInput(f"w[{b}]", "expected 64 hex digits")
        w = int(entry["w"], 16)
        if not 0 <= w < shape.group.order:
            raise InvalidInput(f"w[{b}]", "scalar out of range")
        out.append((w, DleqProof.from_dict(entry.get("proof"), f"w[{b}].proof", shape.group.order)))
    return out


def pack(shares: Shares) -> bytes:
    return b"".join(v.to_bytes(32, "big") for values in shares for v in values)


def unpack(blob: bytes, batch_size: int, field: str, order: int = SECP256K1.order) -> Shares:
    if len(blob) != _SCALARS * batch_size:
        raise InvalidInput(field, f"expected {_SCALARS * batch_size} bytes, got {len(blob)}")
    values = [int.from_bytes(blob[i : i + 32], "big") for i in range(0, len(blob), 32)]
    if any(v >= order for v in values):
        raise InvalidInput(field, "scalar out of range")
    width = len(POLYS)
    return [tuple(values[i : i + width]) for i in range(0, len(values), width)]


def sealed_head(session: str, dealer: int, recipient: int, group: Group[Any] = SECP256K1) -> bytes:
    """What precedes a member's shares inside their seal. It binds session, dealer, recipient and
    (off secp256k1) the curve, so a sealed blob replayed into another run, or to another recipient, fails."""
    sid = session.encode()
    tag = _SEALED if group is SECP256K1 else _SEALED + b"/" + group.name.encode()
    return tag + len(sid).to_bytes(2, "big") + sid + dealer.to_bytes(4, "big") + recipient.to_bytes(4, "big")


def point_sum(points: Iterable[Point], group: Group[Any] = SECP256K1) -> Point:
    acc = group.identity()
    for p in points:
        acc = group.add(acc, p)
    return acc
