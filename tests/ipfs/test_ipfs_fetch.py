"""Verified fetch from the store, from trustless gateways and from Kubo RPC, honest and lying."""

import asyncio
import os
import socket

import pytest
from aiohttp import web

from runtime.ipfs import (
    BlockNotFound,
    BlockStore,
    BlockVerificationError,
    CID,
    FetchTimeout,
    GatewaySource,
    KuboRpcSource,
    SizeLimitExceeded,
    SourceError,
    StoreSource,
    VerifiedFetcher,
    build_dag,
    fetch_verified,
    serve,
)


def tamper(block: bytes) -> bytes:
    return block[:-1] + bytes([block[-1] ^ 1])


@pytest.fixture
def store(tmp_path):
    return BlockStore(tmp_path / "store")


@pytest.fixture
def content(store):
    data = os.urandom(3 * 262144 + 1000)
    dag = store.add_bytes(data)
    return data, dag


async def start_app(app: web.Application):
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    return runner, f"http://127.0.0.1:{port}"


def lying_app(store: BlockStore, bad: set[str]) -> web.Application:
    """A gateway and Kubo RPC that flip a bit in the blocks named in `bad`."""

    def block_for(cid_text: str) -> web.Response:
        cid = CID.parse(cid_text)
        data = store.get(cid)
        if str(cid) in bad:
            data = tamper(data)
        return web.Response(body=data, content_type="application/vnd.ipld.raw")

    async def gateway(request):
        assert request.query.get("format") == "raw"
        assert request.headers["Accept"] == "application/vnd.ipld.raw"
        return block_for(request.match_info["cid"])

    async def rpc(request):
        return block_for(request.query["arg"])

    app = web.Application()
    app.router.add_get("/ipfs/{cid}", gateway)
    app.router.add_post("/api/v0/block/get", rpc)
    return app


@pytest.fixture
async def liar(store, content):
    _, dag = content
    leaf = str(dag.blocks[1].cid)
    runner, url = await start_app(lying_app(store, {leaf}))
    yield url, leaf
    await runner.cleanup()


@pytest.fixture
async def honest(store):
    async with await serve(store, "127.0.0.1", 0) as server:
        yield server.url


async def test_from_store(store, content):
    data, dag = content
    assert await fetch_verified(str(dag.root), [StoreSource(store)], len(data)) == data


async def test_from_our_gateway_and_rpc(honest, content):
    data, dag = content
    for source_type in (GatewaySource, KuboRpcSource):
        async with source_type(honest) as source:
            assert await fetch_verified(dag.root, [source], len(data)) == data


async def test_cidv1_root_is_accepted(honest, content):
    data, dag = content
    async with GatewaySource(honest) as source:
        assert await fetch_verified(str(dag.root.to_v1()), [source], len(data)) == data


async def test_tampered_store_block_refused(store, content):
    data, dag = content
    bad = dag.blocks[2].cid
    path = store.path_for(bad)
    path.write_bytes(tamper(path.read_bytes()))
    with pytest.raises(BlockVerificationError) as info:
        await fetch_verified(dag.root, [StoreSource(store)], len(data))
    assert info.value.cid == str(bad) and str(bad) in str(info.value)


@pytest.mark.parametrize("source_type", [GatewaySource, KuboRpcSource])
async def test_lying_http_source_refused(liar, content, source_type):
    data, dag = content
    url, bad = liar
    async with source_type(url) as source:
        with pytest.raises(BlockVerificationError) as info:
            await fetch_verified(dag.root, [source], len(data))
    assert info.value.cid == bad
    assert bad in str(info.value) and url in str(info.value)


async def test_falls_back_past_a_liar_to_an_honest_source(liar, honest, content):
    data, dag = content
    url, _ = liar
    async with GatewaySource(url) as lying, KuboRpcSource(honest) as good:
        assert await fetch_verified(dag.root, [lying, good], len(data)) == data


async def test_missing_everywhere_names_the_cid_and_each_source(tmp_path, honest):
    cid = build_dag(b"stored nowhere").root
    async with GatewaySource(honest) as gateway, KuboRpcSource(honest) as rpc:
        sources = [StoreSource(BlockStore(tmp_path / "empty")), gateway, rpc]
        with pytest.raises(BlockNotFound) as info:
            await fetch_verified(cid, sources, 1000)
    assert info.value.cid == str(cid)
    assert len(info.value.details) == 3


async def test_size_limit_from_declared_size(honest, content):
    data, dag = content
    async with GatewaySource(honest) as source:
        with pytest.raises(SizeLimitExceeded, match=str(dag.root)):
            await fetch_verified(dag.root, [source], len(data) - 1)


async def test_per_block_size_limit(honest, content):
    _, dag = content
    async with GatewaySource(honest) as source:
        fetcher = VerifiedFetcher([source], max_block_size=1000)
        with pytest.raises(SizeLimitExceeded, match="block of"):
            await fetcher.get_block(dag.blocks[0].cid)


async def test_block_count_limit(store):
    data = os.urandom(50 * 1024)
    dag = build_dag(data, chunk_size=1024)
    store.put_dag(dag)
    with pytest.raises(SizeLimitExceeded, match="blocks"):
        await VerifiedFetcher([StoreSource(store)]).fetch(dag.root, len(data), max_blocks=10)


@pytest.fixture
async def silent_server():
    release = asyncio.Event()

    async def hang(request):
        await release.wait()
        return web.Response(text="too late")

    app = web.Application()
    app.router.add_get("/ipfs/{cid}", hang)
    app.router.add_post("/api/v0/block/get", hang)
    runner, url = await start_app(app)
    yield url
    release.set()
    await runner.cleanup()


async def test_per_request_timeout_then_next_source(silent_server, honest, content):
    data, dag = content
    async with GatewaySource(silent_server, timeout=0.3) as slow, GatewaySource(honest) as good:
        with pytest.raises(SourceError, match="timed out"):
            await slow.get_block(dag.root, 10**6)
        assert await fetch_verified(dag.root, [slow, good], len(data)) == data


async def test_whole_fetch_timeout(silent_server, content):
    _, dag = content
    async with KuboRpcSource(silent_server, timeout=60) as slow:
        with pytest.raises(FetchTimeout, match=str(dag.root)):
            await fetch_verified(dag.root, [slow], 10**7, timeout=0.3)


async def test_unreachable_source_is_reported():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # bound but not listening: connections are refused
        cid = build_dag(b"x").root
        async with GatewaySource(f"http://127.0.0.1:{port}") as source:
            with pytest.raises(SourceError) as info:
                await fetch_verified(cid, [source], 10)
    assert "gateway" in str(info.value) and str(cid) in str(info.value)


def test_bad_source_url():
    with pytest.raises(ValueError, match="http"):
        GatewaySource("ftp://example")
