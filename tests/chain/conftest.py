"""Chains for the tests: the embedded dev chain (fast) and a real ganache process (slow)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
import pytest_asyncio

from runtime.chain.accounts import DevAccount
from runtime.chain.devchain import start_devchain
from runtime.chain.ganache import ganache_available, start_ganache
from tests.oracles import require_oracle


@dataclass
class Chain:
    kind: str
    url: str
    chain_id: int
    accounts: list[DevAccount]


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def devchain() -> AsyncIterator[Chain]:
    chain = await start_devchain()
    try:
        yield Chain("devchain", chain.url, chain.chain_id, chain.accounts)
    finally:
        await chain.stop()


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def ganache() -> AsyncIterator[Chain]:
    reason = ganache_available()
    require_oracle(reason is None, reason or "")
    proc = await start_ganache()
    try:
        yield Chain("ganache", proc.url, proc.chain_id, proc.accounts)
    finally:
        await proc.stop()


@pytest.fixture(params=["devchain", pytest.param("ganache", marks=pytest.mark.slow)])
def any_chain(request: pytest.FixtureRequest) -> Chain:
    """The same test against both chains."""
    return request.getfixturevalue(request.param)
