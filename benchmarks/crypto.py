"""All threshold-crypto figures in one run: DKG, presigning and ECDSA, BLS and IBE.

    python3 benchmarks/crypto.py                  # everything
    python3 benchmarks/crypto.py --dkg            # DKG wall time only, n = 4, 10, 31
    python3 benchmarks/crypto.py --dkg --n 4 10   # DKG only, a subset of n

Each part is also a script of its own (crypto_dkg.py, crypto_ecdsa.py, crypto_bls.py).
"""

from __future__ import annotations

import argparse
import runpy
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def run_part(part: str, argv: list[str]) -> None:
    print(f"== {part}", flush=True)
    saved = sys.argv
    sys.argv = [str(HERE / part), *argv]  # each part parses its own options
    try:
        runpy.run_path(str(HERE / part), run_name="__main__")
    finally:
        sys.argv = saved


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dkg", action="store_true", help="only the DKG figures")
    parser.add_argument("--n", type=int, nargs="+", help="network sizes for the DKG part (default 4 10 31)")
    args = parser.parse_args()
    dkg_args = ["--n", *map(str, args.n)] if args.n else []
    run_part("crypto_dkg.py", dkg_args)
    if not args.dkg:
        for part in ("crypto_ecdsa.py", "crypto_bls.py"):
            run_part(part, [])


if __name__ == "__main__":
    main()
