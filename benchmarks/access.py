"""Access-control figures: client encryption (offline), end-to-end decryption and JWT signing on a 4-node network.

    python3 benchmarks/access.py [--runs 30]

Prints figures only (no assertions): the machine is shared and noisy, so read medians and ratios.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from runtime.chain.accounts import dev_accounts
from runtime.client import LitClient, create_auth_sig
from runtime.network.launcher import start_network, stop_network

SIZES = {"32 B": 32, "1 MiB": 1 << 20}


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _report(name: str, latencies: list[float]) -> None:
    print(f"{name}: median {statistics.median(latencies) * 1000:.1f} ms, p95 {_pct(latencies, 0.95) * 1000:.1f} ms "
          f"over {len(latencies)} runs")


async def _timed(runs: int, one: Callable[[], Awaitable[object]]) -> list[float]:
    await one()  # warm up: connections, caches
    latencies = []
    for _ in range(runs):
        start = time.perf_counter()
        await one()
        latencies.append(time.perf_counter() - start)
    return latencies


async def access(runs: int) -> None:
    root = Path(tempfile.mkdtemp(prefix="bench-access-"))
    account = dev_accounts(count=2)[1]
    conditions = [{
        "contractAddress": "", "standardContractType": "", "chain": "local", "method": "",
        "parameters": [":userAddress"], "returnValueTest": {"comparator": "=", "value": account.address},
    }]
    try:
        await start_network(root, 4)
        async with await LitClient.connect(root) as client:
            auth_sig = create_auth_sig(account.private_key)
            for label, size in SIZES.items():
                data = os.urandom(size)

                async def encrypt() -> object:
                    return client.encrypt(data, conditions)

                _report(f"encrypt {label} (client, offline)", await _timed(runs, encrypt))
            for label, size in SIZES.items():
                data = os.urandom(size)
                envelope = client.encrypt(data, conditions)

                async def decrypt() -> object:
                    result = await client.decrypt(envelope, conditions, auth_sig)
                    assert result.plaintext == data
                    return result

                _report(f"decrypt {label}, N=4 (end to end: authSig and condition checks, shares, combine)",
                        await _timed(runs, decrypt))

            async def jwt() -> object:
                return client.verify_jwt(await client.sign_jwt(conditions, auth_sig))

            _report("sign_jwt + verify_jwt, N=4", await _timed(runs, jwt))
    finally:
        stop_network(root)


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    await access(args.runs)


if __name__ == "__main__":
    asyncio.run(main())
