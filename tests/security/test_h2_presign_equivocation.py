"""H2 (presigning): broadcasts are made consistent by the protocol, not assumed from the carrier.

Each test plays one corrupt committee member (or a lossy network) against honest members on the
in-process board and checks what the review says broke: honest members end with the same
presignatures (same ids, R, commitments, and the same QUAL) or with none, never with differing
ones, and an equivocator is named in `faults`.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from runtime.crypto.channel import sign_message
from runtime.crypto.presign import SCHEDULE, PresignParty
from runtime.crypto.protocol import Message
from runtime.crypto.secp256k1 import SECP256K1 as G
from tests.crypto.harness import Harness
from tests.crypto.signing import party_keys
from tests.crypto.test_presign import check_presignatures, make_parties


def _resigned(message: Message, body: dict[str, Any]) -> Message:
    """`body` sent and signed in the sender's name: what a corrupt sender can do."""
    return sign_message(party_keys(message.sender), replace(message, body=body))


def _run(parties: list[PresignParty]) -> Harness:
    return Harness(parties, schedule=SCHEDULE)


def _views(parties: list[PresignParty], honest: list[int]) -> dict[int, tuple[tuple[int, ...], list[dict]]]:
    return {i: (parties[i - 1].qualified, [p.public.to_dict() for p in parties[i - 1].results()]) for i in honest}


def _agree(parties: list[PresignParty], honest: list[int]) -> tuple[int, ...]:
    """All honest members hold the same, non-empty batch; their common QUAL."""
    views = _views(parties, honest)
    assert all(v == views[honest[0]] for v in views.values()), views
    assert views[honest[0]][1], {i: parties[i - 1].failed for i in honest}
    check_presignatures([parties[i - 1] for i in honest])
    return views[honest[0]][0]


def _no_split(parties: list[PresignParty], honest: list[int]) -> None:
    """Where agreement cannot be repaired, no two honest members hold differing presignatures."""
    stored = [v for v in _views(parties, honest).values() if v[1]]
    assert all(v == stored[0] for v in stored), stored
    for i in honest:
        p = parties[i - 1]
        assert p.done
        assert p.results() or p.failed


def test_dealer_sending_different_deals_to_different_peers_is_named_and_excluded() -> None:
    parties = make_parties(4, 1, 2, session="h2-two-deals")
    # A second deal, validly signed by party 2, with other polynomials (its twin's).
    twin = make_parties(4, 1, 2, seed=77, session="h2-two-deals")[1]
    other_deal = twin.start()[0]
    h = _run(parties)
    h.corrupt(lambda m, to: other_deal if to == 1 else m, sender=2, kinds={"presign.deal"})
    h.run()
    assert _agree(parties, [1, 3, 4]) == (1, 3, 4)
    for i in (1, 3, 4):
        assert "equivocated" in parties[i - 1].faults[2]


def test_dealer_changing_one_commitment_for_one_peer_is_named_and_excluded() -> None:
    parties = make_parties(4, 1, 1, session="h2-one-commitment")

    def other_commitment(m: Message, to: int) -> Message:
        if to != 1:
            return m
        commitments = [dict(c) for c in m.body["commitments"]]
        commitments[0]["k"] = [commitments[0]["k"][0], G.encode(G.base_mul(1234567)).hex()]
        return _resigned(m, {**m.body, "commitments": commitments})

    h = _run(parties)
    h.corrupt(other_commitment, sender=2, kinds={"presign.deal"})
    h.run()
    assert _agree(parties, [1, 3, 4]) == (1, 3, 4)
    assert all("equivocated" in parties[i - 1].faults[2] for i in (1, 3, 4))


def test_dealer_sending_garbage_to_some_peers_is_named_and_excluded() -> None:
    parties = make_parties(4, 1, 1, session="h2-garbage")

    def garbage(m: Message, to: int) -> Message:
        return _resigned(m, {"commitments": "garbage", "shares": {}}) if to == 3 else m

    h = _run(parties)
    h.corrupt(garbage, sender=2, kinds={"presign.deal"})
    h.run()
    assert _agree(parties, [1, 3, 4]) == (1, 3, 4)
    assert all("equivocated" in parties[i - 1].faults[2] for i in (1, 3, 4))


def test_dealer_silent_to_some_peers_is_delivered_by_the_echo() -> None:
    parties = make_parties(4, 1, 2, session="h2-silent-dealer")
    h = _run(parties)
    h.drop(sender=2, kinds={"presign.deal"}, recipients={1})
    h.run()
    assert _agree(parties, [1, 2, 3, 4]) == (1, 2, 3, 4)


