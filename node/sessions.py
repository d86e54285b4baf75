"""Carries protocol messages between this node's parties and its peers.

The protocols themselves (DKG, presigning) are pure state machines in runtime.crypto; this module
is their board: it routes each incoming `Message` to the party of its session, buffers messages
that arrive before the local party exists (a peer may start a session a moment earlier), sends what
a party returns, and calls `advance()` when a phase's deadline passes.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Collection

from runtime.crypto.errors import CryptoError
from runtime.crypto.protocol import Message, Party

__all__ = ["SessionHub", "run_party"]

log = logging.getLogger(__name__)

_MAX_EARLY_SESSIONS = 256
_MAX_EARLY_MESSAGES = 4096

Send = Callable[[int, Message], Awaitable[None]]


class SessionHub:
    def __init__(self) -> None:
        self._queues: dict[str, asyncio.Queue[Message]] = {}
        self._early: dict[str, list[Message]] = {}

    def open(self, session: str) -> asyncio.Queue[Message]:
        queue: asyncio.Queue[Message] = asyncio.Queue()
        for message in self._early.pop(session, []):
            queue.put_nowait(message)
        self._queues[session] = queue
        return queue

    def close(self, session: str) -> None:
        self._queues.pop(session, None)

    def deliver(self, message: Message) -> None:
        queue = self._queues.get(message.session)
        if queue is not None:
            queue.put_nowait(message)
            return
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
        sends = []
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
