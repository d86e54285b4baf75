"""Threshold ECDSA on P-256 (EcdsaP256Sha256): presigning among parties in one process, signing,
combining, and verification by `cryptography` (OpenSSL), which we did not write.

As on lit-peer (`SigningScheme::hash_prior_to_sending`, `ecdsa_message_len` 32), toSign is the
SHA-256 digest of the message, made by the client; the nodes sign those 32 bytes as a prehash.
"""

from __future__ import annotations

import hashlib
import json
import random
from dataclasses import dataclass, replace

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from runtime.crypto import shamir, vss
from runtime.crypto.agreement import Certificate
from runtime.crypto.dleq import prove_dleq, verify_dleq
from runtime.crypto.ecdsa import (
    EcdsaSignature,
    SignatureShare,
    certificate_delta,
    check_presignature_use,
    combine_signature_shares,
    message_scalar,
    sign_share,
    usage_record,
    verify_share,
    verify_signature,
)
from runtime.crypto.errors import InvalidInput, InvalidPoint, NotEnoughShares, PresignatureReused
from runtime.crypto.hd import HD_K256, HD_P256, DerivedKey, derive_key, derive_secret_share
from runtime.crypto.p256 import P256
from runtime.crypto.presign import SCHEDULE, PresignParty
from runtime.crypto.presignature import Presignature, PresignaturePublic
from runtime.crypto.secp256k1 import SECP256K1
from tests.crypto.harness import Harness
from tests.crypto.signing import certify, directory, party_keys
from tests.crypto.test_presign import cheating
from tests.vectors.independent import p256_verifies

N = P256.order
ROOT_KEYS = 3


def _plain(_party: int, data: bytes) -> bytes:
    return data


def p256_parties(n: int, t: int, batch: int, seed: int, classes: dict[int, type[PresignParty]] | None = None) -> list[PresignParty]:
    rng = random.Random(seed)
    committee = list(range(1, n + 1))
    peers = directory(committee)
    return [
        (classes or {}).get(i, PresignParty)(
            f"p256-{n}-{seed}", i, committee, t, batch,
            seal=_plain, open_=_plain, identity=party_keys(i), peers=peers,
            rand=lambda m, r=random.Random(rng.random()): r.randrange(m),
            random_bytes=lambda k, r=random.Random(rng.random()): r.randbytes(k),
            group=P256,
        )
        for i in committee
    ]


@dataclass
class Network:
    t: int
    pool: list[list[Presignature]]
    key: DerivedKey
    shares: dict[int, int]

    def certificate(self, presigs: list[Presignature], msg: bytes) -> Certificate:
        return certify(presigs[0].public, usage_record(msg, self.key.public_key, P256))

    def delta(self, presigs: list[Presignature], msg: bytes) -> int:
        return certificate_delta(self.certificate(presigs, msg), P256, self.key.public_key, msg)

    def sign_all(self, presigs: list[Presignature], msg: bytes) -> list[SignatureShare]:
        cert = self.certificate(presigs, msg)
        record = check_presignature_use(None, msg, self.key.public_key, P256)
        return [sign_share(p, self.key, self.shares[p.index], msg, recorded_use=record, certificate=cert) for p in presigs]


@pytest.fixture(scope="module")
def net4() -> Network:
    return make_net4()


def make_net4() -> Network:
    """4 parties, t = 1, six P-256 presignatures; a fresh one per caller, since signing uses them up."""
    parties = p256_parties(4, 1, 6, seed=256)
    h = Harness(parties, schedule=SCHEDULE).run()
    assert h.deadlines == 0 and not h.rejected
    assert all(p.faults == {} for p in parties)
    pool = [list(group) for group in zip(*(p.results() for p in parties))]
    rng = random.Random(256)
    roots = [shamir.random_polynomial(1, N, rand=lambda m: rng.randrange(1, m)) for _ in range(ROOT_KEYS)]
    key_id = rng.randbytes(32)
    key = derive_key(key_id, [vss.feldman_commit(P256, r) for r in roots], HD_P256)
    shares = {i: derive_secret_share(key_id, [shamir.evaluate(r, i, N) for r in roots], HD_P256) for i in range(1, 5)}
    return Network(1, pool, key, shares)


def _openssl_verifies(key: DerivedKey, digest: bytes, sig: EcdsaSignature) -> bool:
    return p256_verifies(P256.encode_uncompressed(key.public_key), digest, sig.r, sig.s)


