"""An HTTP service over the embedded BlockStore, speaking the parts of Kubo's APIs we need.

Kubo RPC (POST only, as Kubo):
    /api/v0/add         multipart upload; one JSON line {"Name","Hash","Size"} per file
    /api/v0/cat         ?arg=CID[&offset=N][&length=N]: the file's bytes
    /api/v0/block/get   ?arg=CID: the raw block
    /api/v0/version     see VERSION below
Trustless gateway:
    GET /ipfs/{cid}                  the file's bytes
    GET /ipfs/{cid}?format=raw       the raw block (also with Accept: application/vnd.ipld.raw)

Errors on the RPC side are Kubo's JSON {"Message", "Code", "Type": "error"}, which
ipfshttpclient turns into its ErrorResponse; the gateway answers plain text with 400/404/500.
Every block read from the store is re-hashed, so a tampered store is reported, not served.
"""

from __future__ import annotations

import asyncio
import json
import logging
import tempfile
import urllib.parse
from collections.abc import AsyncIterator

from aiohttp import BodyPartReader, MultipartReader, web
from aiohttp.typedefs import Handler

from .cid import CID
from .errors import BlockNotFound, CidError, DagError, IpfsError
from .importer import CHUNK_SIZE, import_chunks, iter_chunks
from .reader import iter_file
from .sources import RAW_BLOCK_MEDIA_TYPE
from .store import BlockStore

__all__ = ["create_app", "STORE_KEY", "VERSION"]

STORE_KEY = web.AppKey("ipfs_store", BlockStore)

# ipfshttpclient 0.7.0 asks /api/v0/version on connect and refuses any daemon outside
# [0.4.23, 0.8.0) (its VERSION_MINIMUM/VERSION_MAXIMUM). Modern Kubo reports 0.2x and is refused,
# so we report 0.7.0, the newest version it accepts. Clients that need features beyond these
# endpoints must not rely on this number.
VERSION = {
    "Version": "0.7.0",
    "Commit": "litrt",
    "Repo": "10",
    "System": "amd64/linux",
    "Golang": "go1.14.4",
}

log = logging.getLogger(__name__)

_SPOOL_IN_MEMORY = 8 * 1024 * 1024
_READ_SIZE = 65536


class _BadRequest(Exception):
    pass


def create_app(store: BlockStore) -> web.Application:
    """The aiohttp application serving `store`; run it with `serve` or any aiohttp runner."""
    app = web.Application(middlewares=[_rpc_errors])
    app[STORE_KEY] = store
    app.router.add_post("/api/v0/add", _add)
    app.router.add_post("/api/v0/cat", _cat)
    app.router.add_post("/api/v0/block/get", _block_get)
    app.router.add_post("/api/v0/version", _version)
    app.router.add_get("/ipfs/{cid}", _gateway)
    return app


