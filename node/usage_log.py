"""The durable record of which presignature signed which message.

A presignature may produce a share for one message only. The record is appended and fsynced
*before* the share leaves the node, so a crash between the two can at worst lose a presignature,
never release shares for two different messages from it.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

from runtime.crypto.errors import PresignatureReused

__all__ = ["UsageLog"]


class UsageLog:
    def __init__(self, path: Path) -> None:
        self._path = Path(path)
        self._lock = threading.Lock()
        self._used: dict[str, str] = {}
        if self._path.exists():
            for line in self._path.read_text().splitlines():
                try:
                    entry = json.loads(line)
                except json.JSONDecodeError:
                    continue  # a torn last line from a crash mid-append: that use never released a share
                self._used[entry["id"]] = entry["msg"]
        self._path.parent.mkdir(parents=True, exist_ok=True)

    def message_for(self, presignature_id: str) -> str | None:
        return self._used.get(presignature_id)

    def is_used(self, presignature_id: str) -> bool:
        return presignature_id in self._used

    def __len__(self) -> int:
        return len(self._used)

    def claim(self, presignature_id: str, message_hash_hex: str) -> None:
        """Record the use durably; the same message again is allowed (same share), another is refused."""
        with self._lock:
            previous = self._used.get(presignature_id)
            if previous is not None:
                if previous != message_hash_hex:
                    raise PresignatureReused(
                        f"presignature {presignature_id} already signed a different message"
                    )
                return
            line = json.dumps({"id": presignature_id, "msg": message_hash_hex}) + "\n"
            with open(self._path, "a") as fh:
                fh.write(line)
                fh.flush()
                os.fsync(fh.fileno())
            self._used[presignature_id] = message_hash_hex
