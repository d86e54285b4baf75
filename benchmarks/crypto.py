"""All threshold-crypto figures in one run: DKG, presigning and ECDSA, BLS and IBE.

    python3 benchmarks/crypto.py

Each part is also a script of its own (crypto_dkg.py, crypto_ecdsa.py, crypto_bls.py).
"""

from __future__ import annotations

import runpy
from pathlib import Path

HERE = Path(__file__).resolve().parent

if __name__ == "__main__":
    for part in ("crypto_dkg.py", "crypto_ecdsa.py", "crypto_bls.py"):
        print(f"== {part}", flush=True)
        runpy.run_path(str(HERE / part), run_name="__main__")
