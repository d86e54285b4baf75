"""This node's FROST signing nonces: made ahead in batches, stored sealed, each used for one share.

A FROST nonce pair (d, e) belongs to one node alone (RFC 9591 §5.1): unlike an ECDSA presignature,
whose nonce k is shared by a committee, nobody else holds any part of it. So "one message per nonce
across the network" is this node's own rule, and RFC 9591 §7.1 is what makes it enough: a signer
that produces at most one share per nonce pair leaks nothing whatever the coordinator sends to
whom. The rule is kept the way presignatures keep theirs (node/usage_log.py): the use is appended
and fsynced, bound to the signing package, *before* the share exists; the same package again is
allowed (it would give the same share), any other is refused, across crashes and restarts, and a
rolled-back log burns every nonce held.

Nonces do not depend on the key, only on the group, so one pool per group serves every key and
scheme of it: secp256k1 nonces sign SchnorrK256Sha256 and SchnorrK256Taproot. Batches are sealed on
disk before any of their commitments leaves the node; a used nonce's secrets leave memory at once
and its batch file goes when the whole batch is used (review L5).
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from runtime.crypto.errors import PresignatureReused
from runtime.crypto.frost import Commitment, Nonces, commit
from runtime.crypto.frost_suites import SCHNORR_ED25519_SHA512, SCHNORR_K256_SHA256, Ciphersuite

from .sealed import SealedStore
from .usage_log import UsageLog

__all__ = ["NONCE_SUITES", "FrostNoncePool", "package_record", "open_nonce_pool"]

log = logging.getLogger(__name__)

# One suite per group, for encoding only: every suite of a group encodes scalars and points alike.
NONCE_SUITES: dict[str, Ciphersuite] = {s.group.name: s for s in (SCHNORR_K256_SHA256, SCHNORR_ED25519_SHA512)}
_INDEX_RECORD = "frost-nonce-index"
_MAX_BATCH = 256


def package_record(suite: Ciphersuite, group_public_key: Any, message: bytes, commitments: Iterable[Commitment]) -> str:
    """What a nonce's use is recorded as: a digest of the whole signing package (scheme, key, message
    and every signer's commitment), so the same package may be signed again and nothing else."""
    ordered = sorted(commitments, key=lambda c: c.identifier)
    parts = [suite.scheme.encode(), suite.encode_point(group_public_key), hashlib.sha256(message).digest()]
    parts += [suite.encode_scalar(c.identifier) + suite.encode_point(c.hiding) + suite.encode_point(c.binding) for c in ordered]
    return hashlib.sha256(b"litrt/frost-nonce-use/v1\x00" + b"".join(len(p).to_bytes(4, "big") + p for p in parts)).hexdigest()


@dataclass
class _Held:
    group: str
    batch: str
    nonces: Nonces
    commitment: Commitment


