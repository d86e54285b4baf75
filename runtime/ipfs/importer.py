"""Turn bytes into a UnixFS file DAG exactly as `ipfs add` does with its defaults.

Kubo's defaults: fixed-size chunks of 256 KiB, the balanced layout with at most 174 links per
node, every leaf wrapped in a dag-pb UnixFS `File` node (raw-leaves off) and CIDv0. A file of one
chunk (or none) is a single leaf. The balanced layout grows the tree one level at a time: the old
root becomes the first child of a new root, which is then filled depth-first, so a file of 175
chunks gets a root with two children, the second an inner node holding one leaf.

Blocks are handed to `on_block` children before parents as they are made, so a large file can be
hashed or stored without holding the DAG in memory; `build_dag` collects them for small inputs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

from .cid import CID, DAG_PB, RAW, block_cid
from .dagpb import PBLink, PBNode, encode_node
from .unixfs import DataType, UnixFSData, encode_unixfs

__all__ = [
    "CHUNK_SIZE",
    "MAX_LINKS",
    "Block",
    "ImportResult",
    "Dag",
    "import_chunks",
    "build_dag",
    "import_file",
    "iter_chunks",
]

CHUNK_SIZE = 262144
MAX_LINKS = 174


@dataclass(frozen=True)
class Block:
    cid: CID
    data: bytes


@dataclass(frozen=True)
class ImportResult:
    root: CID
    size: int  # cumulative size of every block in the DAG: Kubo's "Size" / a link's Tsize
    filesize: int  # bytes of file content


@dataclass(frozen=True)
class Dag:
    root: CID
    size: int
    filesize: int
    blocks: tuple[Block, ...]  # children before parents; the root is last

    def block_map(self) -> dict[CID, bytes]:
        return {block.cid: block.data for block in self.blocks}


@dataclass(frozen=True)
class _Child:
    cid: CID
    tsize: int
    filesize: int


class _Chunks:
    """An iterator that can say whether another chunk follows, as Kubo's DagBuilderHelper.Done."""

    def __init__(self, chunks: Iterable[bytes]) -> None:
        self._it = iter(chunks)
        self._next: bytes | None = None
        self._advance()

    def _advance(self) -> None:
        for chunk in self._it:
            if chunk:
                self._next = bytes(chunk)
                return
        self._next = None

    def done(self) -> bool:
        return self._next is None

    def take(self) -> bytes:
        chunk = self._next
        assert chunk is not None
        self._advance()
        return chunk


class _Builder:
    def __init__(
        self, on_block: Callable[[Block], object], max_links: int, raw_leaves: bool, cid_version: int
    ) -> None:
        self.on_block = on_block
        self.max_links = max_links
        self.raw_leaves = raw_leaves
        self.cid_version = cid_version

    def emit(self, data: bytes, codec: int, version: int) -> CID:
        cid = block_cid(data, codec, version)
        self.on_block(Block(cid, data))
        return cid

    def leaf(self, chunk: bytes) -> _Child:
        if self.raw_leaves:
            return _Child(self.emit(chunk, RAW, 1), len(chunk), len(chunk))
        # Kubo leaves an empty file's Data field out (nil slice) but still writes filesize 0.
        unixfs = UnixFSData(DataType.FILE, data=chunk or None, filesize=len(chunk))
        block = encode_node(PBNode(data=encode_unixfs(unixfs)))
        return _Child(self.emit(block, DAG_PB, self.cid_version), len(block), len(chunk))

    def inner(self, children: list[_Child]) -> _Child:
        filesize = sum(child.filesize for child in children)
        unixfs = UnixFSData(
            DataType.FILE, filesize=filesize, blocksizes=tuple(c.filesize for c in children)
        )
        links = tuple(PBLink(child.cid, "", child.tsize) for child in children)
        block = encode_node(PBNode(links=links, data=encode_unixfs(unixfs)))
        tsize = len(block) + sum(child.tsize for child in children)
        return _Child(self.emit(block, DAG_PB, self.cid_version), tsize, filesize)

    def fill(self, chunks: _Chunks, depth: int, first: _Child | None = None) -> _Child:
        children = [] if first is None else [first]
        while len(children) < self.max_links and not chunks.done():
            if depth == 1:
                children.append(self.leaf(chunks.take()))
            else:
                children.append(self.fill(chunks, depth - 1))
        return self.inner(children)


def import_chunks(
    chunks: Iterable[bytes],
    on_block: Callable[[Block], object],
    *,
    max_links: int = MAX_LINKS,
    raw_leaves: bool | None = None,
    cid_version: int = 0,
) -> ImportResult:
    """Build the balanced UnixFS DAG over `chunks`, calling `on_block` for every block.

    `raw_leaves` defaults to Kubo's rule: off for CIDv0, on for CIDv1. Empty chunks are skipped,
    as a chunker never yields them.
    """
    if cid_version not in (0, 1):
        raise ValueError(f"cid_version must be 0 or 1, got {cid_version}")
    if max_links < 2:
        raise ValueError(f"max_links must be at least 2, got {max_links}")
    builder = _Builder(on_block, max_links, cid_version == 1 if raw_leaves is None else raw_leaves, cid_version)
    stream = _Chunks(chunks)
    root = builder.leaf(b"" if stream.done() else stream.take())
    depth = 1
    while not stream.done():
        root = builder.fill(stream, depth, first=root)
        depth += 1
    return ImportResult(root.cid, root.tsize, root.filesize)


def iter_chunks(data: bytes | BinaryIO, chunk_size: int = CHUNK_SIZE) -> Iterator[bytes]:
    """Fixed-size chunks (the last may be short), read fully even from pipes and sockets."""
    if chunk_size <= 0:
        raise ValueError(f"chunk_size must be positive, got {chunk_size}")
    if isinstance(data, (bytes, bytearray, memoryview)):
        view = memoryview(data)
        for start in range(0, len(view), chunk_size):
            yield bytes(view[start : start + chunk_size])
        return
    while True:
        parts: list[bytes] = []
        want = chunk_size
        while want:
            part = data.read(want)
            if not part:
                break
            parts.append(part)
            want -= len(part)
        if parts:
            yield b"".join(parts)
        if want:
            return


def build_dag(
    data: bytes,
    *,
    chunk_size: int = CHUNK_SIZE,
    max_links: int = MAX_LINKS,
    raw_leaves: bool | None = None,
    cid_version: int = 0,
) -> Dag:
    """The root CID and every block of `data` added with Kubo's defaults (or the given options)."""
    blocks: list[Block] = []
    result = import_chunks(
        iter_chunks(data, chunk_size),
        blocks.append,
        max_links=max_links,
        raw_leaves=raw_leaves,
        cid_version=cid_version,
    )
    # A chunk repeated in a file yields the same block twice; keep the first, as a store would.
    unique: dict[CID, Block] = {}
    for block in blocks:
        unique.setdefault(block.cid, block)
    return Dag(result.root, result.size, result.filesize, tuple(unique.values()))


def import_file(
    path: str,
    on_block: Callable[[Block], object] | None = None,
    *,
    chunk_size: int = CHUNK_SIZE,
    raw_leaves: bool | None = None,
    cid_version: int = 0,
) -> ImportResult:
    """Add a file from disk in constant memory; blocks go to `on_block` if given."""
    with open(path, "rb") as handle:
        return import_chunks(
            iter_chunks(handle, chunk_size),
            on_block or (lambda block: None),
            raw_leaves=raw_leaves,
            cid_version=cid_version,
        )
