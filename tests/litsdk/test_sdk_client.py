"""Lit's own JavaScript SDK (@lit-protocol/lit-node-client 7.4.0, pinned in package-lock.json) against a
fresh 4-node network: tests/litsdk/sdk_client.mjs runs it in Node.js, loopback only, and what it returns
is checked here with independent Python libraries (eth_account)."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from eth_account import Account

from runtime.chain.accounts import dev_accounts
from runtime.chain.pkp import MintedPkp
from runtime.client import LitClient
from runtime.crypto.hd import eth_address
from runtime.network.launcher import NetworkInfo, stop_network
from runtime.network.lit_sdk import LIT_SDK_FILE, connect_snippet
from tests.node.conftest import launch
from tests.oracles import require_oracle

pytestmark = pytest.mark.slow

ROOT = Path(__file__).parents[2]
SCRIPT = Path(__file__).with_name("sdk_client.mjs")
GUARD = Path(__file__).with_name("loopback_guard.mjs")
SDK = ROOT / "node_modules" / "@lit-protocol" / "lit-node-client"
IPFS_ACTION = 'Lit.Actions.setResponse({ response: "ran for " + who });'
ALL_STEPS = ["connect", "hdKey", "sessionSigs", "executeJsSign", "executeJsResponse", "executeJsIpfs", "executeJsThrows", "pkpSign", "encryptDecrypt"]


def _node(args: list[str]) -> dict[str, Any]:
    """Run node in the repository (where node_modules is); the JSON of its last stdout line."""
    # No proxy and no preloaded code: the script's own guard sees every connection.
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower() and k != "NODE_OPTIONS"}
    proc = subprocess.run(["node", *args], capture_output=True, text=True, env=env, cwd=ROOT, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def run_sdk(request: dict[str, Any], tmp: Path) -> dict[str, Any]:
    """One run of the SDK script; its stdout's JSON."""
    path = tmp / "sdk-request.json"
    path.write_text(json.dumps(request))
    return _node([str(SCRIPT), str(path)])


@pytest.fixture(scope="module")
def sdk_network(tmp_path_factory) -> Iterator[tuple[NetworkInfo, dict[str, Any]]]:
    require_oracle(shutil.which("node") is not None and (SDK / "package.json").exists(),
                   "node or node_modules/@lit-protocol/lit-node-client missing (run scripts/setup.sh)")
    root = tmp_path_factory.mktemp("litsdk")
    info = launch(root, 4)
    try:
        owner, stranger = dev_accounts(count=3)[1:3]

        async def prepare() -> tuple[MintedPkp, str]:
            async with await LitClient.connect(info.state_dir) as client:
                return await client.mint_pkp(owner.private_key), await client.upload_action(IPFS_ACTION)

        pkp, cid = asyncio.run(prepare())
        pubkey = pkp.pubkey
        request = {
            "litSdk": str(root / LIT_SDK_FILE), "walletKey": owner.private_key, "strangerKey": stranger.private_key,
            "pkpPublicKey": "0x" + pubkey.hex(), "pkpKeyId": pkp.key_id.hex(),
            "ipfsId": cid, "ipfsCode": IPFS_ACTION, "steps": ALL_STEPS,
        }
        results = run_sdk(request, root)
        if "error" not in results:  # figures only (shown with -s); nothing is asserted on time
            print(
                f"\nLit SDK on a 4-node network: connect {results['connect']['ms']} ms, executeJs with signEcdsa "
                f"{results['executeJsSign']['ms']} ms, pkpSign {results['pkpSign']['ms']} ms, "
                f"decrypt {results['encryptDecrypt']['decryptMs']} ms"
            )
        yield info, {"request": request, "pkp": pubkey, "owner": owner.address, "cid": cid, "results": results}
    finally:
        stop_network(root)


def _results(sdk_network: tuple[NetworkInfo, dict[str, Any]], step: str) -> dict[str, Any]:
    results = sdk_network[1]["results"]
    assert "error" not in results, results["error"]
    return results[step]


def test_connect_finds_every_node_through_the_staking_contract(sdk_network):
    info, _ = sdk_network
    connect = _results(sdk_network, "connect")
    assert connect["ready"] is True
    assert connect["connectedNodes"] == sorted(info.nodes)
    assert connect["minNodeCount"] == info.threshold == 3
    assert connect["subnetPubKey"] == info.public["blsPublicKey"].removeprefix("0x")
    block = json.load(urllib.request.urlopen(info.nodes[0] + "/get_most_recent_valid_block"))
    assert connect["latestBlockhash"].startswith("0x") and len(block["blockhash"]) == 66


def test_the_sdks_hd_derivation_from_the_handshake_gives_the_pkp(sdk_network):
    assert _results(sdk_network, "hdKey")["publicKey"] == sdk_network[1]["pkp"].hex()


def test_session_sigs_for_every_node(sdk_network):
    info, _ = sdk_network
    assert _results(sdk_network, "sessionSigs")["nodes"] == sorted(info.nodes)


