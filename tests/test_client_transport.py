"""The client's HTTP/1.1 transport (runtime/client/transport.py, h11 over an asyncio protocol) against
aiohttp's server, an independent implementation, and against loopback peers that break HTTP on purpose.

What must hold: aiohttp parses the multipart uploads it sends; it reads Content-Length, chunked and
read-to-close bodies; connections (TCP and TLS) are reused while the server keeps them open and says
nothing unasked on them, replaced when it has closed them or spoken, and only while h11 finds them
reusable; a request the server hung up on is sent again only when it cannot be acted on twice (a GET, or
a POST the server did not get whole); a body over the limit is refused as it arrives; every broken answer
fails with an HttpError (or TimeoutError) saying what was wrong, which LitClient reports as that node's
NetworkError.
"""

from __future__ import annotations

import asyncio
import datetime
import hashlib
import ipaddress
import json
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from aiohttp import web
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from runtime.client import LitClient, NetworkError
from runtime.client import transport
from runtime.client.transport import MAX_BODY_BYTES, MAX_HEAD_BYTES, HttpClient, HttpError
from tests.test_client_errors import closed_port_url, network_info

RawHandler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


@asynccontextmanager
async def aiohttp_server(app: web.Application) -> AsyncIterator[str]:
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}"
    finally:
        await runner.cleanup()


@asynccontextmanager
async def raw_server(handle: RawHandler, tls: ssl.SSLContext | None = None) -> AsyncIterator[str]:
    """A loopback TCP (or, with `tls`, TLS) server whose every connection is given to `handle` (which may
    break HTTP at will)."""

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await handle(reader, writer)
        finally:
            writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0, ssl=tls)
    try:
        yield f"{'https' if tls else 'http'}://127.0.0.1:{server.sockets[0].getsockname()[1]}"
    finally:
        server.close()
        await server.wait_closed()


@asynccontextmanager
async def http_client(timeout_s: float, tls: ssl.SSLContext | None = None) -> AsyncIterator[HttpClient]:
    http = HttpClient(timeout_s, tls)
    try:
        yield http
    finally:
        await http.close()


