"""Throughput of IPFS content addressing: hashing, storing, verified fetch (store and loopback HTTP).

    python3 benchmarks/ipfs.py [--mb 32]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time

from runtime.ipfs import BlockStore, GatewaySource, KuboRpcSource, StoreSource, build_dag, fetch_verified, serve


def rate(label: str, size: int, seconds: float) -> None:
    print(f"{label:<32} {size / seconds / 1e6:8.1f} MB/s  ({seconds * 1000:.0f} ms)")


async def fetches(store: BlockStore, root: str, size: int) -> None:
    start = time.perf_counter()
    assert len(await fetch_verified(root, [StoreSource(store)], size)) == size
    rate("verified fetch, store", size, time.perf_counter() - start)
    async with await serve(store, "127.0.0.1", 0) as server:
        for kind in (GatewaySource, KuboRpcSource):
            async with kind(server.url) as source:
                start = time.perf_counter()
                assert len(await fetch_verified(root, [source], size)) == size
                rate(f"verified fetch, {source.kind}", size, time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=32)
    size = parser.parse_args().mb * 1024 * 1024
    data = os.urandom(size)
    start = time.perf_counter()
    dag = build_dag(data)
    rate("build_dag (CID only)", size, time.perf_counter() - start)
    with tempfile.TemporaryDirectory() as folder:
        store = BlockStore(folder)
        start = time.perf_counter()
        store.put_dag(dag)
        rate("store put (fsync per block)", size, time.perf_counter() - start)
        start = time.perf_counter()
        assert store.cat(dag.root) == data
        rate("store cat (sync, verified)", size, time.perf_counter() - start)
        asyncio.run(fetches(store, str(dag.root), size))


if __name__ == "__main__":
    main()