def _assert_signed_by_pkp(sdk_network: tuple[NetworkInfo, dict[str, Any]], step: str) -> None:
    sig = _results(sdk_network, step)
    address = eth_address(sdk_network[1]["pkp"])
    assert sig["recovered"] == address  # by ethers, in the script
    # Checked again without ethers: eth_account recovers the 65-byte signature over the digest.
    assert Account._recover_hash(bytes.fromhex(sig["digest"][2:]), signature=bytes.fromhex(sig["signature"][2:])) == address


def test_execute_js_sign_ecdsa_recovers_to_the_pkp(sdk_network):
    _assert_signed_by_pkp(sdk_network, "executeJsSign")


def test_execute_js_response_and_logs(sdk_network):
    res = _results(sdk_network, "executeJsResponse")
    assert json.loads(res["response"]) == {"who": "litrt", "sum": 42}
    assert res["logs"] == "hello from litrt\n"
    assert not res.get("signatures")


def test_execute_js_by_ipfs_id_under_a_session_for_that_action_only(sdk_network):
    res = _results(sdk_network, "executeJsIpfs")
    assert res["sdkCid"] == sdk_network[1]["cid"]
    assert (res["byCid"], res["byCode"]) == ("ran for ipfs", "ran for code")
    assert res["other"]["errorCode"] == "not_permitted" and "lit-litaction://" in res["other"]["message"]


def test_execute_js_that_throws_reaches_the_sdk_as_the_actions_error(sdk_network):
    res = _results(sdk_network, "executeJsThrows")
    assert res["errorCode"] == "js_error" and "Error: no luck for litrt" in res["message"]


def test_pkp_sign_recovers_to_the_pkp(sdk_network):
    _assert_signed_by_pkp(sdk_network, "pkpSign")


def test_encrypt_decrypt_under_an_evm_basic_condition(sdk_network):
    res = _results(sdk_network, "encryptDecrypt")
    assert res["decrypted"] == res["plaintext"]
    assert res["refusal"] is not None and "access control conditions not met" in res["refusal"]["message"]


def test_nothing_leaves_loopback(sdk_network):
    results = sdk_network[1]["results"]
    assert len(results["guard"]) >= 2  # the guard caught its own self-test
    assert results["outside"] == []


def _post(url: str, body: Any, headers: dict[str, str] | None = None, method: str = "POST") -> tuple[int, dict[str, str], Any]:
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(req) as resp:
            raw = resp.read()
            return resp.status, dict(resp.headers), json.loads(raw) if raw else None
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), json.loads(exc.read())


def test_handshake_with_and_without_slash_and_cors(sdk_network):
    info, _ = sdk_network
    hello = {"clientPublicKey": "test", "challenge": "ab" * 32, "epoch": 2}
    answers = [_post(info.nodes[1] + path, hello, {"X-Request-Id": "lit_1"}) for path in ("/web/handshake/", "/web/handshake")]
    assert [status for status, _, _ in answers] == [200, 200]
    body = answers[0][2]
    assert body["subnetPublicKey"] == body["networkPublicKey"] == info.public["blsPublicKey"].removeprefix("0x")
    assert len(body["subnetPublicKey"]) == 96 and body["attestation"] is None
    status, headers, _ = _post(
        info.nodes[1] + "/web/execute/v1", None, {"Origin": "http://app.example", "Access-Control-Request-Method": "POST"}, "OPTIONS"
    )
    assert status == 204 and headers["Access-Control-Allow-Origin"] == "http://app.example"
    assert headers["Access-Control-Allow-Credentials"] == "true"


def test_errors_in_lits_shape_and_our_own_routes_unchanged(sdk_network):
    info, _ = sdk_network
    status, _, body = _post(info.nodes[0] + "/web/execute/v1", {"code": "", "authSig": {}})
    assert status == 400 and body["errorCode"] == "bad_request" and "X-Request-Id" in body["message"]
    # Our own client's decryption route still wants its sealed-share fields.
    status, _, body = _post(info.nodes[0] + "/web/encryption/sign", {"authSig": {}})
    assert status == 400 and "errorCode" not in body


def test_blockhash_is_the_chains_latest(sdk_network):
    info, _ = sdk_network
    block = json.load(urllib.request.urlopen(info.nodes[2] + "/get_most_recent_valid_block"))
    chain = _post(info.chain_url, {"jsonrpc": "2.0", "id": 1, "method": "eth_getBlockByNumber", "params": ["latest", False]})[2]
    assert block == {"blockhash": chain["result"]["hash"], "timestamp": str(int(chain["result"]["timestamp"], 16))}


def test_the_snippet_litrt_up_prints_connects(sdk_network):
    info, _ = sdk_network
    code = "\n".join([
        f"import {{ outside, guardSelfTest }} from {json.dumps(GUARD.as_uri())};",
        connect_snippet(info.state_dir),
        "const seen = [...outside];",
        "const caught = await guardSelfTest();",
        "console.log(JSON.stringify({ ready: client.ready, nodes: [...client.connectedNodes].sort(), seen, caught }));",
        "await client.disconnect();",
    ])
    result = _node(["--input-type=module", "-e", code])
    assert result["ready"] is True and result["nodes"] == sorted(info.nodes)
    assert result["seen"] == [] and len(result["caught"]) >= 2
