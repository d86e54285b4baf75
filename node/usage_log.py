"""The durable record of which presignature signed which message.

A presignature may produce a share for one message only. The record is appended and fsynced
*before* the share leaves the node, so a crash between the two can at worst lose a presignature,
never release shares for two different messages from it.

The log must not forget a use, whatever happens to the disk:
- A torn last line (a crash mid-append) is cut off at start-up. Its fsync never returned, so no
  share left for it; left in place, the next record would be glued onto it and lost.
- Every record carries a MAC under a key derived from the seal key, chained over the record
  before it: a changed, removed, reordered or foreign record is an error at start-up, never skipped.
- A counter file beside the seal key (outside the state directory, which backups and snapshots
  restore) holds the record count and the chain head, rewritten after each claim. A log that no
  longer reaches that head is an older copy, of the log alone or of the whole state directory:
  the uses after it are unknown, so `rolled_back` is set and no claim is accepted until the pool
  burns every presignature it holds (`recover_from_rollback`). The log is fsynced before the
  counter, so a crash between the two leaves the log one record ahead: that is not a rollback.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import threading
from collections.abc import Iterable
from pathlib import Path

from runtime.crypto.errors import PresignatureReused

from .errors import StateCorrupted
from .sealed import atomic_write, ensure_private_dir, fsync_dir, read_private_file

__all__ = ["BURNED", "UsageLog", "UsageLogRolledBack", "UsageLogTampered"]

log = logging.getLogger(__name__)

BURNED = "burned:usage-log-rollback"  # not hex, so never equal to a real use record
_MAC_KEY_BYTES = 32
_CHAIN_START = bytes(32)
_RECORD_TAG = b"litrt/usage-log/record|"
_COUNTER_TAG = b"litrt/usage-log/counter|"


class UsageLogTampered(StateCorrupted):
    """A log record or the counter file does not parse or fails its MAC; names the file and line."""


class UsageLogRolledBack(PresignatureReused):
    """A claim while the log is behind its counter: which presignatures were used is unknown."""


def _mac(key: bytes, tag: bytes, fields: list[object]) -> bytes:
    return hmac.new(key, tag + json.dumps(fields, separators=(",", ":")).encode(), hashlib.sha256).digest()


class UsageLog:
    """presignature id -> the one record it signed, durable, authenticated and rollback-checked.

    `mac_key`: 32 bytes derived from the node's seal key (`SealedStore.derive_key`).
    `counter_path`: a file beside the seal key, in its 0700 directory, never inside the state dir."""

    def __init__(self, path: Path, *, mac_key: bytes, counter_path: Path) -> None:
        if not isinstance(mac_key, bytes) or len(mac_key) != _MAC_KEY_BYTES:
            got = f"{len(mac_key)} bytes" if isinstance(mac_key, bytes) else type(mac_key).__name__
            raise ValueError(f"UsageLog mac_key must be {_MAC_KEY_BYTES} bytes, got {got}")
        self._path = Path(path)
        self._counter_path = Path(counter_path)
        if self._counter_path.resolve().parent == self._path.resolve().parent:
            raise ValueError(
                f"usage counter {self._counter_path} must not sit beside the log {self._path}: "
                "a restore of that directory would roll both back together"
            )
        self._key = mac_key
        self._lock = threading.Lock()
        self._used: dict[str, str] = {}
        self._count = 0
        self._head = _CHAIN_START
        self._rolled_back = False
        self._broken: str | None = None
        ensure_private_dir(self._counter_path.parent)
        self._path.parent.mkdir(parents=True, exist_ok=True)
        if not self._path.exists():
            os.close(os.open(self._path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
            fsync_dir(self._path.parent)
        heads = self._load()
        self._check_counter(heads)

    @property
    def rolled_back(self) -> bool:
        """True when the log is behind its counter: claims are refused until `recover_from_rollback`."""
        return self._rolled_back

    def message_for(self, presignature_id: str) -> str | None:
        return self._used.get(presignature_id)

    def is_used(self, presignature_id: str) -> bool:
        return presignature_id in self._used

    def __len__(self) -> int:
        return len(self._used)

    def claim(self, presignature_id: str, message_hash_hex: str) -> None:
        """Record the use durably; the same message again is allowed (same share), another is refused."""
        with self._lock:
            if self._rolled_back:
                raise UsageLogRolledBack(
                    f"usage log {self._path} is behind its counter {self._counter_path} (an older copy was "
                    f"restored): presignature {presignature_id} may already have signed; no presignature "
                    "held before the restore will sign again"
                )
            self._refuse_if_broken()
            previous = self._used.get(presignature_id)
            if previous is not None:
                if previous != message_hash_hex:
                    raise PresignatureReused(
                        f"presignature {presignature_id} already signed a different message"
                    )
                return
            self._append([(presignature_id, message_hash_hex)])
            self._save_counter()

    def recover_from_rollback(self, held_ids: Iterable[str]) -> int:
        """Burn every presignature this node holds, then accept the log as the new baseline.

        `held_ids` must be *all* the ids the node could sign with: any one left out could sign a
        second message. Returns how many were burned (those not already in the log)."""
        with self._lock:
            if not self._rolled_back:
                raise RuntimeError(f"usage log {self._path} is not rolled back; there is nothing to recover")
            self._refuse_if_broken()
            to_burn = sorted({pid for pid in held_ids if pid not in self._used})
            self._append([(pid, BURNED) for pid in to_burn])
            # Only once the burns are durable: a crash before this leaves the old counter, so the next
            # start finds the rollback again and burns again.
            self._save_counter()
            self._rolled_back = False
            log.warning("usage log %s: burned %d presignatures after a rollback", self._path, len(to_burn))
            return len(to_burn)

    def _refuse_if_broken(self) -> None:
        if self._broken is not None:
            raise StateCorrupted(f"usage log {self._path} accepts no record until the node restarts: {self._broken}")

    def _chain_mac(self, presignature_id: str, message: str) -> bytes:
        """The MAC of the next record: bound to its position and to the record before it."""
        return _mac(self._key, _RECORD_TAG, [self._count, self._head.hex(), presignature_id, message])

    def _append(self, uses: list[tuple[str, str]]) -> None:
        if not uses:
            return
        lines = []
        for presignature_id, message in uses:
            mac = self._chain_mac(presignature_id, message)
            lines.append(json.dumps({"id": presignature_id, "msg": message, "mac": mac.hex()}, separators=(",", ":")))
            self._count += 1
            self._head = mac
        try:
            fd = os.open(self._path, os.O_WRONLY | os.O_APPEND)
            with os.fdopen(fd, "w") as fh:
                fh.write("\n".join(lines) + "\n")
                fh.flush()
                os.fsync(fh.fileno())
        except BaseException as exc:
            # What reached the disk is unknown (a partial line, or a whole one whose fsync failed):
            # only a restart, which re-reads and cuts the log, can tell, so nothing more is appended.
            self._broken = f"appending to it failed: {exc!r}"
            raise
        self._used.update(uses)

    def _load(self) -> list[bytes]:
        """Read and verify the log; returns the chain head after each record."""
        data = self._path.read_bytes()
        end = data.rfind(b"\n") + 1
        if end < len(data):
            log.warning("usage log %s: cutting a torn last record of %d bytes", self._path, len(data) - end)
            with open(self._path, "r+b") as fh:
                fh.truncate(end)
                fh.flush()
                os.fsync(fh.fileno())
        heads = []
        for number, raw in enumerate(data[:end].split(b"\n")[:-1], start=1):
            where = f"usage log {self._path} line {number}"
            try:
                entry = json.loads(raw)
                presignature_id, message, mac = entry["id"], entry["msg"], bytes.fromhex(entry["mac"])
            except (ValueError, KeyError, TypeError) as exc:  # UnicodeDecodeError is a ValueError
                raise UsageLogTampered(f"{where} is not a valid record ({exc}); the log was damaged or edited") from None
            expected = self._chain_mac(presignature_id, message)
            if not hmac.compare_digest(mac, expected):
                raise UsageLogTampered(
                    f"{where} fails its MAC: edited, moved, or written under another seal key"
                )
            if presignature_id in self._used:
                raise UsageLogTampered(f"{where} records presignature {presignature_id} a second time")
            self._used[presignature_id] = message
            self._count += 1
            self._head = expected
            heads.append(expected)
        return heads

    def _check_counter(self, heads: list[bytes]) -> None:
        if not self._counter_path.exists():
            if heads:
                log.warning("usage log %s has %d records but no counter %s yet", self._path, len(heads), self._counter_path)
            self._save_counter()
            return
        try:
            entry = json.loads(read_private_file(self._counter_path, "usage counter"))
            count, head, mac = int(entry["count"]), bytes.fromhex(entry["head"]), bytes.fromhex(entry["mac"])
        except (ValueError, KeyError, TypeError) as exc:
            raise UsageLogTampered(f"usage counter {self._counter_path} is not valid ({exc})") from None
        if not hmac.compare_digest(mac, _mac(self._key, _COUNTER_TAG, [count, head.hex()])):
            raise UsageLogTampered(f"usage counter {self._counter_path} fails its MAC: edited or from another node")
        if count > len(heads) or (heads[count - 1] if count else _CHAIN_START) != head:
            self._rolled_back = True
            log.error(
                "usage log %s has %d records but its counter %s says %d with another chain head: an older copy "
                "was restored; every presignature held must be burned", self._path, len(heads), self._counter_path, count,
            )
            return
        if len(heads) > count:
            if len(heads) > count + 1:
                log.warning("usage counter %s is %d records behind its log", self._counter_path, len(heads) - count)
            self._save_counter()

    def _save_counter(self) -> None:
        mac = _mac(self._key, _COUNTER_TAG, [self._count, self._head.hex()])
        record = {"count": self._count, "head": self._head.hex(), "mac": mac.hex()}
        atomic_write(self._counter_path, json.dumps(record, separators=(",", ":")).encode())
