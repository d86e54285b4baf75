"""Local network figures: time from start to ready, and a signing action's latency and throughput.

    python3 benchmarks/network.py [--runs 50] [--sizes 4,10]

Prints figures only (no assertions): the machine is shared and noisy, so read medians and ratios.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

import aiohttp

from runtime.chain.accounts import dev_accounts
from runtime.client import LitClient
from runtime.network.launcher import start_network, stop_network

EXAMPLES = Path(__file__).resolve().parents[1] / "actions_examples"
# Two signing actions: one that loads ethers into every isolate (~100 ms of CPU per node) and one
# that needs no library, to show what the network itself costs.
ACTIONS = {
    "sign_message.js (ethers)": lambda: {"message": "bench"},
    "sign_hash.js (no ethers)": lambda: {"toSignHex": "0x" + "5a" * 32},
}


POOL_TARGET = 60


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def time_to_ready(n: int) -> float:
    root = Path(tempfile.mkdtemp(prefix=f"bench-net{n}-"))
    start = time.perf_counter()
    try:
        await start_network(root, n)
        return time.perf_counter() - start
    finally:
        stop_network(root)


async def wait_for_full_pools(client: LitClient, target: int, timeout_s: float = 300.0) -> float:
    """Seconds until every node has `target` assignable presignatures (the steady state to measure)."""
    start = time.perf_counter()
    async with aiohttp.ClientSession() as http:
        while time.perf_counter() - start < timeout_s:
            counts = []
            for url in client.network.nodes:
                async with http.get(url + "/status") as resp:
                    counts.append((await resp.json())["presignatures"]["assignable"])
            if min(counts) >= target:
                break
            await asyncio.sleep(1.0)
    return time.perf_counter() - start


async def signing(runs: int, concurrencies: tuple[int, ...] = (1, 8)) -> None:
    root = Path(tempfile.mkdtemp(prefix="bench-sign-"))
    key = dev_accounts(count=2)[1].private_key
    try:
        await start_network(root, 4, presign_pool_target=POOL_TARGET, presign_batch_size=20)
        async with await LitClient.connect(root) as client:
            pkp = await client.mint_pkp(key)
            for name, params_for in ACTIONS.items():
                cid = await client.upload_action((EXAMPLES / name.split()[0]).read_text())
                await client.permit_action(key, pkp.token_id, cid)
                params = {"publicKey": "0x" + pkp.pubkey.hex(), **params_for()}
                await client.execute_js(ipfs_id=cid, js_params=params)  # warm the CID caches
                waited = await wait_for_full_pools(client, POOL_TARGET)
                print(f"({name}: waited {waited:.0f} s for every node's pool to hold {POOL_TARGET} presignatures)")

                async def one() -> float:
                    t = time.perf_counter()
                    result = await client.execute_js(ipfs_id=cid, js_params=params)
                    assert result.signatures["sig1"]["address"]
                    return time.perf_counter() - t

                latencies = [await one() for _ in range(runs)]
                print(f"execute_js, {name}, N=4, sequential: median {statistics.median(latencies) * 1000:.0f} ms, "
                      f"p95 {_pct(latencies, 0.95) * 1000:.0f} ms over {runs} runs")
                for concurrency in concurrencies:
                    start = time.perf_counter()
                    for done in range(0, runs, concurrency):
                        await asyncio.gather(*(one() for _ in range(min(concurrency, runs - done))))
                    elapsed = time.perf_counter() - start
                    print(f"  throughput, {concurrency} concurrent client(s): {runs / elapsed:.1f} signed executions/s")
    finally:
        stop_network(root)


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--sizes", default="4,10")
    args = parser.parse_args()
    for n in (int(x) for x in args.sizes.split(",")):
        print(f"litrt up to ready, N={n}: {await time_to_ready(n):.1f} s")
    await signing(args.runs)


if __name__ == "__main__":
    asyncio.run(main())
