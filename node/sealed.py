"""The node's secret state on disk: AES-GCM sealed, written atomically.

The sealing key lives outside the state directory (DESIGN §8), in a file whose path the node's
config names; losing it makes the sealed records unreadable, by design. Each record is bound to
its name as associated data, so records cannot be swapped for one another on disk.
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from .errors import StateCorrupted

__all__ = ["SealedStore", "atomic_write", "load_or_create_key"]

_NONCE_BYTES = 12


def atomic_write(path: Path, data: bytes) -> None:
    """Write `data` so that a crash leaves either the old file or the new one, never a mix."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def load_or_create_key(path: Path) -> bytes:
    if path.exists():
        key = path.read_bytes()
        if len(key) != 32:
            raise StateCorrupted(f"sealing key {path} must hold 32 bytes, found {len(key)}")
        return key
    key = AESGCM.generate_key(bit_length=256)
    atomic_write(path, key)
    os.chmod(path, 0o600)
    return key


class SealedStore:
    """Named JSON records, each sealed under one AES-256-GCM key."""

    def __init__(self, directory: Path, key: bytes) -> None:
        self._dir = Path(directory)
        self._aead = AESGCM(key)

    def _path(self, name: str) -> Path:
        if not name.replace("-", "").replace("_", "").isalnum():
            raise ValueError(f"record name {name!r} must be alphanumeric with - or _")
        return self._dir / f"{name}.sealed"

    def exists(self, name: str) -> bool:
        return self._path(name).exists()

    def save(self, name: str, record: Any) -> None:
        nonce = secrets.token_bytes(_NONCE_BYTES)
        plaintext = json.dumps(record, separators=(",", ":")).encode()
        atomic_write(self._path(name), nonce + self._aead.encrypt(nonce, plaintext, name.encode()))

    def load(self, name: str) -> Any:
        path = self._path(name)
        blob = path.read_bytes()
        try:
            plaintext = self._aead.decrypt(blob[:_NONCE_BYTES], blob[_NONCE_BYTES:], name.encode())
        except InvalidTag:
            raise StateCorrupted(f"sealed record {path} failed authentication (wrong key or tampered)") from None
        return json.loads(plaintext)
