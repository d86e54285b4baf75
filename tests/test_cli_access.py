"""`litrt encrypt`, `decrypt` and `jwt` as a user runs them, against one detached 4-node network.

Input faults (malformed conditions, key files, envelopes) must exit 2 before any node is asked,
so those tests need no network and are not slow.
"""

from __future__ import annotations

import base64
import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from runtime.access.jwt import b64url, b64url_decode
from runtime.chain.accounts import dev_accounts
from runtime.cli.main import main

REPO = Path(__file__).resolve().parents[1]
OWNER, STRANGER = dev_accounts(count=4)[1], dev_accounts(count=4)[3]
slow = pytest.mark.slow


def litrt(*args: str, stdin: bytes = b"") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "runtime.cli.main", *args], input=stdin, capture_output=True, cwd=REPO, timeout=300)


def as_json(proc: subprocess.CompletedProcess) -> dict:
    assert proc.stdout.strip(), proc.stderr.decode()
    return json.loads(proc.stdout)


def is_owner(address: str = OWNER.address) -> list[dict]:
    return [{
        "contractAddress": "", "standardContractType": "", "chain": "local", "method": "",
        "parameters": [":userAddress"], "returnValueTest": {"comparator": "=", "value": address},
    }]


@pytest.fixture(scope="module")
def keys(tmp_path_factory) -> dict[str, str]:
    root = tmp_path_factory.mktemp("keys")
    # The owner's file has 0x, a line break inside and white space around; the stranger's is bare hex.
    (root / "owner.key").write_text(f"  0x{OWNER.private_key.removeprefix('0x')[:30]}\n{OWNER.private_key.removeprefix('0x')[30:]}\n")
    (root / "stranger.key").write_text(STRANGER.private_key.removeprefix("0x"))
    (root / "c.json").write_text(json.dumps({"accessControlConditions": is_owner()}))
    return {"owner": str(root / "owner.key"), "stranger": str(root / "stranger.key"), "conditions": "@" + str(root / "c.json")}


@pytest.fixture(scope="module")
def state(tmp_path_factory):
    state_dir = str(tmp_path_factory.mktemp("net") / "state")
    up = litrt("up", "--detach", "--state-dir", state_dir, "--json")
    assert up.returncode == 0, up.stderr.decode()[-2000:]
    try:
        yield state_dir
    finally:
        litrt("down", "--state-dir", state_dir)


@slow
def test_encrypt_from_stdin_then_the_key_holder_decrypts_text_and_bytes(state, keys):
    conditions = json.dumps(is_owner())
    for data, shown in ((b"hello \xe2\x9c\x93", {"plaintext": "hello \u2713", "encoding": "utf-8"}),
                        (b"\xff\x00binary", {"plaintext": base64.b64encode(b"\xff\x00binary").decode(), "encoding": "base64"})):
        enc = litrt("encrypt", "-", "--conditions", conditions, "--state-dir", state, stdin=data)
        envelope = as_json(enc)
        assert enc.returncode == 0 and set(envelope) == {"ciphertext", "dataToEncryptHash"}
        assert envelope["dataToEncryptHash"] == hashlib.sha256(data).hexdigest()
        dec = litrt("decrypt", "-", "--conditions", conditions, "--key", keys["owner"], "--state-dir", state, "--json", stdin=enc.stdout)
        assert dec.returncode == 0 and as_json(dec) == shown
    raw = litrt("decrypt", "-", "--conditions", conditions, "--key", keys["owner"], "--state-dir", state, stdin=enc.stdout)
    assert raw.returncode == 0 and raw.stdout == b"\xff\x00binary"


@slow
def test_out_file_round_trip_and_a_stranger_is_refused_naming_the_condition(state, keys, tmp_path):
    (tmp_path / "secret.txt").write_bytes(b"for the owner only")
    out = tmp_path / "envelope.json"
    enc = litrt("encrypt", str(tmp_path / "secret.txt"), "--conditions", keys["conditions"], "--out", str(out), "--state-dir", state, "--json")
    digest = hashlib.sha256(b"for the owner only").hexdigest()
    assert enc.returncode == 0 and as_json(enc) == {"out": str(out), "dataToEncryptHash": digest}
    assert json.loads(out.read_text())["dataToEncryptHash"] == digest

    opened = litrt("decrypt", str(out), "--conditions", keys["conditions"], "--key", keys["owner"], "--state-dir", state)
    assert opened.returncode == 0 and opened.stdout == b"for the owner only"

    refused = litrt("decrypt", str(out), "--conditions", keys["conditions"], "--key", keys["stranger"], "--state-dir", state, "--json")
    answer = as_json(refused)
    assert refused.returncode == 1 and answer["kind"] == "NotPermitted" and "accessControlConditions[0]" in answer["error"]
    human = litrt("decrypt", str(out), "--conditions", keys["conditions"], "--key", keys["stranger"], "--state-dir", state)
    assert human.returncode == 1 and human.stdout == b"" and "accessControlConditions[0]" in human.stderr.decode()


