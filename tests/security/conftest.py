"""Fixtures for the security tests: the node tests' local networks and dev keys, reused."""

from tests.node.conftest import launch, launcher, network, owner_key, stranger_key  # noqa: F401
