"""Local networks of real node processes for the tests: started once per module, always stopped."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from runtime.chain.accounts import dev_accounts
from runtime.network.launcher import NetworkInfo, start_network, stop_network


def launch(root: Path, n: int, **kwargs) -> NetworkInfo:
    return asyncio.run(start_network(root, n, phase_timeout_s=10, presign_batch_size=8, presign_pool_target=16, **kwargs))


@pytest.fixture(scope="session")
def launcher():
    """The `launch(root, n, **kwargs)` function, for tests that need a network of their own."""
    return launch


@pytest.fixture(scope="module")
def network(tmp_path_factory) -> Iterator[NetworkInfo]:
    root = tmp_path_factory.mktemp("net4")
    info = launch(root, 4)
    try:
        yield info
    finally:
        stop_network(root)


@pytest.fixture(scope="session")
def liar_network(tmp_path_factory) -> Iterator[NetworkInfo]:
    """A 4-node network whose node 2 sends wrong signature shares, shared by the tests of liars."""
    root = tmp_path_factory.mktemp("liar")
    info = launch(root, 4, faults={2: "wrong_signature_shares"})
    try:
        yield info
    finally:
        stop_network(root)


@pytest.fixture
def owner_key() -> str:
    return dev_accounts(count=2)[1].private_key


@pytest.fixture
def stranger_key() -> str:
    return dev_accounts(count=4)[3].private_key
