"""The DKG's wire messages: JSON-safe bodies, and strict parsers that name the field that is wrong.

Every message is signed by its sender (`channel.sign_message`); all but forwards are broadcasts.

    kind                   phase                   body
    dkg.deal               deal                    commitments: K lists of degree+1 Pedersen points (hex)
                                                   shares: {recipient: hex sealed {"s": [K], "r": [K]}}
    dkg.response           complaint               complaints: [dealer, ...]
    dkg.answer             answer                  shares: {complainant: {"s": [K], "r": [K]}}
    dkg.feldman            extract                 commitments: K lists of degree+1 Feldman points (hex)
    dkg.feldman_complaint  extract_complaint       complaints: {dealer: {"s": [K], "r": [K]}}
                                                   missing: [dealer, ...] (no usable commitments)
    dkg.reveal             reconstruct             shares: {dealer: {"s": [K], "r": [K]}}
    dkg.confirm            confirm                 digest: hex SHA-256 of QUAL and joint commitments
    dkg.echo.<round>       <round phase>_echo      digests: {sender: hex content digest} (broadcast.py)
    dkg.forward            <round phase>_echo      message: another party's signed message, unchanged;
                                                   the one kind sent to a single recipient

Scalars are fixed-width lowercase hex; points are hex of `group.encode`. Parsing is purely
structural (shapes, ranges, points on the curve); whether a share matches a commitment is the state
machine's business, because that decides who is disqualified rather than whether a message is read.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .broadcast import parse_digests
from .errors import InvalidInput, InvalidPoint, ProtocolError
from .group import Group

__all__ = [
    "DEAL",
    "RESPONSE",
    "ANSWER",
    "FELDMAN",
    "FELDMAN_COMPLAINT",
    "REVEAL",
    "CONFIRM",
    "FORWARD",
    "ECHO_OF",
    "ECHO_PHASE",
    "PHASES",
    "PHASE_OF_KIND",
    "SharePair",
    "Shape",
    "scalar_hex",
    "share_pair_json",
    "points_json",
    "parse_body",
    "parse_sealed_pair",
]

DEAL = "dkg.deal"
RESPONSE = "dkg.response"
ANSWER = "dkg.answer"
FELDMAN = "dkg.feldman"
FELDMAN_COMPLAINT = "dkg.feldman_complaint"
REVEAL = "dkg.reveal"
CONFIRM = "dkg.confirm"
FORWARD = "dkg.forward"

# The broadcasts whose content decides QUAL or the keys, each followed by an echo round. Reveals
# need none: every revealed share is checked against Pedersen commitments all parties agree on.
_CONTENT_PHASE = {
    DEAL: "deal",
    RESPONSE: "complaint",
    ANSWER: "answer",
    FELDMAN: "extract",
    FELDMAN_COMPLAINT: "extract_complaint",
}
ECHO_OF = {kind: f"dkg.echo.{kind.removeprefix('dkg.')}" for kind in _CONTENT_PHASE}
ECHO_PHASE = {kind: f"{phase}_echo" for kind, phase in _CONTENT_PHASE.items()}

# Phases in order; a party is "in" a phase while it collects that phase's messages.
PHASES = (
    "deal",
    "deal_echo",
    "complaint",
    "complaint_echo",
    "answer",
    "answer_echo",
    "extract",
    "extract_echo",
    "extract_complaint",
    "extract_complaint_echo",
    "reconstruct",
    "confirm",
)
PHASE_OF_KIND = {
    **_CONTENT_PHASE,
    **{ECHO_OF[kind]: ECHO_PHASE[kind] for kind in _CONTENT_PHASE},
    REVEAL: "reconstruct",
    CONFIRM: "confirm",
}


@dataclass(frozen=True)
class SharePair:
    """One dealer's shares for one recipient, for each of the K keys: s (secret), r (blinding)."""

    s: tuple[int, ...]
    r: tuple[int, ...]


