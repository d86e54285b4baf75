"""Threshold ECDSA: shares, proofs, robust combining, Ethereum recovery, the one-use rule."""

from __future__ import annotations

import itertools
import json
import random
from dataclasses import dataclass, replace

import pytest
from eth_account import Account
from eth_keys import keys as eth_keys
from hypothesis import given, settings, strategies as st

from runtime.crypto import shamir, vss
from runtime.crypto.dkg import DkgConfig
from runtime.crypto.dleq import DleqProof, prove_dleq, verify_dleq
from runtime.crypto.ecdsa import (
    EcdsaSignature,
    SignatureShare,
    agreed_value,
    check_presignature_use,
    combine_signature_shares,
    sign_share,
    usage_record,
    verify_share,
    verify_signature,
)
from runtime.crypto.errors import InvalidInput, InvalidPoint, NotEnoughShares, PresignatureReused
from runtime.crypto.hd import DerivedKey, derive_key, derive_secret_share, eth_address
from runtime.crypto.agreement import AgreementFailed, Certificate
from runtime.crypto.presignature import Presignature
from runtime.crypto.secp256k1 import ORDER, SECP256K1 as G
from tests.crypto.harness import Harness
from tests.crypto.signing import certify
from tests.crypto.test_presign import make_parties

HALF = ORDER // 2
ROOT_KEYS = 3


@dataclass
class Network:
    n: int
    t: int
    pool: list[list[Presignature]]  # per presignature, one per party (index order)
    key: DerivedKey
    shares: dict[int, int]  # party -> derived key share

    def take(self) -> list[Presignature]:
        return self.pool.pop()

    def sign_all(self, presigs: list[Presignature], msg: bytes, key: DerivedKey | None = None,
                 shares: dict[int, int] | None = None) -> list[SignatureShare]:
        key = key or self.key
        shares = shares or self.shares
        cert = self.certificate(presigs, msg, key)
        out = []
        for p in presigs:
            record = check_presignature_use(None, msg, key.public_key)
            out.append(sign_share(p, key, shares[p.index], msg, recorded_use=record, certificate=cert))
        return out

    def certificate(self, presigs: list[Presignature], msg: bytes, key: DerivedKey | None = None) -> Certificate:
        key = key or self.key
        return certify(presigs[0].public, usage_record(msg, key.public_key))

    def delta(self, presigs: list[Presignature], msg: bytes, key: DerivedKey | None = None) -> int:
        key = key or self.key
        return self.certificate(presigs, msg, key).rerandomizer(G.encode(key.public_key), msg)


def _network(n: int, t: int, batch: int, seed: int) -> Network:
    parties = make_parties(n, t, batch, seed=seed, session=f"ecdsa-{n}-{seed}")
    Harness(parties).run()
    pool = [list(group) for group in zip(*(p.results() for p in parties))]
    rng = random.Random(seed)
    roots = [shamir.random_polynomial(t, ORDER, rand=lambda m: rng.randrange(1, m)) for _ in range(ROOT_KEYS)]
    key_id = rng.randbytes(32)
    key = derive_key(key_id, [vss.feldman_commit(G, r) for r in roots])
    shares = {i: derive_secret_share(key_id, [shamir.evaluate(r, i, ORDER) for r in roots]) for i in range(1, n + 1)}
    return Network(n, t, pool, key, shares)


@pytest.fixture(scope="module")
def net4() -> Network:
    return _network(4, 1, 60, seed=4)


@pytest.fixture(scope="module")
def net7() -> Network:
    return _network(7, 2, 12, seed=7)


def _assert_ethereum_valid(net: Network, msg: bytes, sig: EcdsaSignature) -> None:
    assert 0 < sig.s <= HALF
    address = eth_address(net.key.public_key)
    assert Account._recover_hash(msg, signature=sig.to_bytes()) == address
    recovered = eth_keys.Signature(vrs=(sig.recid, sig.r, sig.s)).recover_public_key_from_msg_hash(msg)
    assert recovered.to_checksum_address() == address
    assert verify_signature(net.key.public_key, msg, sig)