def test_presignatures_are_on_p256_and_consistent(net4: Network) -> None:
    for group in net4.pool:
        pub = group[0].public
        assert pub.group is P256 and all(p.public == pub for p in group)
        k = shamir.interpolate({p.index: p.k_share for p in group[:2]}, N)
        assert P256.eq(P256.mul(pub.big_r, k), P256.generator())  # R = k⁻¹·G
        wire = json.loads(json.dumps(group[0].to_dict()))
        assert wire["public"]["curve"] == "p256"
        assert Presignature.from_dict(wire) == group[0]


def test_signature_verifies_with_openssl(net4: Network) -> None:
    message = b"a WebAuthn-style payload signed by a P-256 PKP"
    digest = hashlib.sha256(message).digest()
    presigs = net4.pool.pop()
    sig = combine_signature_shares(presigs[0].public, net4.key, digest, net4.sign_all(presigs, digest), net4.delta(presigs, digest))
    assert sig.bad_parties == () and 0 < sig.s <= N // 2
    assert _openssl_verifies(net4.key, digest, sig)
    # OpenSSL hashing the message itself agrees: toSign is SHA-256(message), as Lit's client sends it.
    public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), P256.encode_uncompressed(net4.key.public_key))
    public.verify(encode_dss_signature(sig.r, sig.s), message, ec.ECDSA(hashes.SHA256()))
    assert not _openssl_verifies(net4.key, hashlib.sha256(b"another").digest(), sig)
    assert verify_signature(net4.key.public_key, digest, sig, P256)
    assert not verify_signature(net4.key.public_key, digest, replace(sig, recid=sig.recid ^ 1), P256)


def test_any_three_of_four_give_the_same_signature(net4: Network) -> None:
    digest = hashlib.sha256(b"subsets").digest()
    presigs = net4.pool.pop()
    shares = net4.sign_all(presigs, digest)
    delta = net4.delta(presigs, digest)
    sigs = {combine_signature_shares(presigs[0].public, net4.key, digest, [s for s in shares if s.index != skip], delta) for skip in range(1, 5)}
    assert len(sigs) == 1
    assert _openssl_verifies(net4.key, digest, sigs.pop())


def test_a_lying_share_is_named_and_outvoted(net4: Network) -> None:
    digest = hashlib.sha256(b"liar").digest()
    presigs = net4.pool.pop()
    shares = net4.sign_all(presigs, digest)
    shares[1] = replace(shares[1], s=(shares[1].s + 1) % N)
    sig = combine_signature_shares(presigs[0].public, net4.key, digest, shares, net4.delta(presigs, digest))
    assert sig.bad_parties == (2,)
    assert _openssl_verifies(net4.key, digest, sig)
    shares[2] = replace(shares[2], s=(shares[2].s + 1) % N)
    with pytest.raises(NotEnoughShares) as err:
        combine_signature_shares(presigs[0].public, net4.key, digest, shares, net4.delta(presigs, digest))
    assert (err.value.have, err.value.need, err.value.bad_parties) == (2, 3, (2, 3))


def test_share_wire_round_trip_keeps_the_curve(net4: Network) -> None:
    digest = hashlib.sha256(b"wire").digest()
    presigs = net4.pool[0]
    share = net4.sign_all(presigs, digest)[0]
    wire = json.loads(json.dumps(share.to_dict()))
    assert verify_share(presigs[0].public, net4.key, digest, SignatureShare.from_dict(wire, P256), net4.delta(presigs, digest))
    # Read as secp256k1 (the default), the same share is refused or fails its check: never accepted.
    try:
        as_k256 = SignatureShare.from_dict(wire)
    except (InvalidInput, InvalidPoint):
        return
    assert not verify_share(presigs[0].public, net4.key, digest, as_k256, net4.delta(presigs, digest))


def test_a_presignature_is_used_once(net4: Network) -> None:
    m1, m2 = hashlib.sha256(b"one").digest(), hashlib.sha256(b"two").digest()
    pk = net4.key.public_key
    record = check_presignature_use(None, m1, pk, P256)
    assert check_presignature_use(record, m1, pk, P256) == record
    with pytest.raises(PresignatureReused):
        check_presignature_use(record, m2, pk, P256)
    # The record names the curve: the same bytes on secp256k1 are another record.
    assert usage_record(m1, pk, P256) != usage_record(m1, SECP256K1.base_mul(7))


