"""M1: presignatures cannot be leased, stolen or drained by strangers.

Before, any client could POST /presign/lease (no credential) to hold every pool, and sign with any
presignature id it knew (ids were predictable within a batch). Now clients never name presignatures:
a request's coordinator assigns one per signature, only after the node has checked that the signer
may use the PKP, and the certificate binds it to that request.
"""

from __future__ import annotations

import asyncio
import json
import os
import urllib.error
import urllib.request

import pytest

import node.agreement
from runtime.client import LitClient, NotPermitted, create_auth_sig
from runtime.crypto.agreement import AgreementRound
from runtime.crypto.errors import InvalidInput
from tests.crypto.harness import Harness
from tests.crypto.signing import accept, directory
from tests.crypto.test_presign import make_parties
from tests.security.nodes import node_service
from tests.security.test_c1_split_presignature import Split

pytestmark = pytest.mark.slow


def _post(url: str, body: dict) -> tuple[int, dict]:
    request = urllib.request.Request(url, json.dumps(body).encode(), {"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request) as resp:
            return resp.status, json.load(resp)
    except urllib.error.HTTPError as exc:
        body = exc.read()
        return exc.code, json.loads(body) if body.startswith(b"{") else {"text": body.decode()}


def _used(network) -> int:
    return sum(json.load(urllib.request.urlopen(u + "/status"))["presignatures"]["used"] for u in network.nodes)


async def test_there_is_no_lease_endpoint_and_peer_routes_need_a_peer(network):
    status, _ = await asyncio.to_thread(_post, network.nodes[0] + "/presign/lease", {"count": 16})
    assert status == 404
    for path in ("/peer/sign/assign", "/peer/sign/accept"):
        status, answer = await asyncio.to_thread(_post, network.nodes[0] + path, {"requestId": "r", "slot": "sig"})
        assert status in (400, 401), (path, answer)


async def test_a_stranger_spends_no_presignature(network, owner_key, stranger_key):
    async with await LitClient.connect(network.state_dir) as client:
        pkp = await client.mint_pkp(owner_key)
        before = _used(network)
        for _ in range(3):
            with pytest.raises(NotPermitted):
                await client.pkp_sign("0x" + pkp.pubkey.hex(), os.urandom(32), create_auth_sig(stranger_key))
        # Naming presignature ids (the old lease field) changes nothing: the nodes ignore it.
        sig = await client.pkp_sign("0x" + pkp.pubkey.hex(), os.urandom(32), create_auth_sig(owner_key))
        assert sig["presignatureId"]
    # Refusals happen before any assignment: only the owner's one signature used a presignature
    # (once at each of the nodes that signed).
    assert _used(network) - before <= len(network.nodes)


def test_an_assigned_presignature_cannot_be_taken_by_another_request() -> None:
    split = Split(4, 1, seed=21)
    round_ = AgreementRound(split.public, directory(range(1, 5)), "the-leasing-request")
    with pytest.raises(InvalidInput, match="another request"):
        round_.add(accept(split.public, split.record(b"\x07" * 32), 2, "someone-elses-request"))


async def test_an_assignment_nobody_accepts_goes_back_to_the_pool(tmp_path, monkeypatch) -> None:
    """A request that fails after its presignature was assigned (an action that throws, a member
    that dies) must not keep it: no member recorded a use, so the coordinator may assign it again."""
    monkeypatch.setattr(node.agreement, "AGREEMENT_TIMEOUT_S", 0.05)
    service = node_service(tmp_path, [f"http://127.0.0.1:{9100 + i}" for i in range(1, 5)])
    parties = make_parties(4, 1, 2, seed=31, session="presign-1-1-m1")
    Harness(parties).run()
    service.pool.add_batch("presign-1-1-m1", 1, parties[0].results())
    first = await service.agreement.assign("request-a", "sig")
    assert service.pool.available() == 1
    await asyncio.sleep(0.2)
    assert service.pool.available() == 2  # released: nobody accepted it
    again = await service.agreement.assign("request-b", "sig")
    ids = {p.id for p in parties[0].results()}
    assert first in ids and again in ids
