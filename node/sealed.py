"""The node's secret state on disk: AES-GCM sealed, written atomically.

The sealing key lives outside the state directory (docs/architecture.md §Secrets), in a file whose path the node's
config names; losing it makes the sealed records unreadable, by design. Each record is bound to
its name as associated data, so records cannot be swapped for one another on disk.

Secret files are 0600 from the moment they exist (never chmod-ed afterwards: a crash in between
would leave them readable), their directory is 0700, and a key file or directory that group or
others can access is refused at load rather than silently used.
"""

from __future__ import annotations

import json
import os
import secrets
import stat
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from .errors import StateCorrupted

__all__ = [
    "InsecurePermissions",
    "SealedStore",
    "atomic_write",
    "ensure_private_dir",
    "fsync_dir",
    "load_or_create_key",
    "read_private_file",
]

_NONCE_BYTES = 12
_KEY_BYTES = 32
_FILE_MODE = 0o600
_DIR_MODE = 0o700
_GROUP_OR_OTHER = 0o077
_DERIVE_INFO = b"litrt/sealed/derive|"


class InsecurePermissions(StateCorrupted):
    """A secret file or its directory can be read or changed by group or others."""


def _refuse_if_shared(path: Path, mode: int, what: str) -> None:
    if mode & _GROUP_OR_OTHER:
        raise InsecurePermissions(
            f"{what} {path} has mode {stat.S_IMODE(mode):#o}, open to group or others; "
            f"it must be {_DIR_MODE if stat.S_ISDIR(mode) else _FILE_MODE:#o} (chmod it, after checking it was not read)"
        )


def ensure_private_dir(directory: Path) -> None:
    """Create `directory` 0700 if missing; refuse it if it exists and group or others can access it."""
    directory = Path(directory)
    directory.mkdir(mode=_DIR_MODE, parents=True, exist_ok=True)
    _refuse_if_shared(directory, os.stat(directory).st_mode, "secrets directory")


def read_private_file(path: Path, what: str) -> bytes:
    """The content of a secret file, refused if group or others can access it."""
    fd = os.open(path, os.O_RDONLY)
    try:
        # fstat on the open descriptor: the mode checked is the mode of the file read
        _refuse_if_shared(Path(path), os.fstat(fd).st_mode, what)
        with os.fdopen(fd, "rb", closefd=False) as fh:
            return fh.read()
    finally:
        os.close(fd)


def fsync_dir(directory: Path) -> None:
    """Make a file's creation, rename or removal in `directory` survive a crash."""
    dir_fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def atomic_write(path: Path, data: bytes, *, overwrite: bool = True) -> None:
    """Write `data` so that a crash leaves either the old file or the new one, never a mix.

    The file is 0600 from its creation. With `overwrite=False` an existing file is kept and
    FileExistsError raised, so two processes creating the same key cannot replace each other's."""
    path = Path(path)
    path.parent.mkdir(mode=_DIR_MODE, parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    fd = os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, _FILE_MODE)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if overwrite:
            os.replace(tmp, path)
        else:
            os.link(tmp, path)
            tmp.unlink()
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


def load_or_create_key(path: Path) -> bytes:
    """The 32-byte sealing key at `path`, created if missing, in a 0700 directory as a 0600 file."""
    path = Path(path)
    ensure_private_dir(path.parent)
    if not path.exists():
        try:
            atomic_write(path, AESGCM.generate_key(bit_length=256), overwrite=False)
        except FileExistsError:
            pass  # another process created it between the check and the link: use that one
    key = read_private_file(path, "sealing key")
    if len(key) != _KEY_BYTES:
        raise StateCorrupted(f"sealing key {path} must hold {_KEY_BYTES} bytes, found {len(key)}")
    return key


class SealedStore:
    """Named JSON records, each sealed under one AES-256-GCM key."""

    def __init__(self, directory: Path, key: bytes) -> None:
        self._dir = Path(directory)
        self._key = key
        self._aead = AESGCM(key)

    def derive_key(self, purpose: str) -> bytes:
        """A 32-byte key for another use (e.g. a MAC), independent of the sealing key and of other purposes."""
        if not purpose:
            raise ValueError("derive_key needs a non-empty purpose")
        hkdf = HKDF(algorithm=hashes.SHA256(), length=_KEY_BYTES, salt=None, info=_DERIVE_INFO + purpose.encode())
        return hkdf.derive(self._key)

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

    def delete(self, name: str) -> None:
        """Remove a record for good (its secrets are no longer needed); a missing one is fine."""
        self._path(name).unlink(missing_ok=True)
        fsync_dir(self._dir)

    def load(self, name: str) -> Any:
        path = self._path(name)
        blob = path.read_bytes()
        try:
            plaintext = self._aead.decrypt(blob[:_NONCE_BYTES], blob[_NONCE_BYTES:], name.encode())
        except InvalidTag:
            raise StateCorrupted(f"sealed record {path} failed authentication (wrong key or tampered)") from None
        return json.loads(plaintext)
