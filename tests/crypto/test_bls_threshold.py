"""Threshold BLS: degree-2t key shares, per-share verification, combination by Lagrange."""

from __future__ import annotations

import itertools
import json
import random

import pytest

from runtime.crypto import bls, shamir, vss
from runtime.crypto.bls import G1, G2, ORDER
from runtime.crypto.bls_threshold import (
    SignatureShare,
    ThresholdPublicKey,
    combine,
    combine_verified,
    interpolate,
    sign_share,
    verify_share,
    verify_shares,
)
from runtime.crypto.errors import InvalidInput, InvalidPoint, NotEnoughShares, VerificationFailed
from runtime.crypto.group import signing_threshold, threshold_for
from runtime.testing.dealers import deal

MSG = b"threshold message"


def _sign_all(key_shares: dict[int, int], message: bytes = MSG) -> list[SignatureShare]:
    return [sign_share(i, x, message) for i, x in key_shares.items()]


@pytest.mark.parametrize("n", [4, 7])
def test_any_2t_plus_1_shares_give_the_plain_signature(n: int) -> None:
    secret = random.Random(n).randrange(1, ORDER)
    key_shares, key = deal(n, secret)
    assert key.need == signing_threshold(n) == 2 * threshold_for(n) + 1
    assert G1.encode(key.public_key) == bls.sk_to_pk(secret)
    shares = _sign_all(key_shares)
    for s in shares:
        assert verify_share(s, key.public_shares[s.index], MSG)
    expected = bls.sign(secret, MSG)
    subsets = list(itertools.combinations(shares, key.need))
    for subset in random.Random(0).sample(subsets, min(5, len(subsets))):
        assert G2.encode(combine(subset, key, MSG)) == expected
    assert G2.encode(combine(shares, key, MSG)) == expected


def test_2t_shares_interpolate_to_garbage() -> None:
    # Why 2t+1: the sharing is degree 2t, so 2t points fix nothing.
    key_shares, key = deal(7)
    shares = _sign_all(key_shares)[: key.need - 1]
    assert not bls.verify_point(key.public_key, MSG, interpolate(shares))


@pytest.mark.parametrize("n", [4, 7])
def test_bad_shares_are_named_and_skipped(n: int) -> None:
    key_shares, key = deal(n)
    t = threshold_for(n)
    shares = _sign_all(key_shares)
    # t liars: one signs another message, one sends another party's share, one sends the identity.
    liars = sorted(random.Random(n).sample(sorted(key_shares), t))
    corrupt = {
        0: lambda s: sign_share(s.index, key_shares[s.index], b"other message"),
        1: lambda s: SignatureShare(s.index, shares[s.index % n].value),
        2: lambda s: SignatureShare(s.index, G2.identity()),
    }
    for k, i in enumerate(liars):
        shares[i - 1] = corrupt[k % 3](shares[i - 1])
    valid, bad = verify_shares(shares, key, MSG)
    assert bad == tuple(liars)
    assert sorted(s.index for s in valid) == sorted(set(key_shares) - set(liars))
    assert G2.encode(combine(shares, key, MSG)) == G2.encode(interpolate(valid[: key.need]))
    assert bls.verify_point(key.public_key, MSG, combine(shares, key, MSG))


@pytest.mark.parametrize("n", [4, 7])
def test_fewer_than_2t_plus_1_valid_is_not_enough(n: int) -> None:
    key_shares, key = deal(n)
    shares = _sign_all(key_shares)
    with pytest.raises(NotEnoughShares) as err:
        combine(shares[: key.need - 1], key, MSG)
    assert (err.value.have, err.value.need, err.value.bad_parties) == (key.need - 1, key.need, ())
    # enough shares arrive, but one of them is bad
    shares[0] = sign_share(1, key_shares[1], b"wrong")
    with pytest.raises(NotEnoughShares) as err:
        combine(shares[: key.need], key, MSG)
    assert (err.value.have, err.value.need, err.value.bad_parties) == (key.need - 1, key.need, (1,))
    with pytest.raises(NotEnoughShares):
        combine([], key, MSG)


def test_unknown_party_is_bad_and_duplicates_are_refused() -> None:
    key_shares, key = deal(4)
    shares = _sign_all(key_shares)
    outsider = sign_share(9, 12345, MSG)
    valid, bad = verify_shares([*shares, outsider], key, MSG)
    assert bad == (9,) and len(valid) == 4
    with pytest.raises(InvalidInput, match="duplicate") as err:
        combine([*shares, shares[0]], key, MSG)
    assert err.value.field == "shares"


