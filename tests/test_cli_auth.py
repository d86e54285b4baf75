"""`litrt auth-sig`, `litrt session-sigs`, and `--auth-sig` / `--session-sigs` on pkp sign and execute."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from runtime.chain.accounts import dev_accounts
from runtime.network.launcher import NetworkInfo
from tests.node.conftest import network  # noqa: F401  (the 4-node network fixture)

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]


def litrt(*args: str) -> tuple[int, str, str]:
    proc = subprocess.run([sys.executable, "-m", "runtime.cli.main", *args], capture_output=True, text=True, cwd=REPO, timeout=300)
    return proc.returncode, proc.stdout, proc.stderr


def test_signing_with_an_auth_sig_file_and_a_session_sigs_file(network: NetworkInfo, tmp_path: Path) -> None:
    key_file = tmp_path / "owner.key"
    key_file.write_text(dev_accounts(count=2)[1].private_key)
    state = ["--state-dir", network.state_dir]
    code, out, err = litrt("pkp", "mint", "--json", *state)
    assert code == 0, err
    token = json.loads(out)["tokenId"]

    code, out, err = litrt("auth-sig", "--key", str(key_file), "--resource", "lit-pkp://*:pkp-signing", "--expires-in", "600", *state)
    assert code == 0, err
    auth_sig = json.loads(out)
    assert "Chain ID: %d" % network.chain_id in auth_sig["signedMessage"] and "urn:recap:" in auth_sig["signedMessage"]
    (tmp_path / "auth.json").write_text(out)
    code, out, err = litrt("pkp", "sign", token, "0x" + "cd" * 32, "--auth-sig", f"@{tmp_path / 'auth.json'}", "--json", *state)
    assert code == 0 and json.loads(out)["dataSigned"] == "0x" + "cd" * 32, err

    code, out, err = litrt("session-sigs", "--key", str(key_file), *state)
    assert code == 0, err
    assert sorted(json.loads(out)) == sorted(network.nodes)
    (tmp_path / "session.json").write_text(out)
    code, out, err = litrt("pkp", "sign", token, "0x" + "ef" * 32, "--session-sigs", f"@{tmp_path / 'session.json'}", "--json", *state)
    assert code == 0 and json.loads(out)["dataSigned"] == "0x" + "ef" * 32, err

    # An authSig that grants only decryption signs nothing, and says which capability is missing.
    code, out, err = litrt("auth-sig", "--key", str(key_file), "--resource", "lit-accesscontrolcondition://*:access-control-condition-decryption", *state)
    (tmp_path / "decrypt-only.json").write_text(out)
    code, out, err = litrt("pkp", "sign", token, "0x" + "cd" * 32, "--auth-sig", f"@{tmp_path / 'decrypt-only.json'}", "--json", *state)
    assert code == 1 and "Threshold/Signing" in json.loads(out)["error"]


def test_bad_auth_options_are_usage_errors(tmp_path: Path) -> None:
    key_file = tmp_path / "owner.key"
    key_file.write_text(dev_accounts(count=2)[1].private_key)
    code, _, err = litrt("auth-sig", "--key", str(key_file), "--resource", "no-ability-here")
    assert code == 2 and "URI:ABILITY" in err
    code, _, err = litrt("pkp", "sign", "1", "0x" + "cd" * 32, "--auth-sig", "{not json", "--state-dir", str(tmp_path))
    assert code == 2 and "--auth-sig is not valid JSON" in err