@dataclass(frozen=True)
class Shape:
    """What every message of one DKG run must look like."""

    group: Group[Any]
    n: int
    keys: int
    degree: int

    @property
    def scalar_width(self) -> int:
        return 2 * ((self.group.order.bit_length() + 7) // 8)


def scalar_hex(shape: Shape, value: int) -> str:
    return format(value % shape.group.order, f"0{shape.scalar_width}x")


def share_pair_json(shape: Shape, pair: SharePair) -> dict[str, list[str]]:
    return {"s": [scalar_hex(shape, v) for v in pair.s], "r": [scalar_hex(shape, v) for v in pair.r]}


def points_json(group: Group[Any], rows: Iterable[Iterable[Any]]) -> list[list[str]]:
    return [[group.encode(p).hex() for p in row] for row in rows]


def _scalar(shape: Shape, value: Any, field: str) -> int:
    if not isinstance(value, str) or len(value) != shape.scalar_width:
        raise InvalidInput(field, f"expected {shape.scalar_width} hex digits")
    try:
        x = int(value, 16)
    except ValueError:
        raise InvalidInput(field, "not a hex string") from None
    if x >= shape.group.order:
        raise InvalidInput(field, "scalar out of range")
    return x


def _list(value: Any, field: str, length: int) -> list[Any]:
    if not isinstance(value, list):
        raise InvalidInput(field, f"expected a list, got {type(value).__name__}")
    if len(value) != length:
        raise InvalidInput(field, f"expected {length} entries, got {len(value)}")
    return value


def _mapping(value: Any, field: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise InvalidInput(field, f"expected an object, got {type(value).__name__}")
    return value


def _index(shape: Shape, key: Any, field: str) -> int:
    # Keys of JSON objects are strings; lists carry ints. Accept exactly those, canonical only.
    if isinstance(key, str) and key.isdigit() and str(int(key)) == key:
        i = int(key)
    elif isinstance(key, int) and not isinstance(key, bool):
        i = key
    else:
        raise InvalidInput(field, f"party index {key!r} is not a canonical integer")
    if not 1 <= i <= shape.n:
        raise InvalidInput(field, f"party index {i} out of range 1..{shape.n}")
    return i


def _share_pair(shape: Shape, value: Any, field: str) -> SharePair:
    obj = _mapping(value, field)
    if set(obj) != {"s", "r"}:
        raise InvalidInput(field, "expected exactly the fields s and r")
    s = tuple(_scalar(shape, v, f"{field}.s[{k}]") for k, v in enumerate(_list(obj["s"], f"{field}.s", shape.keys)))
    r = tuple(_scalar(shape, v, f"{field}.r[{k}]") for k, v in enumerate(_list(obj["r"], f"{field}.r", shape.keys)))
    return SharePair(s, r)


def _commitments(shape: Shape, value: Any, field: str) -> tuple[tuple[Any, ...], ...]:
    rows = _list(value, field, shape.keys)
    out = []
    for k, row in enumerate(rows):
        points = []
        for l, text in enumerate(_list(row, f"{field}[{k}]", shape.degree + 1)):
            where = f"{field}[{k}][{l}]"
            if not isinstance(text, str):
                raise InvalidPoint(where, "expected a hex string")
            try:
                raw = bytes.fromhex(text)
            except ValueError:
                raise InvalidPoint(where, "not a hex string") from None
            points.append(shape.group.decode(raw, where, allow_identity=True))
        out.append(tuple(points))
    return tuple(out)


def _pairs_by_index(shape: Shape, value: Any, field: str, sender: int) -> dict[int, SharePair]:
    out = {}
    for key, pair in _mapping(value, field).items():
        i = _index(shape, key, field)
        if i == sender:
            raise InvalidInput(f"{field}.{key}", "a party cannot name itself here")
        out[i] = _share_pair(shape, pair, f"{field}.{key}")
    return out


def _dealers(shape: Shape, raw: Any, field: str, sender: int) -> frozenset[int]:
    if not isinstance(raw, list):
        raise InvalidInput(field, "expected a list")
    dealers = [_index(shape, d, field) for d in raw]
    if len(set(dealers)) != len(dealers) or sender in dealers:
        raise InvalidInput(field, "duplicate dealer, or a complaint against oneself")
    return frozenset(dealers)


def _exact_fields(body: Mapping[str, Any], kind: str, names: set[str]) -> None:
    extra = set(body) - names - {"sig"}
    if extra:
        raise InvalidInput(f"{kind}.{sorted(extra)[0]}", "unexpected field")
    for name in sorted(names):
        if name not in body:
            raise InvalidInput(f"{kind}.{name}", "missing")


def parse_body(shape: Shape, kind: str, sender: int, body: Mapping[str, Any]) -> Any:
    """The structured content of a message body. Raises InvalidInput naming the bad field."""
    if kind == DEAL:
        _exact_fields(body, "deal", {"commitments", "shares"})
        commitments = _commitments(shape, body["commitments"], "deal.commitments")
        sealed: dict[int, bytes] = {}
        shares = _mapping(body["shares"], "deal.shares")
        for key, text in shares.items():
            i = _index(shape, key, "deal.shares")
            if not isinstance(text, str):
                raise InvalidInput(f"deal.shares.{key}", "expected a hex string")
            try:
                sealed[i] = bytes.fromhex(text)
            except ValueError:
                raise InvalidInput(f"deal.shares.{key}", "not a hex string") from None
        expected = set(range(1, shape.n + 1)) - {sender}
        if set(sealed) != expected:
            missing = sorted(expected - set(sealed)) or sorted(set(sealed) - expected)
            raise InvalidInput(f"deal.shares.{missing[0]}", "one sealed share per other party, exactly")
        return commitments, sealed
    if kind == RESPONSE:
        _exact_fields(body, "response", {"complaints"})
        return _dealers(shape, body["complaints"], "response.complaints", sender)
    if kind == ANSWER:
        _exact_fields(body, "answer", {"shares"})
        return _pairs_by_index(shape, body["shares"], "answer.shares", sender)
    if kind == FELDMAN:
        _exact_fields(body, "feldman", {"commitments"})
        return _commitments(shape, body["commitments"], "feldman.commitments")
    if kind == FELDMAN_COMPLAINT:
        _exact_fields(body, "feldman_complaint", {"complaints", "missing"})
        evidence = _pairs_by_index(shape, body["complaints"], "feldman_complaint.complaints", sender)
        return evidence, _dealers(shape, body["missing"], "feldman_complaint.missing", sender)
    if kind == REVEAL:
        _exact_fields(body, "reveal", {"shares"})
        return _pairs_by_index(shape, body["shares"], "reveal.shares", sender)
    if kind == CONFIRM:
        _exact_fields(body, "confirm", {"digest"})
        digest = body["digest"]
        if not isinstance(digest, str) or len(digest) != 64 or digest.strip("0123456789abcdef"):
            raise InvalidInput("confirm.digest", "expected 64 lowercase hex digits")
        return digest
    if kind in PHASE_OF_KIND and PHASE_OF_KIND[kind].endswith("_echo"):
        _exact_fields(body, "echo", {"digests"})
        return parse_digests(body, "echo", range(1, shape.n + 1))
    raise ProtocolError(f"kind: unknown DKG message kind {kind!r}")


def parse_sealed_pair(shape: Shape, plaintext: bytes) -> SharePair:
    """The recipient's view of its deal; a dealer who sealed junk is complained about, not crashed on."""
    try:
        value = json.loads(plaintext)
    except (ValueError, UnicodeDecodeError):
        raise InvalidInput("deal.share", "sealed share is not JSON") from None
    return _share_pair(shape, value, "deal.share")
