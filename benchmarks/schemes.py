"""Per signing scheme: how fast nonces (FROST) or presignatures (ECDSA) are made, and how long a
signature takes end to end on a 4-node network (medians and p95; prints figures, asserts nothing).

    python3 benchmarks/schemes.py [--runs 30]

Made ahead: ECDSA presignatures among all n parties in one process (benchmarks/crypto_ecdsa.py's
run, JSON round-tripped as on the wire, sealing left out); FROST nonce pairs one node makes and
seals to disk (node/frost_nonces.py), per group. End to end: `execute_js` of an action that signs
32 bytes with `signAsAction` under each scheme (the action's own key), the same CID each time.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import statistics
import sys
import tempfile
import time
from pathlib import Path

# Run as a script, this folder comes first on sys.path and benchmarks/sandbox.py would hide the
# sandbox package: take the folder off and load crypto_ecdsa.py by path.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
_spec = importlib.util.spec_from_file_location("bench_crypto_ecdsa", _HERE / "crypto_ecdsa.py")
assert _spec is not None and _spec.loader is not None
_ecdsa = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_ecdsa)

from node.frost_nonces import NONCE_SUITES, open_nonce_pool  # noqa: E402
from node.sealed import SealedStore, load_or_create_key  # noqa: E402
from runtime.client import LitClient  # noqa: E402
from runtime.network.launcher import start_network, stop_network  # noqa: E402

SCHEMES = ("EcdsaK256Sha256", "SchnorrEd25519Sha512", "SchnorrK256Sha256", "SchnorrK256Taproot")
ACTION = """(async () => {
  await Lit.Actions.signAsAction({toSign, sigName: "s", signingScheme});
})();"""


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def made_ahead() -> None:
    batch = 20
    start = time.perf_counter()
    _ecdsa.presign(4, batch)
    print(f"EcdsaK256Sha256 presignatures, n = 4, all parties in one process: {batch / (time.perf_counter() - start):.1f}/s")
    with tempfile.TemporaryDirectory() as tmp:
        state, secrets = Path(tmp) / "state", Path(tmp) / "secrets"
        state.mkdir(mode=0o700)
        secrets.mkdir(mode=0o700)
        seal_key = str(secrets / "seal.key")
        pool = open_nonce_pool(1, str(state), seal_key, SealedStore(state / "sealed", load_or_create_key(Path(seal_key))))
        for group in sorted(NONCE_SUITES):
            count, start = 0, time.perf_counter()
            while time.perf_counter() - start < 1.0:
                count += pool.make_batch(group, 256)
            print(f"FROST nonce pairs, {group}, one node, sealed: {count / (time.perf_counter() - start):,.0f}/s")


async def end_to_end(runs: int) -> None:
    root = Path(tempfile.mkdtemp(prefix="bench-schemes-"))
    try:
        await start_network(root, 4)
        async with await LitClient.connect(root) as client:
            cid = await client.upload_action(ACTION)
            for scheme in SCHEMES:
                params = {"toSign": list(range(32)), "signingScheme": scheme}
                await client.execute_js(ipfs_id=cid, js_params=params)  # warm the caches
                latencies = []
                for _ in range(runs):
                    start = time.perf_counter()
                    result = await client.execute_js(ipfs_id=cid, js_params=params)
                    latencies.append(time.perf_counter() - start)
                    assert "s" in result.signatures, result.errors
                print(f"signAsAction end to end, N = 4, {scheme:21}: median {statistics.median(latencies) * 1000:5.0f} ms, "
                      f"p95 {_pct(latencies, 0.95) * 1000:5.0f} ms over {runs} runs")
    finally:
        stop_network(root)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    made_ahead()
    asyncio.run(end_to_end(args.runs))
