"""`litrt dev`: re-runs on save, reports a syntax error with its line, recovers on the next save."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from eth_account import Account
from eth_keys import keys
from eth_utils import keccak

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


def _assert_signed(sig: dict, word: str) -> None:
    """The signature recovers (eth_account) to the address of the PKP it names (eth_keys), over the
    digest the action signs (keccak256 of `word`, computed here)."""
    digest = keccak(word.encode())
    assert sig["dataSigned"] == "0x" + digest.hex()
    recovered = Account._recover_hash(digest, signature=bytes.fromhex(sig["signature"].removeprefix("0x")))
    pkp_address = keys.PublicKey(bytes.fromhex(sig["publicKey"].removeprefix("0x04"))).to_checksum_address()
    assert recovered == pkp_address


def _post_run(url: str, body: bytes) -> tuple[int, dict]:
    req = urllib.request.Request(url, body, {"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            return resp.status, json.load(resp)
    except urllib.error.HTTPError as exc:
        return exc.code, json.load(exc)


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
        _assert_signed(first["signatures"]["dev"], "dev")
        assert first["nodeLogs"][0]["nodes"] == [1, 2, 3, 4]  # identical output folded once

        _save(action, "const a = 1;\nconst b = ;\n")
        broken = _wait_for(base + "/last", lambda r: r.get("run") == 2)
        assert broken["error"]["line"] == 2 and "SyntaxError" in broken["error"]["message"]

        _save(action, GOOD.replace("version }", "version: 2 }").replace("version);", "2);"))
        fixed = _wait_for(base + "/last", lambda r: r.get("run") == 3)
        assert fixed["success"] and fixed["response"] == {"version": 2} and fixed["ipfsId"] != first["ipfsId"]

        status, via_api = _post_run(base + "/run", json.dumps({"params": {"word": "api"}}).encode())
        assert status == 200 and via_api["success"]
        _assert_signed(via_api["signatures"]["dev"], "api")
        assert via_api["signatures"]["dev"]["publicKey"] == first["signatures"]["dev"]["publicKey"]

        # A body the server would not use is refused, naming the shape it takes, and nothing runs.
        for body, named in ((b'{"word": "api"}', "['word']"), (b"[1]", "list"), (b"{not json", "not JSON"),
                            (b'{"params": [1]}', "params is list")):
            status, answer = _post_run(base + "/run", body)
            assert status == 400 and '{"params": {...}}' in answer["error"] and named in answer["error"], answer
        assert _get(base + "/last")["run"] == 4
    finally:
        proc.terminate()
        output = proc.communicate(timeout=30)[0]
    assert "ERROR (line 2)" in output and "recovers to" in output
