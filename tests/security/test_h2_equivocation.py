"""H2: the DKG's broadcasts are made consistent by the protocol, not assumed from the carrier.

Each test plays one corrupt party (or a lossy network) against honest parties on the in-process
board, and checks what the review says broke: honest parties end with the same QUAL and the same
keys, or where a view cannot be repaired none of them ends with a key another honest party lacks;
an equivocator is named in `faults`; and a party's own missed deadline never makes it reveal the
share it holds of an honest dealer.
"""

from __future__ import annotations

import random
from dataclasses import replace

import pytest

from runtime.crypto.channel import sign_message
from runtime.crypto.dkg import SCHEDULE, DkgConfig, DkgParty
from runtime.crypto.dkg_result import DkgIncomplete
from runtime.crypto.identity import PeerDirectory
from runtime.crypto.protocol import Message
from runtime.crypto.secp256k1 import SECP256K1
from tests.crypto.conftest import identities
from tests.crypto.harness import Harness

G = SECP256K1
N = 4
KEYS = identities(N)
DIRECTORY = PeerDirectory.of(KEYS)


def _parties(session: str, n: int = N, keys: int = 2) -> list[DkgParty]:
    config = DkgConfig.for_network(session, n, keys=keys)
    ids = identities(n)
    directory = PeerDirectory.of(ids)
    return [DkgParty(G, config, i, ids[i], directory, random.Random(f"h2/{session}/{i}").randbytes) for i in range(1, n + 1)]


def _resigned(message: Message, body: dict) -> Message:
    return sign_message(identities(N)[message.sender], replace(message, body=body))


def _agree(parties: list[DkgParty], honest: list[int]) -> tuple[int, ...]:
    """The honest parties' common QUAL, after asserting they hold shares of the same keys."""
    results = [parties[i - 1].outcome() for i in honest]
    assert len({r.qualified for r in results}) == 1, [(r.index, r.qualified) for r in results]
    assert len({r.public_keys for r in results}) == 1
    assert len({tuple(k.commitments for k in r.keys) for r in results}) == 1
    for r in results:  # every share lies on the agreed joint polynomial
        for k, key in enumerate(r.keys):
            assert G.eq(r.public_share(G, k, r.index), G.base_mul(key.share))
    return results[0].qualified


def _no_split(parties: list[DkgParty], honest: list[int]) -> None:
    """Where agreement cannot be forced, no two honest parties end with different keys."""
    finished = [parties[i - 1].result for i in honest if parties[i - 1].result is not None]
    assert len({r.public_keys for r in finished}) <= 1
    for i in honest:
        p = parties[i - 1]
        assert p.done and (p.result is not None or isinstance(p.failure, DkgIncomplete)), (i, p.failure)


def test_dealer_sending_different_deals_is_named_and_excluded_by_all():
    parties = _parties("two-deals")
    # A second, validly signed deal from party 2: the same identity with other polynomials.
    twin = DkgParty(G, parties[1].config, 2, KEYS[2], DIRECTORY, random.Random("twin").randbytes)
    other_deal = twin.start()[0]
    harness = Harness(parties, schedule=SCHEDULE)
    harness.corrupt(lambda m, to: other_deal if to == 1 else m, sender=2, kinds={"dkg.deal"})
    harness.run()
    assert _agree(parties, [1, 3, 4]) == (1, 3, 4)
    assert all(2 in parties[i - 1].faults for i in (1, 3, 4))
    assert "deal" in parties[0].faults[2]


def test_dealer_sending_different_feldman_commitments_is_named_and_rebuilt():
    parties = _parties("two-feldman")

    def other_commitments(m: Message, to: int) -> Message:
        if to != 1:
            return m
        rows = [list(row) for row in m.body["commitments"]]
        rows[0][0] = G.encode(G.base_mul(1234567)).hex()
        return _resigned(m, {"commitments": rows})

    harness = Harness(parties, schedule=SCHEDULE)
    harness.corrupt(other_commitments, sender=2, kinds={"dkg.feldman"})
    harness.run()
    # Its deal was good, so it stays in QUAL, with the polynomial its deal committed to.
    assert _agree(parties, [1, 3, 4]) == (1, 2, 3, 4)
    dealt = sum(parties[i - 1]._polynomials[0][0][0] for i in (1, 2, 3, 4)) % G.order
    assert parties[0].outcome().keys[0].public_key == G.encode(G.base_mul(dealt)).hex()
    assert all(2 in parties[i - 1].faults for i in (1, 3, 4))


def test_complaint_sent_to_some_peers_only_is_named_and_ignored():
    # poc_dkg part 2: party 4 tells party 1 "I complain about dealer 2" and the others nothing bad.
    parties = _parties("split-complaint")
    harness = Harness(parties, schedule=SCHEDULE)
    harness.corrupt(
        lambda m, to: _resigned(m, {"complaints": [2]}) if to == 1 else m, sender=4, kinds={"dkg.response"}
    )
    harness.run()
    qual = _agree(parties, [1, 2, 3])
    assert 2 in qual
    assert all(4 in parties[i - 1].faults for i in (1, 2, 3))


