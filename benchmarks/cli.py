"""How long a user waits for the `litrt` command: `litrt --help`, and `litrt execute` of a small
action on a running local network (wall time of the whole process, medians over several runs; also
the process's CPU time, which other load on a shared machine disturbs less than the wall time).

    python3 benchmarks/cli.py [--runs 7] [--state-dir DIR]

Without --state-dir it starts a 4-node network in a temporary directory and stops it afterwards.
The `litrt` measured is the console script installed beside this Python (as a user's venv has it),
not a shell shim in front of it.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TARGETS_S = {"litrt --help": 0.15, "litrt execute": 0.4}


def litrt_command() -> list[str]:
    """The installed console script next to this interpreter, else `python -m runtime.cli.main`."""
    script = Path(sys.executable).parent / "litrt"
    return [str(script)] if script.is_file() else [sys.executable, "-m", "runtime.cli.main"]


# As on a user's machine, Python may cache compiled modules: some sandboxes set PYTHONDONTWRITEBYTECODE,
# which would make every run recompile litrt's sources (about 0.1 s) and measure that instead.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def _children_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def wall_times(argv: list[str], runs: int) -> tuple[list[float], list[float]]:
    """Each run's wall time and CPU time (user + system) of the process, in seconds."""
    walls, cpus = [], []
    for _ in range(runs):
        cpu_before, start = _children_cpu_s(), time.perf_counter()
        proc = subprocess.run(argv, cwd=REPO, capture_output=True, text=True, env=ENV)
        walls.append(time.perf_counter() - start)
        cpus.append(_children_cpu_s() - cpu_before)
        if proc.returncode != 0:
            raise SystemExit(f"{' '.join(argv)} failed ({proc.returncode}): {proc.stderr.strip()}")
    return walls, cpus


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--state-dir", type=Path, help="a running network (default: start one for the benchmark)")
    args = parser.parse_args()
    litrt = litrt_command()
    state_dir = args.state_dir or Path(tempfile.mkdtemp(prefix="litrt-bench-cli-")) / "net"
    if args.state_dir is None:
        subprocess.run([*litrt, "up", "--detach", "--json", "--state-dir", str(state_dir)], check=True, capture_output=True)
    try:
        execute = [*litrt, "execute", "--file", str(REPO / "actions_examples" / "hello.js"),
                   "--params", '{"name": "bench"}', "--state-dir", str(state_dir)]
        wall_times(execute, 1)  # the first run warms the nodes and the OS file cache
        results = {"litrt --help": wall_times([*litrt, "--help"], args.runs), "litrt execute": wall_times(execute, args.runs)}
    finally:
        if args.state_dir is None:
            subprocess.run([*litrt, "down", "--state-dir", str(state_dir)], capture_output=True)
            shutil.rmtree(state_dir.parent, ignore_errors=True)
    print(f"{' '.join(litrt)}; {args.runs} runs each, wall time of the whole process")
    for name, (times, cpus) in results.items():
        median = statistics.median(times)
        verdict = "ok" if median < TARGETS_S[name] else "OVER"
        print(f"  {name:14} median {median * 1000:6.0f} ms  (min {min(times) * 1000:.0f}, max {max(times) * 1000:.0f}; "
              f"target < {TARGETS_S[name] * 1000:.0f} ms: {verdict}); CPU median {statistics.median(cpus) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
