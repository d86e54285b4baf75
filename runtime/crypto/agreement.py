"""Signing agreement: one (key, message) per presignature across the whole committee.

Every committee member's share of presignature P is s_i = k_i·(h + r·x_i) + …; if some members
release shares for message h1 and others for h2, the second group's shares reveal their k_i, and one
corrupt member completes k and then the key (security review, C1). A per-node "one message per P"
rule cannot stop that, because each node sees only its own request. So before releasing anything a
member signs an `Accept` for (P, H(P's public part), record = H(key ‖ message)), after persisting
that use, and releases its share only against a `Certificate`: 2t+1 accepts from P's committee for
the same tuple.

Why at most one message is ever certified: an honest member signs one accept per presignature (its
use is on disk first). Two certificates for different records would need 2·(2t+1) accepts from a
committee of at most 3t+1, so at least t+1 members signed both, and with at most t corrupt one of
them is honest: impossible. The digest in each accept makes the same argument cover the public part:
members whose presigning views differ (an equivocating dealer) cannot both be certified.

The signing set is the certificate's signers, known to each of them, so a signer could return its
share already multiplied by its Lagrange coefficient over that set (Lit's SDK adds shares up).

The accepts also carry a fresh random nonce each; `Certificate.rerandomizer` hashes all of them with
P, the key and the message into δ (Groth–Shoup re-randomisation, R' = δ·R). Honest nonces are only
revealed once the message is fixed, so a client that knows R in advance still cannot choose δ.

`AgreementRound` is the coordinator's pure state: accepts in, at most one decision out. The node
carries accepts and decisions over HTTP (node/agreement.py); the round itself does no I/O.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Any

from .channel import sign, verify
from .errors import CryptoError, InvalidInput, VerificationFailed
from .hash_to_curve import hash_to_scalar
from .identity import PartyKeys, PeerDirectory
from .presignature import PresignaturePublic

__all__ = ["Accept", "Certificate", "Disagreement", "AgreementRound", "AgreementFailed"]

_ACCEPT_DOMAIN = b"litrt/sign-agreement/accept/v1\x00"
_RERANDOMIZE_DST = b"litrt/ecdsa/rerandomize/v1"
_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_MAX_ID = 256


class AgreementFailed(CryptoError):
    """No certificate for this presignature, or one for another message; names the nodes."""

    def __init__(self, message: str, parties: tuple[int, ...] = ()) -> None:
        super().__init__(message)
        self.parties = parties


def _hex64(value: Any, name: str) -> str:
    if not isinstance(value, str) or not _HEX64.match(value):
        raise InvalidInput(name, "expected 64 lowercase hex digits")
    return value


def _text(value: Any, name: str) -> str:
    if not isinstance(value, str) or not value or len(value) > _MAX_ID:
        raise InvalidInput(name, f"expected a non-empty string of at most {_MAX_ID} characters")
    return value


@dataclass(frozen=True)
class Accept:
    """Member `party` has recorded presignature `presignature_id` as used for `record` (signed)."""

    presignature_id: str
    digest: str  # PresignaturePublic.digest() as this member sees it
    record: str  # ecdsa.usage_record(to_sign, public key)
    request_id: str
    party: int
    nonce: str  # 32 fresh random bytes, hex
    signature: str = field(default="", compare=False)

    def signed_bytes(self) -> bytes:
        fields = [self.presignature_id, self.digest, self.record, self.request_id, self.party, self.nonce]
        return _ACCEPT_DOMAIN + json.dumps(fields, separators=(",", ":")).encode()

    @classmethod
    def make(
        cls, keys: PartyKeys, presig: PresignaturePublic, record: str, request_id: str, party: int, nonce: bytes
    ) -> "Accept":
        unsigned = cls(presig.id, presig.digest(), _hex64(record, "record"), _text(request_id, "request_id"), party, nonce.hex())
        return cls(**{**unsigned.to_dict(), "signature": sign(keys, unsigned.signed_bytes()).hex()})

    def check_signature(self, directory: PeerDirectory) -> None:
        """VerificationFailed naming the party unless it signed exactly this accept."""
        keys = directory.require(self.party, "party")
        try:
            signature = bytes.fromhex(self.signature)
        except ValueError:
            raise VerificationFailed(f"accept from party {self.party}: signature is not hex", (self.party,)) from None
        verify(keys.verifier(), self.signed_bytes(), signature, self.party)

    def to_dict(self) -> dict[str, Any]:
        return {
            "presignature_id": self.presignature_id,
            "digest": self.digest,
            "record": self.record,
            "request_id": self.request_id,
            "party": self.party,
            "nonce": self.nonce,
            "signature": self.signature,
        }

    @classmethod
    def from_dict(cls, data: Any) -> "Accept":
        if not isinstance(data, dict):
            raise InvalidInput("accept", "expected an object")
        party = data.get("party")
        if not isinstance(party, int) or isinstance(party, bool) or party < 1:
            raise InvalidInput("accept.party", "expected a positive party index")
        signature = data.get("signature")
        if not isinstance(signature, str) or len(signature) != 128:
            raise InvalidInput("accept.signature", "expected 128 hex digits")
        return cls(
            presignature_id=_text(data.get("presignature_id"), "accept.presignature_id"),
            digest=_hex64(data.get("digest"), "accept.digest"),
            record=_hex64(data.get("record"), "accept.record"),
            request_id=_text(data.get("request_id"), "accept.request_id"),
            party=party,
            nonce=_hex64(data.get("nonce"), "accept.nonce"),
            signature=signature,
        )


@dataclass(frozen=True)
class Certificate:
    """2t+1 accepts from one presignature's committee for one (digest, record), sorted by party."""

    accepts: tuple[Accept, ...]

    @property
    def presignature_id(self) -> str:
        return self.accepts[0].presignature_id

    @property
    def record(self) -> str:
        return self.accepts[0].record

    @property
    def digest(self) -> str:
        return self.accepts[0].digest

    @property
    def signers(self) -> tuple[int, ...]:
        return tuple(a.party for a in self.accepts)

    def check(self, presig: PresignaturePublic, directory: PeerDirectory | None = None) -> None:
        """AgreementFailed unless this certifies one tuple for `presig` with 2t+1 distinct members
        (and, given the directory, every accept is validly signed)."""
        need = 2 * presig.threshold + 1
        parties = self.signers
        if len(set(parties)) != len(parties) or list(parties) != sorted(parties):
            raise AgreementFailed("certificate: accepts must come from distinct parties, sorted")
        if len(parties) < need:
            raise AgreementFailed(f"certificate has {len(parties)} accepts, need {need}", parties)
        outsiders = [p for p in parties if p not in presig.committee]
        if outsiders:
            raise AgreementFailed(f"certificate: parties {outsiders} are not in the committee of {presig.id}", tuple(outsiders))
        first = self.accepts[0]
        expected = (presig.id, presig.digest(), first.record, first.request_id)
        for accept in self.accepts:
            if (accept.presignature_id, accept.digest, accept.record, accept.request_id) != expected:
                raise AgreementFailed(f"certificate: party {accept.party} accepted another tuple", (accept.party,))
            if directory is not None:
                try:
                    accept.check_signature(directory)
                except CryptoError as exc:
                    raise AgreementFailed(f"certificate: {exc}", (accept.party,)) from None

    def rerandomizer(self, public_key: bytes, to_sign: bytes) -> int:
        """δ, never 0: from P, the key, the message and every signer's nonce."""
        transcript = json.dumps([a.to_dict() for a in self.accepts], sort_keys=True, separators=(",", ":")).encode()
        material = hashlib.sha256(transcript).digest() + bytes(public_key) + bytes(to_sign)
        delta = hash_to_scalar(self.presignature_id.encode() + b"\x00" + material, _RERANDOMIZE_DST)
        return delta or 1

    def to_dict(self) -> dict[str, Any]:
        return {"accepts": [a.to_dict() for a in self.accepts]}

    @classmethod
    def from_dict(cls, data: Any) -> "Certificate":
        raw = data.get("accepts") if isinstance(data, dict) else None
        if not isinstance(raw, list) or not raw or len(raw) > 1024:
            raise InvalidInput("certificate.accepts", "expected a non-empty list")
        return cls(tuple(Accept.from_dict(a) for a in raw))


