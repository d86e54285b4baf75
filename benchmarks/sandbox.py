"""Sandbox cost per execution: `python3 benchmarks/sandbox.py [runs] [--vs-deno]` (prints figures, asserts nothing).

Each execution gets a fresh isolate. ethers is linked per action (sandbox/ethers_linker.py); the same
actions also run, in the same process and alternating run by run, with the whole UMD bundle
($LITRT_ETHERS_JS), so "before/after" is one run's ratio. CPU is process time per execution (V8 runs on mini-racer's thread, in this process).
--vs-deno runs each action under Deno (the `deno` package on PyPI or npm, or `deno` on PATH), one Web
Worker per run, as Lit's runtime does, and prints our wall time over Deno's.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# Run as a script, this file's own folder comes first on sys.path and its name would shadow the package.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

from sandbox import Host, Limits, execute  # noqa: E402
from sandbox.assets import ETHERS_ENV, ethers_path  # noqa: E402

# Made by ethers 5.7.2 under Node with the key 0x11..11: of keccak256("n") and of the message "n".
DIGEST_SIG = (
    "0xcec8b9454f555bfe3d25f564a32154271eb78ddfbe52992a6270caf6735efb6a"
    "1a46adc424d6e4aa7d49e5de2cf69e4ba0ead4b8f5b82c3b82af8d44298b823c1c"
)
MESSAGE_SIG = (
    "0xcfa43977624d7b0efb45fae086c79aad0a13994cf5b957dd0247dea1bcbe8605"
    "3f67e7d0b7c02dfb548fcd7ffc23db38e2b0b909d0ad9dabe86c52500d8f744a1c"
)
ACTIONS = {
    "hello": 'Lit.Actions.setResponse({ response: "hello " + name });',
    "keccak": "Lit.Actions.setResponse({ response: ethers.utils.keccak256(ethers.utils.toUtf8Bytes(name)) });",
    "arrayify": "Lit.Actions.setResponse({ response: String(ethers.utils.arrayify('0x1234').length) });",
    "hashMessage": "Lit.Actions.setResponse({ response: ethers.utils.hashMessage(name) });",
    "bignumber": "Lit.Actions.setResponse({ response: "
    "ethers.BigNumber.from(7).mul(ethers.utils.parseEther('1.5')).toString() });",
    "recover": "const d = ethers.utils.keccak256(ethers.utils.toUtf8Bytes('n'));"
    f" Lit.Actions.setResponse({{ response: ethers.utils.recoverAddress(d, '{DIGEST_SIG}') }});",
    "verifyMessage": f"Lit.Actions.setResponse({{ response: ethers.utils.verifyMessage('n', '{MESSAGE_SIG}') }});",
}


async def _once(code: str, label: str) -> tuple[float, float]:
    t0, c0 = time.perf_counter(), time.process_time()
    result = await execute(code, {"name": "n"}, Host(), Limits())
    if result.error is not None:
        raise SystemExit(f"{label}: {result.error}")
    return (time.perf_counter() - t0) * 1000, (time.process_time() - c0) * 1000


async def measure(label: str, code: str, runs: int) -> dict[str, tuple[float, float, float]]:
    """Per mode (UMD, linked): median wall ms, median CPU ms, min CPU ms over `runs` executions after 3
    warm-ups. The two modes alternate run by run, so the machine's other load falls on both alike."""
    samples: dict[str, list[tuple[float, float]]] = {"umd": [], "linked": []}
    for i in range(runs + 3):
        for mode in samples:
            _use_umd(mode == "umd")
            measured = await _once(code, label)
            if i >= 3:
                samples[mode].append(measured)
    _use_umd(False)
    return {
        mode: (statistics.median(w for w, _ in got), statistics.median(c for _, c in got), min(c for _, c in got))
        for mode, got in samples.items()
    }


def _use_umd(on: bool) -> None:
    if on:
        os.environ[ETHERS_ENV] = str(ethers_path())
    else:
        os.environ.pop(ETHERS_ENV, None)


def _deno() -> str | None:
    found = shutil.which("deno")
    if found:
        return found
    try:
        import deno  # type: ignore[import-not-found]  # PyPI `deno`: ships the binary

        return str(deno.find_deno_bin())
    except (ImportError, AttributeError, OSError):
        return None


_DENO_DRIVER = """
const [actionsFile, umd, runs] = Deno.args;
const actions = JSON.parse(await Deno.readTextFile(actionsFile));
const dir = await Deno.makeTempDir();
const out = {};
for (const [label, code] of Object.entries(actions)) {
  const file = dir + "/" + label + ".js";
  const head = code.includes("ethers") ? `import ${JSON.stringify("file://" + umd)};\\n` : "";
  await Deno.writeTextFile(file, head + "const name = 'n';\\n" +
    "const Lit = { Actions: { setResponse: (r) => self.postMessage(r) } };\\n" + code + "\\n");
  const once = () => new Promise((resolve, reject) => {
    const w = new Worker("file://" + file, { type: "module" });
    w.onmessage = () => { w.terminate(); resolve(); };
    w.onerror = (e) => { w.terminate(); reject(e.message); };
  });
  for (let i = 0; i < 3; i++) await once();
  const times = [];
  for (let i = 0; i < Number(runs); i++) { const t = performance.now(); await once(); times.push(performance.now() - t); }
  times.sort((a, b) => a - b);
  out[label] = times[Math.floor(times.length / 2)];
}
console.log(JSON.stringify(out));
"""


def deno_medians(deno: str, runs: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        actions = Path(tmp, "actions.json")
        actions.write_text(json.dumps(ACTIONS))
        driver = Path(tmp, "driver.js")
        driver.write_text(_DENO_DRIVER)
        done = subprocess.run(
            [deno, "run", "--quiet", "--allow-read", "--allow-write", str(driver), str(actions), str(ethers_path()), str(runs)],
            capture_output=True,
            text=True,
            timeout=600,
            check=True,
        )
    return json.loads(done.stdout.strip().splitlines()[-1])


async def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    runs = int(args[0]) if args else 40
    vs_deno = "--vs-deno" in sys.argv
    print(f"{runs} fresh-isolate executions per action and mode, alternating; CPU is this process's time")
    print(f"{'action':14s} {'UMD wall':>9s} {'UMD cpu':>8s} {'linked wall':>12s} {'linked cpu':>11s} {'(min)':>6s} {'cpu ratio':>9s}")
    ours: dict[str, float] = {}
    for label, code in ACTIONS.items():
        got = await measure(label, code, runs)
        (umd_wall, umd_cpu, _), (wall, cpu, cpu_min) = got["umd"], got["linked"]
        ours[label] = wall
        print(f"{label:14s} {umd_wall:9.2f} {umd_cpu:8.2f} {wall:12.2f} {cpu:11.2f} {cpu_min:6.2f} {cpu / umd_cpu:9.2f}")
    if vs_deno:
        deno = _deno()
        if deno is None:
            print("--vs-deno: no deno found (install the `deno` package from PyPI or npm)")
            return
        theirs = deno_medians(deno, runs)
        version = subprocess.run([deno, "--version"], capture_output=True, text=True).stdout.split("\n")[0]
        print(f"\nvs {version}, one Worker per run (wall ms medians)")
        for label, wall in ours.items():
            print(f"{label:14s} litrt {wall:7.2f}  deno {theirs[label]:7.2f}  litrt/deno {wall / theirs[label]:.2f}")


if __name__ == "__main__":
    asyncio.run(main())
