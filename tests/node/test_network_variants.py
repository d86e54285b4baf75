"""The whole flow on other shapes of network: a real ganache chain, and 7 nodes (t = 2)."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest
from eth_account import Account

from runtime.chain.ganache import ganache_available, start_ganache
from runtime.client import LitClient, NetworkError, NotEnoughShares, create_auth_sig
from runtime.crypto.hd import eth_address
from runtime.network.launcher import stop_network
from tests.oracles import needs_oracle

pytestmark = pytest.mark.slow

SIGN = Path(__file__).resolve().parents[2] / "actions_examples" / "sign_message.js"


def _recover(sig: dict) -> str:
    return Account._recover_hash(bytes.fromhex(sig["dataSigned"][2:]), signature=bytes.fromhex(sig["signature"][2:]))


async def _permitted_sign_action(client: LitClient, owner_key: str, message: str):
    """A fresh PKP that permits sign_message.js: (cid, pkp, jsParams)."""
    pkp = await client.mint_pkp(owner_key)
    cid = await client.upload_action(SIGN.read_text())
    await client.permit_action(owner_key, pkp.token_id, cid)
    return cid, pkp, {"publicKey": "0x" + pkp.pubkey.hex(), "message": message}


async def _sign_flow(state_dir: str, owner_key: str, chain_id: int) -> None:
    async with await LitClient.connect(state_dir) as client:
        cid = await client.upload_action(SIGN.read_text())
        pkp = await client.mint_pkp(owner_key)
        await client.permit_action(owner_key, pkp.token_id, cid)
        result = await client.execute_js(ipfs_id=cid, js_params={"publicKey": "0x" + pkp.pubkey.hex(), "message": "x"})
        assert _recover(result.signatures["sig1"]) == eth_address(pkp.pubkey)
        # The nodes take only SIWE messages for their chain, which here is ganache's.
        auth = create_auth_sig(owner_key, chain_id=chain_id)
        direct = await client.pkp_sign("0x" + pkp.pubkey.hex(), os.urandom(32), auth)
        assert _recover(direct) == eth_address(pkp.pubkey)


@needs_oracle(ganache_available())
def test_whole_flow_against_ganache(tmp_path, launcher, owner_key):
    async def start():
        return await start_ganache(host="127.0.0.1")

    loop = asyncio.new_event_loop()
    ganache = loop.run_until_complete(start())
    try:
        info = launcher(tmp_path / "net", 4, chain_rpc=ganache.url)
        try:
            asyncio.run(_sign_flow(info.state_dir, owner_key, info.chain_id))
        finally:
            stop_network(info.state_dir)
    finally:
        loop.run_until_complete(ganache.stop())
        loop.close()


def test_seven_nodes_sign_with_one_down_and_one_lying(tmp_path, launcher, owner_key):
    info = launcher(tmp_path / "net7", 7, faults={5: "wrong_signature_shares"})
    try:
        assert (info.n, info.t, info.threshold) == (7, 2, 5)
        from runtime.network.processes import read_pids
        import signal

        victim = next(p for p in read_pids(Path(info.state_dir)) if p.name == "node2")
        os.killpg(victim.pid, signal.SIGKILL)

        async def flow():
            # A long straggler grace: the liar must be heard even when it answers after the quorum.
            async with await LitClient.connect(info.state_dir, straggler_grace_s=30) as client:
                cid, pkp, params = await _permitted_sign_action(client, owner_key, "seven")
                # A presignature whose committee formed while a node was starting may lack the
                # liar, or have too few honest members left: try a few until one includes the liar.
                # What must hold: a verified signature, the liar named, the dead node reported.
                failures = []

                async def attempt(sign):
                    for _ in range(10):
                        try:
                            sig, errors = await sign()
                        except (NotEnoughShares, NetworkError) as exc:  # e.g. members that missed the batch
                            failures.append(str(exc))
                            continue
                        assert _recover(sig) == eth_address(pkp.pubkey) and 2 in errors
                        if 5 in sig["committee"]:
                            return sig, errors
                        await asyncio.sleep(1)
                    raise AssertionError(f"no signature from a committee with node 5; failures: {failures}")

                async def direct():
                    sig = await client.pkp_sign("0x" + pkp.pubkey.hex(), os.urandom(32), create_auth_sig(owner_key))
                    return sig, sig["errors"]

                async def action():
                    result = await client.execute_js(ipfs_id=cid, js_params=params)
                    return result.signatures["sig1"], result.errors

                for sign in (direct, action):
                    sig, errors = await attempt(sign)
                    assert sig["badNodes"] == [5] and 5 in errors, (sig, errors)

        asyncio.run(flow())
    finally:
        stop_network(info.state_dir)


def test_execute_returns_at_quorum_without_waiting_for_a_hung_node(tmp_path, launcher, owner_key):
    """Node 4 runs the action but never answers: execute_js returns from the other three, well
    before its hour-long stall or the client's timeout, and reports node 4 as not having answered."""
    info = launcher(tmp_path / "net", 4, faults={4: "stall_execute"})
    try:

        async def flow():
            async with await LitClient.connect(info.state_dir, timeout_s=600) as client:
                cid, pkp, params = await _permitted_sign_action(client, owner_key, "quorum")
                result = await asyncio.wait_for(client.execute_js(ipfs_id=cid, js_params=params), 300)
                assert _recover(result.signatures["sig1"]) == eth_address(pkp.pubkey)
                assert "had not answered" in result.errors[4]

        asyncio.run(flow())
    finally:
        stop_network(info.state_dir)
