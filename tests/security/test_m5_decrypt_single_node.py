"""M5: a decryption share for `decryptToSingleNode` goes only to the node elected for that request.

Before the fix a peer answered any node that named an active request and its action, and the ask
did not say which operation it was for: any peer could collect 2t+1 shares of a secret meant to be
decrypted by one node only. Now the answering node recomputes the election, and answers only for
an operation (and ciphertext) its own run of the action also asked for.

Unit level: the handler runs against a node-shaped stub; the BLS share and the chain reads are
replaced, as what is under test is who gets an answer.
"""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any

import pytest

import node.access_ops as access_ops
from node.access_ops import AccessOps, elected_node, handle_peer_decryption_share
from node.errors import BadRequest, NotPermitted
from sandbox import OpContext

N = 4
REQUEST_ID = "req-m5-0001"
ACTION = "QmActionThatDecryptsForOneNode"
DATA_HASH = "ab" * 32
OTHER_HASH = "cd" * 32
CONDITIONS = [{
    "contractAddress": "", "standardContractType": "", "chain": "local", "method": "",
    "parameters": [":currentActionIpfsId"], "returnValueTest": {"comparator": "=", "value": ACTION},
}]


class _Request:
    """The parts of node.host.RequestContext the access operations read."""

    def __init__(self) -> None:
        self.request_id = REQUEST_ID
        self.auth_sig = None
        self.action_cids = {ACTION}


class _Host(AccessOps):
    def __init__(self, service: Any, request: _Request) -> None:
        self._service = service
        self._request = request
        self.action_cid = ACTION


def _service(index: int, request: _Request) -> Any:
    return SimpleNamespace(
        config=SimpleNamespace(index=index, n=N),
        active_requests={REQUEST_ID: request},
        directory={i: SimpleNamespace(encryption_key=f"key-of-{i}") for i in range(1, N + 1)},
    )


@pytest.fixture(autouse=True)
def _no_keys_or_chain(monkeypatch) -> None:
    async def conditions_hold(*args: Any) -> None:
        return None

    share = SimpleNamespace(to_json=lambda: {"index": 0})
    monkeypatch.setattr(access_ops, "require_conditions", conditions_hold)
    monkeypatch.setattr(access_ops, "decryption_share", lambda *args: (b"identity", share))
    monkeypatch.setattr(access_ops, "seal", lambda key, data, ad: f"sealed to {key}".encode())
    monkeypatch.setattr(access_ops, "_REQUEST_WAIT_S", 0.3)


def _ask(op: str | None, data_hash: str = DATA_HASH) -> dict[str, Any]:
    ask = {"accessControlConditions": CONDITIONS, "dataToEncryptHash": data_hash, "authSig": None,
           "requestId": REQUEST_ID, "actionCid": ACTION}
    return ask if op is None else {**ask, "op": op}


async def _responder_that_ran_single_node() -> tuple[Any, int]:
    """A node that is not elected and whose own run of the action called decryptToSingleNode."""
    elected = elected_node(REQUEST_ID, N)
    index = next(i for i in range(1, N + 1) if i != elected)
    request = _Request()
    service = _service(index, request)
    args = {"accessControlConditions": CONDITIONS, "ciphertext": "", "dataToEncryptHash": DATA_HASH}
    assert await _Host(service, request).op_decryptToSingleNode(args, OpContext()) is None
    return service, elected


async def test_a_peer_that_is_not_elected_gets_no_share() -> None:
    service, elected = await _responder_that_ran_single_node()
    thief = next(i for i in range(1, N + 1) if i not in (elected, service.config.index))
    with pytest.raises(NotPermitted, match=f"node {elected}"):
        await handle_peer_decryption_share(service, thief, _ask("decryptToSingleNode"))


async def test_the_elected_node_gets_its_share() -> None:
    service, elected = await _responder_that_ran_single_node()
    answer = await handle_peer_decryption_share(service, elected, _ask("decryptToSingleNode"))
    assert answer == {"sealed": f"sealed to key-of-{elected}".encode().hex()}


async def test_an_ask_that_does_not_name_its_operation_is_refused() -> None:
    service, elected = await _responder_that_ran_single_node()
    for op in (None, "decrypt", 7):
        with pytest.raises(BadRequest, match="op must be"):
            await handle_peer_decryption_share(service, elected, _ask(op))  # type: ignore[arg-type]


async def test_claiming_decrypt_and_combine_does_not_bypass_the_election() -> None:
    service, elected = await _responder_that_ran_single_node()
    thief = next(i for i in range(1, N + 1) if i not in (elected, service.config.index))
    with pytest.raises(NotPermitted, match="decryptAndCombine"):
        await handle_peer_decryption_share(service, thief, _ask("decryptAndCombine"))


async def test_the_elected_node_gets_no_share_for_another_ciphertext() -> None:
    service, elected = await _responder_that_ran_single_node()
    with pytest.raises(NotPermitted, match=OTHER_HASH):
        await handle_peer_decryption_share(service, elected, _ask("decryptToSingleNode", OTHER_HASH))


async def test_a_share_waits_for_this_nodes_own_run_to_reach_the_operation() -> None:
    elected = elected_node(REQUEST_ID, N)
    index = next(i for i in range(1, N + 1) if i != elected)
    request = _Request()
    service = _service(index, request)
    pending = asyncio.create_task(handle_peer_decryption_share(service, elected, _ask("decryptToSingleNode")))
    await asyncio.sleep(0.05)
    assert not pending.done()
    args = {"accessControlConditions": CONDITIONS, "ciphertext": "", "dataToEncryptHash": DATA_HASH}
    await _Host(service, request).op_decryptToSingleNode(args, OpContext())
    assert "sealed" in await pending


def test_every_node_elects_the_same_node_and_elections_spread() -> None:
    chosen = {elected_node(f"request-{k}", N) for k in range(200)}
    assert chosen == set(range(1, N + 1))