@settings(max_examples=25, deadline=None)
@given(msg=st.binary(min_size=32, max_size=32).filter(lambda b: int.from_bytes(b, "big") % ORDER))
def test_signatures_recover_to_the_pkp_address(net4: Network, msg: bytes) -> None:
    presigs = net4.take()
    sig = combine_signature_shares(presigs[0].public, net4.key, msg, net4.sign_all(presigs, msg), net4.delta(presigs, msg))
    _assert_ethereum_valid(net4, msg, sig)
    assert sig.bad_parties == ()
    # The wire form must recover on its own in eth_account, not merely equal our to_bytes().
    wire = sig.to_dict()["signature"]
    assert wire.startswith("0x") and len(wire) == 132 and wire[-2:] in ("1b", "1c")
    assert Account._recover_hash(msg, signature=bytes.fromhex(wire[2:])) == eth_address(net4.key.public_key)


def test_any_2t_plus_1_subset_gives_the_same_signature(net7: Network) -> None:
    msg = bytes(range(32))
    presigs = net7.take()
    shares = net7.sign_all(presigs, msg)
    sigs = {
        combine_signature_shares(presigs[0].public, net7.key, msg, list(subset), net7.delta(presigs, msg))
        for subset in itertools.combinations(shares, 2 * net7.t + 1)
    }
    assert len(sigs) == 1
    _assert_ethereum_valid(net7, msg, sigs.pop())


def _liar(share: SignatureShare, how: str) -> SignatureShare:
    if how == "s":
        return replace(share, s=(share.s + 1) % ORDER)
    if how == "p":  # consistent-looking P_i with a proof for another secret
        _, p, proof = prove_dleq(G.generator(), G.base_mul(3), 12345, context=b"x")
        return replace(share, p=p, proof=proof)
    if how == "proof":
        return replace(share, proof=DleqProof(share.proof.challenge, (share.proof.response + 1) % ORDER))
    if how == "id":
        return replace(share, presignature_id="someone-else/0")
    raise AssertionError(how)


@pytest.mark.parametrize("kinds", [("s", "p"), ("proof", "id"), ("s",)])
def test_up_to_t_wrong_shares_are_named_and_outvoted(net7: Network, kinds: tuple[str, ...]) -> None:
    msg = random.Random(len(kinds)).randbytes(32)
    presigs = net7.take()
    shares = net7.sign_all(presigs, msg)
    liars = [2, 6][: len(kinds)]
    for party, how in zip(liars, kinds):
        shares[party - 1] = _liar(shares[party - 1], how)
    sig = combine_signature_shares(presigs[0].public, net7.key, msg, shares, net7.delta(presigs, msg))
    _assert_ethereum_valid(net7, msg, sig)
    assert sig.bad_parties == tuple(liars)


def test_t_plus_1_wrong_shares_fail_cleanly(net7: Network) -> None:
    msg = b"\x07" * 32
    presigs = net7.take()
    shares = net7.sign_all(presigs, msg)
    for party in (1, 4, 7):
        shares[party - 1] = _liar(shares[party - 1], "s")
    with pytest.raises(NotEnoughShares) as err:
        combine_signature_shares(presigs[0].public, net7.key, msg, shares, net7.delta(presigs, msg))
    assert (err.value.have, err.value.need, err.value.bad_parties) == (4, 5, (1, 4, 7))


def test_too_few_shares(net4: Network) -> None:
    msg = b"\x08" * 32
    presigs = net4.take()
    with pytest.raises(NotEnoughShares) as err:
        combine_signature_shares(presigs[0].public, net4.key, msg, net4.sign_all(presigs[:2], msg), net4.delta(presigs, msg))
    assert (err.value.have, err.value.need) == (2, 3)


def test_shares_for_another_key_are_rejected(net4: Network) -> None:
    msg = b"\x09" * 32
    presigs = net4.take()
    c0, c1 = net4.key.commitments
    other = derive_key(b"another", [[c0, c1], [c1, c0]])  # a different derived key
    with pytest.raises(NotEnoughShares) as err:
        combine_signature_shares(presigs[0].public, other, msg, net4.sign_all(presigs, msg), net4.delta(presigs, msg))
    assert err.value.bad_parties == (1, 2, 3, 4)


