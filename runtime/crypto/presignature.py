"""A presignature: the output of one presigning run for one party, and its public part.

Public part (identical at every honest party, and what a combiner needs to check shares):
R = k⁻¹·G, the committee and threshold, and the Feldman commitments of the joint sharings of k
(degree t) and of the zero-sharings e and d (degree 2t, constant commitment the identity). From them,
K_i = k_i·G, E_i = e_i·G and D_i = d_i·G of every committee member follow.
Secret part: the party's k_i, e_i and d_i (never in a repr). Everything serialises to JSON-safe dicts.

The curve is secp256k1 unless `group` says otherwise (P-256 for EcdsaP256Sha256). A secp256k1
presignature serialises as it always has; any other carries `"curve": <group name>`, which is part of
its digest, so a presignature never passes for one of another curve.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from .errors import InvalidInput, InvalidPoint
from .group import EcdsaGroup, Group, Point, decode_point_hex, parse_scalar
from .p256 import P256
from .secp256k1 import SECP256K1
from .vss import commitment_at

__all__ = ["PresignaturePublic", "Presignature", "ECDSA_GROUPS", "ecdsa_group"]

# The curves threshold ECDSA runs on, by `Group.name`.
ECDSA_GROUPS: dict[str, EcdsaGroup[Any]] = {SECP256K1.name: SECP256K1, P256.name: P256}


def ecdsa_group(name: Any, field: str = "curve") -> EcdsaGroup[Any]:
    if isinstance(name, str) and name in ECDSA_GROUPS:
        return ECDSA_GROUPS[name]
    raise InvalidInput(field, f"unknown ECDSA curve {name!r:.40}; expected one of {sorted(ECDSA_GROUPS)}")


def _x_coordinate(group: Group[Any], point: Any) -> int:
    return int.from_bytes(group.encode(point)[1:], "big")


def _points_to_hex(group: Group[Any], points: tuple[Point, ...]) -> list[str]:
    return [group.encode(p).hex() for p in points]


def _points_from_hex(group: Group[Any], raw: Any, field: str, length: int, identity_at_zero: bool) -> tuple[Point, ...]:
    if not isinstance(raw, list) or len(raw) != length:
        raise InvalidInput(field, f"expected a list of {length} points")
    out = []
    for k, text in enumerate(raw):
        point = decode_point_hex(group, text, f"{field}[{k}]", allow_identity=k > 0 or identity_at_zero)
        if k == 0 and identity_at_zero and not group.is_identity(point):
            raise InvalidPoint(f"{field}[0]", "a zero-sharing must commit to the identity")
        out.append(point)
    return tuple(out)


@dataclass(frozen=True)
class PresignaturePublic:
    id: str
    committee: tuple[int, ...]
    threshold: int
    big_r: Point
    k_commitments: tuple[Point, ...]  # t+1 points
    e_commitments: tuple[Point, ...]  # 2t+1 points, [0] the identity
    d_commitments: tuple[Point, ...]  # 2t+1 points, [0] the identity
    group: Group[Any] = SECP256K1

    def __post_init__(self) -> None:
        t = self.threshold
        if not isinstance(t, int) or t < 0:
            raise InvalidInput("threshold", "must be a non-negative int")
        if len(self.committee) != len(set(self.committee)) or sorted(self.committee) != list(self.committee):
            raise InvalidInput("committee", "must be sorted and without duplicates")
        if any(not isinstance(i, int) or i < 1 for i in self.committee):
            raise InvalidInput("committee", "party indices must be positive ints")
        if not 2 * t + 1 <= len(self.committee) <= 3 * t + 1:
            raise InvalidInput("committee", f"size {len(self.committee)} outside [2t+1, 3t+1] for t={t}")
        if len(self.k_commitments) != t + 1:
            raise InvalidInput("k_commitments", f"expected {t + 1} points")
        for name in ("e_commitments", "d_commitments"):
            points = getattr(self, name)
            if len(points) != 2 * t + 1 or not self.group.is_identity(points[0]):
                raise InvalidInput(name, f"expected {2 * t + 1} points with the identity first")
        if self.group.is_identity(self.big_r):
            raise InvalidPoint("big_r", "identity point not allowed")
        if _x_coordinate(self.group, self.big_r) >= self.group.order:
            # Presigning discards such R; refusing it here keeps the recovery id in {0, 1}.
            raise InvalidPoint("big_r", "R.x ≥ n")

    @property
    def r(self) -> int:
        return _x_coordinate(self.group, self.big_r) % self.group.order

    def k_public(self, index: int) -> Point:
        """K_i = k_i·G."""
        self._check_member(index)
        return commitment_at(self.group, self.k_commitments, index)

    def e_public(self, index: int) -> Point:
        """E_i = e_i·G."""
        self._check_member(index)
        return commitment_at(self.group, self.e_commitments, index)

    def d_public(self, index: int) -> Point:
        """D_i = d_i·G."""
        self._check_member(index)
        return commitment_at(self.group, self.d_commitments, index)

    def _check_member(self, index: int) -> None:
        if index not in self.committee:
            raise InvalidInput("index", f"party {index} is not in the committee of {self.id}")

    def to_dict(self) -> dict[str, Any]:
        g = self.group
        out = {
            "id": self.id,
            "committee": list(self.committee),
            "threshold": self.threshold,
            "R": g.encode(self.big_r).hex(),
            "k_commitments": _points_to_hex(g, self.k_commitments),
            "e_commitments": _points_to_hex(g, self.e_commitments),
            "d_commitments": _points_to_hex(g, self.d_commitments),
        }
        if g is not SECP256K1:  # secp256k1 presignatures keep the shape (and digest) they always had
            out["curve"] = g.name
        return out

    def digest(self) -> str:
        """What honest parties agree on; a combiner compares it across nodes."""
        return self._digest

    @cached_property
    def _digest(self) -> str:
        # Every accept, certificate check and signature share asks for it: serialise the
        # commitments once (the dataclass is frozen, so the value cannot go stale).
        blob = json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":")).encode()
        return hashlib.sha256(blob).hexdigest()

    @classmethod
    def from_dict(cls, data: Any) -> "PresignaturePublic":
        if not isinstance(data, dict):
            raise InvalidInput("presignature", "expected an object")
        try:
            pid, committee, t = data["id"], data["committee"], data["threshold"]
            r_hex = data["R"]
        except KeyError as exc:
            raise InvalidInput(str(exc.args[0]), "missing") from None
        if not isinstance(pid, str) or not pid:
            raise InvalidInput("id", "expected a non-empty string")
        if not isinstance(t, int) or isinstance(t, bool) or t < 0:
            raise InvalidInput("threshold", "expected a non-negative int")
        if not isinstance(committee, list) or not all(isinstance(i, int) and not isinstance(i, bool) for i in committee):
            raise InvalidInput("committee", "expected a list of ints")
        g = ecdsa_group(data.get("curve", SECP256K1.name))
        return cls(
            id=pid,
            committee=tuple(committee),
            threshold=t,
            big_r=decode_point_hex(g, r_hex, "R"),
            k_commitments=_points_from_hex(g, data.get("k_commitments"), "k_commitments", t + 1, False),
            e_commitments=_points_from_hex(g, data.get("e_commitments"), "e_commitments", 2 * t + 1, True),
            d_commitments=_points_from_hex(g, data.get("d_commitments"), "d_commitments", 2 * t + 1, True),
            group=g,
        )


@dataclass(frozen=True)
class Presignature:
    public: PresignaturePublic
    index: int
    k_share: int = field(repr=False)
    e_share: int = field(repr=False)
    d_share: int = field(repr=False)

    def __post_init__(self) -> None:
        if self.index not in self.public.committee:
            raise InvalidInput("index", f"party {self.index} is not in the committee")
        for name in ("k_share", "e_share", "d_share"):
            value = getattr(self, name)
            if not isinstance(value, int) or not 0 <= value < self.public.group.order:
                raise InvalidInput(name, "scalar out of range")

    @property
    def id(self) -> str:
        return self.public.id

    def to_dict(self) -> dict[str, Any]:
        return {
            "public": self.public.to_dict(),
            "index": self.index,
            "k_share": f"{self.k_share:064x}",
            "e_share": f"{self.e_share:064x}",
            "d_share": f"{self.d_share:064x}",
        }

    @classmethod
    def from_dict(cls, data: Any) -> "Presignature":
        if not isinstance(data, dict):
            raise InvalidInput("presignature", "expected an object")
        index = data.get("index")
        if not isinstance(index, int) or isinstance(index, bool):
            raise InvalidInput("index", "expected an int")
        public = PresignaturePublic.from_dict(data.get("public"))
        order = public.group.order
        return cls(
            public=public,
            index=index,
            k_share=_scalar(data.get("k_share"), "k_share", order),
            e_share=_scalar(data.get("e_share"), "e_share", order),
            d_share=_scalar(data.get("d_share"), "d_share", order),
        )


def _scalar(value: Any, field: str, order: int) -> int:
    if not isinstance(value, str):
        raise InvalidInput(field, "expected hex")
    return parse_scalar(value, order, field, allow_zero=True)
