"""Agreement certificates for tests that sign outside a network.

Party identities and accept nonces are derived from the party index, so a certificate (and with it
the re-randomiser δ) is a pure function of (presignature, record, parties): a test can sign and then
combine without carrying the certificate around.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from runtime.crypto.agreement import Accept, Certificate
from runtime.crypto.identity import PartyKeys, PeerDirectory
from runtime.crypto.presignature import PresignaturePublic

REQUEST_ID = "test-request"


def party_keys(index: int) -> PartyKeys:
    counter = iter(range(2))
    return PartyKeys.generate(lambda n: hashlib.sha256(f"party-{index}-{next(counter)}".encode()).digest()[:n])


def directory(parties: Iterable[int]) -> PeerDirectory:
    return PeerDirectory({i: party_keys(i).public for i in parties})


def accept(presig: PresignaturePublic, record: str, party: int, request_id: str = REQUEST_ID) -> Accept:
    nonce = hashlib.sha256(f"nonce|{presig.id}|{record}|{party}".encode()).digest()
    return Accept.make(party_keys(party), presig, record, request_id, party, nonce)


def certify(presig: PresignaturePublic, record: str, parties: Iterable[int] | None = None) -> Certificate:
    """Accepts from the first 2t+1 of `parties` (default: the committee)."""
    chosen = sorted(parties if parties is not None else presig.committee)
    if len(chosen) < 2 * presig.threshold + 1:
        chosen = list(presig.committee)
    return Certificate(tuple(accept(presig, record, p) for p in chosen[: 2 * presig.threshold + 1]))
