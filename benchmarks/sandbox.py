"""Sandbox cost per execution: `python3 benchmarks/sandbox.py [runs]` (prints figures, asserts nothing).

Each execution gets a fresh isolate; ethers is loaded only into isolates whose action names it.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
from pathlib import Path

# Run as a script, this file's own folder comes first on sys.path and its name would shadow the package.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

from sandbox import Host, Limits, execute  # noqa: E402

HELLO = 'Lit.Actions.setResponse({ response: "hello " + name });'
KECCAK = "Lit.Actions.setResponse({ response: ethers.utils.keccak256(ethers.utils.toUtf8Bytes(name)) });"


async def measure(label: str, code: str, runs: int) -> None:
    host, limits = Host(), Limits()
    await execute(code, {"name": "warm-up"}, host, limits)
    times: list[float] = []
    started = time.perf_counter()
    cpu_started = time.process_time()
    for i in range(runs):
        t0 = time.perf_counter()
        result = await execute(code, {"name": f"n{i}"}, host, limits)
        times.append((time.perf_counter() - t0) * 1000)
        if result.error is not None:
            raise SystemExit(f"{label}: {result.error}")
    wall = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    times.sort()
    p95 = times[int(0.95 * (len(times) - 1))]
    print(
        f"{label:8s} runs={runs} median={statistics.median(times):.2f} ms p95={p95:.2f} ms "
        f"sequential={runs / wall:.1f} exec/s cpu-per-exec={cpu / runs * 1000:.2f} ms "
        f"(≈{runs / cpu:.1f} exec/s per core)"
    )


async def measure_concurrent(label: str, code: str, runs: int, width: int) -> None:
    host, limits = Host(), Limits()
    started = time.perf_counter()
    for start in range(0, runs, width):
        batch = [execute(code, {"name": f"n{i}"}, host, limits) for i in range(start, min(runs, start + width))]
        await asyncio.gather(*batch)
    print(f"{label:8s} concurrent width={width}: {runs / (time.perf_counter() - started):.1f} exec/s")


async def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    await measure("hello", HELLO, runs)
    await measure("keccak", KECCAK, runs)
    await measure_concurrent("hello", HELLO, runs, 8)


if __name__ == "__main__":
    asyncio.run(main())
