"""DKG message handling: typed errors naming the field, and a rejected message changes nothing."""

from __future__ import annotations

import copy
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runtime.crypto.channel import sign_message
from runtime.crypto.dkg import SCHEDULE, DkgConfig
from runtime.crypto.errors import CryptoError, InvalidInput, InvalidPoint, ProtocolError, VerificationFailed
from runtime.crypto.protocol import Message
from runtime.crypto.secp256k1 import SECP256K1

from .conftest import identities
from .harness import Harness

G = SECP256K1
N = 4
KEYS = identities(N)


def _resign(message: Message, body: dict) -> Message:
    return sign_message(KEYS[message.sender], replace(message, body=body))


@pytest.fixture
def started(dkg_factory):
    """Four started parties and their deals."""
    parties = dkg_factory(G, DkgConfig.for_network("wire-rules", N, keys=2))
    deals = {p.index: p.start()[0] for p in parties}
    return parties, deals


def _snapshot(party):
    return (party.phase, {k: dict(v) for k, v in party._inbox.items()})


@pytest.mark.parametrize(
    "mutate, error, field",
    [
        (lambda b: b["commitments"][0].__setitem__(1, "zz"), InvalidPoint, "deal.commitments[0][1]"),
        (lambda b: b["commitments"][1].__setitem__(0, "02" + "ff" * 32), InvalidPoint, "deal.commitments[1][0]"),
        (lambda b: b["commitments"][0].pop(), InvalidInput, "deal.commitments[0]"),
        (lambda b: b["commitments"].append([]), InvalidInput, "deal.commitments"),
        (lambda b: b["shares"].pop("3"), InvalidInput, "deal.shares.3"),
        (lambda b: b["shares"].__setitem__("1", 17), InvalidInput, "deal.shares.1"),
        (lambda b: b["shares"].__setitem__("09", "00"), InvalidInput, "deal.shares"),
        (lambda b: b.__setitem__("extra", 1), InvalidInput, "deal.extra"),
        (lambda b: b.pop("shares"), InvalidInput, "deal.shares"),
    ],
)
def test_malformed_deal_names_the_field_and_changes_nothing(started, mutate, error, field):
    parties, deals = started
    target, genuine = parties[0], deals[2]
    body = copy.deepcopy(genuine.body)
    mutate(body)
    before = _snapshot(target)
    with pytest.raises(error) as err:
        target.receive(_resign(genuine, body))
    assert err.value.field == field
    assert _snapshot(target) == before
    target.receive(genuine)  # the real one is still welcome


@pytest.mark.parametrize(
    "kind, body, field",
    [
        ("dkg.response", {"complaints": ["x"]}, "response.complaints"),
        ("dkg.response", {"complaints": [2]}, "response.complaints"),  # against itself
        ("dkg.response", {"complaints": [9]}, "response.complaints"),
        ("dkg.response", {"complaints": "1"}, "response.complaints"),
        ("dkg.answer", {"shares": {"1": {"s": ["00"], "r": ["00"]}}}, "answer.shares.1.s"),
        ("dkg.answer", {"shares": {"1": {"s": ["zz" * 32] * 2, "r": ["00" * 32] * 2}}}, "answer.shares.1.s[0]"),
        ("dkg.answer", {"shares": {"1": {"s": ["ff" * 32] * 2, "r": ["00" * 32] * 2}}}, "answer.shares.1.s[0]"),
        ("dkg.feldman_complaint", {"complaints": {"1": {"s": []}}, "missing": []}, "feldman_complaint.complaints.1"),
        ("dkg.feldman_complaint", {"complaints": {}, "missing": [2]}, "feldman_complaint.missing"),
        ("dkg.reveal", {"shares": []}, "reveal.shares"),
        ("dkg.feldman", {"commitments": [["00" * 33] * 2]}, "feldman.commitments"),
    ],
)
def test_malformed_later_messages_name_the_field(started, kind, body, field):
    parties, _ = started
    target = parties[0]
    before = _snapshot(target)
    with pytest.raises(InvalidInput) as err:
        target.receive(sign_message(KEYS[2], Message("wire-rules", kind, 2, None, body)))
    assert err.value.field == field
    assert _snapshot(target) == before


