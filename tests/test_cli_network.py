"""`litrt up --detach`, `status`, `pkp`, `upload`, `execute`, `down`, as a user runs them, with --json."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]


def litrt(*args: str) -> tuple[int, dict]:
    proc = subprocess.run([sys.executable, "-m", "runtime.cli.main", *args, "--json"], capture_output=True, text=True, cwd=REPO, timeout=300)
    return proc.returncode, json.loads(proc.stdout) if proc.stdout.strip() else {"stderr": proc.stderr}


def test_network_commands_round_trip(tmp_path):
    state = str(tmp_path / "net")
    code, up = litrt("up", "--detach", "--state-dir", state)
    assert code == 0, up
    try:
        assert up["n"] == 4 and up["threshold"] == 3 and len(up["nodes"]) == 4
        code, status = litrt("status", "--state-dir", state)
        assert code == 0 and all(n["up"] and n["ready"] for n in status["nodeStatus"])
        code, uploaded = litrt("upload", str(REPO / "actions_examples" / "sign_message.js"), "--state-dir", state)
        cid = uploaded["ipfsId"]
        assert code == 0 and cid.startswith("Qm")
        code, minted = litrt("pkp", "mint", "--state-dir", state)
        assert code == 0 and minted["publicKey"].startswith("0x04")
        code, _ = litrt("pkp", "permit-action", minted["tokenId"], cid, "--state-dir", state)
        assert code == 0
        params = json.dumps({"publicKey": minted["publicKey"], "message": "cli"})
        code, result = litrt("execute", "--ipfs-id", cid, "--params", params, "--state-dir", state)
        assert code == 0 and result["success"] and result["response"] == {"signed": "cli"}
        assert result["signatures"]["sig1"]["publicKey"] == minted["publicKey"]
        code, signed = litrt("pkp", "sign", minted["tokenId"], "0x" + "ab" * 32, "--state-dir", state)
        assert code == 0 and signed["dataSigned"] == "0x" + "ab" * 32 and signed["publicKey"] == minted["publicKey"]
        code, listed = litrt("pkp", "list", "--state-dir", state)
        assert minted["tokenId"] in [p["tokenId"] for p in listed["pkps"]]
        code, bad = litrt("execute", "--ipfs-id", cid, "--params", "{not json", "--state-dir", state)
        assert code == 2 and "not valid JSON" in bad["error"]
    finally:
        code, down = litrt("down", "--state-dir", state)
    assert code == 0 and "node1" in down["stopped"]
    code, status = litrt("status", "--state-dir", state)
    assert code == 1 and "no network" in status["error"]


def test_demo_prints_a_verified_signature():
    code, result = litrt("demo")
    assert code == 0 and result["ok"] is True
    assert result["recovered"] == result["pkpAddress"] and result["ipfsId"].startswith("Qm")
