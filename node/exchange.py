"""Values the nodes running one request send each other: runOnce results, broadcastAndCollect
values, signature shares for signAndCombineEcdsa.

Each value is keyed by (request id, topic, sender). Senders are authenticated by the peer
transport, so a node can speak only for itself; a second, different value from the same sender
for the same key is equivocation and is refused (the first stays). Values can arrive before this
node reaches the point that waits for them, so they are kept a while: mailboxes expire after
`ttl_s`, and their number and size are bounded, so a peer cannot make a node hold much.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from .errors import BadRequest

__all__ = ["RequestExchange", "EXCHANGE_PATH", "MAX_VALUE_BYTES"]

log = logging.getLogger(__name__)

EXCHANGE_PATH = "/peer/exchange"
MAX_VALUE_BYTES = 64 * 1024  # a runOnce result or broadcast value; signature shares are ~2 KiB
_MAX_MAILBOXES = 4096
_MAX_TOTAL_BYTES = 32 * 1024 * 1024  # all mailboxes together; the oldest go first
_MAX_FIELD = 256  # request ids and topics

Broadcast = Callable[[str, Any], Awaitable[Mapping[int, Any]]]


class RequestExchange:
    def __init__(
        self, index: int, broadcast: Broadcast, *, ttl_s: float = 120.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._index = index
        self._broadcast = broadcast
        self._ttl = ttl_s
        self._clock = clock
        # (request id, topic) -> (created at, sender -> value); oldest first, for eviction.
        self._boxes: OrderedDict[tuple[str, str], tuple[float, dict[int, Any]]] = OrderedDict()
        self._sizes: dict[tuple[str, str], int] = {}
        self._total = 0
        self._changed = asyncio.Condition()

    def deliver(self, sender: int, payload: Any) -> None:
        """A peer's value (the body of EXCHANGE_PATH); BadRequest naming what was wrong."""
        if not isinstance(payload, dict):
            raise BadRequest("exchange: the payload must be an object with requestId, topic and value")
        request_id, topic = payload.get("requestId"), payload.get("topic")
        for name, field in (("requestId", request_id), ("topic", topic)):
            if not isinstance(field, str) or not field or len(field) > _MAX_FIELD:
                raise BadRequest(f"exchange: {name} must be a string of 1 to {_MAX_FIELD} characters")
        assert isinstance(request_id, str) and isinstance(topic, str)  # checked just above
        if "value" not in payload:
            raise BadRequest("exchange: value is missing")
        self._store(sender, request_id, topic, payload["value"])

    def _store(self, sender: int, request_id: str, topic: str, value: Any) -> None:
        size = len(json.dumps(value)) + len(request_id) + len(topic)
        if size > MAX_VALUE_BYTES:
            raise BadRequest(f"exchange: value is larger than {MAX_VALUE_BYTES} bytes")
        self._expire()
        key = (request_id, topic)
        values = self._boxes[key][1] if key in self._boxes else {}
        if sender in values:
            if values[sender] != value:
                log.warning("node %s sent two values for %s/%s; keeping the first", sender, request_id, topic)
                raise BadRequest(f"exchange: node {sender} already sent another value for {topic!r}")
            return
        while len(self._boxes) - (key in self._boxes) >= _MAX_MAILBOXES or self._total + size > _MAX_TOTAL_BYTES:
            victim = next((k for k in self._boxes if k != key), None)
            if victim is None:
                break
            self._drop(victim)
        if key not in self._boxes:
            self._boxes[key] = (self._clock(), values)
        values[sender] = value
        self._sizes[key] = self._sizes.get(key, 0) + size
        self._total += size
        asyncio.get_running_loop().create_task(self._notify())

    def _drop(self, key: tuple[str, str]) -> None:
        del self._boxes[key]
        self._total -= self._sizes.pop(key, 0)

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    def _expire(self) -> None:
        cutoff = self._clock() - self._ttl
        while self._boxes:
            key, (created, _) = next(iter(self._boxes.items()))
            if created >= cutoff:
                break
            self._drop(key)

    def received(self, request_id: str, topic: str) -> dict[int, Any]:
        """The values that have arrived so far, this node's own included, by sender."""
        box = self._boxes.get((request_id, topic))
        return dict(box[1]) if box else {}

    async def publish(self, request_id: str, topic: str, value: Any) -> None:
        """Keep `value` as this node's and send it to every other node (those down miss it)."""
        self._store(self._index, request_id, topic, value)
        await self._broadcast(EXCHANGE_PATH, {"requestId": request_id, "topic": topic, "value": value})

    async def wait(
        self, request_id: str, topic: str, enough: Callable[[dict[int, Any]], bool], timeout_s: float
    ) -> dict[int, Any]:
        """The values by sender once `enough(values)` holds, or whatever has arrived after `timeout_s`."""
        deadline = asyncio.get_running_loop().time() + timeout_s
        async with self._changed:
            while not enough(values := self.received(request_id, topic)):
                remaining = deadline - asyncio.get_running_loop().time()
                if remaining <= 0:
                    return values
                try:
                    await asyncio.wait_for(self._changed.wait(), remaining)
                except asyncio.TimeoutError:
                    return self.received(request_id, topic)
            return values
