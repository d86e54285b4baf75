"""A small action's latency while another client attacks a 4-node network (issue 13, review H3).

    python3 benchmarks/limits.py [--runs 20] [--attacks idle,encrypt,children,executions]

For each attack, one client keeps the attack going against every node while another client runs a
small action `--runs` times, one after the other; printed: the small action's median and p95, and
what the nodes answered the attacker (HTTP status, or the action's error kind). Figures only, no
assertions: the machine is shared and noisy, so compare medians run in one session.

- idle: nothing else runs.
- encrypt: actions that each call Lit.Actions.encrypt 500 times from one Promise.all.
- children: actions that each start 5 child actions that each fetch 20 times from a loopback server.
- executions: one client keeps 12 actions that busy-loop for 2 s in flight at every node.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from pathlib import Path

# Run as a script, this folder comes first on sys.path, and its sandbox.py would shadow the package.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import aiohttp  # noqa: E402
from aiohttp import web  # noqa: E402

from runtime.chain.accounts import dev_accounts  # noqa: E402
from runtime.client import LitClient, create_auth_sig  # noqa: E402
from runtime.network.launcher import start_network, stop_network  # noqa: E402

SMALL = 'Lit.Actions.setResponse({ response: "small" });'
ENCRYPT_FLOOD = """(async () => {
  const conditions = [{ contractAddress: "", standardContractType: "", chain: "local", method: "",
    parameters: [":userAddress"], returnValueTest: { comparator: "=", value: "0x0000000000000000000000000000000000000000" } }];
  const calls = [];
  for (let i = 0; i < 500; i++) calls.push(Lit.Actions.encrypt({ accessControlConditions: conditions, to_encrypt: new TextEncoder().encode("x" + i) }));
  await Promise.all(calls);
})();"""
BUSY = "const end = Date.now() + 2000; while (Date.now() < end) {}"
IN_FLIGHT = 12  # per node, for the executions attack


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


class Attacker:
    """Keeps `per_node` copies of one action in flight at every node until stopped; tallies the answers."""

    def __init__(self, nodes: list[str], code: str, per_node: int) -> None:
        self.body = {"code": base64.b64encode(code.encode()).decode(), "authSig": create_auth_sig(dev_accounts(count=4)[3].private_key)}
        self.nodes, self.per_node = nodes, per_node
        self.answers: Counter[str] = Counter()
        self._stop = asyncio.Event()

    async def _loop(self, http: aiohttp.ClientSession, url: str) -> None:
        while not self._stop.is_set():
            async with http.post(url + "/web/execute", json=self.body) as resp:
                answer = await resp.json(content_type=None)
            if resp.status != 200:
                self.answers[f"HTTP {resp.status} {answer.get('errorKind')}"] += 1
                await asyncio.sleep(0.05)  # a refused attacker retries at once, as a flood would
            else:
                self.answers[(answer.get("error") or {}).get("kind", "ran to the end")] += 1

    async def run_while(self, measure: Callable[[], Awaitable[list[float]]]) -> list[float]:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=120)) as http:
            loops = [asyncio.create_task(self._loop(http, url)) for url in self.nodes for _ in range(self.per_node)]
            await asyncio.sleep(1.0)  # let the attack take hold
            try:
                return await measure()
            finally:
                self._stop.set()
                await asyncio.gather(*loops, return_exceptions=True)


async def _fetch_target() -> tuple[web.AppRunner, str]:
    app = web.Application()

    async def hit(request: web.Request) -> web.Response:
        return web.Response(text="ok")

    app.router.add_get("/hit", hit)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    return runner, f"http://127.0.0.1:{runner.addresses[0][1]}/hit"


async def main(runs: int, attacks: list[str]) -> None:
    root = Path(tempfile.mkdtemp(prefix="bench-limits-"))
    target, hit_url = await _fetch_target()
    try:
        await start_network(root, 4)
        async with await LitClient.connect(root) as client:
            child = await client.upload_action(
                f'(async () => {{ for (let i = 0; i < 20; i++) await fetch("{hit_url}"); }})();'
            )
            codes = {
                "encrypt": (ENCRYPT_FLOOD, 2),
                "children": (f'Promise.allSettled([0, 1, 2, 3, 4].map(() => Lit.Actions.call({{ ipfsId: "{child}" }})));', 2),
                "executions": (BUSY, IN_FLIGHT),
            }

            async def measure() -> list[float]:
                latencies = []
                for _ in range(runs):
                    start = time.perf_counter()
                    result = await client.execute_js(code=SMALL)
                    assert result.response == "small"
                    latencies.append(time.perf_counter() - start)
                return latencies

            await measure()  # warm up
            for name in attacks:
                attacker = None if name == "idle" else Attacker(client.network.nodes, *codes[name])
                latencies = await (measure() if attacker is None else attacker.run_while(measure))
                line = f"{name:>10}: small action median {statistics.median(latencies) * 1000:.0f} ms, p95 {_pct(latencies, 0.95) * 1000:.0f} ms over {runs} runs"
                if attacker is not None:
                    line += "; attacker got " + ", ".join(f"{kind} x{count}" for kind, count in attacker.answers.most_common())
                print(line, flush=True)
    finally:
        stop_network(root)
        await target.cleanup()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--attacks", default="idle,encrypt,children,executions")
    args = parser.parse_args()
    asyncio.run(main(args.runs, args.attacks.split(",")))