class FrostNoncePool:
    """Per group: unused nonce pairs this node made, by id (`frost-<group>-<hex of D>`)."""

    def __init__(self, index: int, store: SealedStore, usage: UsageLog) -> None:
        self._index = index
        self._store = store
        self._usage = usage
        self._hedge = store.derive_key("frost-nonce-hedge")  # RFC 9591 §4.1 mixes a secret into each nonce
        self._lock = threading.Lock()
        self._held: dict[str, _Held] = {}
        self._taken: set[str] = set()  # commitments handed out in this process (not yet signed with)
        # Called after each take, from the taking thread: the refill's wake-up (node/frost_service.py).
        self.on_take: Callable[[], None] | None = None
        self._batches: list[str] = store.load(_INDEX_RECORD) if store.exists(_INDEX_RECORD) else []
        for name in list(self._batches):
            self._absorb(name, store.load(name))
        if usage.rolled_back:
            burned = usage.recover_from_rollback(self._held)
            log.warning("FROST usage log was rolled back: burned %d nonces this node held", burned)
        for nonce_id in [i for i in self._held if usage.is_used(i)]:
            self._forget(nonce_id)
        for name in [b for b in self._batches if not any(h.batch == b for h in self._held.values())]:
            self._drop_batch(name)

    def _absorb(self, name: str, record: dict[str, Any]) -> None:
        group = str(record["group"])
        suite = NONCE_SUITES[group]
        g = suite.group
        for item in record["nonces"]:
            nonces = Nonces.from_dict(suite, item)
            self._hold(group, name, nonces, Commitment(self._index, g.base_mul(nonces.hiding), g.base_mul(nonces.binding)))

    def _hold(self, group: str, batch: str, nonces: Nonces, commitment: Commitment) -> None:
        self._held[self.nonce_id(group, commitment)] = _Held(group, batch, nonces, commitment)

    @staticmethod
    def nonce_id(group: str, commitment: Commitment) -> str:
        return f"frost-{group}-{NONCE_SUITES[group].encode_point(commitment.hiding).hex()}"

    def available(self, group: str) -> int:
        """Unused nonce pairs of `group` not yet handed out by this process."""
        return sum(1 for i, h in self._held.items() if h.group == group and i not in self._taken)

    def make_batch(self, group: str, count: int) -> int:
        """Make `count` nonce pairs of `group` and seal them to disk; only then can they be taken."""
        if group not in NONCE_SUITES:
            raise ValueError(f"no FROST nonces for group {group!r}; expected one of {sorted(NONCE_SUITES)}")
        if not 1 <= count <= _MAX_BATCH:
            raise ValueError(f"a nonce batch holds 1..{_MAX_BATCH} pairs, not {count}")
        suite = NONCE_SUITES[group]
        hedge = int.from_bytes(self._hedge, "big") % suite.order or 1
        pairs = [commit(suite, self._index, hedge, secrets.token_bytes(64)) for _ in range(count)]
        name = f"frost-nonces-{group}-{secrets.token_hex(8)}"
        self._store.save(name, {"group": group, "nonces": [nonces.to_dict(suite) for nonces, _ in pairs]})
        with self._lock:
            self._batches.append(name)
            self._store.save(_INDEX_RECORD, self._batches)
            for nonces, commitment in pairs:
                self._hold(group, name, nonces, commitment)
        return count

    def take(self, group: str) -> tuple[str, Commitment] | None:
        """An unused nonce pair's id and public commitment, never handed out before by this process;
        None when the pool of `group` is empty."""
        taken = None
        with self._lock:
            for nonce_id, held in self._held.items():
                if held.group == group and nonce_id not in self._taken:
                    self._taken.add(nonce_id)
                    taken = nonce_id, held.commitment
                    break
        if taken is not None and self.on_take is not None:
            self.on_take()
        return taken

    def release(self, nonce_id: str) -> None:
        """A taken nonce that was left out of its package: it signed nothing, so it may be taken again."""
        with self._lock:
            self._taken.discard(nonce_id)

    def use(self, nonce_id: str, record: str) -> Nonces:
        """The secret nonces for one signing package, after their use is durably recorded; refused
        (PresignatureReused) for a nonce this node no longer holds or that signed another package."""
        held = self._held.get(nonce_id)
        if held is None:
            raise PresignatureReused(f"FROST nonce {nonce_id} is unknown here or was used already")
        self._usage.claim(nonce_id, record)  # fsynced first: a crash after this loses the nonce, never reuses it
        with self._lock:
            if self._held.get(nonce_id) is not held:
                raise PresignatureReused(f"FROST nonce {nonce_id} was used already")
            self._forget(nonce_id)
        return held.nonces

    def _forget(self, nonce_id: str) -> None:
        held = self._held.pop(nonce_id, None)
        self._taken.discard(nonce_id)
        if held is not None and not any(h.batch == held.batch for h in self._held.values()):
            self._drop_batch(held.batch)

    def _drop_batch(self, name: str) -> None:
        if name in self._batches:
            self._batches.remove(name)
            self._store.save(_INDEX_RECORD, self._batches)
        self._store.delete(name)


def open_nonce_pool(index: int, state_dir: str, seal_key_path: str, store: SealedStore) -> FrostNoncePool:
    """The pool with its own usage log (beside the presignatures', its counter beside the seal key)."""
    usage = UsageLog(
        Path(state_dir) / "frost-usage.log",
        mac_key=store.derive_key("frost-usage-log"),
        counter_path=Path(seal_key_path + ".frost-usage-counter"),
    )
    return FrostNoncePool(index, store, usage)
