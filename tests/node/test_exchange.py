"""RequestExchange in one process: values by sender, equivocation refused, memory bounded."""

from __future__ import annotations

import asyncio

import pytest

from node.errors import BadRequest
from node.exchange import MAX_VALUE_BYTES, RequestExchange


def _exchange(sent: list, **kwargs) -> RequestExchange:
    async def broadcast(path, payload):
        sent.append((path, payload))
        return {}

    return RequestExchange(1, broadcast, **kwargs)


async def test_a_waiter_gets_values_that_arrive_before_and_after_it_waits():
    sent: list = []
    exchange = _exchange(sent)
    exchange.deliver(2, {"requestId": "r", "topic": "t", "value": "early"})
    waiting = asyncio.create_task(exchange.wait("r", "t", lambda got: len(got) == 3, 5))
    await exchange.publish("r", "t", "mine")
    exchange.deliver(3, {"requestId": "r", "topic": "t", "value": "late"})
    assert await waiting == {1: "mine", 2: "early", 3: "late"}
    assert sent == [("/peer/exchange", {"requestId": "r", "topic": "t", "value": "mine"})]


async def test_a_node_cannot_change_its_value_and_the_first_stays():
    exchange = _exchange([])
    exchange.deliver(2, {"requestId": "r", "topic": "t", "value": "one"})
    exchange.deliver(2, {"requestId": "r", "topic": "t", "value": "one"})  # a retry is fine
    with pytest.raises(BadRequest, match="node 2 already sent another value"):
        exchange.deliver(2, {"requestId": "r", "topic": "t", "value": "two"})
    assert exchange.received("r", "t") == {2: "one"}


async def test_a_wait_ends_at_its_deadline_with_what_arrived():
    exchange = _exchange([])
    exchange.deliver(2, {"requestId": "r", "topic": "t", "value": "v"})
    assert await exchange.wait("r", "t", lambda got: len(got) == 4, 0.05) == {2: "v"}


@pytest.mark.parametrize(
    "payload, complaint",
    [
        ("text", "must be an object"),
        ({"topic": "t", "value": 1}, "requestId must be a string"),
        ({"requestId": "r", "topic": "x" * 257, "value": 1}, "topic must be a string"),
        ({"requestId": "r", "topic": "t"}, "value is missing"),
        ({"requestId": "r", "topic": "t", "value": "x" * MAX_VALUE_BYTES}, "larger than"),
    ],
)
async def test_malformed_values_are_refused_by_name(payload, complaint):
    with pytest.raises(BadRequest, match=complaint):
        _exchange([]).deliver(2, payload)


async def test_old_and_surplus_mailboxes_are_dropped():
    now = [0.0]
    exchange = _exchange([], ttl_s=10, clock=lambda: now[0])
    exchange.deliver(2, {"requestId": "old", "topic": "t", "value": 1})
    now[0] = 11
    exchange.deliver(2, {"requestId": "new", "topic": "t", "value": 1})
    assert exchange.received("old", "t") == {} and exchange.received("new", "t") == {2: 1}
    for i in range(5000):  # more than the mailbox cap: a flooding peer costs a bounded amount
        exchange.deliver(2, {"requestId": f"flood{i}", "topic": "t", "value": "v" * 1000})
    assert exchange.received("new", "t") == {} and exchange.received("flood4999", "t") == {2: "v" * 1000}
