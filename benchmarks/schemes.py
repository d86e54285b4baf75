"""Per signing scheme: how fast nonces (FROST) or presignatures (ECDSA) are made, and how long a
signature takes end to end on a 4-node network (medians and p95; prints figures, asserts nothing).

    python3 benchmarks/schemes.py [--runs 30]

Made ahead: ECDSA presignatures among all n parties in one process (benchmarks/crypto_ecdsa.py's
run, JSON round-tripped as on the wire, sealing left out), on secp256k1 and on P-256; FROST nonce
pairs one node makes and seals to disk (node/frost_nonces.py), per group. End to end: `execute_js`
of an action that signs 32 bytes with `signAsAction` under each scheme (the action's own key), the
same CID each time; EcdsaP256Sha256, which has no action key here, by `pkp_sign` with a P-256 PKP
(the nodes' P-256 pools start with the warm-up signature and refill between requests, so runs past
the pool's target of 4 include waiting for presigning).
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import hashlib
import importlib.util
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

# Run as a script, this folder comes first on sys.path and benchmarks/sandbox.py would hide the
# sandbox package: take the folder off and load the sibling benchmarks used here by path.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]


def _sibling(name: str) -> Any:
    spec = importlib.util.spec_from_file_location(f"bench_{name}", _HERE / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_ecdsa = _sibling("crypto_ecdsa")
_timed = _sibling("access")._timed  # warm-up call, then each run timed

from node.frost_nonces import NONCE_SUITES, open_nonce_pool  # noqa: E402
from node.sealed import SealedStore, load_or_create_key  # noqa: E402
from runtime.chain.accounts import dev_accounts  # noqa: E402
from runtime.client import LitClient, create_auth_sig  # noqa: E402
from runtime.crypto.p256 import P256  # noqa: E402
from runtime.crypto.presign import PresignParty  # noqa: E402
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
    # The same run on P-256: this script's private copy of crypto_ecdsa.py makes its parties on P-256.
    _ecdsa.PresignParty = functools.partial(PresignParty, group=P256)
    batch = 4
    start = time.perf_counter()
    _ecdsa.presign(4, batch)
    print(f"EcdsaP256Sha256 presignatures, n = 4, all parties in one process: {batch / (time.perf_counter() - start):.1f}/s")
    _ecdsa.PresignParty = PresignParty
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


def _report(how: str, scheme: str, latencies: list[float]) -> None:
    print(f"{how} end to end, N = 4, {scheme:21}: median {statistics.median(latencies) * 1000:5.0f} ms, "
          f"p95 {_pct(latencies, 0.95) * 1000:5.0f} ms over {len(latencies)} runs")


async def end_to_end(runs: int) -> None:
    root = Path(tempfile.mkdtemp(prefix="bench-schemes-"))
    try:
        await start_network(root, 4)
        async with await LitClient.connect(root) as client:
            cid = await client.upload_action(ACTION)
            for scheme in SCHEMES:
                params = {"toSign": list(range(32)), "signingScheme": scheme}

                async def sign_as_action(params: dict[str, Any] = params) -> None:
                    result = await client.execute_js(ipfs_id=cid, js_params=params)
                    assert "s" in result.signatures, result.errors

                _report("signAsAction", scheme, await _timed(runs, sign_as_action))
            owner = dev_accounts(count=2)[1].private_key
            pkp = await client.mint_pkp(owner, key_type="p256")
            auth = create_auth_sig(owner, chain_id=client.network.chain_id)
            digest = hashlib.sha256(b"benchmark").digest()

            async def pkp_sign() -> None:
                await client.pkp_sign("0x" + pkp.pubkey.hex(), digest, auth, signing_scheme="EcdsaP256Sha256")

            _report("pkp_sign", "EcdsaP256Sha256", await _timed(runs, pkp_sign))
    finally:
        stop_network(root)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    made_ahead()
    asyncio.run(end_to_end(args.runs))
