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


DkgCheck = Callable[..., list[Any]]


@pytest.fixture
def dkg_check() -> DkgCheck:
    """check(group, parties, honest, disqualified) -> the honest parties' results, after asserting
    that they agree, that every share matches the joint commitments, and that the joint secret
    (reconstructed here, which only a test may do) is the public key's discrete log and the sum
    of the qualified dealers' committed constants."""

    from runtime.crypto.shamir import interpolate
    from runtime.crypto.vss import public_share

    def check(group: Group[Any], parties: list[DkgParty], honest: list[int], disqualified: set[int]) -> list[Any]:
        by_index = {p.index: p for p in parties}
        results = [by_index[i].outcome() for i in honest]
        first = results[0]
        config = by_index[honest[0]].config
        expected_qual = tuple(i for i in range(1, config.n + 1) if i not in disqualified)
        for r in results:
            assert r.qualified == expected_qual, (r.index, r.qualified)
            assert r.public_keys == first.public_keys
            assert [k.commitments for k in r.keys] == [k.commitments for k in first.keys]
        for k in range(config.keys):
            commitments = first.keys[k].commitment_points(group)
            for r in results:
                assert group.eq(public_share(group, commitments, r.index), group.base_mul(r.keys[k].share))
            subset = {r.index: r.keys[k].share for r in results[: config.degree + 1]}
            secret = interpolate(subset, group.order)
            assert group.eq(group.base_mul(secret), first.keys[k].public_key_point(group))
            # Unbiased: exactly the qualified dealers' dealt constants, whatever they broadcast later.
            dealt = sum(by_index[i]._polynomials[k][0][0] for i in expected_qual) % group.order
            assert secret == dealt
        return results

    return check
