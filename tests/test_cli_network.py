"""`litrt up --detach`, `status`, `pkp`, `upload`, `execute`, `down`, as a user runs them, with --json."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import coincurve
import pytest
from eth_account import Account
from eth_keys import keys
from eth_utils import keccak

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]


def litrt(*args: str) -> tuple[int, dict]:
    proc = subprocess.run([sys.executable, "-m", "runtime.cli.main", *args, "--json"], capture_output=True, text=True, cwd=REPO, timeout=300)
    return proc.returncode, json.loads(proc.stdout) if proc.stdout.strip() else {"stderr": proc.stderr}


def assert_recovers(sig: dict, digest: bytes, public_key: str) -> None:
    """`sig` signs `digest` (computed by the test) and eth_account recovers it to the address of
    `public_key` (computed by eth_keys): the CLI's own "address" field is not trusted."""
    assert sig["dataSigned"] == "0x" + digest.hex()
    recovered = Account._recover_hash(digest, signature=bytes.fromhex(sig["signature"].removeprefix("0x")))
    assert recovered == keys.PublicKey(bytes.fromhex(public_key.removeprefix("0x04"))).to_checksum_address()


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
        assert minted["owner"] == "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"  # dev account 1: runtime.client.dev_key()
        code, _ = litrt("pkp", "permit-action", minted["tokenId"], cid, "--state-dir", state)
        assert code == 0
        params = json.dumps({"publicKey": minted["publicKey"], "message": "cli"})
        code, result = litrt("execute", "--ipfs-id", cid, "--params", params, "--state-dir", state)
        assert code == 0 and result["success"] and result["response"] == {"signed": "cli"}
        assert result["signatures"]["sig1"]["publicKey"] == minted["publicKey"]
        assert_recovers(result["signatures"]["sig1"], keccak(b"cli"), minted["publicKey"])
        code, signed = litrt("pkp", "sign", minted["tokenId"], "0x" + "ab" * 32, "--state-dir", state)
        assert code == 0 and signed["publicKey"] == minted["publicKey"]
        assert_recovers(signed, b"\xab" * 32, minted["publicKey"])
        # BIP-340 with the same PKP, on a message of any length, checked by libsecp256k1.
        message = b"a taproot message that is not 32 bytes long"
        code, schnorr = litrt("pkp", "sign", minted["tokenId"], message.hex(), "--scheme", "SchnorrK256Taproot", "--state-dir", state)
        assert code == 0 and schnorr["signingScheme"] == "SchnorrK256Taproot", schnorr
        x_only = coincurve.PublicKey(bytes.fromhex(minted["publicKey"][2:])).format(compressed=True)[1:]
        signature = bytes.fromhex(schnorr["signature"].removeprefix("0x"))
        assert len(signature) == 64 and coincurve.PublicKeyXOnly(x_only).verify(signature, message)
        # An action that signs by FROST with its own key: the human output shows the Schnorr signature
        # (no Ethereum address to recover), and libsecp256k1 checks the JSON's BIP-340 witness.
        code, uploaded = litrt("upload", str(REPO / "actions_examples" / "sign_taproot.js"), "--state-dir", state)
        sighash = keccak(b"a taproot sighash")
        taproot = ["execute", "--ipfs-id", uploaded["ipfsId"], "--params", json.dumps({"sighash": sighash.hex()}), "--state-dir", state]
        human = subprocess.run([sys.executable, "-m", "runtime.cli.main", *taproot], capture_output=True, text=True, cwd=REPO, timeout=300)
        assert human.returncode == 0 and "signature taproot (SchnorrK256Taproot): 0x" in human.stdout, human.stdout + human.stderr
        code, result = litrt(*taproot)
        assert code == 0 and result["signatures"]["taproot"]["publicKey"][4:] == result["response"]["outputKey"], result
        x_only = coincurve.PublicKeyXOnly(bytes.fromhex(result["response"]["outputKey"]))
        assert x_only.verify(bytes.fromhex(result["response"]["witness"]), sighash)
        code, listed = litrt("pkp", "list", "--state-dir", state)
        assert minted["tokenId"] in [p["tokenId"] for p in listed["pkps"]]
        code, bad = litrt("execute", "--ipfs-id", cid, "--params", "{not json", "--state-dir", state)
        assert code == 2 and "not valid JSON" in bad["error"]
    finally:
        code, down = litrt("down", "--state-dir", state)
    assert code == 0 and "node1" in down["stopped"]
    code, status = litrt("status", "--state-dir", state)
    assert code == 1 and "no network" in status["error"], status
    assert str(Path(state).resolve()) in status["error"] and "--state-dir" in status["error"] and "LITRT_STATE_DIR" in status["error"]


def test_cli_errors_name_the_state_directory_not_python_classes(tmp_path):
    """From a directory without a network, human output says where it looked and how to point elsewhere."""
    env = {k: v for k, v in os.environ.items() if k != "LITRT_STATE_DIR"}
    for command in (["status"], ["execute", "--file", "x.js"], ["pkp", "mint"], ["upload", "x.js"]):
        proc = subprocess.run([sys.executable, "-m", "runtime.cli.main", *command], capture_output=True, text=True,
                              cwd=tmp_path, timeout=120, env={**env, "PYTHONPATH": str(REPO)})
        assert proc.returncode == 1, (command, proc.stderr)
        assert proc.stderr.startswith(f"error: no network in {tmp_path.resolve() / '.litrt' / 'network'} "), proc.stderr
        assert "--state-dir" in proc.stderr and "LITRT_STATE_DIR" in proc.stderr


def test_demo_prints_a_verified_signature():
    code, result = litrt("demo")
    assert code == 0 and result["ok"] is True
    assert result["recovered"] == result["pkpAddress"] and result["ipfsId"].startswith("Qm")
    assert_recovers(result["signature"], keccak(b"hello from litrt"), result["signature"]["publicKey"])
