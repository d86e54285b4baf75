"""A 4-node network of separate processes: PKP signing, a node that dies, a node that lies."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import urllib.request
from pathlib import Path

import pytest
from eth_account import Account

from runtime.client import LitClient, NotPermitted, create_auth_sig
from runtime.crypto.hd import eth_address
from runtime.network.processes import python_cmd, read_pids, spawn, wait_http


pytestmark = pytest.mark.slow


def _recover(sig: dict) -> str:
    return Account._recover_hash(bytes.fromhex(sig["dataSigned"][2:]), signature=bytes.fromhex(sig["signature"][2:]))


async def test_dkg_published_the_same_keys_everywhere(network):
    statuses = [json.load(urllib.request.urlopen(u + "/status")) for u in network.nodes]
    assert all(s["ready"] for s in statuses)
    assert len({json.dumps(s["network"], sort_keys=True) for s in statuses}) == 1
    assert statuses[0]["network"]["threshold"] == 3 and len(statuses[0]["network"]["ecdsaRootKeys"]) == 10


async def test_owner_signs_with_a_fresh_pkp_and_a_stranger_is_refused(network, owner_key, stranger_key):
    async with await LitClient.connect(network.state_dir) as client:
        pkp = await client.mint_pkp(owner_key)
        digest = os.urandom(32)
        sig = await client.pkp_sign("0x" + pkp.pubkey.hex(), digest, create_auth_sig(owner_key))
        assert _recover(sig) == eth_address(pkp.pubkey) == sig["address"]
        assert int(sig["s"], 16) <= 0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0
        with pytest.raises(NotPermitted, match="neither the owner nor permitted"):
            await client.pkp_sign("0x" + pkp.pubkey.hex(), os.urandom(32), create_auth_sig(stranger_key))
        # A permitted address may sign too.
        await client.permit_address(owner_key, pkp.token_id, Account.from_key(stranger_key).address)
        sig = await client.pkp_sign("0x" + pkp.pubkey.hex(), digest, create_auth_sig(stranger_key))
        assert _recover(sig) == eth_address(pkp.pubkey)


async def test_killed_node_is_tolerated_and_restarts_without_reusing(network, owner_key):
    root = Path(network.state_dir)
    victim = next(p for p in read_pids(root) if p.name == "node3")
    async with await LitClient.connect(network.state_dir) as client:
        pkp = await client.mint_pkp(owner_key)
        pub = "0x" + pkp.pubkey.hex()
        auth = create_auth_sig(owner_key)
        used = {(await client.pkp_sign(pub, os.urandom(32), auth, coordinator=3))["presignatureId"] for _ in range(3)}
        os.killpg(victim.pid, signal.SIGKILL)
        await asyncio.sleep(0.5)
        sig = await client.pkp_sign(pub, os.urandom(32), auth, coordinator=1)
        assert _recover(sig) == eth_address(pkp.pubkey)
        assert 3 in sig["errors"]  # the dead node is reported, by its index

        restarted = spawn(root, "node3", python_cmd("-m", "node", "serve", "--config", str(root / "node3" / "config.json")), victim.url)
        status = await wait_http(restarted, "/status", 60, ready=lambda s: s.get("ready"))
        assert status["network"] == client.network.public  # keys reloaded from its sealed store, no new DKG
        assert status["presignatures"]["used"] >= 3  # its usage log survived the kill
        # The restarted coordinator hands out none of the presignatures it used before.
        again = {(await client.pkp_sign(pub, os.urandom(32), auth, coordinator=3))["presignatureId"] for _ in range(3)}
        assert not again & used


async def test_a_lying_node_is_outvoted_and_named(liar_network, owner_key):
    # The grace lets the liar be heard even when its answer comes after the quorum's.
    async with await LitClient.connect(liar_network.state_dir, straggler_grace_s=30) as client:
        pkp = await client.mint_pkp(owner_key)
        sig = await client.pkp_sign("0x" + pkp.pubkey.hex(), os.urandom(32), create_auth_sig(owner_key))
        assert _recover(sig) == eth_address(pkp.pubkey)
        assert sig["badNodes"] == [2]
        assert "invalid signature share" in sig["errors"][2]


def test_sync_client_signs_from_a_plain_script(network, owner_key):
    from runtime.client import SyncLitClient

    with SyncLitClient(network.state_dir) as client:
        pkp = client.mint_pkp(owner_key)
        sig = client.pkp_sign("0x" + pkp.pubkey.hex(), os.urandom(32), create_auth_sig(owner_key))
        assert _recover(sig) == eth_address(pkp.pubkey)
        assert client.network.n == 4  # plain attributes pass through