def test_presignature_used_once(net4: Network) -> None:
    m1, m2 = b"\x01" * 32, b"\x02" * 32
    presigs = net4.take()
    p = presigs[0]
    pk = net4.key.public_key
    record = check_presignature_use(None, m1, pk)
    cert = net4.certificate(presigs, m1)
    first = sign_share(p, net4.key, net4.shares[p.index], m1, recorded_use=record, certificate=cert)
    # The same message again is the same share (safe); the node's log allows it.
    assert check_presignature_use(record, m1, pk) == record
    again = sign_share(p, net4.key, net4.shares[p.index], m1, recorded_use=record, certificate=cert)
    assert again.s == first.s
    with pytest.raises(PresignatureReused):
        check_presignature_use(record, m2, pk)
    with pytest.raises(PresignatureReused):
        check_presignature_use(record, m1, G.base_mul(99))  # same message, another key
    with pytest.raises(PresignatureReused):
        sign_share(p, net4.key, net4.shares[p.index], m2, recorded_use=record, certificate=cert)  # not recorded for m2
    # Recorded for m2 at this node, but the committee certified m1: still nothing is released.
    with pytest.raises(AgreementFailed):
        sign_share(p, net4.key, net4.shares[p.index], m2, recorded_use=usage_record(m2, pk), certificate=cert)


@pytest.mark.parametrize(
    "to_sign, reason",
    [
        (bytes(32), "zero"),
        (ORDER.to_bytes(32, "big"), "zero"),
        (b"\x01" * 31, "32 bytes"),
        (b"\x01" * 33, "32 bytes"),
        ("00" * 32, "bytes"),
    ],
)
def test_bad_message_hash_is_refused(net4: Network, to_sign: object, reason: str) -> None:
    p = net4.pool[0][0]
    cert = net4.certificate([p], b"\x01" * 32)
    for call in (
        lambda: usage_record(to_sign, net4.key.public_key),  # type: ignore[arg-type]
        lambda: sign_share(p, net4.key, net4.shares[p.index], to_sign, recorded_use="x", certificate=cert),  # type: ignore[arg-type]
        lambda: combine_signature_shares(p.public, net4.key, to_sign, [], net4.delta([p], to_sign)),  # type: ignore[arg-type]
    ):
        with pytest.raises(InvalidInput) as err:
            call()
        assert err.value.field == "to_sign" and reason in err.value.reason


def test_wrong_key_share_is_refused(net4: Network) -> None:
    p = net4.pool[0][0]
    msg = b"\x05" * 32
    record = usage_record(msg, net4.key.public_key)
    with pytest.raises(InvalidInput) as err:
        sign_share(p, net4.key, (net4.shares[p.index] + 1) % ORDER, msg, recorded_use=record, certificate=net4.certificate([p], msg))
    assert err.value.field == "key_share"


def test_share_wire_format_and_malformed_shares(net4: Network) -> None:
    msg = b"\x06" * 32
    presigs = net4.take()
    shares = net4.sign_all(presigs, msg)
    wire = [json.loads(json.dumps(s.to_dict())) for s in shares]
    parsed = [SignatureShare.from_dict(w) for w in wire]
    assert all(verify_share(presigs[0].public, net4.key, msg, s, net4.delta(presigs, msg)) for s in parsed)
    good = wire[0]
    cases = [
        ({**good, "s": good["s"][:-2]}, InvalidInput, "s"),
        ({**good, "s": f"{ORDER:064x}"}, InvalidInput, "s"),
        ({**good, "p": "02" + "ff" * 32}, InvalidPoint, "p"),
        ({**good, "p": "00" * 33}, InvalidPoint, "p"),
        ({**good, "p": "04" + "11" * 64}, InvalidPoint, "p"),
        ({**good, "index": 0}, InvalidInput, "index"),
        ({**good, "index": True}, InvalidInput, "index"),
        ({**good, "presignature_id": ""}, InvalidInput, "presignature_id"),
        ({**good, "proof": {"c": "00" * 32}}, InvalidInput, "proof"),
        ({**good, "proof": {"c": "ff" * 32, "z": "00" * 32}}, InvalidInput, "proof.c"),
        ("nope", InvalidInput, "share"),
    ]
    for data, error, field in cases:
        with pytest.raises(error) as err:
            SignatureShare.from_dict(data)
        assert err.value.field == field, data
    with pytest.raises(InvalidInput) as err:
        combine_signature_shares(presigs[0].public, net4.key, msg, [parsed[0], parsed[1], parsed[0]], net4.delta(presigs, msg))
    assert err.value.field == "shares" and "duplicate" in err.value.reason