def test_dealer_silent_to_some_peers_and_not_echoed_leaves_no_split() -> None:
    # Dealer 2 deals to party 3 only and never forwards it; party 1 gets nothing of it by any path.
    parties = make_parties(4, 1, 1, session="h2-withheld-deal")
    h = _run(parties)
    h.drop(sender=2, kinds={"presign.deal"}, recipients={1, 4})
    h.drop(sender=2, kinds={"presign.forward"})
    h.drop(kinds={"presign.forward"}, recipients={1})
    h.run()
    _no_split(parties, [1, 3, 4])


def test_complaint_in_two_versions_is_named_and_ignored() -> None:
    # The review's DKG split, here: party 4 tells party 1 "I complain about dealer 2", others nothing.
    parties = make_parties(4, 1, 1, session="h2-two-complaints")
    h = _run(parties)
    h.corrupt(lambda m, to: _resigned(m, {"against": [2]}) if to == 1 else m, sender=4, kinds={"presign.complaint"})
    h.run()
    assert _agree(parties, [1, 2, 3]) == (1, 2, 3, 4)
    assert all("equivocated" in parties[i - 1].faults[4] for i in (1, 2, 3))


def test_complaint_to_one_peer_only_reaches_all() -> None:
    # One signed complaint, sent to party 1 alone: the echo takes it to the others, dealer 2
    # answers it in the open, and every honest member keeps dealer 2.
    class ComplainsAboutTwo(PresignParty):
        def _body_to_send(self, kind: str, body: dict[str, Any]) -> dict[str, Any]:
            return {"against": [2]} if kind == "presign.complaint" else body

    parties = make_parties(4, 1, 1, session="h2-one-complaint", classes={4: ComplainsAboutTwo})
    h = _run(parties)
    h.drop(sender=4, kinds={"presign.complaint"}, recipients={2, 3})
    h.run()
    assert _agree(parties, [1, 2, 3]) == (1, 2, 3, 4)
    assert all(parties[i - 1]._complainers[2] == {4} for i in (1, 2, 3))


def test_opening_to_some_peers_only_reaches_all() -> None:
    parties = make_parties(4, 1, 2, session="h2-partial-open")
    h = _run(parties)
    h.drop(sender=3, kinds={"presign.open"}, recipients={1})
    h.run()
    assert _agree(parties, [1, 2, 3, 4]) == (1, 2, 3, 4)


def test_a_different_confirmation_is_named_and_cannot_outvote_the_quorum() -> None:
    parties = make_parties(4, 1, 1, session="h2-odd-confirmation")
    h = _run(parties)
    h.corrupt(lambda m, to: _resigned(m, {"digest": "ab" * 32}), sender=4, kinds={"presign.confirm"})
    h.run()
    assert _agree(parties, [1, 2, 3]) == (1, 2, 3, 4)
    assert all("confirmed" in parties[i - 1].faults[4] for i in (1, 2, 3))


def test_without_c_minus_t_matching_confirmations_nothing_is_stored() -> None:
    parties = make_parties(4, 1, 2, session="h2-no-quorum")
    h = _run(parties)
    h.corrupt(lambda m, to: _resigned(m, {"digest": "ab" * 32}), sender=4, kinds={"presign.confirm"})
    h.corrupt(lambda m, to: _resigned(m, {"digest": "cd" * 32}), sender=3, kinds={"presign.confirm"})
    h.run()
    for p in parties[:2]:
        assert p.done and p.results() == []
        assert set(p.failed) == {0, 1} and all("confirmations" in why for why in p.failed.values())


def test_relayed_deal_reaches_every_honest_member_at_n7() -> None:
    # n = 7, t = 2: dealer 2 deals only to corrupt party 4, and neither echoes it; party 4 forwards
    # it to honest party 1 alone. Party 1 relays it, so all honest members agree.
    parties = make_parties(7, 2, 1, session="h2-relayed")
    h = _run(parties)
    h.drop(sender=2, kinds={"presign.deal"}, recipients={1, 3, 5, 6, 7})
    h.drop(sender=2, kinds={"presign.forward", "presign.echo.deal"})
    h.drop(sender=4, kinds={"presign.forward", "presign.echo.deal"}, recipients={3, 5, 6, 7})
    h.run()
    honest = [1, 3, 5, 6, 7]
    _no_split(parties, honest)
    assert 2 in _agree(parties, honest)
