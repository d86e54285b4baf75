"""This node's presignatures: made in batches by committees, stored sealed, leased to clients.

Which presignature a request uses must be the same at every node, so the client names them:
it leases ids from one node (`lease`), and each node signs with its own share of those ids.
Only a batch's initiator leases its ids, so two clients are never handed the same one by honest
nodes; should it happen anyway (a lying node, an expired lease), the usage log refuses a second
message and the committee rule (at most 3t+1 members) keeps a split use harmless (DESIGN §4).
"""

from __future__ import annotations

import logging
import time
from typing import Any

from runtime.crypto.presignature import Presignature

from .sealed import SealedStore
from .usage_log import UsageLog

__all__ = ["PresignPool"]

log = logging.getLogger(__name__)

_INDEX_RECORD = "presign-index"


class PresignPool:
    def __init__(self, node_index: int, store: SealedStore, usage: UsageLog, lease_ttl_s: float = 120.0) -> None:
        self._index = node_index
        self._store = store
        self._usage = usage
        self._ttl = lease_ttl_s
        self._by_id: dict[str, Presignature] = {}
        self._initiator: dict[str, int] = {}
        self._leased_until: dict[str, float] = {}
        self._batches: list[str] = store.load(_INDEX_RECORD) if store.exists(_INDEX_RECORD) else []
        for name in self._batches:
            self._absorb(store.load(name))

    def _absorb(self, record: dict[str, Any]) -> None:
        for item in record["presignatures"]:
            presig = Presignature.from_dict(item)
            self._by_id[presig.public.id] = presig
            self._initiator[presig.public.id] = int(record["initiator"])

    def add_batch(self, session: str, initiator: int, presignatures: list[Presignature]) -> None:
        """Persist a finished batch before any of it can be leased."""
        name = "batch-" + session
        record = {"initiator": initiator, "presignatures": [p.to_dict() for p in presignatures]}
        self._store.save(name, record)
        self._batches.append(name)
        self._store.save(_INDEX_RECORD, self._batches)
        self._absorb(record)

    def get(self, presignature_id: str) -> Presignature | None:
        return self._by_id.get(presignature_id)

    def _leasable(self, now: float) -> list[str]:
        """Unused, unleased ids this node initiated; full committees first, so every node can sign."""
        ids = [
            pid
            for pid, initiator in self._initiator.items()
            if initiator == self._index
            and not self._usage.is_used(pid)
            and self._leased_until.get(pid, 0.0) <= now
        ]
        return sorted(ids, key=lambda pid: -len(self._by_id[pid].public.committee))

    def available(self) -> int:
        return len(self._leasable(time.monotonic()))

    def unused(self) -> int:
        return sum(1 for pid in self._by_id if not self._usage.is_used(pid))

    def lease(self, count: int) -> list[Presignature]:
        now = time.monotonic()
        chosen = self._leasable(now)[:count]
        for pid in chosen:
            self._leased_until[pid] = now + self._ttl
        return [self._by_id[pid] for pid in chosen]
