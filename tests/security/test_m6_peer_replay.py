"""M6: a peer envelope is good once, for one recipient, for a minute; invites cannot be replayed.

Before the fix the signature covered only (network id, path, body): an on-path attacker could
replay `/peer/presign/start` to make nodes re-run an old batch (and overwrite its presignatures),
and a peer could start any number of batches at once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

from node.config import NodeConfig, PeerInfo
from node.errors import BadRequest, TooBusy, Unauthorized
from node.peer import PeerTransport, ReplayGuard, open_envelope
from node.presigning import Presigner
from node.sessions import SessionHub
from runtime.crypto.identity import PartyKeys
from runtime.crypto.protocol import Message

NET = "net-m6"
START = 1_700_000_000.0


class Clock:
    def __init__(self, now: float = START) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def _config(keys: dict[int, PartyKeys], index: int) -> NodeConfig:
    peers = [PeerInfo(i, f"http://127.0.0.1:{7100 + i}", k.public.signing_key, k.public.encryption_key) for i, k in keys.items()]
    return NodeConfig(index, "127.0.0.1", 7100 + index, peers, "/tmp/none", "/tmp/none.key", {}, "0x" + "0" * 40)


@pytest.fixture
def keys() -> dict[int, PartyKeys]:
    return {i: PartyKeys.generate() for i in (1, 2, 3, 4)}


def _transport(keys: dict[int, PartyKeys], index: int, clock: Callable[[], float]) -> PeerTransport:
    return PeerTransport(_config(keys, index), NET, keys[index].signing, clock=clock)


def test_an_envelope_opens_once(keys) -> None:
    clock = Clock()
    sender, receiver = _transport(keys, 1, clock), _transport(keys, 2, clock)
    envelope = sender.envelope("/peer/presign/start", {"x": 1}, recipient=2)
    assert receiver.open("/peer/presign/start", envelope) == (1, {"x": 1})
    with pytest.raises(Unauthorized, match="replayed"):
        receiver.open("/peer/presign/start", envelope)
    # A second envelope with the same payload is a new message, not a replay.
    assert receiver.open("/peer/presign/start", sender.envelope("/peer/presign/start", {"x": 1}, recipient=2))[0] == 1


def test_an_envelope_for_another_node_is_refused(keys) -> None:
    clock = Clock()
    sender, node3 = _transport(keys, 1, clock), _transport(keys, 3, clock)
    meant_for_2 = sender.envelope("/peer/message", {"x": 1}, recipient=2)
    with pytest.raises(Unauthorized, match="addressed to node 2, not node 3"):
        node3.open("/peer/message", meant_for_2)
    with pytest.raises(Unauthorized, match="bad signature"):
        node3.open("/peer/message", {**meant_for_2, "to": 3})


@pytest.mark.parametrize("skew", [-61.0, 61.0, -3600.0, 10**9])
def test_a_stale_or_future_envelope_is_refused(keys, skew: float) -> None:
    sender = _transport(keys, 1, Clock(START + skew))
    receiver = _transport(keys, 2, Clock(START))
    with pytest.raises(Unauthorized, match="timestamp"):
        receiver.open("/peer/message", sender.envelope("/peer/message", {"x": 1}, recipient=2))


@pytest.mark.parametrize("skew", [-59.0, 0.0, 59.0])
def test_an_envelope_within_the_window_is_accepted(keys, skew: float) -> None:
    clock = Clock(START)
    receiver = _transport(keys, 2, clock)
    clock.now += 120  # the receiver has been up a while: its start is not the question here
    sender = _transport(keys, 1, Clock(clock.now + skew))
    assert receiver.open("/peer/message", sender.envelope("/peer/message", {"x": 1}, recipient=2))[0] == 1


def test_timestamp_and_nonce_are_signed(keys) -> None:
    clock = Clock()
    sender, receiver = _transport(keys, 1, clock), _transport(keys, 2, clock)
    envelope = sender.envelope("/peer/message", {"x": 1}, recipient=2)
    for field, value in (("ts", envelope["ts"] + 1), ("nonce", "00" * 16)):
        with pytest.raises(Unauthorized, match="bad signature"):
            receiver.open("/peer/message", {**envelope, field: value})


def test_an_envelope_from_before_a_restart_is_refused(keys) -> None:
    clock = Clock()
    sender = _transport(keys, 1, clock)
    envelope = sender.envelope("/peer/presign/start", {"x": 1}, recipient=2)
    assert _transport(keys, 2, clock).open("/peer/presign/start", envelope)[0] == 1
    clock.now += 5
    restarted = _transport(keys, 2, clock)  # its replay cache is empty
    with pytest.raises(Unauthorized, match="before this node started"):
        restarted.open("/peer/presign/start", envelope)


def test_the_replay_cache_is_bounded_per_sender(keys) -> None:
    clock = Clock()
    sender = _transport(keys, 1, clock)
    other = _transport(keys, 3, clock)
    guard = ReplayGuard(window_s=60.0, max_per_sender=3, clock=clock)
    receiver = _config(keys, 2)

    def open_(transport: PeerTransport) -> int:
        envelope = transport.envelope("/peer/message", {}, recipient=2)
        return open_envelope(receiver, NET, "/peer/message", envelope, guard)[0]

    assert [open_(sender) for _ in range(3)] == [1, 1, 1]
    with pytest.raises(Unauthorized, match="too many"):
        open_(sender)
    assert open_(other) == 3  # one noisy peer does not silence the others
    clock.now += 61  # the old nonces can no longer be replayed, so they are forgotten
    assert open_(sender) == 1


def test_malformed_envelope_fields_are_named(keys) -> None:
    clock = Clock()
    envelope = _transport(keys, 1, clock).envelope("/peer/message", {}, recipient=2)
    receiver = _transport(keys, 2, clock)
    for field, value in (("to", "two"), ("ts", "soon"), ("nonce", "x" * 10**6), ("nonce", 7)):
        with pytest.raises(BadRequest, match=f"peer envelope: {field}"):
            receiver.open("/peer/message", {**envelope, field: value})


# ---- presign invites ----------------------------------------------------------------------------


class _Pool:
    """Only what join() reads: which presignatures this node holds."""

    def __init__(self, ids: set[str] = frozenset()) -> None:
        self.ids = set(ids)

    def get(self, presignature_id: str) -> Any:
        return object() if presignature_id in self.ids else None


def _presigner(keys: dict[int, PartyKeys], pool: _Pool) -> tuple[Presigner, asyncio.Event]:
    """Node 2's presigner, whose batches run until the returned event is set."""
    config = _config(keys, 2)
    hub = SessionHub()
    transport = PeerTransport(config, NET, keys[2].signing)

    async def send(peer: int, message: Message) -> None:
        return None

    presigner = Presigner(config, 1, keys[2], None, pool, hub, transport, send)  # type: ignore[arg-type]
    release = asyncio.Event()

    async def run_batch(session: str, initiator: int, committee: list[int], batch_size: int, group: Any = None) -> int:
        await release.wait()
        return 0

    presigner.run_batch = run_batch  # type: ignore[method-assign]
    return presigner, release


