"""Presigning: honest runs, cheating dealers, wrong openings, silent parties, malformed input."""

from __future__ import annotations

import json
import random
from collections.abc import Callable

import pytest

from runtime.crypto import channel, shamir
from runtime.crypto.errors import InvalidInput, InvalidPoint
from runtime.crypto.identity import PartyKeys
from runtime.crypto.presign import PresignParty
from runtime.crypto.presignature import Presignature, PresignaturePublic
from runtime.crypto.protocol import Message
from runtime.crypto.secp256k1 import ORDER, SECP256K1 as G
from tests.crypto.harness import Harness

SESSION = "presign-test"


def _plain(_: int, data: bytes) -> bytes:
    return data


def make_parties(
    n: int,
    t: int,
    batch: int,
    *,
    seed: int = 1,
    session: str = SESSION,
    cipher: Callable[[int], tuple[Callable[[int, bytes], bytes], Callable[[int, bytes], bytes]]] | None = None,
) -> list[PresignParty]:
    rng = random.Random(seed)
    committee = list(range(1, n + 1))
    parties = []
    for i in committee:
        seal, open_ = cipher(i) if cipher else (_plain, _plain)
        parties.append(
            PresignParty(
                session, i, committee, t, batch,
                seal=seal, open_=open_,
                rand=lambda m, r=random.Random(rng.random()): r.randrange(m),
                random_bytes=lambda k, r=random.Random(rng.random()): r.randbytes(k),
            )
        )
    return parties


def _public_views(parties: list[PresignParty], absent: set[int] = frozenset()) -> list[list[dict]]:
    return [[p.public.to_dict() for p in party.results()] for party in parties if party.index not in absent]


def check_presignatures(parties: list[PresignParty], absent: set[int] = frozenset()) -> list[list[Presignature]]:
    """All live parties agree on every public part, and the secrets fit R = k⁻¹·G, Σλ e_i = 0."""
    views = _public_views(parties, absent)
    assert views and all(v == views[0] for v in views)
    live = [p for p in parties if p.index not in absent]
    t = live[0].t
    batches = list(zip(*(p.results() for p in live)))
    for group in batches:
        pub = group[0].public
        k = shamir.interpolate({p.index: p.k_share for p in group[: t + 1]}, ORDER)
        assert G.eq(G.mul(pub.big_r, k), G.generator())
        assert shamir.interpolate({p.index: p.e_share for p in group[: 2 * t + 1]}, ORDER) == 0
        for p in group:
            assert G.eq(G.base_mul(p.k_share), pub.k_public(p.index))
            assert G.eq(G.base_mul(p.e_share), pub.e_public(p.index))
    return [list(g) for g in batches]


def test_honest_run_makes_a_batch() -> None:
    parties = make_parties(4, 1, 3)
    h = Harness(parties).run()
    assert h.deadlines == 0 and not h.rejected
    batches = check_presignatures(parties)
    assert len(batches) == 3
    assert len({b[0].id for b in batches}) == 3
    assert all(p.faults == {} and p.qualified == (1, 2, 3, 4) for p in parties)
    one = batches[0][0]
    assert Presignature.from_dict(json.loads(json.dumps(one.to_dict()))).to_dict() == one.to_dict()


def test_ten_parties() -> None:
    parties = make_parties(10, 3, 1)
    Harness(parties).run()
    check_presignatures(parties)


