"""A node killed mid-life and restarted never signs with a FROST nonce twice: its usage log
survives the kill, the restarted pool offers none of the nonces it used, and it signs again."""

from __future__ import annotations

import asyncio
import json
import os
import signal
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from nacl.signing import VerifyKey

from node.config import NodeConfig
from runtime.client import LitClient
from runtime.network.processes import ManagedProcess, python_cmd, read_pids, spawn, wait_http

pytestmark = pytest.mark.slow

CODE = """(async () => {
  const out = await Lit.Actions.signAsAction({toSign, sigName: 's', signingScheme: 'SchnorrEd25519Sha512'});
  Lit.Actions.setResponse({response: out});
})();"""


def _uses(state_dir: Path) -> list[str]:
    """The nonce ids in a node's FROST usage log, in order."""
    log = state_dir / "frost-usage.log"
    return [json.loads(line)["id"] for line in log.read_text().splitlines() if line.strip()]


async def _sign(client: LitClient, cid: str, message: bytes) -> dict:
    result = await client.execute_js(ipfs_id=cid, js_params={"toSign": list(message)}, coordinator=1)
    output = result.response
    _, signature = json.loads(output["signature"])
    _, key = json.loads(output["verifying_key"])
    VerifyKey(bytes.fromhex(key)).verify(message, bytes.fromhex(signature))
    return result.signatures["s"]


async def kill_node(root: Path, name: str) -> ManagedProcess:
    """Kill node `name` of the network in `root` (SIGKILL: no clean shutdown); back once its port
    refuses connections, so a request sent next finds it dead."""
    victim = next(p for p in read_pids(root) if p.name == name)
    os.killpg(victim.pid, signal.SIGKILL)
    url = urlsplit(victim.url)
    for _ in range(200):
        try:
            _, writer = await asyncio.open_connection(url.hostname, url.port)
        except OSError:
            return victim
        writer.close()
        await asyncio.sleep(0.05)
    raise AssertionError(f"{name} still accepts connections 10 s after SIGKILL")


async def start_node(root: Path, victim: ManagedProcess) -> dict:
    """Start a killed node again from its state directory; its status once it says it is ready."""
    config = str(root / victim.name / "config.json")
    restarted = spawn(root, victim.name, python_cmd("-m", "node", "serve", "--config", config), victim.url)
    return await wait_http(restarted, "/status", 60, ready=lambda s: s.get("ready"))


async def restart_node(root: Path, name: str) -> None:
    """Kill node `name` and start it again (kill_node, start_node)."""
    await start_node(root, await kill_node(root, name))


async def test_a_restarted_node_never_reuses_a_frost_nonce(network):
    root = Path(network.state_dir)  # this module's own network: node 3 is killed here
    state = Path(NodeConfig.load(root / "node3" / "config.json").state_dir)
    async with await LitClient.connect(root) as client:
        cid = await client.upload_action(CODE)
        for _ in range(3):
            assert 3 in (await _sign(client, cid, os.urandom(32)))["signingSet"]
        before = _uses(state)
        assert len(before) == 3 and len(set(before)) == 3

        await restart_node(root, "node3")

        for _ in range(3):
            assert 3 in (await _sign(client, cid, os.urandom(32)))["signingSet"]
        after = _uses(state)
        assert after[:3] == before  # nothing it recorded was lost
        assert len(after) == 6 and len(set(after)) == 6  # and no nonce signed twice
