"""GJKR DKG among honest parties: agreement, correctness, serialisation."""

from __future__ import annotations

import json
import random

import pytest
from coincurve import PublicKey
from hypothesis import given, settings
from hypothesis import strategies as st

from runtime.crypto.dkg import SCHEDULE, DkgConfig, DkgParty, DkgResult, interpolate_polynomial
from runtime.crypto.errors import InvalidInput, ProtocolError
from runtime.crypto.protocol import Message
from runtime.crypto.secp256k1 import SECP256K1, ORDER
from runtime.crypto.shamir import evaluate, interpolate

from .harness import Harness

G = SECP256K1


@pytest.mark.parametrize("n", [3, 4, 7, 10])
def test_honest_dkg_completes_and_agrees(n, dkg_factory, dkg_check):
    config = DkgConfig.for_network(f"genesis-{n}", n, keys=2)
    parties = dkg_factory(G, config)
    harness = Harness(parties, schedule=SCHEDULE).run()
    assert harness.rejected == [] and harness.deadlines == 0  # nobody had to wait for a deadline
    dkg_check(G, parties, list(range(1, n + 1)), set())


def test_ten_root_keys_at_once(dkg_factory, dkg_check):
    config = DkgConfig.for_network("root-keys", 4, keys=10)
    parties = dkg_factory(G, config)
    Harness(parties, schedule=SCHEDULE).run()
    results = dkg_check(G, parties, [1, 2, 3, 4], set())
    assert len(results[0].keys) == 10
    assert len(set(results[0].public_keys)) == 10  # independent keys, not one key ten times


def test_degree_2t_for_the_bls_style_key(dkg_factory, dkg_check):
    config = DkgConfig.for_network("bls-shaped", 7, double_degree=True)
    assert (config.t, config.degree) == (2, 4)
    parties = dkg_factory(G, config)
    Harness(parties, schedule=SCHEDULE).run()
    results = dkg_check(G, parties, list(range(1, 8)), set())
    # degree 2t: 2t shares say nothing, 2t+1 determine the secret.
    shares = {r.index: r.keys[0].share for r in results}
    secret = interpolate({i: shares[i] for i in (1, 2, 3, 4, 5)}, ORDER)
    assert interpolate({i: shares[i] for i in (1, 2, 3, 4)}, ORDER) != secret


def test_single_node_dev_mode(dkg_factory, dkg_check):
    config = DkgConfig(session="dev", n=1, t=0, degree=0, keys=3)
    (party,) = dkg_factory(G, config)
    assert party.start()  # its own deal, addressed to nobody
    assert party.done
    dkg_check(G, [party], [1], set())


def test_reordered_messages_are_held_for_their_phase(dkg_factory, dkg_check):
    # Party 4's deal arrives after everything else in flight, so some parties see other parties'
    # responses before they have all deals: those must be kept, not refused.
    config = DkgConfig.for_network("reorder", 4, keys=1)
    parties = dkg_factory(G, config)
    harness = Harness(parties, schedule=SCHEDULE)
    harness.delay(sender=4, kinds={"dkg.deal"}, late=False)
    harness.run()
    assert harness.rejected == [] and harness.deadlines == 0
    dkg_check(G, parties, [1, 2, 3, 4], set())


def test_result_json_round_trip(dkg_factory):
    parties = dkg_factory(G, DkgConfig.for_network("json", 4, keys=3))
    Harness(parties, schedule=SCHEDULE).run()
    result = parties[0].outcome()
    text = result.to_json()
    assert json.loads(text)["keys"][0]["public_key"] == result.keys[0].public_key
    assert DkgResult.from_json(text) == result
    # Party 3's own secret share of key 2, lifted by coincurve rather than by our group code.
    share = next(p.outcome() for p in parties if p.outcome().index == 3).keys[2].share
    expected = PublicKey.from_secret(share.to_bytes(32, "big")).format(compressed=True)
    assert G.encode(result.public_share(G, 2, 3)) == expected
    with pytest.raises(InvalidInput) as err:
        DkgResult.from_json(text.replace('"qualified"', '"q"'))
    assert err.value.field == "qualified"