@dataclass(frozen=True)
class Disagreement:
    """Why no certificate can form: what each member accepted, and who never answered."""

    presignature_id: str
    records: dict[int, str]  # party -> record it accepted
    silent: tuple[int, ...]
    reason: str

    def message(self) -> str:
        groups: dict[str, list[int]] = {}
        for party, record in sorted(self.records.items()):
            groups.setdefault(record, []).append(party)
        views = "; ".join(f"nodes {ps} computed message/key {r[:12]}…" for r, ps in sorted(groups.items(), key=lambda g: g[1]))
        silent = f"; nodes {list(self.silent)} had not accepted when the outcome was settled" if self.silent else ""
        return f"presignature {self.presignature_id}: {self.reason}: {views}{silent}"

    def to_dict(self) -> dict[str, Any]:
        return {"message": self.message(), "records": {str(p): r for p, r in self.records.items()}, "silent": list(self.silent)}


Decision = Certificate | Disagreement


class AgreementRound:
    """The coordinator's view of one presignature's agreement: at most one decision, ever."""

    def __init__(self, presig: PresignaturePublic, directory: PeerDirectory, request_id: str) -> None:
        self.presig = presig
        self._directory = directory
        self.request_id = request_id
        self._accepts: dict[int, Accept] = {}
        self.decision: Decision | None = None

    @property
    def need(self) -> int:
        return 2 * self.presig.threshold + 1

    @property
    def heard(self) -> tuple[int, ...]:
        """The members whose accept arrived."""
        return tuple(sorted(self._accepts))

    def add(self, accept: Accept) -> Decision | None:
        """Take one member's accept (checked); the decision once the accepts settle it."""
        if accept.presignature_id != self.presig.id:
            raise InvalidInput("accept.presignature_id", f"is {accept.presignature_id}, this round is {self.presig.id}")
        if accept.party not in self.presig.committee:
            raise InvalidInput("accept.party", f"party {accept.party} is not in the committee of {self.presig.id}")
        if accept.request_id != self.request_id:
            raise InvalidInput("accept.request_id", f"presignature {self.presig.id} is assigned to another request")
        accept.check_signature(self._directory)
        if accept.party in self._accepts or self.decision is not None:
            return self.decision  # a member's first accept stands; a late one changes nothing
        self._accepts[accept.party] = accept
        return self._decide(final=False)

    def expire(self) -> Decision:
        """The deadline passed: what has not arrived will not."""
        return self._decide(final=True) or self.decision  # type: ignore[return-value]

    def _decide(self, final: bool) -> Decision | None:
        if self.decision is not None:
            return self.decision
        groups: dict[tuple[str, str], list[Accept]] = {}
        for accept in self._accepts.values():
            groups.setdefault((accept.digest, accept.record), []).append(accept)
        best = max(groups.values(), key=len, default=[])
        if len(best) >= self.need:
            self.decision = Certificate(tuple(sorted(best, key=lambda a: a.party)[: self.need]))
            return self.decision
        silent = tuple(p for p in self.presig.committee if p not in self._accepts)
        if final or len(best) + len(silent) < self.need:
            reason = "the committee did not agree on one message" if len(groups) > 1 else "too few members accepted"
            records = {p: a.record for p, a in self._accepts.items()}
            self.decision = Disagreement(self.presig.id, records, silent, reason)
        return self.decision
