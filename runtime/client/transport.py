"""The client's HTTP: HTTP/1.1 over asyncio streams, with h11 deciding all of HTTP's framing.

Why h11 and not aiohttp: importing aiohttp costs a one-shot `litrt execute` about 0.15 s (a TLS context is
built at import time), more than the request it makes; h11 is a sans-I/O HTTP/1.1 state machine in pure
Python that adds under 10 ms. Why not urllib or http.client: they block, and the client asks every node at
once from one asyncio event loop. The client needs little: JSON to a handful of nodes and one multipart
upload to IPFS. h11 reads status lines, headers, Content-Length, chunked and read-to-close bodies and says
whether a connection may carry another request; this module moves the bytes: keep-alive connections per
origin, one total timeout per request, TLS only for https URLs, and limits on what a peer may make it hold.

A kept connection is reused only if the server has said nothing on it since its last answer (`_Link.quiet`):
bytes nobody asked for (a 408 before a server times it out) would otherwise be read as the next answer. If a
reused connection ends without a byte of answer, the request is sent again on a fresh one only when that is
safe: when the connection failed before all of the request left, or when the method is idempotent. A POST
the server may have read is not sent twice: nodes do not de-duplicate a requestId.

A request fails with `HttpError` (an OSError, like the socket errors that may also come out) or
TimeoutError; the client turns both into its NetworkError (runtime/client/client.py). h11's errors are
turned into HttpError here, where they arise, with h11's own words for what broke.
"""

from __future__ import annotations

import asyncio
import json
import select
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import h11

if TYPE_CHECKING:
    import ssl

__all__ = ["HttpClient", "HttpError", "Response", "multipart_file"]

MAX_BODY_BYTES = 64 * 1024 * 1024  # a node's answer is kilobytes; a peer sending more is refused, not buffered
# h11 refuses a head (or chunk-size line) once this much of it is held unfinished; a node's head is ~200 bytes.
MAX_HEAD_BYTES = 16 * 1024
MAX_IDLE_PER_ORIGIN = 16
READ_BYTES = 64 * 1024
# RFC 9110 section 9.2.2: sending one of these twice has the effect of sending it once, so it may be retried
_IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"})

Origin = tuple[str, str, int]  # scheme, host, port


class HttpError(OSError):
    """The peer broke HTTP (a malformed or cut-off answer, one too large), the URL is not http(s), or the
    request cannot be written as HTTP/1.1."""


class _Stale(Exception):
    """A connection ended without a byte of answer. `delivered`: it ended after all of the request had
    left, so the server may have read the request and acted on it."""

    def __init__(self, delivered: bool) -> None:
        super().__init__()
        self.delivered = delivered


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


