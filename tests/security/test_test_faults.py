"""Tests review C1: a node's test-only `fault` is fenced off from production.

- A config that names a fault is refused at start-up unless the node is started with
  `--allow-test-faults` (before this, any config.json edit silently made the node a liar).
- An unknown fault is refused by name with the known ones listed (before, a typo started an honest
  node and the test relying on it proved nothing).
- A faulty network's `/status` names each node's fault; only the faulty node got the switch.
- The switches and the lies live in the test-only node/testfaults.py; node.config exports none of them.
"""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Any

import pytest

import node.config
from node.config import NodeConfig
from node.errors import BadRequest
from node.testfaults import (
    ALLOW_TEST_FAULTS_FLAG, TEST_FAULTS, Fault, armed_fault, wrong_bls_share, wrong_signature_share,
)
from runtime.crypto import bls_threshold
from runtime.crypto.bls import G1
from runtime.crypto.ecdsa import SignatureShare
from runtime.crypto.identity import PartyKeys
from runtime.crypto.secp256k1 import ORDER
from runtime.network.launcher import stop_network
from runtime.network.processes import free_port, read_pids

REPO = Path(__file__).resolve().parents[2]


def _config(tmp_path: Path, **extra: Any) -> dict[str, Any]:
    keys, port = PartyKeys.generate().public, free_port()
    peer = {"index": 1, "url": f"http://127.0.0.1:{port}", "signing_key": keys.signing_key, "encryption_key": keys.encryption_key}
    return {
        "index": 1, "host": "127.0.0.1", "port": port, "peers": [peer], "state_dir": str(tmp_path / "state"),
        "seal_key_path": str(tmp_path / "seal"), "chains": {}, "pkp_contract": "0x" + "0" * 40, **extra,
    }


def _serve(tmp_path: Path, config: dict[str, Any], *flags: str) -> subprocess.CompletedProcess[str]:
    """`python -m node serve` on `config`; these configs must be refused before the node binds a port."""
    path = tmp_path / "config.json"
    path.write_text(json.dumps(config))
    # The timeout only keeps a node that wrongly starts serving from hanging the suite.
    return subprocess.run(
        [sys.executable, "-m", "node", "serve", "--config", str(path), *flags],
        cwd=REPO, capture_output=True, text=True, timeout=120,
    )


def test_a_fault_without_the_switch_is_refused_at_start_up(tmp_path: Path) -> None:
    done = _serve(tmp_path, _config(tmp_path, fault="wrong_signature_shares"))
    assert done.returncode == 2
    assert "'wrong_signature_shares' is for tests only" in done.stderr
    assert ALLOW_TEST_FAULTS_FLAG in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("flags", [(), (ALLOW_TEST_FAULTS_FLAG,)])
def test_an_unknown_fault_is_refused_by_name_with_the_known_ones(tmp_path: Path, flags: tuple[str, ...]) -> None:
    done = _serve(tmp_path, _config(tmp_path, fault="wrong_signatures"), *flags)
    assert done.returncode == 2
    assert "unknown fault 'wrong_signatures'" in done.stderr
    assert all(name in done.stderr for name in TEST_FAULTS)


def test_the_config_checks_the_fault_and_the_switch(tmp_path: Path) -> None:
    honest = NodeConfig.from_dict(_config(tmp_path))
    assert armed_fault(honest.fault, False) is None and armed_fault(honest.fault, True) is None
    liar = NodeConfig.from_dict(_config(tmp_path, fault="stall_execute"))
    assert armed_fault(liar.fault, True) == "stall_execute"
    with pytest.raises(BadRequest, match="'stall_execute' is for tests only.*--allow-test-faults"):
        armed_fault(liar.fault, False)
    for bad in ("", "STALL_EXECUTE", 1, ["stall_execute"]):
        with pytest.raises(BadRequest, match=r"unknown fault .*known test faults are wrong_signature_shares, "):
            NodeConfig.from_dict(_config(tmp_path, fault=bad))


def test_a_config_holds_its_fault_as_a_name_and_writes_it_back_as_one(tmp_path: Path) -> None:
    liar = NodeConfig.from_dict(_config(tmp_path, fault="wrong_bls_shares"))
    assert liar.fault is Fault.WRONG_BLS_SHARES
    # /status and config.json carry the bare name, which the launcher and the tests compare with.
    assert json.loads(liar.to_json())["fault"] == "wrong_bls_shares"
    assert json.loads(json.dumps({"testFault": liar.fault})) == {"testFault": "wrong_bls_shares"}
    assert set(TEST_FAULTS) == {f.value for f in Fault}


def test_node_config_exports_no_fault_switch() -> None:
    assert not {"TEST_FAULTS", "ALLOW_TEST_FAULTS_FLAG", "Fault"} & set(node.config.__all__)


def test_a_wrong_bls_share_fails_the_share_check_an_honest_one_passes() -> None:
    key_share, message = 0x1234567890ABCDEF, b"identity"
    public_share = G1.mul(G1.generator(), key_share)
    honest = bls_threshold.sign_share(3, key_share, message)
    assert bls_threshold.verify_share(honest, public_share, message)
    lie = wrong_bls_share(honest)
    assert lie.index == 3 and not bls_threshold.verify_share(lie, public_share, message)


@pytest.mark.parametrize(("s", "lied"), [(5, 6), (ORDER - 1, 0)])
def test_a_wrong_signature_share_is_off_by_one_in_s_only(s: int, lied: int) -> None:
    honest = SignatureShare("presig-1", 2, s, p=None, proof=None)  # type: ignore[arg-type]
    assert wrong_signature_share(honest) == SignatureShare("presig-1", 2, lied, p=None, proof=None)  # type: ignore[arg-type]


@pytest.mark.slow
def test_status_names_the_fault_of_a_faulty_network(tmp_path: Path, launcher) -> None:
    info = launcher(tmp_path / "net", 4, faults={2: "wrong_signature_shares"})
    try:
        statuses = {}
        direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback only, never a proxy
        for i, url in enumerate(info.nodes, start=1):
            with direct.open(url + "/status") as resp:
                statuses[i] = json.loads(resp.read())["testFault"]
        assert statuses == {1: None, 2: "wrong_signature_shares", 3: None, 4: None}
        # Only the faulty node was started with the switch.
        switched = {
            p.name for p in read_pids(Path(info.state_dir))
            if ALLOW_TEST_FAULTS_FLAG.encode() in Path(f"/proc/{p.pid}/cmdline").read_bytes().split(b"\0")
        }
        assert switched == {"node2"}
    finally:
        stop_network(info.state_dir)


def test_an_in_process_node_refuses_a_fault_it_was_not_armed_for(tmp_path: Path) -> None:
    from node.service import NodeService
    from tests.security.nodes import node_config

    config = node_config(tmp_path, ["http://127.0.0.1:9"], fault=Fault.STALL_EXECUTE)
    with pytest.raises(BadRequest, match="'stall_execute' is for tests only"):
        NodeService(config)
    assert NodeService(config, allow_test_faults=True).status()["testFault"] == "stall_execute"