def test_real_channel_encryption() -> None:
    keys = {i: PartyKeys.generate() for i in range(1, 5)}

    def cipher(me: int):
        def seal(to: int, data: bytes) -> bytes:
            return channel.seal(keys[to].public.encryption_key, data, channel.bind(SESSION, me, to))

        def open_(sender: int, data: bytes) -> bytes:
            return channel.open_sealed(keys[me], data, channel.bind(SESSION, sender, me))

        return seal, open_

    parties = make_parties(4, 1, 2, cipher=cipher)
    h = Harness(parties)
    # Tamper with the ciphertext dealer 2 sends to party 3: it cannot open, complains, and dealer 2
    # answers in public, so it stays qualified.
    def flip(m: Message, to: int) -> Message:
        shares = dict(m.body["shares"])
        raw = bytearray(bytes.fromhex(shares["3"]))
        raw[-1] ^= 1
        shares["3"] = raw.hex()
        return Message(m.session, m.kind, m.sender, m.recipient, {**m.body, "shares": shares})

    h.corrupt(flip, sender=2, kinds={"presign.deal"}, recipients={3})
    h.run()
    check_presignatures(parties)
    assert all(p.qualified == (1, 2, 3, 4) for p in parties)


def _bad_share(target: str) -> Callable[[Message, int], Message]:
    def fn(m: Message, to: int) -> Message:
        shares = dict(m.body["shares"])
        blob = bytearray(bytes.fromhex(shares[target]))
        blob[-1] ^= 1  # last byte of the last e share
        shares[target] = blob.hex()
        return Message(m.session, m.kind, m.sender, m.recipient, {**m.body, "shares": shares})

    return fn


def test_dealer_with_a_bad_share_answers_the_complaint() -> None:
    parties = make_parties(4, 1, 2)
    h = Harness(parties)
    h.corrupt(_bad_share("3"), sender=2, kinds={"presign.deal"}, recipients={3})
    h.run()
    check_presignatures(parties)
    assert all(p.qualified == (1, 2, 3, 4) for p in parties)


def test_dealer_with_more_than_t_complaints_is_disqualified() -> None:
    parties = make_parties(7, 2, 2)
    h = Harness(parties)
    for target in ("3", "4", "5"):
        h.corrupt(_bad_share(target), sender=2, kinds={"presign.deal"}, recipients={int(target)})
    h.run()
    check_presignatures(parties)
    for p in parties:
        if p.index != 2:
            assert p.qualified == (1, 3, 4, 5, 6, 7)
            assert "complaints" in p.faults[2]


def test_dealer_with_a_bad_answer_is_disqualified() -> None:
    parties = make_parties(4, 1, 1)
    h = Harness(parties)
    h.corrupt(_bad_share("3"), sender=2, kinds={"presign.deal"}, recipients={3})
    h.corrupt(_bad_share("3"), sender=2, kinds={"presign.answer"})
    h.run()
    check_presignatures(parties, absent={2})  # the cheater itself saw its answer intact
    for p in parties:
        if p.index != 2:
            assert p.qualified == (1, 3, 4)
            assert p.faults[2].startswith("bad answer")


def test_zero_sharing_with_a_nonzero_constant_is_disqualified() -> None:
    parties = make_parties(4, 1, 1)
    h = Harness(parties)

    def cheat(m: Message, to: int) -> Message:
        commitments = json.loads(json.dumps(m.body["commitments"]))
        commitments[0]["e"][0] = G.encode(G.base_mul(5)).hex()
        return Message(m.session, m.kind, m.sender, m.recipient, {**m.body, "commitments": commitments})

    h.corrupt(cheat, sender=4, kinds={"presign.deal"})
    h.run()
    check_presignatures(parties, absent={4})
    for p in parties[:3]:
        assert p.qualified == (1, 2, 3)
        assert "commitments[0].e[0]" in p.faults[4]


def test_wrong_w_is_caught_and_named() -> None:
    parties = make_parties(4, 1, 2)
    h = Harness(parties)

    def lie(m: Message, to: int) -> Message:
        entries = json.loads(json.dumps(m.body["w"]))
        entries[1]["w"] = f"{(int(entries[1]['w'], 16) + 1) % ORDER:064x}"
        return Message(m.session, m.kind, m.sender, m.recipient, {"w": entries})

    h.corrupt(lie, sender=2, kinds={"presign.open"})
    h.run()
    check_presignatures(parties)
    for p in parties:
        if p.index != 2:
            assert p.faults == {2: "wrong w for presignature 1"}


