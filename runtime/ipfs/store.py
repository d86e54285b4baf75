"""An embedded block store on disk: one file per block, written atomically.

Layout follows Kubo's flatfs: `blocks/<2 chars>/<KEY>.data`, where KEY is the uppercase base32
of the block's multihash and the folder is KEY's next-to-last two characters. Keying by multihash
(not by CID) lets a CIDv0 and the CIDv1 of the same dag-pb block share one file, as Kubo does.

Writes go to a uniquely named temp file in the target folder, are fsync'ed, then renamed into
place (rename is atomic within one filesystem) and the folder is fsync'ed, so a reader in any
thread or process sees either no file or the whole block, and a crash never leaves a torn block.
Reads re-hash the block: disk corruption or tampering is reported as BlockVerificationError,
and putting the block again replaces the bad copy.
"""

from __future__ import annotations

import base64
import os
import tempfile
from pathlib import Path

from .cid import CID, DAG_PB, block_cid
from .errors import BlockNotFound, BlockVerificationError
from .importer import Block, Dag, ImportResult, import_file, build_dag
from .reader import read_file

__all__ = ["BlockStore"]

_SUFFIX = ".data"


class BlockStore:
    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)
        self._blocks = self.root / "blocks"
        self._blocks.mkdir(parents=True, exist_ok=True)

    def __repr__(self) -> str:
        return f"BlockStore({str(self.root)!r})"

    def path_for(self, cid: CID | str) -> Path:
        key = base64.b32encode(CID.parse(cid).multihash).decode("ascii").rstrip("=")
        return self._blocks / key[-3:-1] / (key + _SUFFIX)

    def has(self, cid: CID | str) -> bool:
        return self.path_for(cid).is_file()

    def get(self, cid: CID | str) -> bytes:
        """The block's bytes, checked against its CID; BlockNotFound / BlockVerificationError."""
        parsed = CID.parse(cid)
        try:
            data = self.path_for(parsed).read_bytes()
        except FileNotFoundError:
            raise BlockNotFound(str(parsed), (f"not in {self!r}",)) from None
        if not parsed.matches(data):
            raise BlockVerificationError(str(parsed), repr(self))
        return data

    def put(self, data: bytes, cid: CID | str | None = None, codec: int = DAG_PB) -> CID:
        """Store a block; with `cid` given the data must hash to it (else BlockVerificationError)."""
        if cid is None:
            parsed = block_cid(data, codec, 0 if codec == DAG_PB else 1)
        else:
            parsed = CID.parse(cid)
            parsed.verify(data, "the caller of BlockStore.put")
        path = self.path_for(parsed)
        if self._holds_good_copy(parsed, path):
            return parsed
        path.parent.mkdir(exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".", suffix=".tmp", dir=path.parent)
        try:
            # mkstemp makes 0600 files; blocks are public content that a gateway may serve.
            os.fchmod(fd, 0o644)
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, path)
        except BaseException:
            try:
                os.unlink(tmp)
            except FileNotFoundError:
                pass
            raise
        _fsync_dir(path.parent)
        return parsed

    @staticmethod
    def _holds_good_copy(cid: CID, path: Path) -> bool:
        # Re-hashing a block we already have is cheap next to fsync, and it lets a new put
        # repair a copy that was corrupted on disk instead of keeping the bad one forever.
        try:
            return cid.matches(path.read_bytes())
        except FileNotFoundError:
            return False

    def put_block(self, block: Block) -> CID:
        return self.put(block.data, block.cid)

    def put_dag(self, dag: Dag) -> CID:
        for block in dag.blocks:
            self.put_block(block)
        return dag.root

    def add_bytes(self, data: bytes, *, cid_version: int = 0, raw_leaves: bool | None = None) -> Dag:
        dag = build_dag(data, cid_version=cid_version, raw_leaves=raw_leaves)
        self.put_dag(dag)
        return dag

    def add_file(self, path: str, *, cid_version: int = 0, raw_leaves: bool | None = None) -> ImportResult:
        """Add a file from disk in constant memory, storing every block."""
        return import_file(path, self.put_block, cid_version=cid_version, raw_leaves=raw_leaves)

    def cat(self, cid: CID | str, max_bytes: int | None = None) -> bytes:
        """The file under `cid`, every block verified."""
        return read_file(cid, self.get, max_bytes)


def _fsync_dir(path: Path) -> None:
    # Makes the rename itself durable; some filesystems refuse O_RDONLY fsync on folders.
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