def _invite(sender: int, n: int) -> dict[str, Any]:
    return {"session": f"presign-{sender}-{n}-abcd", "committee": [1, 2, 3, 4], "batchSize": 8}


async def test_a_replayed_invite_for_a_running_or_finished_session_is_refused(keys) -> None:
    presigner, release = _presigner(keys, _Pool())
    presigner.join(1, _invite(1, 1))
    with pytest.raises(BadRequest, match="already"):
        presigner.join(1, _invite(1, 1))  # while it runs
    release.set()
    await asyncio.sleep(0.01)
    with pytest.raises(BadRequest, match="already"):
        presigner.join(1, _invite(1, 1))  # after it finished


async def test_an_invite_for_a_batch_in_the_pool_is_refused_after_a_restart(keys) -> None:
    invite = _invite(1, 7)
    presigner, release = _presigner(keys, _Pool({invite["session"] + "/0"}))
    with pytest.raises(BadRequest, match="already"):
        presigner.join(1, invite)
    release.set()


async def test_joined_batches_are_capped_per_peer_and_in_total(keys) -> None:
    presigner, release = _presigner(keys, _Pool())
    accepted = 0
    with pytest.raises(TooBusy, match="node 1"):
        for k in range(100):
            presigner.join(1, _invite(1, k))
            accepted += 1
    assert 1 <= accepted <= 4
    for sender in (3, 4):
        for k in range(accepted):
            try:
                presigner.join(sender, _invite(sender, k))
            except TooBusy:
                break
    assert len(presigner.joined_sessions()) <= 8
    release.set()
    await asyncio.sleep(0.01)
    presigner.join(1, _invite(1, 1000))  # capacity comes back when batches end
    release.set()


async def test_session_queues_are_bounded_and_closed_sessions_stay_closed() -> None:
    hub = SessionHub(max_queued=5)
    queue = hub.open("s1")
    for k in range(50):
        hub.deliver(Message("s1", "presign.deal", 1, None, {"k": k}))
    assert queue.qsize() == 5
    hub.close("s1")
    hub.deliver(Message("s1", "presign.deal", 1, None, {}))
    assert hub.known("s1")
    with pytest.raises(BadRequest, match="s1"):
        hub.open("s1")