def test_every_message_is_json_safe_and_survives_the_wire(dkg_factory):
    parties = dkg_factory(G, DkgConfig.for_network("wire", 4, keys=2))
    seen: list[Message] = []

    def record(message, to):
        seen.append(message)
        return message

    harness = Harness(parties, schedule=SCHEDULE)
    harness.corrupt(record)
    harness.run()
    rounds = {"dkg.deal", "dkg.response", "dkg.feldman", "dkg.feldman_complaint"}
    echoes = {"dkg.echo." + kind.removeprefix("dkg.") for kind in rounds}
    # No answers, reveals or forwards in an honest run: nobody complained, nobody missed anything.
    assert {m.kind for m in seen} == rounds | echoes | {"dkg.confirm"}
    for m in seen:
        assert Message.from_json(m.to_json()) == m
        assert m.recipient is None and isinstance(m.body["sig"], str)


def test_start_twice_and_outcome_before_done(dkg_factory):
    party = dkg_factory(G, DkgConfig.for_network("twice", 4))[0]
    with pytest.raises(ProtocolError):
        party.outcome()
    party.start()
    with pytest.raises(ProtocolError):
        party.start()


def test_config_rejects_impossible_parameters():
    with pytest.raises(InvalidInput) as err:
        DkgConfig(session="x", n=4, t=1, degree=4)
    assert err.value.field == "degree"
    with pytest.raises(InvalidInput) as err:
        DkgConfig(session="x", n=4, t=1, degree=1, keys=0)
    assert err.value.field == "keys"
    with pytest.raises(InvalidInput) as err:
        DkgConfig(session="", n=4, t=1, degree=1)
    assert err.value.field == "session"


@pytest.fixture(scope="module")
def seven_party_results():
    from .conftest import identities
    from runtime.crypto.identity import PeerDirectory

    config = DkgConfig.for_network("subsets", 7, keys=2)
    keys = identities(7)
    directory = PeerDirectory.of(keys)
    parties = [DkgParty(G, config, i, keys[i], directory, random.Random(i).randbytes) for i in range(1, 8)]
    Harness(parties, schedule=SCHEDULE).run()
    return [p.outcome() for p in parties]


@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_any_degree_plus_one_shares_give_the_public_key(seven_party_results, data):
    results = seven_party_results
    degree = results[0].degree
    chosen = data.draw(st.lists(st.sampled_from(results), min_size=degree + 1, max_size=7, unique_by=lambda r: r.index))
    key = data.draw(st.integers(0, len(results[0].keys) - 1))
    secret = interpolate({r.index: r.keys[key].share for r in chosen}, ORDER)
    assert G.encode(G.base_mul(secret)).hex() == results[0].keys[key].public_key


@settings(max_examples=50, deadline=None)
@given(
    coefficients=st.lists(st.integers(0, ORDER - 1), min_size=1, max_size=8),
    xs=st.lists(st.integers(1, 1000), min_size=8, max_size=8, unique=True),
)
def test_interpolate_polynomial_recovers_coefficients(coefficients, xs):
    points = {x: evaluate(coefficients, x, ORDER) for x in xs[: len(coefficients)]}
    assert interpolate_polynomial(points, ORDER) == coefficients


def test_secret_shares_stay_out_of_reprs(dkg_factory):
    # Review L5: a logged or printed result must not carry the secret share.
    parties = dkg_factory(G, DkgConfig.for_network("repr", 4, keys=2))
    Harness(parties, schedule=SCHEDULE).run()
    result = parties[0].outcome()
    for key in result.keys:
        assert "share" not in repr(key) and format(key.share, "x") not in repr(result)
        assert str(key.share) not in repr(result)
