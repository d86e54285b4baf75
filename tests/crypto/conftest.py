"""Fixtures for the threshold-crypto tests: reproducible identities and DKG parties."""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from typing import Any

import pytest

from runtime.crypto.dkg import DkgConfig, DkgParty
from runtime.crypto.group import Group
from runtime.crypto.identity import PartyKeys, PeerDirectory

DkgFactory = Callable[..., list[DkgParty]]


def identities(n: int, seed: int = 0) -> dict[int, PartyKeys]:
    rng = random.Random(f"identities/{seed}")
    return {i: PartyKeys.generate(rng.randbytes) for i in range(1, n + 1)}


@pytest.fixture
def dkg_factory() -> DkgFactory:
    """make(group, config, classes={index: DkgParty subclass}, seed=0) -> parties 1..n.

    Every party gets its own seeded randomness, so a failing run can be replayed exactly."""

    def make(
        group: Group[Any],
        config: DkgConfig,
        classes: Mapping[int, type[DkgParty]] | None = None,
        seed: int = 0,
    ) -> list[DkgParty]:
        keys = identities(config.n, seed)
        directory = PeerDirectory.of(keys)
        parties = []
        for i in range(1, config.n + 1):
            cls = (classes or {}).get(i, DkgParty)
            rng = random.Random(f"dkg/{seed}/{i}")
            parties.append(cls(group, config, i, keys[i], directory, randbytes=rng.randbytes))
        return parties

    return make
