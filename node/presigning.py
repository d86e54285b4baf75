"""Keeping the presignature pool full: this node starts batches, and joins those peers start.

One presigner serves every ECDSA curve: `keep_full` runs once per curve (secp256k1 from start-up,
P-256 from the first P-256 signature, see node/service.py), and an invite names its curve
(`"curve": "p256"`; none is secp256k1, as before). P-256 sessions are "presign-<i>-p256-…".
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections import OrderedDict
from collections.abc import Iterator
from typing import Any

from runtime.crypto.channel import bind, open_sealed, seal
from runtime.crypto.errors import InvalidInput
from runtime.crypto.group import Group
from runtime.crypto.identity import PartyKeys, PeerDirectory
from runtime.crypto.presign import SCHEDULE, PresignParty
from runtime.crypto.presignature import ecdsa_group
from runtime.crypto.secp256k1 import SECP256K1

from .config import NodeConfig
from .errors import BadRequest, TooBusy
from .peer import PeerTransport
from .presign_pool import PresignPool
from .sessions import Send, SessionHub, run_party

__all__ = ["Presigner"]

log = logging.getLogger(__name__)

_MAX_BATCH = 64
# Making presignatures costs CPU that clients would wait for: while requests keep coming, the pool
# is refilled only once it falls below a quarter of its target, otherwise after a 0.3 s lull with
# no client request in flight.
_LOW_WATER = 0.25
_IDLE_BEFORE_REFILL_S = 0.3
_IDLE_POLL_S = 0.1
# An honest initiator runs one batch at a time per curve; the slack covers a batch still ending here
# while its next invite arrives. The total bounds the CPU that all peers together can claim; it too
# is per curve, as every honest peer may be refilling both pools at once (n = 7: 6 peers x 2 curves).
_MAX_JOINED_PER_PEER = 2  # per curve
_MAX_JOINED = 8  # per curve
_REMEMBER_SESSIONS = 4096


class Presigner:
    def __init__(
        self,
        config: NodeConfig,
        t: int,
        identity: PartyKeys,
        directory: PeerDirectory,
        pool: PresignPool,
        hub: SessionHub,
        transport: PeerTransport,
        send: Send,
    ) -> None:
        self._config = config
        self._t = t
        self._last_client_request = float("-inf")
        self._clients_in_flight = 0
        self._identity = identity
        self._directory = directory
        self._pool = pool
        self._hub = hub
        self._transport = transport
        self._send = send
        self._tasks: set[asyncio.Task[None]] = set()
        self._joined: dict[str, tuple[int, str]] = {}  # running joined batches: session -> (initiator, curve)
        self._seen: OrderedDict[str, None] = OrderedDict()  # sessions joined since start, newest last

    async def committee(self, wait_for_all: bool) -> list[int] | None:
        """This node and up to 3t ready peers around the ring: at most 3t+1 members (docs/architecture.md §Presigning).

        None while fewer than 2t+1 nodes are ready, or, with `wait_for_all` (the start-up grace),
        while any peer of the full committee is not ready yet: a committee that lacks a healthy
        node tolerates fewer faults for every presignature it makes."""
        n, me = self._config.n, self._config.index
        ring = [((me - 1 + k) % n) + 1 for k in range(1, n)]
        statuses = await asyncio.gather(*(self._transport.status(i) for i in ring))
        ready = [i for i, s in zip(ring, statuses) if s is not None and s.get("ready")]
        members = sorted([me] + ready[: 3 * self._t])
        if wait_for_all and len(members) < min(n, 3 * self._t + 1):
            return None
        return members if len(members) >= 2 * self._t + 1 else None

    def _party(self, session: str, committee: list[int], batch_size: int, group: Group[Any]) -> PresignParty:
        me = self._config.index

        def seal_to(recipient: int, data: bytes) -> bytes:
            ad = bind(session, me, recipient)
            return seal(self._directory[recipient].encryption_key, data, ad)

        def open_from(sender: int, data: bytes) -> bytes:
            return open_sealed(self._identity, data, bind(session, sender, me))

        return PresignParty(
            session, me, committee, self._t, batch_size,
            seal=seal_to, open_=open_from, identity=self._identity, peers=self._directory, group=group,
        )

    async def run_batch(
        self, session: str, initiator: int, committee: list[int], batch_size: int, group: Group[Any] = SECP256K1
    ) -> int:
        party = self._party(session, committee, batch_size, group)
        timeout = self._config.presign_phase_timeout_s
        # Nine phases (four of them echoes), each of which may run to its deadline once.
        await run_party(party, self._hub, self._send, committee, timeout, total_timeout_s=timeout * (len(SCHEDULE) + 2))
        results = party.results()
        if party.faults:
            log.warning("presign %s: faulty parties %s", session, party.faults)
        if results:
            # Who confirmed the batch is who holds it: a member that fell behind stored nothing.
            holders = {self._config.index} | {m.sender for m in party.confirmations}
            self._pool.add_batch(session, initiator, results, holders)
        return len(results)

    def join(self, sender: int, invite: Any) -> None:
        """A peer asks this node to take part in its batch; validated, then run in the background.

        A session name is run once: an invite for one running, joined before, or whose
        presignatures are in the pool (so also after a restart) is refused, as re-running it would
        overwrite the batch and leave this node's shares inconsistent with the other members'."""
        if not isinstance(invite, dict):
            raise BadRequest("presign invite must be an object")
        session, committee, batch = invite.get("session"), invite.get("committee"), invite.get("batchSize")
        if not isinstance(session, str) or not session.startswith(f"presign-{sender}-") or not session.replace("-", "").isalnum():
            raise BadRequest(f"presign invite: session {session!r} is not in node {sender}'s namespace")
        if not isinstance(committee, list) or not all(isinstance(i, int) for i in committee):
            raise BadRequest("presign invite: committee must be a list of node indices")
        if self._config.index not in committee or sender not in committee:
            raise BadRequest("presign invite: committee must list both the initiator and this node")
        if not isinstance(batch, int) or not 1 <= batch <= _MAX_BATCH:
            raise BadRequest(f"presign invite: batchSize must be 1..{_MAX_BATCH}")
        try:
            group = ecdsa_group(invite.get("curve", SECP256K1.name))
        except InvalidInput as exc:
            raise BadRequest(f"presign invite: {exc}") from None
        if self._already_run(session):
            raise BadRequest(f"presign invite: session {session} has already run on node {self._config.index}")
        on_curve = [initiator for initiator, curve in self._joined.values() if curve == group.name]
        from_sender = on_curve.count(sender)
        if from_sender >= _MAX_JOINED_PER_PEER or len(on_curve) >= _MAX_JOINED:
            raise TooBusy(
                f"presign invite: node {self._config.index} already runs {from_sender} {group.name} batches for node "
                f"{sender} and {len(on_curve)} {group.name} batches in all "
                f"(limits {_MAX_JOINED_PER_PEER} per peer and {_MAX_JOINED} per curve)"
            )
        self._joined[session] = (sender, group.name)
        self._seen[session] = None
        if len(self._seen) > _REMEMBER_SESSIONS:
            self._seen.popitem(last=False)
        task = asyncio.create_task(self._joined_batch(session, sender, list(committee), batch, group))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def joined_sessions(self) -> list[str]:
        """The joined batches running now."""
        return list(self._joined)

    def _already_run(self, session: str) -> bool:
        if session in self._seen or self._hub.known(session):
            return True
        # Presignature ids are "<session>/<k>"; a batch may have dropped some k, so try every one.
        return any(self._pool.get(f"{session}/{k}") is not None for k in range(_MAX_BATCH))

    async def _joined_batch(self, session: str, initiator: int, committee: list[int], batch: int, group: Group[Any]) -> None:
        try:
            await self.run_batch(session, initiator, committee, batch, group)
        except Exception as exc:  # a failed batch costs only time; the pool stays as it was
            log.warning("presign %s (joined) failed: %s", session, exc)
        finally:
            del self._joined[session]

    @contextlib.contextmanager
    def serving_client(self) -> Iterator[None]:
        """Around each client request: background batches wait for a lull (see keep_full)."""
        self._clients_in_flight += 1
        try:
            yield
        finally:
            self._clients_in_flight -= 1
            self._last_client_request = asyncio.get_running_loop().time()

    def _busy_with_clients(self) -> bool:
        quiet_for = asyncio.get_running_loop().time() - self._last_client_request
        return self._clients_in_flight > 0 or quiet_for < _IDLE_BEFORE_REFILL_S

    async def keep_full(
        self, target: int, batch_size: int, startup_grace_s: float = 30.0, group: Group[Any] = SECP256K1
    ) -> None:
        """Forever: when fewer than `target` of this node's presignatures on `group` are leasable, make a batch."""
        counter = 0
        grace_ends = asyncio.get_running_loop().time() + startup_grace_s
        prefix = f"presign-{self._config.index}-" + ("" if group is SECP256K1 else f"{group.name}-")
        while True:
            available = self._pool.available(group.name)
            if available >= target:
                await asyncio.sleep(0.5)
                continue
            if available >= target * _LOW_WATER and self._busy_with_clients():
                await asyncio.sleep(_IDLE_POLL_S)  # refill in a lull, unless the pool runs low
                continue
            committee = await self.committee(wait_for_all=asyncio.get_running_loop().time() < grace_ends)
            if committee is None:
                await asyncio.sleep(1.0)
                continue
            counter += 1
            session = f"{prefix}{counter}-{secrets.token_hex(4)}"
            invite: dict[str, Any] = {"session": session, "committee": committee, "batchSize": batch_size}
            if group is not SECP256K1:
                invite["curve"] = group.name
            await asyncio.gather(
                *(
                    self._transport.post(i, "/peer/presign/start", invite, attempts=1)
                    for i in committee
                    if i != self._config.index
                ),
                return_exceptions=True,
            )
            try:
                made = await self.run_batch(session, self._config.index, committee, batch_size, group)
                log.info("presign %s: %d presignatures", session, made)
            except Exception as exc:
                log.warning("presign %s failed: %s; retrying shortly", session, exc)
                await asyncio.sleep(2.0)
