"""DKG wall time with every party in one process (so the figure is the sum of all n parties' work).

    python benchmarks/crypto_dkg.py                 # n = 4, 10, 31; secp256k1 K=10 and K=1; BLS G1
    python benchmarks/crypto_dkg.py --n 4 10        # a subset

secp256k1 runs use degree t (ECDSA root keys), BLS runs degree 2t with K=1 (the network key).
Each party's messages go through JSON as on the wire. One run per row: these are seconds, not µs.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from crypto.harness import Harness  # noqa: E402  (the in-process board from the tests)

from runtime.crypto.dkg import SCHEDULE, DkgConfig, DkgParty  # noqa: E402
from runtime.crypto.identity import PartyKeys, PeerDirectory  # noqa: E402
from runtime.crypto.secp256k1 import SECP256K1  # noqa: E402


def run_once(group: Any, n: int, keys: int, double_degree: bool) -> tuple[float, int, int]:
    rng = random.Random(f"bench/{n}")
    identities = {i: PartyKeys.generate(rng.randbytes) for i in range(1, n + 1)}
    directory = PeerDirectory.of(identities)
    config = DkgConfig.for_network(f"bench-{n}", n, keys=keys, double_degree=double_degree)
    parties = [
        DkgParty(group, config, i, identities[i], directory, random.Random(f"bench/{n}/{i}").randbytes)
        for i in range(1, n + 1)
    ]
    started = time.perf_counter()
    harness = Harness(parties, schedule=SCHEDULE).run()
    elapsed = time.perf_counter() - started
    public_keys = {p.outcome().public_keys for p in parties}
    if len(public_keys) != 1 or harness.rejected:
        raise SystemExit(f"benchmark run n={n} did not agree: {harness.rejected[:3]}")
    return elapsed, config.degree, harness.delivered


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, nargs="+", default=[4, 10, 31])
    args = parser.parse_args()
    groups: list[tuple[str, Any, int, bool]] = [("secp256k1", SECP256K1, 10, False), ("secp256k1", SECP256K1, 1, False)]
    try:
        from runtime.crypto.bls import G1

        groups.append(("bls12-381 G1", G1, 1, True))
    except ImportError:
        print("runtime.crypto.bls not available: BLS rows skipped")
    print(f"{'group':<14}{'n':>4}{'K':>4}{'degree':>8}{'messages':>10}{'wall s':>9}{'per party s':>13}")
    for name, group, keys, double in groups:
        for n in args.n:
            elapsed, degree, delivered = run_once(group, n, keys, double)
            print(f"{name:<14}{n:>4}{keys:>4}{degree:>8}{delivered:>10}{elapsed:>9.2f}{elapsed / n:>13.3f}", flush=True)


if __name__ == "__main__":
    main()