def test_dleq() -> None:
    base2 = G.base_mul(777)
    p1, p2, proof = prove_dleq(G.generator(), base2, 4242, context=b"ctx")
    assert verify_dleq(G.generator(), p1, base2, p2, proof, context=b"ctx")
    assert not verify_dleq(G.generator(), p1, base2, p2, proof, context=b"other")
    assert not verify_dleq(G.generator(), p1, base2, G.add(p2, G.generator()), proof, context=b"ctx")
    assert not verify_dleq(G.generator(), p1, base2, p2, DleqProof(proof.challenge, 1), context=b"ctx")
    assert DleqProof.from_dict(proof.to_dict()) == proof
    with pytest.raises(InvalidInput) as err:
        prove_dleq(G.generator(), base2, ORDER, context=b"ctx")
    assert err.value.field == "secret"


def test_agreed_value(net4: Network) -> None:
    pub = net4.pool[0][0].public
    other = net4.pool[1][0].public
    assert agreed_value({1: pub, 2: pub, 3: other, 4: pub}, 3) is pub
    with pytest.raises(NotEnoughShares) as err:
        agreed_value({1: pub, 2: pub, 3: other, 4: other}, 3)
    assert err.value.have == 2


def test_signature_encoding() -> None:
    sig = EcdsaSignature(5, 7, 1)
    raw = sig.to_bytes()
    assert len(raw) == 65 and raw[-1] == 28
    with pytest.raises(InvalidInput) as err:
        EcdsaSignature(5, 7, 2).to_bytes()
    assert err.value.field == "recid"


def test_with_root_keys_from_the_dkg(dkg_factory) -> None:  # type: ignore[no-untyped-def]
    n = 4
    config = DkgConfig.for_network("dkg-for-ecdsa", n, keys=ROOT_KEYS)
    dkg = dkg_factory(G, config)
    Harness(dkg).run()
    results = {p.index: p.outcome() for p in dkg}
    key_id = b"pkp-from-dkg"
    root_commitments = [k.commitment_points(G) for k in results[1].keys]
    key = derive_key(key_id, root_commitments)
    shares = {i: derive_secret_share(key_id, [k.share for k in r.keys]) for i, r in results.items()}
    parties = make_parties(n, config.t, 1, seed=99, session="presign-after-dkg")
    Harness(parties).run()
    presigs = [p.results()[0] for p in parties]
    net = Network(n, config.t, [], key, shares)
    msg = bytes(range(100, 132))
    sig = combine_signature_shares(presigs[0].public, key, msg, net.sign_all(presigs, msg), net.delta(presigs, msg))
    _assert_ethereum_valid(net, msg, sig)


def test_single_node_dev_mode() -> None:
    """t = 0, a committee of one: the dev server's loud single-node mode still signs correctly."""
    parties = make_parties(1, 0, 1, session="solo")
    Harness(parties).run()
    key = derive_key(b"solo-key", [vss.feldman_commit(G, [5]), vss.feldman_commit(G, [7])])
    net = Network(1, 0, [], key, {1: derive_secret_share(b"solo-key", [5, 7])})
    msg = b"\x11" * 32
    presigs = parties[0].results()
    _assert_ethereum_valid(net, msg, combine_signature_shares(presigs[0].public, key, msg, net.sign_all(presigs, msg), net.delta(presigs, msg)))