def test_wrong_curve_inputs_are_refused(net4: Network) -> None:
    digest = hashlib.sha256(b"curves").digest()
    presig = net4.pool[0][0]
    k256_key = derive_key(b"k256-key", [vss.feldman_commit(SECP256K1, [5, 6]), vss.feldman_commit(SECP256K1, [7, 8])])
    assert k256_key.curve is HD_K256
    record = usage_record(digest, k256_key.public_key)
    for call in (
        lambda: sign_share(presig, k256_key, 5, digest, recorded_use=record, certificate=certify(presig.public, record)),
        lambda: combine_signature_shares(presig.public, k256_key, digest, [], 1),
        lambda: verify_share(presig.public, k256_key, digest, net4.sign_all(net4.pool[0], digest)[0], 1),
    ):
        with pytest.raises(InvalidInput) as err:
            call()
        assert err.value.field == "key" and "secp256k1" in err.value.reason and "p256" in err.value.reason
    with pytest.raises(InvalidInput) as err:
        PresignaturePublic.from_dict({**presig.public.to_dict(), "curve": "p384"})
    assert err.value.field == "curve" and "p384" in err.value.reason
    with pytest.raises(InvalidInput) as err:
        message_scalar(N.to_bytes(32, "big"), N)  # n itself: zero on P-256, though not on secp256k1
    assert "zero" in err.value.reason
    with pytest.raises(InvalidPoint):
        P256.decode(SECP256K1.encode_uncompressed(SECP256K1.base_mul(3)), "R")  # a secp256k1 point is not on P-256


def test_dleq_on_p256_holds_on_p256_only() -> None:
    base2 = P256.base_mul(777)
    p1, p2, proof = prove_dleq(P256.generator(), base2, 4242, context=b"ctx", group=P256)
    assert verify_dleq(P256.generator(), p1, base2, p2, proof, context=b"ctx", group=P256)
    assert not verify_dleq(P256.generator(), p1, base2, p2, proof, context=b"other", group=P256)
    assert not verify_dleq(P256.generator(), p1, base2, P256.add(p2, P256.generator()), proof, context=b"ctx", group=P256)
    with pytest.raises(InvalidInput) as err:
        prove_dleq(P256.generator(), base2, N, context=b"ctx", group=P256)
    assert err.value.field == "secret" and "p256" in err.value.reason


def test_a_member_opening_a_wrong_w_is_named() -> None:
    def bad_w(body: dict) -> dict:
        entry = body["w"][0]
        entry["w"] = f"{(int(entry['w'], 16) + 1) % N:064x}"
        return body

    parties = p256_parties(4, 1, 1, seed=9, classes={3: cheating(open=bad_w)})
    Harness(parties, schedule=SCHEDULE).run()
    honest = [p for p in parties if p.index != 3]
    assert all(p.faults == {3: "wrong w for presignature 0"} for p in honest)
    views = [p.results()[0].public.to_dict() for p in honest]
    assert views[0]["curve"] == "p256" and all(v == views[0] for v in views)


def test_seven_parties_any_five_sign() -> None:
    """n = 7, t = 2: one presignature, and three different sets of 2t+1 = 5 give the one signature OpenSSL accepts."""
    parties = p256_parties(7, 2, 1, seed=7)
    Harness(parties, schedule=SCHEDULE).run()
    presigs = [p.results()[0] for p in parties]
    rng = random.Random(7)
    roots = [shamir.random_polynomial(2, N, rand=lambda m: rng.randrange(1, m)) for _ in range(ROOT_KEYS)]
    key = derive_key(b"seven", [vss.feldman_commit(P256, r) for r in roots], HD_P256)
    shares = {i: derive_secret_share(b"seven", [shamir.evaluate(r, i, N) for r in roots], HD_P256) for i in range(1, 8)}
    net = Network(2, [], key, shares)
    digest = hashlib.sha256(b"seven nodes").digest()
    signed = net.sign_all(presigs, digest)
    delta = net.delta(presigs, digest)
    sigs = {
        combine_signature_shares(presigs[0].public, key, digest, [s for s in signed if s.index in subset], delta)
        for subset in ({1, 2, 3, 4, 5}, {3, 4, 5, 6, 7}, {1, 2, 5, 6, 7})
    }
    assert len(sigs) == 1
    assert _openssl_verifies(key, digest, sigs.pop())
