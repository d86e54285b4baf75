"""Fixtures for the Lit SDK tests: the dev chain of tests/chain."""

from tests.chain.conftest import devchain

__all__ = ["devchain"]
