"""Carries protocol messages between this node's parties and its peers.

The protocols themselves (DKG, presigning) are pure state machines in runtime.crypto; this module
is their board: it routes each incoming `Message` to the party of its session, buffers messages
that arrive before the local party exists (a peer may start a session a moment earlier), sends what
a party returns, and calls `advance()` when a phase's deadline passes.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Collection

from runtime.crypto.errors import CryptoError
from runtime.crypto.protocol import Message, Party

from .errors import BadRequest

__all__ = ["SessionHub", "run_party"]

log = logging.getLogger(__name__)

_MAX_EARLY_SESSIONS = 256
_MAX_EARLY_MESSAGES = 4096
# A party reads its queue as fast as it can check messages; a full queue means a peer is flooding.
_MAX_QUEUED = 4096
_REMEMBER_CLOSED = 4096

Send = Callable[[int, Message], Awaitable[None]]


class SessionHub:
    """Per-session message queues, bounded; a session name is opened at most once."""

    def __init__(self, max_queued: int = _MAX_QUEUED, remember_closed: int = _REMEMBER_CLOSED) -> None:
        self._max_queued = max_queued
        self._remember = remember_closed
        self._queues: dict[str, asyncio.Queue[Message]] = {}
        self._early: dict[str, list[Message]] = {}
        self._closed: OrderedDict[str, None] = OrderedDict()

    def known(self, session: str) -> bool:
        """Whether `session` is running here, or ended recently enough to be remembered."""
        return session in self._queues or session in self._closed

    def open(self, session: str) -> asyncio.Queue[Message]:
        if self.known(session):
            raise BadRequest(f"session {session!r} has already run on this node; a session name is used once")
        queue: asyncio.Queue[Message] = asyncio.Queue(self._max_queued)
        for message in self._early.pop(session, [])[: self._max_queued]:
            queue.put_nowait(message)
        self._queues[session] = queue
        return queue

    def close(self, session: str) -> None:
        if self._queues.pop(session, None) is None:
            return
        self._closed[session] = None
        if len(self._closed) > self._remember:
            self._closed.popitem(last=False)

    def deliver(self, message: Message) -> None:
        queue = self._queues.get(message.session)
        if queue is not None:
            if queue.full():
                log.warning("session %s: queue full, dropping a message from %s", message.session, message.sender)
            else:
                queue.put_nowait(message)
            return
        if message.session in self._closed:
            return  # a straggler for a finished session
        # Bounded, so a peer cannot fill our memory with sessions that never start.
        known = message.session in self._early
        buffered = self._early.get(message.session, [])
        if (not known and len(self._early) >= _MAX_EARLY_SESSIONS) or len(buffered) >= _MAX_EARLY_MESSAGES:
            log.warning("dropping early message for session %s from %s", message.session, message.sender)
            return
        self._early[message.session] = buffered
        buffered.append(message)


async def run_party(
    party: Party,
    hub: SessionHub,
    send: Send,
    participants: Collection[int],
    phase_timeout_s: float,
    total_timeout_s: float | None = None,
) -> Party:
    """Drive `party` until it is done. `send(peer, message)` carries one message to one peer."""
    loop = asyncio.get_running_loop()
    queue = hub.open(party.session)
    others = [i for i in participants if i != party.index]

    async def dispatch(messages: list[Message]) -> None:
        sends: list[Awaitable[None]] = []
        for m in messages:
            targets = others if m.recipient is None else [m.recipient]
            sends.extend(send(target, m) for target in targets if target != party.index)
        results = await asyncio.gather(*sends, return_exceptions=True)
        for result in results:
            if isinstance(result, BaseException):
                log.warning("session %s: send failed: %s", party.session, result)

    try:
        await dispatch(party.start())
        started = loop.time()
        phase, deadline = party.phase, loop.time() + phase_timeout_s
        while not party.done:
            if total_timeout_s is not None and loop.time() - started > total_timeout_s:
                raise TimeoutError(f"session {party.session} did not finish in {total_timeout_s:.0f}s")
            try:
                message = await asyncio.wait_for(queue.get(), max(0.0, deadline - loop.time()))
            except asyncio.TimeoutError:
                log.info("session %s: phase %s deadline passed", party.session, party.phase)
                outgoing = party.advance()
                deadline = loop.time() + phase_timeout_s
            else:
                try:
                    outgoing = party.receive(message)
                except CryptoError as exc:
                    log.warning("session %s: rejected message from %s: %s", party.session, message.sender, exc)
                    continue
            await dispatch(outgoing)
            if party.phase != phase:
                phase, deadline = party.phase, loop.time() + phase_timeout_s
        return party
    finally:
        hub.close(party.session)
