"""An in-process board for any message-driven protocol (`runtime.crypto.protocol.Party`).

It starts every party, routes each `Message` to its recipient (a broadcast to every other party),
JSON round-trips it on the way as the network would, and when nothing is left in flight calls
`advance()` on every unfinished party, as the node does when a phase deadline passes. Tests make
parties misbehave with rules on the wire:

    h.drop(sender=3, kinds={"dkg.answer"})             # never arrives
    h.corrupt(sender=2, fn=lambda m, to: ..., ...)     # arrives changed (fn returns the new Message)
    h.delay(sender=4, kinds={"dkg.deal"})              # arrives after the next deadline: too late
    h.delay(sender=4, kinds={"dkg.deal"}, late=False)  # arrives last but in time: reordered

Deadlines follow one schedule for everybody, as GJKR's synchronous phases (and kyber's timers):
give `schedule` (the protocol's phase names in order) and a deadline ends only the earliest phase any
waiting party is in, so a party already ahead is not cut short. Without it, every waiting party is
advanced at once.

A party's CryptoError on receipt is recorded in `rejected`, never raised: a real node logs it and
carries on, and the tests assert on the list.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field

from runtime.crypto.errors import CryptoError
from runtime.crypto.protocol import Message, Party

__all__ = ["Harness", "Rejection"]

Transform = Callable[[Message, int], Message | None]


@dataclass(frozen=True)
class Rejection:
    recipient: int
    message: Message
    error: CryptoError


@dataclass
class _Rule:
    sender: int | None
    kinds: frozenset[str] | None
    recipients: frozenset[int] | None
    action: str  # "transform", "late", "reorder"
    fn: Transform | None = None

    def matches(self, message: Message, recipient: int) -> bool:
        return (
            (self.sender is None or message.sender == self.sender)
            and (self.kinds is None or message.kind in self.kinds)
            and (self.recipients is None or recipient in self.recipients)
        )


@dataclass
class Harness:
    parties: Sequence[Party]
    absent: Collection[int] = ()  # never started, never delivered to: a node that is down
    schedule: Sequence[str] = ()
    max_deadlines: int = 50
    rejected: list[Rejection] = field(default_factory=list)
    delivered: int = 0
    deadlines: int = 0
    _rules: list[_Rule] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._by_index = {p.index: p for p in self.parties}
        self._queue: deque[tuple[int, Message]] = deque()
        self._late: list[tuple[int, Message]] = []
        self._reordered: list[tuple[int, Message]] = []

    # ---- fault rules --------------------------------------------------------------------

    def _rule(self, sender: int | None, kinds: Iterable[str] | None, recipients: Iterable[int] | None,
              action: str, fn: Transform | None = None) -> None:
        self._rules.append(_Rule(
            sender,
            None if kinds is None else frozenset(kinds),
            None if recipients is None else frozenset(recipients),
            action,
            fn,
        ))

    def drop(self, sender: int | None = None, kinds: Iterable[str] | None = None,
             recipients: Iterable[int] | None = None) -> None:
        self._rule(sender, kinds, recipients, "transform", lambda m, to: None)

    def corrupt(self, fn: Transform, sender: int | None = None, kinds: Iterable[str] | None = None,
                recipients: Iterable[int] | None = None) -> None:
        self._rule(sender, kinds, recipients, "transform", fn)

    def delay(self, sender: int | None = None, kinds: Iterable[str] | None = None,
              recipients: Iterable[int] | None = None, late: bool = True) -> None:
        self._rule(sender, kinds, recipients, "late" if late else "reorder")

    # ---- running ------------------------------------------------------------------------

    def _live(self) -> list[Party]:
        return [p for p in self.parties if p.index not in self.absent]

    def _post(self, messages: Iterable[Message]) -> None:
        for message in messages:
            # Over the wire and back, so nothing that is not JSON-safe can pass unnoticed.
            message = Message.from_json(message.to_json())
            targets = (
                [i for i in self._by_index if i != message.sender]
                if message.recipient is None
                else [message.recipient]
            )
            for to in targets:
                self._route(to, message)

    def _route(self, to: int, message: Message) -> None:
        current: Message | None = message
        for rule in self._rules:
            if current is None or not rule.matches(current, to):
                continue
            if rule.action == "transform":
                assert rule.fn is not None
                current = rule.fn(current, to)
            elif rule.action == "late":
                self._late.append((to, current))
                return
            else:
                self._reordered.append((to, current))
                return
        if current is not None:
            self._queue.append((to, current))

    def _slot(self, phase: str) -> int:
        return self.schedule.index(phase) if phase in self.schedule else len(self.schedule)

    def deliver(self, to: int, message: Message) -> list[Message]:
        """Hand one message to one party (tests may also call this directly)."""
        party = self._by_index[to]
        try:
            out = party.receive(message)
        except CryptoError as exc:
            self.rejected.append(Rejection(to, message, exc))
            return []
        self.delivered += 1
        return out

    def _drain(self) -> None:
        while self._queue or self._reordered:
            if not self._queue:
                self._queue.extend(self._reordered)
                self._reordered.clear()
            to, message = self._queue.popleft()
            if to in self.absent or self._by_index[to].done:
                continue
            self._post(self.deliver(to, message))

    def run(self) -> "Harness":
        """Run to completion: every live party done. Raises RuntimeError if the run stalls."""
        for party in self._live():
            self._post(party.start())
        while True:
            self._drain()
            waiting = [p for p in self._live() if not p.done]
            if not waiting:
                return self
            if self.deadlines >= self.max_deadlines:
                phases = {p.index: p.phase for p in waiting}
                raise RuntimeError(f"protocol stalled after {self.deadlines} deadlines: {phases}")
            self.deadlines += 1
            if self.schedule:
                first = min(self._slot(p.phase) for p in waiting)
                waiting = [p for p in waiting if self._slot(p.phase) == first]
            for party in waiting:
                self._post(party.advance())
            # Messages held back arrive now, after the deadline they missed.
            self._queue.extend(self._late)
            self._late.clear()
