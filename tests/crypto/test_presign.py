"""Presigning: honest runs, cheating dealers, wrong openings, silent parties, malformed input."""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Mapping

import pytest

from runtime.crypto import channel, shamir
from runtime.crypto.errors import InvalidInput, InvalidPoint
from runtime.crypto.identity import PartyKeys
from runtime.crypto.presign import SCHEDULE, PresignParty
from runtime.crypto.presignature import Presignature, PresignaturePublic
from runtime.crypto.protocol import Message
from runtime.crypto.secp256k1 import ORDER, SECP256K1 as G
from tests.crypto.harness import Harness
from tests.crypto.signing import directory, party_keys

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
    classes: Mapping[int, type[PresignParty]] | None = None,
) -> list[PresignParty]:
    """Members 1..n with deterministic identity keys (`signing.party_keys`); `classes` swaps in a
    subclass for some members, to play a corrupt one."""
    rng = random.Random(seed)
    committee = list(range(1, n + 1))
    peers = directory(committee)
    parties = []
    for i in committee:
        seal, open_ = cipher(i) if cipher else (_plain, _plain)
        parties.append(
            (classes or {}).get(i, PresignParty)(
                session, i, committee, t, batch,
                seal=seal, open_=open_, identity=party_keys(i), peers=peers,
                rand=lambda m, r=random.Random(rng.random()): r.randrange(m),
                random_bytes=lambda k, r=random.Random(rng.random()): r.randbytes(k),
            )
        )
    return parties


def cheating(**by_kind: Callable[[dict], dict]) -> type[PresignParty]:
    """A member that signs and broadcasts `fn(body)` instead of the body of each given round, as a
    corrupt member would: one version, sent to everybody (kinds without "presign.", e.g. deal=...)."""

    class Cheat(PresignParty):
        def _body_to_send(self, kind: str, body: dict) -> dict:
            fn = by_kind.get(kind.removeprefix("presign."))
            return fn(json.loads(json.dumps(body))) if fn else body

    return Cheat


def _run(parties: list[PresignParty], **kwargs: object) -> Harness:
    return Harness(parties, schedule=SCHEDULE, **kwargs)  # type: ignore[arg-type]


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

    # Dealer 2's ciphertext for party 3 is tampered with: it cannot open, complains, and dealer 2
    # answers in public, so it stays qualified.
    parties = make_parties(4, 1, 2, cipher=cipher, classes={2: cheating(deal=_bad_share("3"))})
    _run(parties).run()
    check_presignatures(parties)
    assert all(p.qualified == (1, 2, 3, 4) for p in parties)


def _bad_share(*targets: str) -> Callable[[dict], dict]:
    def fn(body: dict) -> dict:
        for target in targets:
            blob = bytearray(bytes.fromhex(body["shares"][target]))
            blob[-1] ^= 1  # last byte of the last share (sealed or, in an answer, open)
            body["shares"][target] = blob.hex()
        return body

    return fn


def test_dealer_with_a_bad_share_answers_the_complaint() -> None:
    parties = make_parties(4, 1, 2, classes={2: cheating(deal=_bad_share("3"))})
    _run(parties).run()
    check_presignatures(parties)
    assert all(p.qualified == (1, 2, 3, 4) for p in parties)


def test_dealer_with_more_than_t_complaints_is_disqualified() -> None:
    parties = make_parties(7, 2, 2, classes={2: cheating(deal=_bad_share("3", "4", "5"))})
    _run(parties).run()
    check_presignatures(parties)
    for p in parties:
        if p.index != 2:
            assert p.qualified == (1, 3, 4, 5, 6, 7)
            assert "complaints" in p.faults[2]


def test_dealer_with_a_bad_answer_is_disqualified() -> None:
    parties = make_parties(4, 1, 1, classes={2: cheating(deal=_bad_share("3"), answer=_bad_share("3"))})
    _run(parties).run()
    check_presignatures(parties, absent={2})  # the cheater judges its own answer differently
    for p in parties:
        if p.index != 2:
            assert p.qualified == (1, 3, 4)
            assert p.faults[2].startswith("bad answer")


def test_zero_sharing_with_a_nonzero_constant_is_disqualified() -> None:
    def cheat(body: dict) -> dict:
        body["commitments"][0]["e"][0] = G.encode(G.base_mul(5)).hex()
        return body

    parties = make_parties(4, 1, 1, classes={4: cheating(deal=cheat)})
    _run(parties).run()
    check_presignatures(parties, absent={4})
    for p in parties[:3]:
        assert p.qualified == (1, 2, 3)
        assert "commitments[0].e[0]" in p.faults[4]


def test_wrong_w_is_caught_and_named() -> None:
    def lie(body: dict) -> dict:
        body["w"][1]["w"] = f"{(int(body['w'][1]['w'], 16) + 1) % ORDER:064x}"
        return body

    parties = make_parties(4, 1, 2, classes={2: cheating(open=lie)})
    _run(parties).run()
    check_presignatures(parties)
    for p in parties:
        if p.index != 2:
            assert p.faults == {2: "wrong w for presignature 1"}


def test_up_to_t_wrong_w_with_seven_parties() -> None:
    liar = cheating(open=lambda body: {"w": [{**body["w"][0], "w": "00" * 32}]})
    parties = make_parties(7, 2, 1, classes={1: liar, 6: liar})
    _run(parties).run()
    check_presignatures(parties)
    assert set(parties[2].faults) == {1, 6}


def test_silent_party_is_tolerated() -> None:
    parties = make_parties(4, 1, 2)
    h = _run(parties, absent={4}).run()
    assert h.deadlines >= 1
    check_presignatures(parties, absent={4})
    assert parties[0].qualified == (1, 2, 3)


def test_party_silent_only_in_the_open_phase() -> None:
    # Its opening reaches the others all the same: it forwards it when their echoes lack it.
    parties = make_parties(4, 1, 1)
    h = _run(parties)
    h.drop(sender=3, kinds={"presign.open"})
    h.run()
    check_presignatures(parties)


def test_too_many_silent_parties_fail_cleanly() -> None:
    parties = make_parties(4, 1, 2)
    h = _run(parties)
    h.drop(sender=3, kinds={"presign.open", "presign.forward"})
    h.drop(sender=4, kinds={"presign.open", "presign.forward"})
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
            PresignParty(**args, seal=_plain, open_=_plain, identity=party_keys(1), peers=directory(range(1, 5)))  # type: ignore[arg-type]
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


def test_identity_must_match_the_directory() -> None:
    args = dict(session="s", index=1, committee=[1, 2, 3, 4], threshold=1, batch_size=1, seal=_plain, open_=_plain)
    with pytest.raises(InvalidInput) as err:
        PresignParty(**args, identity=party_keys(2), peers=directory(range(1, 5)))  # type: ignore[arg-type]
    assert err.value.field == "identity"
    with pytest.raises(InvalidInput) as err:
        PresignParty(**args, identity=party_keys(1), peers=directory(range(1, 4)))  # type: ignore[arg-type]
    assert err.value.field == "peers"


def test_unsigned_or_forged_messages_are_rejected() -> None:
    parties = make_parties(4, 1, 1)
    h = _run(parties)
    deal = parties[1].start()[0]
    h.deliver(1, Message(deal.session, deal.kind, 2, None, {k: v for k, v in deal.body.items() if k != "sig"}))
    h.deliver(1, Message(deal.session, deal.kind, 3, None, deal.body))  # party 2's signature, as 3
    assert [type(r.error).__name__ for r in h.rejected] == ["ProtocolError", "VerificationFailed"]