class _Link(asyncio.Protocol):
    """One connection's bytes. Not asyncio's StreamReader and StreamWriter: the pool must know whether
    anything arrived while the connection lay idle, which StreamReader does not say, and whether a failed
    request had all left, which StreamWriter.drain does not say."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.transport: asyncio.Transport
        self.gone: asyncio.Future[None] = loop.create_future()  # set once the connection is closed
        self._loop = loop
        self._arrived = bytearray()
        self._ended = False  # the peer sent its end, or the connection is lost
        self._error: Exception | None = None
        self._wake: asyncio.Future[None] | None = None  # read() waiting for bytes
        self._unpaused: asyncio.Future[None] | None = None  # send() waiting for the bytes to leave
        self._unsent = False  # lost while bytes of ours were still waiting to leave

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport), "a stream connection gives a Transport"
        self.transport = transport
        # paused whenever any byte waits to be written, resumed only when none does: send() then knows
        # whether all of a request left (with TLS: the TLS layer, which may hold some in the socket's transport)
        transport.set_write_buffer_limits(high=1, low=0)

    def data_received(self, data: bytes) -> None:
        self._arrived += data
        if len(self._arrived) >= READ_BYTES:  # hold no more than this until read() takes it
            self.transport.pause_reading()
        self._wake_reader()

    def eof_received(self) -> None:
        self._ended = True  # returning None lets the transport close its side too
        self._wake_reader()

    def connection_lost(self, exc: Exception | None) -> None:
        self._ended, self._error = True, exc
        if self._unpaused is not None:
            self._unsent = True
            self._unpaused.set_result(None)
            self._unpaused = None
        self._wake_reader()
        if not self.gone.done():
            self.gone.set_result(None)

    def pause_writing(self) -> None:
        self._unpaused = self._loop.create_future()

    def resume_writing(self) -> None:
        if self._unpaused is not None:
            self._unpaused.set_result(None)
            self._unpaused = None

    def _wake_reader(self) -> None:
        if self._wake is not None and not self._wake.done():
            self._wake.set_result(None)

    def quiet(self) -> bool:
        """Nothing has arrived since the last read, neither bytes nor an end, not even in the kernel's buffer
        where the event loop has not yet looked (with TLS, bytes there may be TLS's own: taken as arrived)."""
        if self._arrived or self._ended or self.transport.is_closing():
            return False
        poll = select.poll()
        poll.register(self.transport.get_extra_info("socket").fileno(), select.POLLIN)
        return not poll.poll(0)  # POLLIN for bytes or an end; POLLERR or POLLHUP for a reset, always reported

    async def send(self, data: bytes) -> None:
        """Write `data` and wait until it has left; ConnectionResetError, or the error the connection failed
        with, if the connection failed before it all had."""
        self.transport.write(data)
        if self.transport.is_closing():  # only a failed write closes an open transport; the loss comes next turn
            await asyncio.sleep(0)
            raise ConnectionResetError("the connection failed while the request was written") from self._error
        while self._unpaused is not None:
            await self._unpaused
        if self._unsent:
            raise self._error or ConnectionResetError("the connection closed while the request was written")

    async def read(self) -> bytes:
        """Up to READ_BYTES that arrived; b"" at the peer's end; the connection's error if it failed."""
        while not self._arrived and not self._ended:
            self._wake = self._loop.create_future()
            try:
                await self._wake
            finally:
                self._wake = None
        if not self._arrived:
            if self._error is not None:
                raise self._error
            return b""
        data = bytes(self._arrived[:READ_BYTES])
        del self._arrived[:READ_BYTES]
        if not self._ended:
            self.transport.resume_reading()
        return data


@dataclass
class _Connection:
    link: _Link
    http: h11.Connection

    def usable(self) -> bool:
        """h11 may send another request, and the server has sent nothing since its answer (h11 would read
        what it holds beyond that answer, or what arrives later, as the next answer)."""
        return self.http.our_state is h11.IDLE and not self.http.trailing_data[0] and self.link.quiet()

    def close(self) -> None:
        self.link.transport.close()


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


def _request_event(method: str, url: str, body: bytes | None, content_type: str | None) -> tuple[Origin, h11.Request]:
    origin, target, host = _origin_and_target(url)
    headers = [("Host", host), ("User-Agent", "litrt"), ("Accept", "*/*")]
    if body is not None:
        headers += [("Content-Type", content_type or "application/octet-stream"), ("Content-Length", str(len(body)))]
    try:
        return origin, h11.Request(method=method, target=target, headers=headers)
    except (h11.LocalProtocolError, UnicodeEncodeError) as exc:  # h11 takes ASCII only, and checks each character
        raise HttpError(f"cannot write {method} {url!r:.200} as HTTP/1.1: {exc}") from exc


class HttpClient:
    """Requests over pooled keep-alive connections, each bounded by `timeout_s` from connect to last byte;
    `tls` verifies https peers (by default, made at the first https request: the system's trusted roots).
    Bound to the event loop it first runs on, as any asyncio connection is."""

    def __init__(self, timeout_s: float, tls: ssl.SSLContext | None = None) -> None:
        self.timeout_s = timeout_s
        self._idle: dict[Origin, list[_Connection]] = {}
        self._tls = tls
        self._closed = False

    async def request(
        self, method: str, url: str, body: bytes | None = None, content_type: str | None = None
    ) -> Response:
        origin, head = _request_event(method, url, body, content_type)
        async with asyncio.timeout(self.timeout_s):
            reused = self._take_idle(origin)
            if reused is not None:
                try:
                    return await self._exchange(reused, origin, head, body)
                except _Stale as exc:  # a server may close an idle connection at any moment
                    if exc.delivered and method not in _IDEMPOTENT:
                        raise HttpError(f"{origin[1]}:{origin[2]} closed the connection without answering a {method}"
                                        " it may have acted on; it is not sent again") from exc.__cause__
            fresh = await self._connect(origin)
            try:
                return await self._exchange(fresh, origin, head, body)
            except _Stale as exc:
                raise HttpError(f"{origin[1]}:{origin[2]} closed the connection without answering") from exc.__cause__

    async def close(self) -> None:
        self._closed = True
        idle = [c for conns in self._idle.values() for c in conns]
        self._idle.clear()
        for conn in idle:
            conn.close()
        for conn in idle:
            await conn.link.gone

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
        loop = asyncio.get_running_loop()
        _, link = await loop.create_connection(lambda: _Link(loop), host, port, ssl=tls)
        return _Connection(link, h11.Connection(h11.CLIENT, max_incomplete_event_size=MAX_HEAD_BYTES))

    async def _exchange(self, conn: _Connection, origin: Origin, head: h11.Request, body: bytes | None) -> Response:
        """Send the request on `conn` and read the answer; the connection goes back to the pool only when h11
        finds it reusable after a complete answer, and is closed on any failure or cancellation."""
        try:
            message = conn.http.send(head) + (conn.http.send(h11.Data(data=body)) if body else b"")
            try:
                await conn.link.send(message + conn.http.send(h11.EndOfMessage()))
            except (ConnectionResetError, BrokenPipeError) as exc:
                raise _Stale(delivered=False) from exc
            response = await _receive(conn)
        except BaseException:
            conn.close()
            raise
        if conn.http.our_state is h11.DONE and conn.http.their_state is h11.DONE:
            conn.http.start_next_cycle()
        if conn.http.our_state is h11.IDLE:  # neither side asked to close, and the body's end was framed
            self._keep(origin, conn)
        else:
            conn.close()
        return response


async def _receive(conn: _Connection) -> Response:
    """The final answer to the request just sent, read as h11 frames it, within this client's limits."""
    status: int | None = None
    headers: dict[str, str] = {}
    parts: list[bytes] = []
    size = 0
    first_bytes = b""  # what the peer sent first, to show when its head does not parse
    while True:
        try:
            event = conn.http.next_event()
        except h11.RemoteProtocolError as exc:
            raise _broken(exc, first_bytes if status is None else None) from exc
        if event is h11.NEED_DATA:
            try:
                data = await conn.link.read()
            except ConnectionResetError as exc:
                if not first_bytes:
                    raise _Stale(delivered=True) from exc
                raise
            if not data and not first_bytes:
                raise _Stale(delivered=True)
            first_bytes = first_bytes or data[:60]
            conn.http.receive_data(data)  # b"" is the end of the stream, which h11 judges too
        elif isinstance(event, h11.Response):
            status = event.status_code
            for name, value in event.headers:
                key, text = name.decode("latin-1"), value.decode("latin-1")
                headers[key] = f"{headers[key]}, {text}" if key in headers else text
            if int(headers.get("content-length", "0")) > MAX_BODY_BYTES:  # h11 has checked it is digits
                raise HttpError(f"an answer of {headers['content-length']} bytes, more than the {MAX_BODY_BYTES} this client takes")
        elif isinstance(event, h11.Data):
            size += len(event.data)
            if size > MAX_BODY_BYTES:
                raise HttpError(f"an answer of more than the {MAX_BODY_BYTES} bytes this client takes")
            parts.append(event.data)
        elif isinstance(event, h11.EndOfMessage):
            assert status is not None, "h11 ends a message only after its head"
            return Response(status, headers, b"".join(parts))
        elif not isinstance(event, h11.InformationalResponse):  # a 1xx answer precedes the real one: skipped
            raise AssertionError(f"h11 gave {event!r} before the answer's end, which it does not do for a client")


def _broken(exc: h11.RemoteProtocolError, head_began: bytes | None) -> HttpError:
    """HttpError for what h11 found wrong; `head_began` is the answer's first bytes while its head is unread."""
    if exc.error_status_hint == 431:  # h11's only use of it: an unfinished head or line over its limit
        return HttpError(f"a head or chunk line longer than the {MAX_HEAD_BYTES} bytes this client takes")
    if head_began is None:
        return HttpError(str(exc))
    return HttpError(f"{exc}, in the answer's head, which began {head_began!r}")