def test_up_to_t_wrong_w_with_seven_parties() -> None:
    parties = make_parties(7, 2, 1)
    h = Harness(parties)
    for liar in (1, 6):
        h.corrupt(
            lambda m, to: Message(m.session, m.kind, m.sender, m.recipient,
                                  {"w": [{**m.body["w"][0], "w": "00" * 32}]}),
            sender=liar, kinds={"presign.open"},
        )
    h.run()
    check_presignatures(parties)
    assert set(parties[2].faults) == {1, 6}


def test_silent_party_is_tolerated() -> None:
    parties = make_parties(4, 1, 2)
    h = Harness(parties, absent={4}).run()
    assert h.deadlines >= 1
    check_presignatures(parties, absent={4})
    assert parties[0].qualified == (1, 2, 3)


def test_party_silent_only_in_the_open_phase() -> None:
    parties = make_parties(4, 1, 1)
    h = Harness(parties)
    h.drop(sender=3, kinds={"presign.open"})
    h.run()
    check_presignatures(parties)


def test_too_many_silent_parties_fail_cleanly() -> None:
    parties = make_parties(4, 1, 2)
    h = Harness(parties)
    h.drop(sender=3, kinds={"presign.open"})
    h.drop(sender=4, kinds={"presign.open"})
    h.run()
    for p in parties[:2]:
        assert p.done and p.results() == []
        assert "not enough valid shares: have 2, need 3" in p.failed[0]


def test_constructor_validation_names_the_field() -> None:
    cases = [
        (dict(committee=[1, 2, 3, 4, 5], threshold=1), "committee"),
        (dict(committee=[1, 2], threshold=1), "committee"),
        (dict(committee=[1, 1, 2, 3], threshold=1), "committee"),
        (dict(committee=[0, 1, 2, 3], threshold=1), "committee"),
        (dict(index=9), "index"),
        (dict(batch_size=0), "batch_size"),
        (dict(session=""), "session"),
    ]
    for overrides, field in cases:
        args = dict(session="s", index=1, committee=[1, 2, 3, 4], threshold=1, batch_size=1)
        args.update(overrides)
        with pytest.raises(InvalidInput) as err:
            PresignParty(**args, seal=_plain, open_=_plain)  # type: ignore[arg-type]
        assert err.value.field == field


def test_messages_from_outside_are_rejected() -> None:
    parties = make_parties(4, 1, 1)
    h = Harness(parties)
    parties[0].start()
    for bad in (
        Message("other", "presign.deal", 2, None, {}),
        Message(SESSION, "presign.deal", 9, None, {}),
        Message(SESSION, "presign.deal", 2, 3, {}),
    ):
        h.deliver(1, bad)
    assert len(h.rejected) == 3


def test_public_part_parsing_names_the_field() -> None:
    parties = make_parties(4, 1, 1)
    Harness(parties).run()
    good = parties[0].results()[0].public.to_dict()

    def broken(**changes: object) -> dict:
        return {**json.loads(json.dumps(good)), **changes}

    cases = [
        (broken(R="02" + "ff" * 32), InvalidPoint, "R"),
        (broken(R="00" * 33), InvalidPoint, "R"),
        (broken(e_commitments=[good["k_commitments"][0]] + good["e_commitments"][1:]), InvalidPoint, "e_commitments[0]"),
        (broken(k_commitments=good["k_commitments"][:1]), InvalidInput, "k_commitments"),
        (broken(committee=[1, 2, 3, 4, 5]), InvalidInput, "committee"),
        (broken(threshold=-1), InvalidInput, "threshold"),
    ]
    for data, error, field in cases:
        with pytest.raises(error) as err:
            PresignaturePublic.from_dict(data)
        assert err.value.field == field
    with pytest.raises(InvalidInput) as err:
        Presignature.from_dict({"public": good, "index": 1, "k_share": f"{ORDER:064x}", "e_share": "00" * 32})
    assert err.value.field == "k_share"