class ComplainsAboutTwo(DkgParty):
    def _complaints_to_send(self, complaints: list[int]) -> list[int]:
        return sorted(set(complaints) | {2})


def test_complaint_withheld_from_some_peers_reaches_all_of_them():
    # Party 4 complains about dealer 2 (one version, signed once) but sends it to party 1 only.
    parties = _parties("partial-complaint")
    parties[3] = ComplainsAboutTwo(G, parties[3].config, 4, KEYS[4], DIRECTORY, random.Random("4").randbytes)
    harness = Harness(parties, schedule=SCHEDULE)
    harness.drop(sender=4, kinds={"dkg.response"}, recipients={2, 3})
    harness.run()
    # Everybody learns of the complaint through the echo; dealer 2 answers it in the open.
    assert _agree(parties, [1, 2, 3]) == (1, 2, 3, 4)
    assert all(p._complainers[2] == {4} for p in parties)


def test_dealer_silent_to_some_peers_is_delivered_by_the_echo():
    parties = _parties("silent-to-one")
    harness = Harness(parties, schedule=SCHEDULE)
    harness.drop(sender=2, kinds={"dkg.deal"}, recipients={1})
    harness.run()
    assert _agree(parties, [1, 2, 3, 4]) == (1, 2, 3, 4)
    assert parties[0]._complaints[1] == frozenset()  # its share came with the forwarded deal


def test_deal_known_to_one_corrupt_peer_is_relayed_to_every_honest_party():
    # n = 7, t = 2: dealer 2 deals only to corrupt party 4, and neither echoes it; party 4 forwards
    # it to honest party 1 alone. Party 1 relays what it learned, so all honest parties agree.
    parties = _parties("relayed", n=7)
    harness = Harness(parties, schedule=SCHEDULE)
    harness.drop(sender=2, kinds={"dkg.deal"}, recipients={1, 3, 5, 6, 7})
    harness.drop(sender=2, kinds={"dkg.forward", "dkg.echo.deal"})
    harness.drop(sender=4, kinds={"dkg.forward", "dkg.echo.deal"}, recipients={3, 5, 6, 7})
    harness.run()
    honest = [1, 3, 5, 6, 7]
    _no_split(parties, honest)
    assert 2 in _agree(parties, honest)


def test_missing_an_honest_dealers_feldman_by_own_deadline_reveals_nothing():
    parties = _parties("own-timeout")
    sent: list[Message] = []
    harness = Harness(parties, schedule=SCHEDULE)
    harness.delay(sender=2, kinds={"dkg.feldman"}, recipients={1})
    harness.corrupt(lambda m, to: sent.append(m) or m, sender=1)
    harness.run()
    reveals = [m for m in sent if m.kind == "dkg.reveal"]
    assert reveals == []
    assert all(not m.body.get("complaints") for m in sent if m.kind == "dkg.feldman_complaint")
    assert _agree(parties, [1, 2, 3, 4]) == (1, 2, 3, 4)
    assert all(p._accused == set() for p in parties)


def test_missing_dealer_accused_by_at_most_t_parties_is_not_reconstructed():
    # Dealer 2's Feldman commitments never reach party 1 (not even by echo): one accusation is not
    # enough to open dealer 2's polynomial, so party 1 gets no key and nobody reveals anything.
    parties = _parties("lone-accuser")
    sent: list[Message] = []
    harness = Harness(parties, schedule=SCHEDULE)
    harness.drop(sender=2, kinds={"dkg.feldman"}, recipients={1})
    harness.drop(kinds={"dkg.forward"}, recipients={1})
    harness.corrupt(lambda m, to: sent.append(m) or m)
    harness.run()
    assert [m for m in sent if m.kind == "dkg.reveal"] == []
    assert _agree(parties, [2, 3, 4]) == (1, 2, 3, 4)
    assert parties[0].result is None and isinstance(parties[0].failure, DkgIncomplete)
    assert "2" in str(parties[0].failure)


def test_a_different_confirmation_is_named_and_cannot_outvote_the_quorum():
    parties = _parties("odd-confirmation")
    harness = Harness(parties, schedule=SCHEDULE)
    harness.corrupt(lambda m, to: _resigned(m, {"digest": "ab" * 32}), sender=4, kinds={"dkg.confirm"})
    harness.run()
    assert _agree(parties, [1, 2, 3]) == (1, 2, 3, 4)
    assert all("confirm" in parties[i - 1].faults[4] for i in (1, 2, 3))


def test_without_n_minus_t_matching_confirmations_nobody_outputs_a_key():
    parties = _parties("no-quorum")
    harness = Harness(parties, schedule=SCHEDULE)
    harness.corrupt(lambda m, to: _resigned(m, {"digest": "ab" * 32}), sender=4, kinds={"dkg.confirm"})
    harness.corrupt(lambda m, to: _resigned(m, {"digest": "cd" * 32}), sender=3, kinds={"dkg.confirm"})
    harness.run()
    for p in parties[:2]:
        assert p.result is None
        assert isinstance(p.failure, DkgIncomplete) and "confirm" in str(p.failure)
        with pytest.raises(DkgIncomplete):
            p.outcome()
