"""Read a UnixFS file back from its blocks, verifying every block against its CID first.

`decode_file_block` is the I/O-free core shared by the synchronous reader here and the async
verified fetch: it takes a block that has already been checked against its CID and says which
bytes it holds itself and which children follow. A UnixFS file's bytes are the node's own data
followed by its children's bytes in link order.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass

from .cid import CID, DAG_PB, RAW
from .dagpb import decode_node
from .errors import DagError, SizeLimitExceeded
from .unixfs import DataType, decode_unixfs

__all__ = ["FileNode", "decode_file_block", "check_child_sizes", "iter_file", "read_file", "MAX_DEPTH"]

# Kubo's balanced layout reaches 174**6 * 256 KiB (~7 EB) at depth 6; deeper trees are hostile.
MAX_DEPTH = 32


@dataclass(frozen=True)
class FileNode:
    data: bytes  # bytes this block holds itself
    children: tuple[CID, ...]  # blocks whose bytes follow, in order
    blocksizes: tuple[int, ...]  # declared content size of each child (empty if not declared)
    filesize: int | None  # declared total content size of this subtree


def decode_file_block(cid: CID, block: bytes) -> FileNode:
    """Interpret a verified block as part of a UnixFS file; DagError if it is anything else."""
    if cid.codec == RAW:
        return FileNode(block, (), (), len(block))
    assert cid.codec == DAG_PB
    node = decode_node(block, str(cid))
    if node.data is None:
        raise DagError(str(cid), "dag-pb node has no UnixFS Data")
    try:
        unixfs = decode_unixfs(node.data)
    except ValueError as exc:
        raise DagError(str(cid), f"bad UnixFS Data: {exc}") from None
    if unixfs.type in (DataType.DIRECTORY, DataType.HAMT_SHARD):
        raise DagError(str(cid), "is a directory, not a file")
    if unixfs.type not in (DataType.FILE, DataType.RAW):
        raise DagError(str(cid), f"is a UnixFS {unixfs.type.name.lower()}, not a file")
    children = tuple(link.cid for link in node.links)
    if unixfs.blocksizes and len(unixfs.blocksizes) != len(children):
        raise DagError(
            str(cid), f"{len(children)} links but {len(unixfs.blocksizes)} blocksizes"
        )
    return FileNode(unixfs.data or b"", children, unixfs.blocksizes, unixfs.filesize)


def check_child_sizes(cid: CID, node: FileNode, child_lengths: list[int]) -> None:
    """Check assembled child sizes against what the parent declared; a liar DAG is refused."""
    if node.blocksizes and list(node.blocksizes) != child_lengths:
        raise DagError(str(cid), "children's sizes differ from the node's blocksizes")
    total = len(node.data) + sum(child_lengths)
    if node.filesize is not None and node.filesize != total:
        raise DagError(str(cid), f"declares filesize {node.filesize} but holds {total} bytes")


def iter_file(
    root: CID | str, get_block: Callable[[CID], bytes], max_bytes: int | None = None
) -> Iterator[bytes]:
    """Yield the file under `root` piece by piece, hashing every block before it is decoded.

    `get_block` returns a block's bytes (or raises); a block that does not hash to its CID raises
    BlockVerificationError naming that CID. Sizes declared by inner nodes are checked once their
    children have been read, so a consumer may see bytes before a lying parent is caught.
    """
    root_cid = CID.parse(root)
    emitted = 0

    def walk(cid: CID, depth: int) -> Generator[bytes, None, int]:
        nonlocal emitted
        if depth > MAX_DEPTH:
            raise DagError(str(cid), f"DAG deeper than {MAX_DEPTH} levels")
        node = decode_file_block(cid, cid.verify(get_block(cid)))
        if depth == 0 and max_bytes is not None and (node.filesize or 0) > max_bytes:
            raise SizeLimitExceeded(str(root_cid), max_bytes)
        emitted += len(node.data)
        if max_bytes is not None and emitted > max_bytes:
            raise SizeLimitExceeded(str(root_cid), max_bytes)
        if node.data:
            yield node.data
        lengths = []
        for child in node.children:
            lengths.append((yield from walk(child, depth + 1)))
        check_child_sizes(cid, node, lengths)
        return len(node.data) + sum(lengths)

    yield from walk(root_cid, 0)


def read_file(
    root: CID | str, get_block: Callable[[CID], bytes], max_bytes: int | None = None
) -> bytes:
    """The whole file under `root`; see `iter_file`."""
    return b"".join(iter_file(root, get_block, max_bytes))
