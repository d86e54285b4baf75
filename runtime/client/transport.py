"""The client's HTTP: a small HTTP/1.1 client on asyncio streams, standard library only.

Why not aiohttp: importing it costs a one-shot `litrt execute` about 0.15 s (a TLS context is built at
import time), more than the request it makes. The client needs little of it: JSON to a handful of
nodes and one multipart upload to IPFS. This module does that and no more: keep-alive connections per
origin, bodies framed by Content-Length, chunks or the connection's end, one total timeout per request,
TLS only for https URLs.

A request fails with `HttpError` (an OSError, like the socket errors that may also come out) or
TimeoutError; the client turns both into its NetworkError (runtime/client/client.py).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

if TYPE_CHECKING:
    import ssl

__all__ = ["HttpClient", "HttpError", "Response", "multipart_file"]

MAX_BODY_BYTES = 64 * 1024 * 1024  # a node's answer is kilobytes; a peer sending more is refused, not buffered
MAX_HEADER_LINES = 100
MAX_IDLE_PER_ORIGIN = 16

Origin = tuple[str, str, int]  # scheme, host, port


class HttpError(OSError):
    """The peer broke HTTP (a malformed or cut-off answer, one too large) or the URL is not http(s)."""


class _Stale(Exception):
    """A reused keep-alive connection was closed by the server before it read the request."""


@dataclass(frozen=True)
class Response:
    status: int
    headers: Mapping[str, str]  # names in lower case; repeated headers joined with ", "
    body: bytes

    def json(self) -> Any:
        """The body as JSON; None for an empty body (as aiohttp's `json()`); ValueError if it is not JSON."""
        return json.loads(self.body) if self.body.strip() else None

    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


def multipart_file(field: str, filename: str, data: bytes, boundary: str) -> tuple[bytes, str]:
    """A multipart/form-data body holding one file, and its Content-Type."""
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; filename="{filename}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()
    return head + data + f"\r\n--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


@dataclass
class _Connection:
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter

    def usable(self) -> bool:
        return not self.writer.is_closing() and not self.reader.at_eof()

    def close(self) -> None:
        self.writer.close()


def _origin_and_target(url: str) -> tuple[Origin, str, str]:
    """(origin, request target, Host header) of an http(s) URL."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise HttpError(f"not an http(s) URL: {url!r:.200}")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise HttpError(f"bad port in {url!r:.200}: {exc}") from None
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return (parts.scheme, parts.hostname, port), target, parts.netloc.rpartition("@")[2]


class HttpClient:
    """Requests over pooled keep-alive connections, each bounded by `timeout_s` from connect to last byte.
    Bound to the event loop it first runs on, as any asyncio connection is."""

    def __init__(self, timeout_s: float) -> None:
        self.timeout_s = timeout_s
        self._idle: dict[Origin, list[_Connection]] = {}
        self._tls: ssl.SSLContext | None = None
        self._closed = False

    async def request(
        self, method: str, url: str, body: bytes | None = None, content_type: str | None = None
    ) -> Response:
        origin, target, host = _origin_and_target(url)
        head = f"{method} {target} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: litrt\r\nAccept: */*\r\n"
        if body is not None:
            head += f"Content-Type: {content_type or 'application/octet-stream'}\r\nContent-Length: {len(body)}\r\n"
        message = head.encode("latin-1") + b"\r\n" + (body or b"")
        async with asyncio.timeout(self.timeout_s):
            reused = self._take_idle(origin)
            if reused is not None:
                try:
                    return await self._exchange(reused, origin, method, message)
                except _Stale:
                    pass  # a server may close an idle connection at any moment; a fresh one decides
            fresh = await self._connect(origin)
            try:
                return await self._exchange(fresh, origin, method, message)
            except _Stale as exc:
                raise HttpError(f"{origin[1]}:{origin[2]} closed the connection without answering") from exc.__cause__

    async def close(self) -> None:
        self._closed = True
        idle = [c for conns in self._idle.values() for c in conns]
        self._idle.clear()
        for conn in idle:
            conn.close()
        for conn in idle:
            try:
                await conn.writer.wait_closed()
            except OSError:
                pass  # the peer reset it: closed either way

    def _take_idle(self, origin: Origin) -> _Connection | None:
        pool = self._idle.get(origin, [])
        while pool:
            conn = pool.pop()
            if conn.usable():
                return conn
            conn.close()
        return None

    def _keep(self, origin: Origin, conn: _Connection) -> None:
        pool = self._idle.setdefault(origin, [])
        if self._closed or len(pool) >= MAX_IDLE_PER_ORIGIN:
            conn.close()
        else:
            pool.append(conn)

    async def _connect(self, origin: Origin) -> _Connection:
        scheme, host, port = origin
        tls = None
        if scheme == "https":
            if self._tls is None:
                import ssl

                self._tls = ssl.create_default_context()
            tls = self._tls
        reader, writer = await asyncio.open_connection(host, port, ssl=tls, limit=2**16)
        return _Connection(reader, writer)

    async def _exchange(self, conn: _Connection, origin: Origin, method: str, message: bytes) -> Response:
        """Send `message` on `conn` and read the answer; the connection goes back to the pool only after a
        complete answer that lets it stay open, and is closed on any failure or cancellation."""
        try:
            try:
                conn.writer.write(message)
                await conn.writer.drain()
                status_line = await conn.reader.readline()
            except (ConnectionResetError, BrokenPipeError) as exc:
                raise _Stale() from exc
            if not status_line:
                raise _Stale()
            response, keep_alive = await _read_response(conn.reader, status_line, method)
        except BaseException:
            conn.close()
            raise
        if keep_alive:
            self._keep(origin, conn)
        else:
            conn.close()
        return response


async def _read_response(reader: asyncio.StreamReader, status_line: bytes, method: str) -> tuple[Response, bool]:
    """The answer whose status line was read, and whether its connection may carry another request."""
    try:
        while True:
            version, status = _parse_status(status_line)
            headers = await _read_headers(reader)
            if not 100 <= status < 200:
                break
            status_line = await reader.readline()  # an interim answer (100 Continue): the real one follows
        connection = headers.get("connection", "").lower()
        keep_alive = "close" not in connection if version == "HTTP/1.1" else "keep-alive" in connection
        if method == "HEAD" or status in (204, 304):
            body = b""
        elif "chunked" in headers.get("transfer-encoding", "").lower():
            body = await _read_chunked(reader)
        elif "content-length" in headers:
            body = await reader.readexactly(_length(headers["content-length"]))
        else:
            body, keep_alive = await _read_to_end(reader), False
    except asyncio.IncompleteReadError as exc:
        raise HttpError(f"the answer was cut off after {len(exc.partial)} of {exc.expected} bytes") from None
    except ValueError as exc:  # StreamReader.readline's error for a line over its limit
        raise HttpError(f"a malformed answer: {exc}") from None
    return Response(status, headers, body), keep_alive


def _parse_status(line: bytes) -> tuple[str, int]:
    parts = line.decode("latin-1").rstrip("\r\n").split(" ", 2)
    if len(parts) < 2 or parts[0] not in ("HTTP/1.1", "HTTP/1.0") or not (parts[1].isdigit() and len(parts[1]) == 3):
        raise HttpError(f"not an HTTP/1.x status line: {line[:100]!r}")
    return parts[0], int(parts[1])


async def _read_headers(reader: asyncio.StreamReader) -> dict[str, str]:
    headers: dict[str, str] = {}
    for _ in range(MAX_HEADER_LINES):
        line = await reader.readline()
        if line in (b"\r\n", b"\n"):
            return headers
        if not line.endswith(b"\n"):
            raise HttpError("the answer ended inside its headers")
        name, colon, value = line.decode("latin-1").partition(":")
        if not colon or not name.strip():
            raise HttpError(f"a malformed header line: {line[:100]!r}")
        key = name.strip().lower()
        headers[key] = f"{headers[key]}, {value.strip()}" if key in headers else value.strip()
    raise HttpError(f"more than {MAX_HEADER_LINES} header lines")


def _length(text: str) -> int:
    if not text.strip().isdigit():
        raise HttpError(f"a malformed length: {text[:40]!r}")
    length = int(text)
    if length > MAX_BODY_BYTES:
        raise HttpError(f"an answer of {length} bytes, more than the {MAX_BODY_BYTES} this client takes")
    return length


async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
    chunks: list[bytes] = []
    total = 0
    while True:
        size_line = (await reader.readline()).split(b";", 1)[0].strip()
        try:
            size = int(size_line, 16)
        except ValueError:
            raise HttpError(f"a malformed chunk size: {size_line[:40]!r}") from None
        if size == 0:
            await _read_headers(reader)  # trailers, unused
            return b"".join(chunks)
        total += size
        if total > MAX_BODY_BYTES:
            raise HttpError(f"a chunked answer of more than the {MAX_BODY_BYTES} bytes this client takes")
        chunks.append(await reader.readexactly(size))
        if await reader.readexactly(2) != b"\r\n":
            raise HttpError("a chunk not followed by CRLF")


async def _read_to_end(reader: asyncio.StreamReader) -> bytes:
    parts: list[bytes] = []
    total = 0
    while total <= MAX_BODY_BYTES:
        part = await reader.read(2**16)
        if not part:
            return b"".join(parts)
        parts.append(part)
        total += len(part)
    raise HttpError(f"an answer of more than the {MAX_BODY_BYTES} bytes this client takes")