def test_envelope_rules(started):
    parties, deals = started
    target, genuine = parties[0], deals[2]
    cases = [
        (replace(genuine, session="other-session"), ProtocolError, "session"),
        (replace(genuine, sender=9), ProtocolError, "sender"),
        (replace(genuine, sender=1), ProtocolError, "sender"),  # itself
        (replace(genuine, recipient=3), ProtocolError, "recipient"),
        (replace(genuine, kind="dkg.nonsense"), ProtocolError, "kind"),
        (replace(genuine, body={k: v for k, v in genuine.body.items() if k != "sig"}), ProtocolError, "sig"),
        (replace(genuine, body=dict(genuine.body, sig="zz")), ProtocolError, "sig"),
        (replace(genuine, sender=3), VerificationFailed, "party 3"),  # 2's signature, claimed by 3
        (replace(genuine, body=dict(genuine.body, shares=deals[3].body["shares"])), VerificationFailed, "party 2"),
    ]
    before = _snapshot(target)
    for message, error, text in cases:
        with pytest.raises(error) as err:
            target.receive(message)
        assert text in str(err.value)
    assert _snapshot(target) == before
    assert target.receive(genuine) == []
    assert target.receive(genuine) == []  # a retransmission is harmless
    with pytest.raises(ProtocolError, match="two different"):
        target.receive(_equivocation(genuine))


def _equivocation(genuine: Message) -> Message:
    """The same dealer, properly signed, but a different deal."""
    body = copy.deepcopy(genuine.body)
    body["commitments"][0][0], body["commitments"][0][1] = body["commitments"][0][1], body["commitments"][0][0]
    return _resign(genuine, body)


def test_message_for_a_closed_phase_is_refused(started):
    parties, deals = started
    target = parties[0]
    target.receive(deals[2])
    target.advance()  # deal deadline: 3 and 4 are now silent dealers
    assert target.phase == "deal_echo"
    with pytest.raises(ProtocolError, match="closed"):
        target.receive(deals[3])


def test_message_for_a_finished_run_is_refused(dkg_factory):
    parties = dkg_factory(G, DkgConfig.for_network("finished", N))
    seen = []
    harness = Harness(parties, schedule=SCHEDULE)
    harness.corrupt(lambda m, to: seen.append(m) or m)
    harness.run()
    with pytest.raises(ProtocolError, match="finished"):
        parties[0].receive(next(m for m in seen if m.sender == 2))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_fuzzed_deal_bodies_raise_only_typed_errors(started, data):
    parties, deals = started
    target, genuine = parties[0], deals[2]
    body = copy.deepcopy(genuine.body)
    junk = st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=70),
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3),
        max_leaves=6,
    )
    where = data.draw(st.sampled_from(["commitments", "row", "point", "shares", "share", "new"]))
    value = data.draw(junk)
    if where == "commitments":
        body["commitments"] = value
    elif where == "row":
        body["commitments"][data.draw(st.integers(0, 1))] = value
    elif where == "point":
        body["commitments"][data.draw(st.integers(0, 1))][data.draw(st.integers(0, 1))] = value
    elif where == "shares":
        body["shares"] = value
    elif where == "share":
        body["shares"][data.draw(st.sampled_from(["1", "3", "4"]))] = value
    else:
        body[data.draw(st.text(min_size=1, max_size=5))] = value
    before = _snapshot(target)
    try:
        target.receive(_resign(genuine, body))
    except CryptoError:
        assert _snapshot(target) == before
    else:  # the junk happened to be well-formed (e.g. other hex in a sealed share): kept, not crashed
        assert 2 in target._inbox["dkg.deal"]
