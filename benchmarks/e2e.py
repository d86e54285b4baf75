"""End-to-end execute_js figures on a 4-node network (issue 5's benchmark).

    python3 benchmarks/e2e.py [--runs 50]

The same measurement as the signing part of benchmarks/network.py, without the start-up timings.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import sys
from pathlib import Path

# Run as a script, this folder comes first on sys.path, and benchmarks/sandbox.py would hide the
# sandbox package from everything network.py imports: take the folder off and load network.py by path.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
_spec = importlib.util.spec_from_file_location("bench_network", _HERE / "network.py")
assert _spec is not None and _spec.loader is not None
_network = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_network)
signing = _network.signing

if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=50)
    asyncio.run(signing(parser.parse_args().runs))