@web.middleware
async def _rpc_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Map our errors to Kubo-shaped responses at the one place they leave the service."""
    rpc = request.path.startswith("/api/")
    try:
        return await handler(request)
    except web.HTTPException:
        raise
    except (_BadRequest, CidError) as exc:
        return _error(rpc, 400, str(exc))
    except BlockNotFound as exc:
        # Kubo RPC answers 500 "...not found..." for a missing block; gateways answer 404.
        return _error(rpc, 500 if rpc else 404, str(exc))
    except DagError as exc:
        return _error(rpc, 500 if rpc else 400, str(exc))
    except IpfsError as exc:
        return _error(rpc, 500, str(exc))


def _error(rpc: bool, status: int, message: str) -> web.Response:
    if rpc:
        return web.json_response({"Message": message, "Code": 0, "Type": "error"}, status=status)
    return web.Response(status=status, text=message + "\n")


# ---- Kubo RPC ---------------------------------------------------------------------------------


async def _version(request: web.Request) -> web.Response:
    return web.json_response(VERSION)


def _flag(request: web.Request, name: str, default: bool = False) -> bool:
    # ipfshttpclient sends Python's str(bool) ("True"/"False"); Kubo's CLI sends "true"/"false".
    value = request.query.get(name)
    if value is None or value == "":
        return default if value is None else True
    lowered = value.lower()
    if lowered in ("true", "1", "yes"):
        return True
    if lowered in ("false", "0", "no"):
        return False
    raise _BadRequest(f"option {name!r}: expected true or false, got {value!r}")


def _int_arg(request: web.Request, name: str, default: int | None) -> int | None:
    value = request.query.get(name)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise _BadRequest(f"option {name!r}: expected an integer, got {value!r}") from None
    if number < 0:
        raise _BadRequest(f"option {name!r}: must not be negative, got {number}")
    return number


def _cid_arg(request: web.Request) -> CID:
    arg = request.query.get("arg")
    if not arg:
        raise _BadRequest("argument 'arg' is required: the CID to read")
    path = arg.removeprefix("/ipfs/")
    if "/" in path.strip("/"):
        raise _BadRequest(f"paths inside a CID are not supported (directories are not): {arg!r}")
    return CID.parse(path.strip("/"))


def _add_options(request: web.Request) -> tuple[int, int, bool | None, bool]:
    for unsupported in ("wrap-with-directory", "trickle", "nocopy", "inline", "recursive"):
        if _flag(request, unsupported):
            raise _BadRequest(f"add option {unsupported!r} is not supported by this service")
    chunker = request.query.get("chunker", f"size-{CHUNK_SIZE}")
    if not chunker.startswith("size-") or not chunker[5:].isdigit() or int(chunker[5:]) <= 0:
        raise _BadRequest(f"chunker {chunker!r} is not supported (only size-N)")
    chunk_size = int(chunker[5:])
    if chunk_size > 1024 * 1024:
        raise _BadRequest(f"chunker {chunker!r}: chunks over 1 MiB are not valid blocks")
    cid_version = _int_arg(request, "cid-version", 0)
    if cid_version not in (0, 1):
        raise _BadRequest(f"cid-version must be 0 or 1, got {cid_version}")
    raw_leaves = _flag(request, "raw-leaves") if "raw-leaves" in request.query else None
    # ipfshttpclient always sends raw-leaves=False; Kubo reads an explicit false with
    # cid-version=1 as "wrap leaves", so do we.
    return chunk_size, cid_version, raw_leaves, _flag(request, "only-hash")


async def _add(request: web.Request) -> web.StreamResponse:
    store = request.app[STORE_KEY]
    chunk_size, cid_version, raw_leaves, only_hash = _add_options(request)
    try:
        reader = await request.multipart()
    except (AssertionError, ValueError) as exc:
        raise _BadRequest(f"add needs a multipart/form-data body: {exc}") from None
    results = []
    async for part in _file_parts(reader):
        name = urllib.parse.unquote(part.filename or "")
        with tempfile.SpooledTemporaryFile(max_size=_SPOOL_IN_MEMORY) as spool:
            while chunk := await part.read_chunk(_READ_SIZE):
                spool.write(chunk)
            spool.seek(0)
            on_block = (lambda block: None) if only_hash else store.put_block
            result = await asyncio.to_thread(
                import_chunks,
                iter_chunks(spool, chunk_size),  # type: ignore[arg-type]
                on_block,
                raw_leaves=raw_leaves,
                cid_version=cid_version,
            )
        results.append({"Name": name or str(result.root), "Hash": str(result.root), "Size": str(result.size)})
    if not results:
        raise _BadRequest("add received no file in the multipart body")
    body = "".join(json.dumps(item) + "\n" for item in results)
    return web.Response(text=body, content_type="application/json", headers={"X-Chunked-Output": "1"})


async def _file_parts(reader: MultipartReader) -> AsyncIterator[BodyPartReader]:
    async for part in reader:
        if isinstance(part, MultipartReader):
            raise _BadRequest("nested multipart bodies (directories) are not supported")
        assert isinstance(part, BodyPartReader)
        if part.headers.get("Content-Type", "").startswith("application/x-directory"):
            raise _BadRequest(f"directory {part.filename!r}: adding directories is not supported")
        yield part


async def _cat(request: web.Request) -> web.StreamResponse:
    cid = _cid_arg(request)
    offset = _int_arg(request, "offset", 0) or 0
    length = _int_arg(request, "length", None)
    headers = {"X-Stream-Output": "1", "Content-Type": "text/plain"}
    return await _stream_file(request, cid, headers, offset, length)


async def _block_get(request: web.Request) -> web.Response:
    cid = _cid_arg(request)
    data = await asyncio.to_thread(request.app[STORE_KEY].get, cid)
    return web.Response(body=data, content_type="application/octet-stream")


# ---- trustless gateway ------------------------------------------------------------------------


async def _gateway(request: web.Request) -> web.StreamResponse:
    cid = CID.parse(request.match_info["cid"])
    fmt = request.query.get("format")
    wants_raw = fmt == "raw" or (fmt is None and RAW_BLOCK_MEDIA_TYPE in request.headers.get("Accept", ""))
    if fmt not in (None, "raw"):
        raise _BadRequest(f"format {fmt!r} is not supported (only raw)")
    immutable = {"Cache-Control": "public, max-age=29030400, immutable", "Etag": f'"{cid}"'}
    if wants_raw:
        data = await asyncio.to_thread(request.app[STORE_KEY].get, cid)
        return web.Response(
            body=data,
            content_type=RAW_BLOCK_MEDIA_TYPE,
            headers={**immutable, "X-Content-Type-Options": "nosniff"},
        )
    return await _stream_file(request, cid, {**immutable, "Content-Type": "application/octet-stream"})


async def _stream_file(
    request: web.Request, cid: CID, headers: dict[str, str], offset: int = 0, length: int | None = None
) -> web.StreamResponse:
    store = request.app[STORE_KEY]
    pieces = iter_file(cid, store.get)
    end = None if length is None else offset + length
    # The root is read before headers go out, so a missing or bad root gets a real error status.
    piece = await asyncio.to_thread(next, pieces, None)
    response = web.StreamResponse(headers=headers)
    await response.prepare(request)
    position = 0
    try:
        while piece is not None:
            start = position
            position += len(piece)
            low = max(offset - start, 0)
            high = len(piece) if end is None else min(end - start, len(piece))
            if low < high:
                await response.write(piece[low:high])
            if end is not None and position >= end:
                break
            piece = await asyncio.to_thread(next, pieces, None)
    except IpfsError as exc:
        # Headers are gone; cutting the chunked body short is how the client learns of it.
        log.warning("stopped streaming %s: %s", cid, exc)
        if request.transport is not None:
            request.transport.close()
        return response
    await response.write_eof()
    return response
