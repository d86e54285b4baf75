"""The GJKR DKG run over our G1 group gives the BLS network key, of degree 2t (docs/architecture.md
§Threshold keys): its shares sign and decrypt, and cheating dealers are left out of it."""

from __future__ import annotations

import pytest

from runtime.crypto import bls, ibe
from runtime.crypto.bls import G1, G2
from runtime.crypto.bls_threshold import ThresholdPublicKey, combine, sign_share
from runtime.crypto.dkg import SCHEDULE, DkgConfig

from .conftest import DkgFactory
from .dealers import BiasingDealer, LyingDealer
from .harness import Harness


@pytest.mark.parametrize("n", [4, 7])
def test_dkg_over_g1_gives_a_working_bls_network_key(n: int, dkg_factory: DkgFactory) -> None:
    config = DkgConfig.for_network(f"bls-dkg-{n}", n, double_degree=True)
    parties = dkg_factory(G1, config)
    Harness(parties).run()
    results = [p.outcome() for p in parties]
    key_data = results[0].keys[0]
    assert {r.keys[0].public_key for r in results} == {key_data.public_key}
    key = ThresholdPublicKey.from_commitments(key_data.commitment_points(G1), n)
    assert key.need == config.degree + 1

    message = b"signed by a DKG key"
    shares = [sign_share(r.index, r.keys[0].share, message) for r in results]
    signature = combine(shares, key, message)
    assert bls.verify(G1.encode(key.public_key), message, G2.encode(signature))

    identity = ibe.access_control_identity(b"\x01" * 32, b"\x02" * 32)
    ct = ibe.encrypt(key.public_key, b"for the network", identity)
    dshares = [sign_share(r.index, r.keys[0].share, identity) for r in results]
    assert ibe.decrypt_with_shares(ct, identity, dshares, key) == b"for the network"


def test_bls_network_key_under_the_phase_schedule_is_a_48_byte_g1_key(dkg_factory, dkg_check):
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
