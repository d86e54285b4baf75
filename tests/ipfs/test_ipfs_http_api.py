"""The embedded service as real clients see it: ipfshttpclient 0.7.0, curl, and our fetch."""

import asyncio
import io
import json
import os
import shutil
import subprocess
import warnings

import aiohttp
import pytest

from runtime.ipfs import (
    VERSION,
    BlockStore,
    GatewaySource,
    KuboRpcSource,
    SourceError,
    build_dag,
    fetch_verified,
    serve,
)
from tests.oracles import needs_oracle, require_oracle

try:
    import ipfshttpclient
except ImportError:
    require_oracle(False, "the ipfshttpclient client is not installed (scripts/setup.sh installs it)")


@pytest.fixture
def store(tmp_path):
    return BlockStore(tmp_path / "store")


@pytest.fixture
async def server(store):
    async with await serve(store, "127.0.0.1", 0) as running:
        yield running


def with_client(server, action):
    """Run a blocking ipfshttpclient session in a thread so the server's loop keeps serving."""

    def run():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # urllib3 deprecation noise inside ipfshttpclient
            with ipfshttpclient.connect(server.multiaddr) as client:
                return action(client)

    return asyncio.to_thread(run)


async def test_ipfshttpclient_add_then_verified_fetch(server, store, tmp_path):
    data = os.urandom(1_000_000)
    path = tmp_path / "action.bin"
    path.write_bytes(data)
    added = await with_client(server, lambda c: dict(c.add(str(path))))
    expected = build_dag(data)
    assert added == {"Name": "action.bin", "Hash": str(expected.root), "Size": str(expected.size)}
    assert store.has(expected.root)
    async with GatewaySource(server.url) as gateway, KuboRpcSource(server.url) as rpc:
        assert await fetch_verified(added["Hash"], [gateway], len(data)) == data
        assert await fetch_verified(added["Hash"], [rpc], len(data)) == data


async def test_ipfshttpclient_cat_and_vectors(server):
    def session(client):
        first = client.add(io.BytesIO(b"hello world"))
        second = client.add(io.BytesIO(b"hello\n"))
        return first["Hash"], second["Hash"], client.cat(first["Hash"]), client.cat(first["Hash"], offset=6, length=3)

    first, second, body, part = await with_client(server, session)
    assert first == "Qmf412jQZiuVUtdgnB36FXFX7xg5V6KEbSJ4dpQuhkLyfD"
    assert second == "QmZULkCELmmk5XNfCgTnCyFgAVxBRBXyDHGGMVoLFLiXEN"
    assert (body, part) == (b"hello world", b"wor")


async def test_ipfshttpclient_accepts_our_version_and_only_hash(server, store):
    version, added = await with_client(
        server, lambda c: (c.version(), c.add(io.BytesIO(b"not stored"), only_hash=True))
    )
    assert version["Version"] == VERSION["Version"]
    assert not store.has(added["Hash"])


async def test_ipfshttpclient_cid_version_1(server):
    added = await with_client(server, lambda c: c.add(io.BytesIO(b"hello world"), cid_version=1))
    # ipfshttpclient always sends raw-leaves=False, which Kubo honours: leaves stay dag-pb.
    assert added["Hash"] == "bafybeihykld7uyxzogax6vgyvag42y7464eywpf55gxi5qpoisibh3c5wa"


async def test_ipfshttpclient_missing_cid_is_an_error_response(server):
    missing = str(build_dag(b"never added").root)

    def session(client):
        with pytest.raises(ipfshttpclient.exceptions.ErrorResponse) as info:
            client.cat(missing)
        return str(info.value)

    assert missing in await with_client(server, session)


async def test_gateway_file_raw_block_and_errors(server, store):
    dag = store.add_bytes(b"hello world")
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{server.url}/ipfs/{dag.root.to_v1()}") as response:
            assert response.status == 200 and await response.read() == b"hello world"
        async with http.get(f"{server.url}/ipfs/{dag.root}?format=raw") as response:
            assert response.headers["Content-Type"] == "application/vnd.ipld.raw"
            assert await response.read() == dag.blocks[0].data
        async with http.get(
            f"{server.url}/ipfs/{dag.root}", headers={"Accept": "application/vnd.ipld.raw"}
        ) as response:
            assert await response.read() == dag.blocks[0].data
        async with http.get(f"{server.url}/ipfs/not-a-cid") as response:
            assert response.status == 400 and "invalid CID" in await response.text()
        async with http.get(f"{server.url}/ipfs/{build_dag(b'absent').root}") as response:
            assert response.status == 404
        async with http.get(f"{server.url}/api/v0/version") as response:
            assert response.status == 405  # Kubo RPC is POST only
        form = aiohttp.FormData()
        form.add_field("file", b"x", filename="x")
        async with http.post(f"{server.url}/api/v0/add?trickle=true", data=form) as response:
            body = await response.json()
            assert response.status == 400 and "trickle" in body["Message"] and body["Type"] == "error"


async def test_service_refuses_to_serve_a_tampered_store(server, store):
    dag = store.add_bytes(b"hello world")
    path = store.path_for(dag.root)
    path.write_bytes(path.read_bytes().replace(b"world", b"w0rld"))
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{server.url}/ipfs/{dag.root}") as response:
            assert response.status == 500 and str(dag.root) in await response.text()
    async with KuboRpcSource(server.url) as rpc:
        with pytest.raises(SourceError) as info:
            await fetch_verified(dag.root, [rpc], 100)
    assert "does not match its CID" in str(info.value) and str(dag.root) in str(info.value)


@needs_oracle(None if shutil.which("curl") else "curl is not installed")
async def test_curl_add_and_gateway(server, tmp_path):
    path = tmp_path / "hello.txt"
    path.write_bytes(b"hello\n")

    def curl(*args):
        return subprocess.run(["curl", "-sS", "--fail", *args], capture_output=True, check=True).stdout

    added = json.loads(await asyncio.to_thread(curl, "-X", "POST", "-F", f"file=@{path}", f"{server.url}/api/v0/add"))
    assert added == {"Name": "hello.txt", "Hash": "QmZULkCELmmk5XNfCgTnCyFgAVxBRBXyDHGGMVoLFLiXEN", "Size": "14"}
    assert await asyncio.to_thread(curl, f"{server.url}/ipfs/{added['Hash']}") == b"hello\n"
    cat = await asyncio.to_thread(curl, "-X", "POST", f"{server.url}/api/v0/cat?arg={added['Hash']}")
    assert cat == b"hello\n"


async def test_tampered_leaf_mid_stream_cuts_the_response(server, store):
    data = os.urandom(4 * 262144)
    dag = store.add_bytes(data)
    last_leaf = dag.blocks[-2].cid  # children come before the root; this leaf is read last
    path = store.path_for(last_leaf)
    path.write_bytes(path.read_bytes()[:-1] + b"\x00")
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{server.url}/ipfs/{dag.root}") as response:
            assert response.status == 200  # headers left before the bad leaf was reached
            with pytest.raises(aiohttp.ClientPayloadError):
                await response.read()
