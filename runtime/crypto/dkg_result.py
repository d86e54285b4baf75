"""A DKG's plain data: its parameters, and what it leaves each party (JSON-serialisable, for the
node's sealed share store)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .errors import InvalidInput, ProtocolError
from .group import Group, threshold_for
from .vss import public_share

__all__ = ["DkgConfig", "DkgIncomplete", "DkgKeyShare", "DkgResult"]

_TRANSCRIPT_DOMAIN = b"litrt/dkg/transcript/v1\x00"


@dataclass(frozen=True)
class DkgConfig:
    """One DKG run. ECDSA root keys: degree t, keys=10. BLS network key: degree 2t, keys=1."""

    session: str
    n: int
    t: int
    degree: int
    keys: int = 1

    def __post_init__(self) -> None:
        if not isinstance(self.session, str) or not self.session:
            raise InvalidInput("session", "must be a non-empty string")
        if self.n < 1:
            raise InvalidInput("n", f"must be at least 1, got {self.n}")
        if not 0 <= self.t < self.n:
            raise InvalidInput("t", f"must be in 0..n-1, got {self.t}")
        if not 0 <= self.degree < self.n:
            raise InvalidInput("degree", f"must be in 0..n-1, got {self.degree}")
        if self.keys < 1:
            raise InvalidInput("keys", f"must be at least 1, got {self.keys}")

    @classmethod
    def for_network(cls, session: str, n: int, *, keys: int = 1, double_degree: bool = False) -> "DkgConfig":
        """t from docs/architecture.md §Threshold keys; degree t (ECDSA) or 2t (BLS, `double_degree`)."""
        t = threshold_for(n)
        return cls(session=session, n=n, t=t, degree=2 * t if double_degree else t, keys=keys)


@dataclass(frozen=True)
class DkgKeyShare:
    """One jointly generated key, from one party's point of view.

    `commitments[l]` = a_l·G for the joint polynomial f (hex of `group.encode`), so
    `commitments[0]` is the public key and party i's public key share is Σ_l commitments[l]·i^l.
    """

    share: int = field(repr=False)  # secret: never in logs or tracebacks
    public_key: str
    commitments: tuple[str, ...]

    def commitment_points(self, group: Group[Any]) -> list[Any]:
        return [
            group.decode(bytes.fromhex(c), f"commitments[{l}]", allow_identity=True)
            for l, c in enumerate(self.commitments)
        ]

    def public_key_point(self, group: Group[Any]) -> Any:
        return group.decode(bytes.fromhex(self.public_key), "public_key")

    def to_dict(self) -> dict[str, Any]:
        return {"share": format(self.share, "x"), "public_key": self.public_key, "commitments": list(self.commitments)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], field: str = "key") -> "DkgKeyShare":
        if not isinstance(data, Mapping):
            raise InvalidInput(field, "expected an object")
        try:
            share = int(data["share"], 16)
            public_key = str(data["public_key"])
            commitments = tuple(str(c) for c in data["commitments"])
        except KeyError as exc:
            raise InvalidInput(f"{field}.{exc.args[0]}", "missing") from None
        except (TypeError, ValueError):
            raise InvalidInput(field, "malformed share, public_key or commitments") from None
        if not commitments or commitments[0] != public_key:
            raise InvalidInput(f"{field}.public_key", "must equal commitments[0]")
        return cls(share, public_key, commitments)


@dataclass(frozen=True)
class DkgResult:
    """A finished DKG: who qualified, and for each of the K keys this party's share and the public data."""

    session: str
    group: str
    index: int
    n: int
    t: int
    degree: int
    qualified: tuple[int, ...]
    keys: tuple[DkgKeyShare, ...]

    @property
    def disqualified(self) -> tuple[int, ...]:
        return tuple(i for i in range(1, self.n + 1) if i not in self.qualified)

    @property
    def public_keys(self) -> tuple[str, ...]:
        return tuple(k.public_key for k in self.keys)

    def public_share(self, group: Group[Any], key: int, party: int) -> Any:
        """Party `party`'s public key share s_party·G of key number `key`."""
        if group.name != self.group:
            raise InvalidInput("group", f"result is for {self.group}, not {group.name}")
        return public_share(group, self.keys[key].commitment_points(group), party)

    def to_dict(self) -> dict[str, Any]:
        return {
            "session": self.session,
            "group": self.group,
            "index": self.index,
            "n": self.n,
            "t": self.t,
            "degree": self.degree,
            "qualified": list(self.qualified),
            "keys": [k.to_dict() for k in self.keys],
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"))

    def transcript_digest(self) -> str:
        """H(QUAL ‖ joint commitments) with the run's parameters: what every party confirms. Two
        parties with the same digest hold shares of the same K polynomials."""
        public = [self.session, self.group, self.n, self.t, self.degree, list(self.qualified)]
        public.append([list(k.commitments) for k in self.keys])
        canonical = json.dumps(public, separators=(",", ":"))
        return hashlib.sha256(_TRANSCRIPT_DOMAIN + canonical.encode()).hexdigest()

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "DkgResult":
        if not isinstance(data, Mapping):
            raise InvalidInput("result", "expected an object")
        try:
            ints = {name: int(data[name]) for name in ("index", "n", "t", "degree")}
            qualified = tuple(int(i) for i in data["qualified"])
            raw_keys = list(data["keys"])
            session, group = str(data["session"]), str(data["group"])
        except KeyError as exc:
            raise InvalidInput(str(exc.args[0]), "missing") from None
        except (TypeError, ValueError):
            raise InvalidInput("result", "malformed field") from None
        keys = tuple(DkgKeyShare.from_dict(k, f"keys[{i}]") for i, k in enumerate(raw_keys))
        for i, k in enumerate(keys):
            if len(k.commitments) != ints["degree"] + 1:
                raise InvalidInput(f"keys[{i}].commitments", f"expected {ints['degree'] + 1} entries")
        return cls(session=session, group=group, qualified=qualified, keys=keys, **ints)

    @classmethod
    def from_json(cls, text: str | bytes) -> "DkgResult":
        try:
            data = json.loads(text)
        except ValueError:
            raise InvalidInput("result", "not JSON") from None
        return cls.from_dict(data)


class DkgIncomplete(ProtocolError):
    """The run ended without a key this party may use: too few qualified dealers, or no n − t
    parties confirmed the same outcome. The party holds nothing to serve; a node in this state
    needs a reshare from the parties that did finish (or a new DKG if none did)."""

    def __init__(self, session: str, reason: str, parties: tuple[int, ...] = ()) -> None:
        super().__init__(f"DKG {session} gave this party no key: {reason}")
        self.session = session
        self.reason = reason
        self.parties = parties
