"""Places a block can come from. None of them is trusted: they only return bytes, and the
verified fetch hashes every block against its CID before using it.

    StoreSource     the embedded on-disk BlockStore
    GatewaySource   a trustless HTTP gateway: GET {url}/ipfs/{cid}?format=raw
                    with Accept: application/vnd.ipld.raw
    KuboRpcSource   a Kubo RPC API: POST {url}/api/v0/block/get?arg={cid}

HTTP sources own an aiohttp session unless one is handed in; close them with `aclose()` or use
them as `async with` blocks. aiohttp's exceptions are mapped to ours here, where they arise.
"""

from __future__ import annotations

import asyncio
import json
from abc import ABC, abstractmethod
from typing import Protocol, runtime_checkable

import aiohttp

from .cid import CID
from .errors import BlockNotFound, SizeLimitExceeded, SourceError
from .store import BlockStore

__all__ = [
    "BlockSource",
    "StoreSource",
    "GatewaySource",
    "KuboRpcSource",
    "RAW_BLOCK_MEDIA_TYPE",
    "DEFAULT_TIMEOUT",
]

RAW_BLOCK_MEDIA_TYPE = "application/vnd.ipld.raw"
DEFAULT_TIMEOUT = 30.0
_READ_SIZE = 65536


@runtime_checkable
class BlockSource(Protocol):
    """Returns a block's bytes, unverified; raises BlockNotFound, SourceError or SizeLimitExceeded."""

    name: str

    async def get_block(self, cid: CID, max_size: int) -> bytes: ...


class StoreSource:
    def __init__(self, store: BlockStore) -> None:
        self.store = store
        self.name = f"block store {store.root}"

    async def get_block(self, cid: CID, max_size: int) -> bytes:
        # The store re-hashes on read, so tampering on disk surfaces here already, naming the CID.
        data = await asyncio.to_thread(self.store.get, cid)
        if len(data) > max_size:
            raise SizeLimitExceeded(str(cid), max_size, "block")
        return data


class _HttpSource(ABC):
    kind = "http"

    def __init__(
        self, url: str, *, timeout: float = DEFAULT_TIMEOUT, session: aiohttp.ClientSession | None = None
    ) -> None:
        if not url.startswith(("http://", "https://")):
            raise ValueError(f"{self.kind} URL must start with http:// or https://, got {url!r}")
        self.url = url.rstrip("/")
        self.timeout = timeout
        self.name = f"{self.kind} {self.url}"
        self._session = session
        self._owns_session = session is None

    async def __aenter__(self) -> "_HttpSource":
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._owns_session and self._session is not None:
            await self._session.close()
            self._session = None

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession()
        return self._session

    @abstractmethod
    def _request(self, cid: CID) -> tuple[str, str, dict[str, str]]:
        """(method, url, headers) that ask this source for `cid`."""

    async def get_block(self, cid: CID, max_size: int) -> bytes:
        method, url, headers = self._request(cid)
        try:
            async with self._client().request(
                method, url, headers=headers, timeout=aiohttp.ClientTimeout(total=self.timeout)
            ) as response:
                if response.status != 200:
                    body = await response.content.read(2048)
                    raise self._status_error(cid, response.status, body)
                return await _read_limited(response, cid, max_size)
        except asyncio.TimeoutError:
            raise SourceError(self.name, str(cid), f"timed out after {self.timeout:g} s") from None
        except aiohttp.ClientError as exc:
            raise SourceError(self.name, str(cid), f"{type(exc).__name__}: {exc}") from exc

    def _status_error(self, cid: CID, status: int, body: bytes) -> Exception:
        text = body.decode("utf-8", "replace").strip()
        try:
            # Kubo RPC reports errors as {"Message": ..., "Code": ..., "Type": "error"}.
            text = str(json.loads(text).get("Message", text))
        except (ValueError, AttributeError):
            pass
        reason = f"HTTP {status}" + (f": {text[:200]}" if text else "")
        if status in (404, 410) or "not found" in text.lower():
            return BlockNotFound(str(cid), (f"{self.name}: {reason}",))
        return SourceError(self.name, str(cid), reason)


class GatewaySource(_HttpSource):
    kind = "gateway"

    def _request(self, cid: CID) -> tuple[str, str, dict[str, str]]:
        return "GET", f"{self.url}/ipfs/{cid}?format=raw", {"Accept": RAW_BLOCK_MEDIA_TYPE}


class KuboRpcSource(_HttpSource):
    kind = "kubo rpc"

    def _request(self, cid: CID) -> tuple[str, str, dict[str, str]]:
        return "POST", f"{self.url}/api/v0/block/get?arg={cid}", {}


async def _read_limited(response: aiohttp.ClientResponse, cid: CID, max_size: int) -> bytes:
    declared = response.content_length
    if declared is not None and declared > max_size:
        raise SizeLimitExceeded(str(cid), max_size, "block")
    out = bytearray()
    while True:
        part = await response.content.read(_READ_SIZE)
        if not part:
            return bytes(out)
        out += part
        if len(out) > max_size:
            raise SizeLimitExceeded(str(cid), max_size, "block")
