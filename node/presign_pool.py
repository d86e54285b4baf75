"""This node's presignatures: made in batches by committees, stored sealed, assigned to signatures.

Which presignature a signature uses must be the same at every node: the request's coordinator
assigns one it initiated (`assign`, see node/agreement.py), each node signs with its own share of
it. Assignment is only a choice: one message per presignature is enforced by the usage log at each
node and, network-wide, by the agreement certificate, so a coordinator that assigns one twice (a
liar, or one that restarted) only makes a request fail.

One pool holds the presignatures of every curve (secp256k1, and P-256 for EcdsaP256Sha256), each
knowing its curve, so one index, one compaction and one rollback recovery cover them all; what is
counted or assigned is one curve's (`curve`, a `Group.name`; secp256k1 unless said). The signing
agreement names the curve its slot asks for (node/ecdsa_curves.py).
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from typing import Any

from runtime.crypto.presignature import Presignature, PresignaturePublic
from runtime.crypto.secp256k1 import SECP256K1

from .sealed import SealedStore
from .usage_log import UsageLog

__all__ = ["PresignPool"]

log = logging.getLogger(__name__)

_INDEX_RECORD = "presign-index"
K256 = SECP256K1.name


class PresignPool:
    def __init__(self, node_index: int, store: SealedStore, usage: UsageLog) -> None:
        self._index = node_index
        self._store = store
        self._usage = usage
        self._by_id: dict[str, Presignature] = {}  # unused presignatures only: secrets of used ones are dropped
        self._initiator: dict[str, int] = {}
        self._batch_of: dict[str, str] = {}  # presignature id -> its batch record
        self._holders: dict[str, int] = {}  # presignature id -> how many members hold it
        self._assigned: set[str] = set()
        self._batches: list[str] = store.load(_INDEX_RECORD) if store.exists(_INDEX_RECORD) else []
        for name in self._batches:
            self._absorb(name, store.load(name))
        if usage.rolled_back:
            # An older copy of the usage log was restored: any presignature held may have signed
            # already, so every one is burned (new batches replace them within seconds).
            burned = usage.recover_from_rollback(self._by_id)
            log.warning("usage log was rolled back: burned %d presignatures this node held", burned)
        self._compact()

    def _absorb(self, name: str, record: dict[str, Any]) -> None:
        for item in record["presignatures"]:
            presig = Presignature.from_dict(item)
            self._by_id[presig.public.id] = presig
            holders = record.get("holders")
            self._holders[presig.public.id] = len(holders) if isinstance(holders, list) else len(presig.public.committee)
            self._initiator[presig.public.id] = int(record["initiator"])
            self._batch_of[presig.public.id] = name

    def _compact(self) -> None:
        """At start-up: drop used presignatures, rewriting each batch without them (L5: no secret
        outlives its use, and the pool does not reload its whole history)."""
        for pid in [pid for pid in self._by_id if self._usage.is_used(pid)]:
            self._forget(pid)
        for name in list(self._batches):
            left = [p for pid, p in self._by_id.items() if self._batch_of.get(pid) == name]
            record = self._store.load(name)
            if len(left) < len(record["presignatures"]):
                if left:
                    self._store.save(name, {**record, "presignatures": [p.to_dict() for p in left]})
                else:
                    self._drop_batch(name)

    def _forget(self, presignature_id: str) -> None:
        self._by_id.pop(presignature_id, None)
        self._batch_of.pop(presignature_id, None)
        self._holders.pop(presignature_id, None)
        self._initiator.pop(presignature_id, None)
        self._assigned.discard(presignature_id)

    def _drop_batch(self, name: str) -> None:
        self._batches.remove(name)
        self._store.save(_INDEX_RECORD, self._batches)
        self._store.delete(name)

    def retire(self, presignature_id: str) -> None:
        """Its one use is recorded: forget its secrets now, and delete its batch once all are used."""
        name = self._batch_of.pop(presignature_id, None)
        self._forget(presignature_id)
        if name is not None and name in self._batches and name not in self._batch_of.values():
            self._drop_batch(name)

    def add_batch(
        self, session: str, initiator: int, presignatures: list[Presignature], holders: Collection[int] | None = None
    ) -> None:
        """Persist a finished batch before any of it can be assigned. `holders`: the committee
        members known to have stored it too (default: the whole committee)."""
        name = "batch-" + session
        record: dict[str, Any] = {"initiator": initiator, "presignatures": [p.to_dict() for p in presignatures]}
        if holders is not None:
            record["holders"] = sorted(holders)
        self._store.save(name, record)
        self._batches.append(name)
        self._store.save(_INDEX_RECORD, self._batches)
        self._absorb(name, record)

    def get(self, presignature_id: str) -> Presignature | None:
        return self._by_id.get(presignature_id)

    def initiator(self, presignature_id: str) -> int | None:
        return self._initiator.get(presignature_id)

    def _assignable(self, curve: str) -> list[str]:
        """Unused, unassigned ids of `curve` this node initiated; those most members hold first, so
        every node can sign."""
        ids = [
            pid
            for pid, presig in self._by_id.items()
            if presig.public.group.name == curve
            and self._initiator[pid] == self._index
            and not self._usage.is_used(pid)
            and pid not in self._assigned
        ]
        return sorted(ids, key=lambda pid: -self._holders[pid])

    def available(self, curve: str = K256) -> int:
        return len(self._assignable(curve))

    def unused(self, curve: str = K256) -> int:
        return sum(1 for pid, p in self._by_id.items() if p.public.group.name == curve and not self._usage.is_used(pid))

    def unassign(self, presignature_id: str) -> None:
        """Its round ended with no accept, so no node recorded a use: it may be assigned again."""
        self._assigned.discard(presignature_id)

    def assign(self, curve: str = K256) -> PresignaturePublic | None:
        """One presignature of `curve` this node initiated, never handed out before (by this process)."""
        ids = self._assignable(curve)
        if not ids:
            return None
        self._assigned.add(ids[0])
        return self._by_id[ids[0]].public