def test_batch_check_does_not_hide_a_bad_share() -> None:
    # Two errors that cancel in an unweighted sum: +D on one share, -D on another.
    key_shares, key = deal(7)
    shares = _sign_all(key_shares)
    d = G2.base_mul(99)
    shares[0] = SignatureShare(1, G2.add(shares[0].value, d))
    shares[1] = SignatureShare(2, G2.add(shares[1].value, G2.neg(d)))
    assert verify_shares(shares, key, MSG)[1] == (1, 2)


def test_inconsistent_public_shares_are_caught() -> None:
    key_shares, key = deal(4)
    # Public shares from a different sharing of the same key: each share checks, the sum does not.
    other = shamir.random_polynomial(2, ORDER, 1)
    fake_shares = {i: G1.base_mul(shamir.evaluate(other, i, ORDER)) for i in key_shares}
    fake = ThresholdPublicKey(key.public_key, fake_shares, key.need)
    shares = [sign_share(i, shamir.evaluate(other, i, ORDER), MSG) for i in key_shares]
    with pytest.raises(VerificationFailed):
        combine(shares, fake, MSG)


def test_share_json_round_trip_and_identifier_is_little_endian() -> None:
    share = sign_share(300, 777, MSG)
    text = share.to_json()
    inner = json.loads(text)["ProofOfPossession"]
    assert inner["identifier"] == (300).to_bytes(32, "little").hex()
    assert inner["value"] == G2.encode(share.value).hex()
    assert SignatureShare.from_json(text) == share


def _share_json(identifier: str, value: str) -> str:
    return json.dumps({"ProofOfPossession": {"identifier": identifier, "value": value}})


GOOD_VALUE = G2.encode(G2.base_mul(5)).hex()
ONE = (1).to_bytes(32, "little").hex()


@pytest.mark.parametrize(
    "text, field, error",
    [
        ("not json", "share", InvalidInput),
        ('{"Basic": {}}', "share", InvalidInput),
        (_share_json("01", GOOD_VALUE), "share.identifier", InvalidInput),
        (_share_json("zz" * 32, GOOD_VALUE), "share.identifier", InvalidInput),
        (_share_json("00" * 32, GOOD_VALUE), "share.identifier", InvalidInput),
        (_share_json(ORDER.to_bytes(32, "little").hex(), GOOD_VALUE), "share.identifier", InvalidInput),
        (_share_json(ONE, GOOD_VALUE[:-2]), "share.value", InvalidPoint),
        (_share_json(ONE, G2.encode(G2.identity()).hex()), "share.value", InvalidPoint),
        (_share_json(ONE, "80" + "00" * 94 + "05"), "share.value", InvalidPoint),
    ],
    ids=["json", "scheme", "id-short", "id-hex", "id-zero", "id-order", "value-short", "identity", "off-curve"],
)
def test_share_json_rejects(text: str, field: str, error: type[Exception]) -> None:
    with pytest.raises(error) as err:
        SignatureShare.from_json(text)
    assert err.value.field == field  # type: ignore[attr-defined]


def test_sign_share_and_key_input_checks() -> None:
    with pytest.raises(InvalidInput) as err:
        sign_share(0, 5, MSG)
    assert err.value.field == "index"
    with pytest.raises(InvalidInput) as err:
        sign_share(1, ORDER, MSG)
    assert err.value.field == "key_share"
    with pytest.raises(InvalidPoint) as err:
        ThresholdPublicKey.from_commitments([G1.identity(), G1.generator()], 4)
    assert err.value.field == "commitments[0]"
    with pytest.raises(InvalidInput) as err:
        deal(4, secret=0)
    assert err.value.field == "secret"


def test_from_commitments_matches_feldman_public_shares() -> None:
    coefficients = shamir.random_polynomial(2, ORDER)
    key = ThresholdPublicKey.from_commitments(vss.feldman_commit(G1, coefficients), 4)
    for i, x_i in shamir.share(coefficients, 4, ORDER).items():
        assert G1.eq(key.public_shares[i], G1.base_mul(x_i))


def test_combine_verified_equals_combine_and_needs_enough_shares() -> None:
    key_shares, key = deal(4)
    message = b"verified elsewhere"
    shares = [sign_share(i, x, message) for i, x in key_shares.items()]
    assert combine_verified(shares, key, message) == combine(shares, key, message)
    with pytest.raises(NotEnoughShares):
        combine_verified(shares[: key.need - 1], key, message)
