"""GJKR DKG with cheating and silent dealers: honest parties agree and disqualify exactly the cheaters."""

from __future__ import annotations

from dataclasses import replace

from runtime.crypto.channel import sign_message
from runtime.crypto.dkg import SCHEDULE, DkgConfig, DkgParty
from runtime.crypto.dkg_messages import SharePair
from runtime.crypto.secp256k1 import SECP256K1

from .conftest import identities
from .dealers import BadShareDealer, BiasingDealer, FalseComplainer, JunkSealer, LyingDealer, TwoVictimDealer
from .harness import Harness

G = SECP256K1


def _framer(fake: str) -> type[DkgParty]:
    class Framer(DkgParty):
        """Presents "evidence" against honest dealer 2 in the extraction phase."""

        def _evidence_to_send(self, evidence: dict[int, SharePair]) -> dict[int, SharePair]:
            pair = self._received[2] if fake == "true" else SharePair((5,), (7,))
            return {**evidence, 2: pair}

    return Framer


def _resigned(n: int, message, body):
    return sign_message(identities(n)[message.sender], replace(message, body=body))


def test_bad_share_answered_correctly_keeps_the_dealer(dkg_factory, dkg_check):
    parties = dkg_factory(G, DkgConfig.for_network("bad-share", 4, keys=3), {2: BadShareDealer})
    harness = Harness(parties, schedule=SCHEDULE).run()
    dkg_check(G, parties, [1, 2, 3, 4], set())
    assert parties[0]._complaints[1] == {2}  # the victim did complain, then took the revealed share
    assert harness.rejected == []


def test_bad_share_with_wrong_answer_is_disqualified(dkg_factory, dkg_check):
    parties = dkg_factory(G, DkgConfig.for_network("lying", 4, keys=3), {3: LyingDealer})
    Harness(parties, schedule=SCHEDULE).run()
    dkg_check(G, parties, [1, 2, 4], {3})


def test_bad_share_with_no_answer_is_disqualified(dkg_factory, dkg_check):
    parties = dkg_factory(G, DkgConfig.for_network("no-answer", 4), {3: BadShareDealer})
    harness = Harness(parties, schedule=SCHEDULE)
    harness.drop(sender=3, kinds={"dkg.answer", "dkg.forward"})  # nor delivered later by its echo
    harness.run()
    # The honest parties waited for the answer until the deadline, then for the version dealer 3's
    # echo claims it sent, until the echo deadline.
    assert harness.deadlines == 2
    dkg_check(G, parties, [1, 2, 4], {3})


def test_more_than_t_complaints_disqualify_without_an_answer(dkg_factory, dkg_check):
    parties = dkg_factory(G, DkgConfig.for_network("two-victims", 4), {4: TwoVictimDealer})
    seen = []
    harness = Harness(parties, schedule=SCHEDULE)
    harness.corrupt(lambda m, to: seen.append(m) or m, kinds={"dkg.answer"})
    harness.run()
    assert seen == []  # a dealer over the limit is out; nobody waits for its answer
    dkg_check(G, parties, [1, 2, 3], {4})


def test_absent_dealer_is_disqualified(dkg_factory, dkg_check):
    parties = dkg_factory(G, DkgConfig.for_network("absent", 4, keys=2))
    harness = Harness(parties, schedule=SCHEDULE, absent={2}).run()
    assert harness.deadlines == 1  # the missing deal; later phases wait only for parties that dealt
    dkg_check(G, parties, [1, 3, 4], {2})


def test_dealer_silent_after_dealing_is_reconstructed_not_dropped(dkg_factory, dkg_check):
    # It is in QUAL (its deal was good) but sends no Feldman commitments: its polynomial is
    # rebuilt from the honest parties' shares, so the key is the one its deal committed to.
    parties = dkg_factory(G, DkgConfig.for_network("quiet-later", 4, keys=2))
    harness = Harness(parties, schedule=SCHEDULE)
    harness.drop(sender=4, kinds={"dkg.feldman", "dkg.feldman_complaint", "dkg.reveal", "dkg.forward", "dkg.confirm"})
    harness.drop(sender=4, kinds={"dkg.echo.feldman", "dkg.echo.feldman_complaint"})
    harness.run()
    dkg_check(G, parties, [1, 2, 3], set())
    assert parties[0]._accused == {4}


def test_biasing_feldman_commitments_are_replaced_by_reconstruction(dkg_factory, dkg_check):
    parties = dkg_factory(G, DkgConfig.for_network("bias", 7, keys=2), {5: BiasingDealer})
    harness = Harness(parties, schedule=SCHEDULE).run()
    assert harness.deadlines == 0
    dkg_check(G, parties, [1, 2, 3, 4, 6, 7], set())  # asserts the key is the dealt one
    assert all(p._accused == {5} for p in parties if p.index != 5)


def test_up_to_t_mixed_cheaters_at_n10(dkg_factory, dkg_check):
    classes = {2: LyingDealer, 5: BadShareDealer, 9: BiasingDealer}
    parties = dkg_factory(G, DkgConfig.for_network("mixed", 10, keys=2), classes)
    harness = Harness(parties, schedule=SCHEDULE, absent={7})
    harness.drop(sender=5, kinds={"dkg.answer", "dkg.forward"})
    harness.run()
    honest = [1, 3, 4, 6, 8, 10]
    dkg_check(G, parties, honest, {2, 5, 7})  # 9 stays: its deal was fine, its A_9 is rebuilt


def test_false_complaint_against_honest_dealer_changes_nothing(dkg_factory, dkg_check):
    parties = dkg_factory(G, DkgConfig.for_network("false-complaint", 4), {3: FalseComplainer})
    Harness(parties, schedule=SCHEDULE).run()
    dkg_check(G, parties, [1, 2, 4], set())
    assert parties[0]._complainers[2] == {3}  # heard, answered in the open, and 2 stays


def test_framing_an_honest_dealer_in_extraction_fails(dkg_factory, dkg_check):
    # Party 3 presents "evidence" against dealer 2: once random shares (not even matching the
    # Pedersen commitments), once its true shares (which match both): neither accuses dealer 2.
    for fake in ("random", "true"):
        parties = dkg_factory(G, DkgConfig.for_network(f"frame-{fake}", 4), {3: _framer(fake)})
        harness = Harness(parties, schedule=SCHEDULE).run()
        assert harness.deadlines == 0
        assert all(p._accused == set() for p in parties)
        dkg_check(G, parties, [1, 2, 4], set())


def test_undecryptable_share_is_complained_about(dkg_factory, dkg_check):
    parties = dkg_factory(G, DkgConfig.for_network("garbage-ciphertext", 4), {2: JunkSealer})
    Harness(parties, schedule=SCHEDULE).run()
    assert parties[0]._complaints[1] == {2}
    dkg_check(G, parties, [1, 2, 3, 4], set())  # dealer 2 answered in the open


def test_late_deal_is_refused_and_dealer_dropped(dkg_factory, dkg_check):
    parties = dkg_factory(G, DkgConfig.for_network("late", 4))
    harness = Harness(parties, schedule=SCHEDULE)
    harness.delay(sender=3, kinds={"dkg.deal", "dkg.forward"})  # its echo cannot rescue it either
    harness.run()
    late = [r for r in harness.rejected if r.message.kind == "dkg.deal"]
    assert {r.recipient for r in late} == {1, 2, 4}
    assert all(r.message.sender == 3 and "closed" in str(r.error) for r in harness.rejected)
    dkg_check(G, parties, [1, 2, 4], {3})  # 3 took part, but its deal missed the deadline
