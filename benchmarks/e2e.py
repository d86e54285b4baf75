"""End-to-end execute_js figures on a 4-node network (issue 5's benchmark).

    python3 benchmarks/e2e.py [--runs 50]

The same measurement as the signing part of benchmarks/network.py, without the start-up timings.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from network import signing  # noqa: E402

if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=50)
    asyncio.run(signing(parser.parse_args().runs))
