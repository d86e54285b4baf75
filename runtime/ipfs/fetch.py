"""Verified fetch: assemble a file from untrusted sources, hashing every block before use.

For each block the sources are asked in order. A source that lacks the block, fails, or returns
bytes that do not hash to the CID is passed over for the next one; the lie is remembered, so if
no source has a good copy the error is BlockVerificationError naming the CID and the liars;
otherwise BlockNotFound if every source said so, else SourceError with each source's reason.
Nothing a source returns is decoded, counted or returned before its hash has been checked.

Limits: `max_bytes` bounds the file's content (checked against the root's declared size before
any leaf is fetched, and against the bytes actually assembled); `max_blocks` bounds how many
blocks a hostile DAG can make us request; each block is at most `max_block_size` bytes (Kubo
refuses blocks over 1 MiB, bitswap over 2 MiB); `timeout` bounds the whole fetch.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from .cid import CID
from .errors import (
    BlockNotFound,
    BlockVerificationError,
    DagError,
    FetchTimeout,
    IpfsError,
    SizeLimitExceeded,
    SourceError,
)
from .reader import MAX_DEPTH, check_child_sizes, decode_file_block
from .sources import BlockSource

__all__ = ["VerifiedFetcher", "fetch_verified", "MAX_BLOCK_SIZE"]

MAX_BLOCK_SIZE = 2 * 1024 * 1024


class VerifiedFetcher:
    def __init__(
        self,
        sources: Sequence[BlockSource],
        *,
        max_block_size: int = MAX_BLOCK_SIZE,
        concurrency: int = 8,
    ) -> None:
        if not sources:
            raise ValueError("VerifiedFetcher needs at least one block source")
        if concurrency < 1:
            raise ValueError(f"concurrency must be at least 1, got {concurrency}")
        self.sources = tuple(sources)
        self.max_block_size = max_block_size
        self._slots = asyncio.Semaphore(concurrency)

    async def get_block(self, cid: CID | str) -> bytes:
        """One block, from the first source whose copy hashes to `cid`."""
        parsed = CID.parse(cid)
        liars: list[str] = []
        oversize: SizeLimitExceeded | None = None
        misses: list[str] = []
        failures = 0  # sources that errored rather than saying "not found"
        async with self._slots:
            for source in self.sources:
                try:
                    data = await source.get_block(parsed, self.max_block_size)
                except BlockVerificationError as exc:
                    liars.append(exc.source or source.name)
                    continue
                except SizeLimitExceeded as exc:
                    oversize = exc
                    misses.append(f"{source.name}: {exc}")
                    continue
                except BlockNotFound as exc:
                    misses.append("; ".join(exc.details) or f"{source.name}: not found")
                    continue
                except IpfsError as exc:
                    misses.append(f"{source.name}: {exc}")
                    failures += 1
                    continue
                if parsed.matches(data):
                    return data
                liars.append(source.name)
        if liars:
            raise BlockVerificationError(str(parsed), ", ".join(liars))
        if oversize is not None and len(misses) == 1:
            raise oversize
        if failures:
            raise SourceError("any source", str(parsed), "; ".join(misses))
        raise BlockNotFound(str(parsed), tuple(misses))

    async def fetch(
        self,
        cid: CID | str,
        max_bytes: int,
        *,
        max_blocks: int | None = None,
        timeout: float | None = None,
    ) -> bytes:
        """The UnixFS file (or raw block) under `cid`, every block verified."""
        root = CID.parse(cid)
        if max_bytes < 0:
            raise ValueError(f"max_bytes must be non-negative, got {max_bytes}")
        walk = _Walk(self, root, max_bytes, max_blocks if max_blocks is not None else 1024 + max_bytes // 1024)
        try:
            async with asyncio.timeout(timeout):
                return await walk.run()
        except TimeoutError as exc:
            if timeout is None or isinstance(exc, FetchTimeout):
                raise
            raise FetchTimeout(str(root), timeout) from None


class _Walk:
    """One fetch: shared counters for the size and block budgets across concurrent subtrees."""

    def __init__(self, fetcher: VerifiedFetcher, root: CID, max_bytes: int, max_blocks: int) -> None:
        self.fetcher = fetcher
        self.root = root
        self.max_bytes = max_bytes
        self.max_blocks = max_blocks
        self.content_bytes = 0
        self.blocks = 0

    async def run(self) -> bytes:
        parts: list[bytes] = []
        await self._subtree(self.root, 0, parts)
        return b"".join(parts)

    async def _subtree(self, cid: CID, depth: int, out: list[bytes]) -> int:
        if depth > MAX_DEPTH:
            raise DagError(str(cid), f"DAG deeper than {MAX_DEPTH} levels")
        self.blocks += 1
        if self.blocks > self.max_blocks:
            raise SizeLimitExceeded(str(self.root), self.max_blocks, "block count", "blocks")
        node = decode_file_block(cid, await self.fetcher.get_block(cid))
        if depth == 0 and (node.filesize or 0) > self.max_bytes:
            raise SizeLimitExceeded(str(self.root), self.max_bytes)
        self.content_bytes += len(node.data)
        if self.content_bytes > self.max_bytes:
            raise SizeLimitExceeded(str(self.root), self.max_bytes)
        out.append(node.data)
        if not node.children:
            check_child_sizes(cid, node, [])
            return len(node.data)
        child_parts: list[list[bytes]] = [[] for _ in node.children]
        try:
            async with asyncio.TaskGroup() as group:
                tasks = [
                    group.create_task(self._subtree(child, depth + 1, parts))
                    for child, parts in zip(node.children, child_parts)
                ]
        except BaseExceptionGroup as failed:
            # The first failure cancels its siblings; callers want that one error, not a group.
            raise failed.exceptions[0] from None
        lengths = [task.result() for task in tasks]
        check_child_sizes(cid, node, lengths)
        for parts in child_parts:
            out.extend(parts)
        return len(node.data) + sum(lengths)


async def fetch_verified(
    cid: CID | str,
    sources: Sequence[BlockSource],
    max_bytes: int,
    *,
    timeout: float | None = None,
    max_blocks: int | None = None,
) -> bytes:
    """Fetch the file under `cid` from `sources` (tried in order), verifying every block."""
    return await VerifiedFetcher(sources).fetch(cid, max_bytes, max_blocks=max_blocks, timeout=timeout)
