"""`litrt dev`: re-runs on save, reports a syntax error with its line, recovers on the next save."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from runtime.network.processes import free_port

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]

GOOD = """
const go = async () => {
  const toSign = ethers.utils.arrayify(ethers.utils.keccak256(ethers.utils.toUtf8Bytes(word)));
  await Lit.Actions.signEcdsa({ toSign, publicKey, sigName: "dev" });
  console.log("VERSION", version);
  Lit.Actions.setResponse({ response: JSON.stringify({ version }) });
};
go();
"""


def _get(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=60) as resp:
        return json.load(resp)


def _wait_for(url: str, predicate, timeout_s: float = 60) -> dict:
    deadline = time.monotonic() + timeout_s
    last: dict = {}
    while time.monotonic() < deadline:
        try:
            last = _get(url)
            if predicate(last):
                return last
        except OSError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"dev server never reached the expected state; last report: {last}")


def _save(path: Path, text: str) -> None:
    path.write_text(text)
    stamp = time.time() + 1  # a distinct mtime even on coarse file systems
    os.utime(path, (stamp, stamp))


def test_dev_server_reruns_on_save_and_reports_syntax_errors(network, tmp_path):
    action, params = tmp_path / "action.js", tmp_path / "params.json"
    _save(action, GOOD.replace("version }", "version: 1 }").replace("version);", "1);"))
    params.write_text(json.dumps({"word": "dev", "version": 1}))
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "runtime.cli.main", "dev", str(action), "--params", f"@{params}",
         "--state-dir", network.state_dir, "--port", str(port)],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        first = _wait_for(base + "/last", lambda r: r.get("run") == 1)
        assert first["success"] and first["response"] == {"version": 1}
        assert first["signatures"]["dev"]["publicKey"].startswith("0x04")
        assert first["nodeLogs"][0]["nodes"] == [1, 2, 3, 4]  # identical output folded once

        _save(action, "const a = 1;\nconst b = ;\n")
        broken = _wait_for(base + "/last", lambda r: r.get("run") == 2)
        assert broken["error"]["line"] == 2 and "SyntaxError" in broken["error"]["message"]

        _save(action, GOOD.replace("version }", "version: 2 }").replace("version);", "2);"))
        fixed = _wait_for(base + "/last", lambda r: r.get("run") == 3)
        assert fixed["success"] and fixed["response"] == {"version": 2} and fixed["ipfsId"] != first["ipfsId"]

        req = urllib.request.Request(base + "/run", json.dumps({"params": {"word": "api"}}).encode(), {"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=60) as resp:
            via_api = json.load(resp)
        assert via_api["success"] and via_api["signatures"]["dev"]["dataSigned"] != fixed["signatures"]["dev"]["dataSigned"]
    finally:
        proc.terminate()
        output = proc.communicate(timeout=30)[0]
    assert "ERROR (line 2)" in output and "recovers to" in output