async def read_request(reader: asyncio.StreamReader) -> bytes:
    """One request's head and body (by Content-Length) off the wire."""
    head = await reader.readuntil(b"\r\n\r\n")
    length = next((int(line.split(b":")[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:")), 0)
    return head + await reader.readexactly(length)


def answering(*answers: bytes, then_close: bool = True) -> RawHandler:
    """A raw peer that reads a request and sends each of `answers` in turn on the same connection."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        for answer in answers:
            await read_request(reader)
            writer.write(answer)
            await writer.drain()
        if not then_close:
            await reader.read()  # hold the connection until the client lets go

    return handle


# ---- against aiohttp's server --------------------------------------------------------------------------


async def test_aiohttp_parses_the_upload_and_the_client_reads_its_chunked_answer() -> None:
    seen: list[tuple[str, str, bytes]] = []

    async def add(request: web.Request) -> web.StreamResponse:
        form = await request.post()
        part = form["file"]
        assert isinstance(part, web.FileField)
        data = part.file.read()
        seen.append((part.filename, part.content_type, data))
        response = web.json_response({"Hash": hashlib.sha256(data).hexdigest()})
        response.enable_chunked_encoding()
        return response

    app = web.Application()
    app.router.add_post("/api/v0/add", add)
    action = b"Lit.Actions.setResponse({response: '\xe2\x9c\x93'}) // \r\n--not-a-boundary\r\n" + bytes(range(256))
    async with aiohttp_server(app) as url:
        client = LitClient(network_info([closed_port_url()] * 3, ipfs_url=url), timeout_s=5)
        try:
            assert await client.upload_action(action) == hashlib.sha256(action).hexdigest()
        finally:
            await client.close()
    assert seen == [("action.js", "application/octet-stream", action)]


async def test_a_kept_alive_connection_carries_the_next_requests() -> None:
    peers: list[object] = []

    async def status(request: web.Request) -> web.Response:
        assert request.transport is not None
        peers.append(request.transport.get_extra_info("peername"))
        return web.json_response({"n": len(peers)})

    async def nothing(_: web.Request) -> web.Response:
        return web.Response(status=204)

    app = web.Application()
    app.router.add_get("/status", status)
    app.router.add_post("/empty", nothing)
    async with aiohttp_server(app) as url:
        async with http_client(5) as http:
            assert (await http.request("GET", url + "/status")).json() == {"n": 1}
            empty = await http.request("POST", url + "/empty", b"{}", "application/json")
            assert (empty.status, empty.body) == (204, b"")  # no body read after a 204: the next answer is intact
            assert (await http.request("GET", url + "/status?x=1")).json() == {"n": 2}
    assert len(peers) == 2 and peers[0] == peers[1]


async def test_a_connection_the_server_closes_is_not_reused() -> None:
    connections = 0

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal connections
        connections += 1
        await answering(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n" + json.dumps({"c": connections}).encode())(reader, writer)

    async with raw_server(handle) as url:
        async with http_client(5) as http:
            assert [(await http.request("GET", url)).json() for _ in range(3)] == [{"c": 1}, {"c": 2}, {"c": 3}]


async def test_an_idle_connection_closed_by_the_server_is_replaced() -> None:
    """The server answers with keep-alive, then drops the idle connection: the next request must go
    on a fresh connection rather than fail. A POST, which is never sent twice: the idle check, not a
    retry, is what must see that the connection has ended."""
    connections = 0
    first_closed = asyncio.Event()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal connections
        connections += 1
        await read_request(reader)
        writer.write(b'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}')
        await writer.drain()
        if connections == 1:  # close the connection without saying so, before the client's next request
            writer.close()
            await writer.wait_closed()
            first_closed.set()

    async with raw_server(handle) as url:
        async with http_client(5) as http:
            assert (await http.request("POST", url, b"{}", "application/json")).json() == {}
            await first_closed.wait()
            assert (await http.request("POST", url, b"{}", "application/json")).json() == {}
    assert connections == 2


@pytest.mark.parametrize("late, turns", [(False, 0), (True, 0), (True, 1)],
                         ids=["with-the-answer", "still-in-the-kernel", "read-by-the-event-loop"])
async def test_an_idle_connection_holding_unasked_bytes_is_not_reused(late: bool, turns: int) -> None:
    """A server may say something on a connection nobody asked on (a 408 before it times the connection out),
    in the same write as the last answer or later, and keep the connection open. Those bytes are no answer
    to the next request: it goes on a fresh connection. Sent later, they are seen where they lie when the
    request is made: in the socket's buffer (the next request at once), or read by the event loop (which
    does so in the turn after the one the 408 was sent in, as loopback delivers it during the send)."""
    connections = 0
    first_read, unasked_sent = asyncio.Event(), asyncio.Event()
    timed_out = b"HTTP/1.1 408 Request Timeout\r\nContent-Length: 0\r\n\r\n"

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal connections
        connections += 1
        await read_request(reader)
        answer = b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n" + str(connections).encode()
        writer.write(answer + timed_out if connections == 1 and not late else answer)
        await writer.drain()
        if connections == 1 and late:
            await first_read.wait()
            writer.write(timed_out)
            await writer.drain()
            unasked_sent.set()
        await reader.read()  # keep the connection open until the client lets go

    async with raw_server(handle) as url:
        async with http_client(5) as http:
            assert (await http.request("GET", url)).json() == 1
            if late:
                first_read.set()
                await unasked_sent.wait()
            for _ in range(turns):
                await asyncio.sleep(0)
            answer = await http.request("GET", url)
            assert (answer.status, answer.json()) == (200, 2)
    assert connections == 2


async def test_a_kept_connection_that_hangs_up_on_the_next_request_is_replaced() -> None:
    """The race the idle check cannot see: the server closes a kept-alive connection as the next request
    arrives, without answering. A GET may be sent twice (RFC 9110 9.2.2): it goes again on a fresh
    connection, which is answered."""
    served: list[int] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        served.append(0)
        await read_request(reader)
        writer.write(f'HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n{len(served)}'.encode())
        await writer.drain()
        await read_request(reader)  # and hang up

    async with raw_server(handle) as url:
        async with http_client(5) as http:
            assert [(await http.request("GET", url)).json() for _ in range(2)] == [1, 2]
    assert len(served) == 2


async def test_a_post_the_server_read_and_dropped_is_not_sent_again() -> None:
    """The same race for a POST: the server read it and may have acted on it (nodes do not de-duplicate a
    requestId) before it hung up, so sending it again could run it twice. The request fails instead."""
    requests: list[bytes] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        requests.append(await read_request(reader))
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}")
        await writer.drain()
        requests.append(await read_request(reader))  # and hang up without answering

    async with raw_server(handle) as url:
        async with http_client(5) as http:
            assert (await http.request("POST", url, b'{"n": 1}', "application/json")).json() == {}
            with pytest.raises(HttpError, match="127.0.0.1:[0-9]+ closed the connection without answering a POST"
                               " it may have acted on; it is not sent again"):
                await http.request("POST", url, b'{"n": 2}', "application/json")
    assert [r.rpartition(b"\r\n\r\n")[2] for r in requests] == [b'{"n": 1}', b'{"n": 2}']


async def test_a_post_cut_off_while_it_is_written_is_sent_again() -> None:
    """A POST the server hung up on before it had all of it cannot have been acted on: it goes again on a
    fresh connection. Its body is larger than the kernel buffers both ends hold, so the hang-up comes while
    the client still has part of it to write."""
    body = bytes(range(256)) * (64 * 1024)  # 16 MiB
    complete: list[bytes] = []
    connections = 0

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal connections
        connections += 1
        complete.append(await read_request(reader))
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}")
        await writer.drain()
        if connections == 1:
            await reader.readuntil(b"\r\n\r\n")  # the next request's head only, then hang up

    async with raw_server(handle) as url:
        async with http_client(30) as http:
            assert (await http.request("POST", url, b"{}", "application/json")).json() == {}
            assert (await http.request("POST", url, body, "application/octet-stream")).json() == {}
    assert connections == 2
    assert [r.rpartition(b"\r\n\r\n")[2] == body for r in complete] == [False, True]


def tls_pair(folder: Path) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    """(server, client) TLS contexts: a fresh self-signed certificate for 127.0.0.1, trusted by the client."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    (folder / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (folder / "key.pem").write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(folder / "cert.pem", folder / "key.pem")
    return server, ssl.create_default_context(cafile=folder / "cert.pem")


async def test_over_tls_a_connection_is_kept_until_the_server_says_something_unasked(tmp_path: Path) -> None:
    """The same reuse rules through TLS, where what arrives passes the TLS layer first: the second request
    reuses the connection, the third (after an unasked 408) does not."""
    connections = 0
    second_read, unasked_sent = asyncio.Event(), asyncio.Event()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal connections
        connections += 1
        for n in (1, 2) if connections == 1 else (3,):
            await read_request(reader)
            writer.write(f"HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n{n}".encode())
            await writer.drain()
        if connections == 1:
            await second_read.wait()
            writer.write(b"HTTP/1.1 408 Request Timeout\r\nContent-Length: 0\r\n\r\n")
            await writer.drain()
            unasked_sent.set()
        await reader.read()

    server_tls, client_tls = tls_pair(tmp_path)
    async with raw_server(handle, server_tls) as url:
        async with http_client(5, client_tls) as http:
            assert [(await http.request("GET", url)).json() for _ in range(2)] == [1, 2]
            assert connections == 1
            second_read.set()
            await unasked_sent.wait()
            answer = await http.request("GET", url)
            assert (answer.status, answer.json()) == (200, 3)
    assert connections == 2


# ---- peers that break HTTP -----------------------------------------------------------------------------


@pytest.mark.parametrize("answer, error", [
    (b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{", r"without sending complete message body \(received 1 bytes, expected 100\)"),
    (b"SSH-2.0-OpenSSH_9.6\r\n", "unexpectedly closed connection, in the answer's head, which began b'SSH-2.0-OpenSSH_9.6"),
    (b"SSH-2.0-OpenSSH_9.6\r\n\r\n", "illegal status line: .*SSH-2.0"),
    (b"HTTP/1.1 200 OK\r\nContent-Length: 2", "unexpectedly closed connection, in the answer's head"),
    (b"HTTP/1.1 200 OK\r\nno colon here\r\n\r\n", "illegal header line: .*no colon here"),
    (b"HTTP/1.1 200 OK\r\nContent-Length: -5\r\n\r\n", "bad Content-Length"),
    (f"HTTP/1.1 200 OK\r\nContent-Length: {MAX_BODY_BYTES + 1}\r\n\r\n".encode(), f"more than the {MAX_BODY_BYTES}"),
    (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "illegal chunk header: .*zz"),
    (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}XX0\r\n\r\n", "malformed chunk footer: .*XX"),
    (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", "Only Transfer-Encoding: chunked"),
    # more than h11 holds unfinished plus one read, so refused whatever the reads' sizes
    (b"HTTP/1.1 200 OK\r\n" + b"X-Filler: 1\r\n" * ((MAX_HEAD_BYTES + transport.READ_BYTES) // 13 + 1) + b"\r\n",
     f"longer than the {MAX_HEAD_BYTES} bytes"),
])
async def test_a_broken_answer_is_an_http_error_saying_what_broke(answer: bytes, error: str) -> None:
    async with raw_server(answering(answer)) as url:
        async with http_client(5) as http:
            with pytest.raises(HttpError, match=error):
                await http.request("GET", url)


@pytest.mark.parametrize("head", [
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n",  # read to the connection's end
])
async def test_an_endless_body_is_refused_while_it_arrives(head: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    """The peer would send forever: only a limit checked as the body arrives ends the request."""
    monkeypatch.setattr(transport, "MAX_BODY_BYTES", 100_000)
    chunked = b"chunked" in head

    async def endless(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(head)
        try:
            while True:
                writer.write(b"1000\r\n" + b"x" * 4096 + b"\r\n" if chunked else b"x" * 4096)
                await writer.drain()
        except ConnectionError:
            pass  # the client hung up, as it should

    async with raw_server(endless) as url:
        async with http_client(30) as http:
            with pytest.raises(HttpError, match="an answer of more than the 100000 bytes this client takes"):
                await http.request("GET", url)


async def test_interim_answers_are_skipped_and_an_http_1_0_connection_is_not_reused() -> None:
    connections = 0

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal connections
        connections += 1
        await answering(b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.0 200 OK\r\nContent-Length: 7\r\n\r\n[1, 2]\n",
                        then_close=False)(reader, writer)

    async with raw_server(handle) as url:
        async with http_client(5) as http:
            for _ in range(2):
                answer = await http.request("POST", url, b"{}", "application/json")
                assert (answer.status, answer.headers, answer.json()) == (200, {"content-length": "7"}, [1, 2])
    assert connections == 2  # HTTP/1.0 closes after each answer unless it says otherwise: h11 does not reuse it


async def test_a_peer_that_closes_without_answering_is_named() -> None:
    async def hang_up(reader: asyncio.StreamReader, _: asyncio.StreamWriter) -> None:
        await read_request(reader)

    async with raw_server(hang_up) as url:
        async with http_client(5) as http:
            with pytest.raises(HttpError, match="127.0.0.1:[0-9]+ closed the connection without answering"):
                await http.request("GET", url)


async def test_a_silent_peer_times_out() -> None:
    async with raw_server(answering(then_close=False)) as url:
        async with http_client(0.2) as http:
            with pytest.raises(TimeoutError):
                await http.request("GET", url)


async def test_only_http_urls_are_taken() -> None:
    async with http_client(5) as http:
        for url in ("ftp://127.0.0.1/x", "127.0.0.1:80", "http://127.0.0.1:notaport/"):
            with pytest.raises(HttpError, match="URL|port"):
                await http.request("GET", url)
        for url, why in (("http://127.0.0.1/a b", "Illegal target characters"), ("http://bücher.example/", "ascii")):
            with pytest.raises(HttpError, match=f"cannot write GET '{url}' as HTTP/1.1: .*{why}"):
                await http.request("GET", url)


async def test_the_client_names_each_node_whose_answer_broke() -> None:
    cut_off = answering(b"HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n{}")
    async with raw_server(cut_off) as a, raw_server(cut_off) as b, raw_server(cut_off) as c:
        client = LitClient(network_info([a, b, c]), timeout_s=5)
        try:
            with pytest.raises(NetworkError) as info:
                await client.execute_js(code="1")
        finally:
            await client.close()
    for node in (1, 2, 3):
        assert (f"node {node}: unreachable: HttpError peer closed connection without sending complete message body"
                " (received 2 bytes, expected 50)") in str(info.value)


async def test_an_unreachable_node_keeps_the_socket_error_as_the_cause() -> None:
    client = LitClient(network_info([closed_port_url()] * 3), timeout_s=5)
    answers: dict[int, object] = {}

    def keep(seen: dict[int, object], final: bool) -> bool | None:
        answers.update(seen)
        return True if final else None

    try:
        await client._fan_out("GET", "/status", None, keep)
    finally:
        await client.close()
    assert len(answers) == 3
    for answer in answers.values():
        assert isinstance(answer, NetworkError) and isinstance(answer.__cause__, ConnectionRefusedError), answer
