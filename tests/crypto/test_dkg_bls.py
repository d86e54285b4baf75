"""The same DKG over BLS12-381 G1: the network key, degree 2t (docs/architecture.md §Threshold keys)."""

from __future__ import annotations

from runtime.crypto.bls import G1
from runtime.crypto.dkg import SCHEDULE, DkgConfig

from .harness import Harness
from .test_dkg_faults import BiasingDealer, LyingDealer


def test_bls_network_key_degree_2t(dkg_factory, dkg_check):
    config = DkgConfig.for_network("bls-genesis", 4, double_degree=True)
    parties = dkg_factory(G1, config)
    harness = Harness(parties, schedule=SCHEDULE).run()
    assert harness.rejected == []
    results = dkg_check(G1, parties, [1, 2, 3, 4], set())
    assert results[0].group == G1.name
    assert len(bytes.fromhex(results[0].keys[0].public_key)) == 48


def test_bls_dkg_with_cheaters(dkg_factory, dkg_check):
    config = DkgConfig.for_network("bls-cheaters", 7, double_degree=True)  # t = 2, degree 4
    parties = dkg_factory(G1, config, {3: LyingDealer, 6: BiasingDealer})
    Harness(parties, schedule=SCHEDULE).run()
    dkg_check(G1, parties, [1, 2, 4, 5, 7], {3})