@slow
def test_jwt_issued_verifies_and_a_tampered_one_is_rejected(state, keys):
    issued = litrt("jwt", "--conditions", keys["conditions"], "--key", keys["owner"], "--lifetime", "600", "--state-dir", state, "--json")
    answer = as_json(issued)
    payload = answer["payload"]
    assert issued.returncode == 0 and payload["sub"] == OWNER.address and payload["chain"] == "local"
    assert payload["exp"] - payload["iat"] == 600 and payload["accessControlConditions"] == is_owner()

    checked = litrt("jwt", "--verify", answer["jwt"], "--state-dir", state, "--json")
    assert checked.returncode == 0 and as_json(checked) == answer

    header, body, signature = answer["jwt"].split(".")
    forged = b64url(json.dumps({**json.loads(b64url_decode(body, "payload")), "sub": STRANGER.address}, separators=(",", ":")).encode())
    rejected = litrt("jwt", "--verify", f"{header}.{forged}.{signature}", "--state-dir", state, "--json")
    answer = as_json(rejected)
    assert rejected.returncode == 1 and answer["kind"] == "JwtError" and "does not verify" in answer["error"]
    human = litrt("jwt", "--verify", f"{header}.{body}.{signature[:-4]}AAAA", "--state-dir", state)
    assert human.returncode == 1 and human.stderr.decode().startswith("error: ") and "JwtError" not in human.stderr.decode()


@slow
def test_encrypt_refuses_a_chain_the_nodes_would_refuse_in_their_words(state, keys, tmp_path):
    """A condition that reads a chain the network lacks is refused at encrypt time (exit 2) with the
    message the nodes give at decrypt time; one that reads nothing may name any chain Lit knows."""
    from runtime.client.access import encrypt
    from runtime.network.launcher import load_network

    balance = [{**is_owner()[0], "chain": "polygon", "method": "eth_getBalance", "parameters": [":userAddress", "latest"],
                "returnValueTest": {"comparator": ">=", "value": "0"}}]
    refused = litrt("encrypt", "-", "--conditions", json.dumps(balance), "--state-dir", state, "--json", stdin=b"x")
    answer = as_json(refused)
    assert refused.returncode == 2 and answer["kind"] == "ConditionError", answer
    assert "accessControlConditions[0].chain: chain 'polygon' is not configured" in answer["error"]

    # The nodes' words, for an envelope made without the check (the Python API with no `chains`).
    envelope = encrypt(load_network(state).public["blsPublicKey"], b"x", balance)
    (tmp_path / "envelope.json").write_text(json.dumps(envelope.to_json()))
    at_decrypt = as_json(litrt("decrypt", str(tmp_path / "envelope.json"), "--conditions", json.dumps(balance),
                               "--key", keys["owner"], "--state-dir", state, "--json"))
    assert answer["error"] in at_decrypt["error"], (answer, at_decrypt)

    named_only = [{**is_owner()[0], "chain": "ethereum"}]
    accepted = litrt("encrypt", "-", "--conditions", json.dumps(named_only), "--state-dir", state, "--json", stdin=b"x")
    assert accepted.returncode == 0 and "ciphertext" in as_json(accepted)


@pytest.mark.parametrize(
    "args, named",
    [
        (["encrypt", "-", "--conditions", "{not json"], "--conditions is not valid JSON"),
        (["encrypt", "-", "--conditions", '"a string"'], "--conditions must be a JSON array"),
        (["encrypt", "-", "--conditions", json.dumps([{**is_owner()[0], "returnValueTest": {"comparator": "~", "value": "x"}}])],
         "accessControlConditions[0].returnValueTest.comparator"),
        (["encrypt", "-", "--conditions", json.dumps({"accessControlConditions": is_owner(), "evmContractConditions": []})],
         "exactly one conditions field"),
        (["encrypt", "-", "--conditions", "@/nonexistent/c.json"], "--conditions file /nonexistent/c.json: cannot read"),
        (["encrypt", "/nonexistent/secret", "--conditions", json.dumps(is_owner())], "FILE /nonexistent/secret: cannot read"),
        (["jwt", "--conditions", json.dumps([]), "--key", "KEY"], "accessControlConditions: empty list"),
        (["decrypt", "ENVELOPE", "--conditions", json.dumps(is_owner()), "--key", "/nonexistent/key"], "--key file /nonexistent/key: cannot read"),
        (["decrypt", "ENVELOPE", "--conditions", json.dumps(is_owner()), "--key", "BADKEY"], "expected a 32-byte hex private key"),
        (["decrypt", "ENVELOPE", "--conditions", json.dumps(is_owner()), "--key", "ZEROKEY"], "not a valid secp256k1 private key"),
        (["decrypt", "NOTJSON", "--conditions", json.dumps(is_owner()), "--key", "KEY"], "envelope is not JSON"),
        (["decrypt", "NOHASH", "--conditions", json.dumps(is_owner()), "--key", "KEY"], "string ciphertext and dataToEncryptHash"),
        (["decrypt", "BADCIPHER", "--conditions", json.dumps(is_owner()), "--key", "KEY"], "ciphertext is not a base64 BLS ciphertext"),
        (["jwt", "--verify", "x.y.z", "--key", "KEY"], "takes no --key"),
    ],
)
def test_malformed_input_exits_2_naming_it_before_any_node_is_asked(args, named, tmp_path, capsys):
    files = {
        "KEY": OWNER.private_key, "BADKEY": "0xnothex", "ZEROKEY": "00" * 32,
        "ENVELOPE": json.dumps({"ciphertext": base64.b64encode(b"x" * 200).decode(), "dataToEncryptHash": "00" * 32}),
        "NOTJSON": "{", "NOHASH": json.dumps({"ciphertext": "AAAA"}),
        "BADCIPHER": json.dumps({"ciphertext": base64.b64encode(b"short").decode(), "dataToEncryptHash": "ab" * 32}),
    }
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    args = [str(tmp_path / a) if a in files else a for a in args]
    # No network lives here: the fault must be found before the state directory is read.
    code = main([*args, "--state-dir", str(tmp_path / "no-network"), "--json"])
    answer = json.loads(capsys.readouterr().out)
    assert code == 2 and named in answer["error"] and answer["kind"] in {"UsageError", "ConditionError"}, answer
