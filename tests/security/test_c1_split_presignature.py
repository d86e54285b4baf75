"""C1: one presignature, two messages on two groups of nodes, must never leak k (and so the key).

The attack (security review C1): a client sends m1 to 2t+1 committee members and m2 to the others.
Their shares for m2 give S1(j) − s'_j = k_j·(h1 − h2), so k_j in the clear; one corrupt member's own
k_c completes the degree-t sharing of k, and x = (s·k⁻¹ − h1)/r follows from the m1 signature.

These tests run the pure protocol in one process (presigning in the harness, the agreement round,
signing). `recover_key` is the attacker's arithmetic: it is first shown to work on shares made the
way the old code made them, so that "recovers nothing" below means something. The network version
is in test_c1_split_presignature_network.py.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import replace

import pytest

from runtime.crypto import shamir, vss
from runtime.crypto.agreement import AgreementFailed, AgreementRound, Certificate, Disagreement
from runtime.crypto.ecdsa import combine_signature_shares, sign_share, usage_record
from runtime.crypto.errors import CryptoError
from runtime.crypto.hd import derive_key, derive_secret_share
from runtime.crypto.presignature import Presignature
from runtime.crypto.secp256k1 import ORDER, SECP256K1 as G
from tests.crypto.harness import Harness
from tests.crypto.signing import accept, certify, directory
from tests.crypto.test_presign import make_parties

M1 = hashlib.sha256(b"pay 1 wei to the attacker").digest()
M2 = hashlib.sha256(b"anything else").digest()


class Split:
    """n parties holding one presignature and one PKP key; `corrupt` knows its own secrets."""

    def __init__(self, n: int, t: int, seed: int) -> None:
        parties = make_parties(n, t, 1, seed=seed, session=f"c1-{n}")
        Harness(parties).run()
        self.n, self.t = n, t
        self.presigs: dict[int, Presignature] = {p.index: p.results()[0] for p in parties}
        self.public = self.presigs[1].public
        rng = random.Random(seed)
        roots = [shamir.random_polynomial(t, ORDER, rand=lambda m: rng.randrange(1, m)) for _ in range(3)]
        key_id = rng.randbytes(32)
        self.key = derive_key(key_id, [vss.feldman_commit(G, r) for r in roots])
        self.x = {i: derive_secret_share(key_id, [shamir.evaluate(r, i, ORDER) for r in roots]) for i in range(1, n + 1)}
        self.secret_key = derive_secret_share(key_id, [r[0] for r in roots])
        self.directory = directory(range(1, n + 1))

    def record(self, msg: bytes) -> str:
        return usage_record(msg, self.key.public_key)

    def old_share(self, i: int, msg: bytes) -> int:
        """What node i released before the agreement round: s_i = k_i·(h + r·x_i) + e_i."""
        p, h = self.presigs[i], int.from_bytes(msg, "big") % ORDER
        return (p.k_share * (h + self.public.r * self.x[i]) + p.e_share) % ORDER

    def recover_key(self, majority: dict[int, int], minority: dict[int, int], corrupt: int, r: int, s: int) -> int | None:
        """The C1 arithmetic: k_j from each minority share, k from those and the corrupt k_c, then x."""
        h1, h2 = (int.from_bytes(m, "big") % ORDER for m in (M1, M2))
        points = {j: (lagrange_at(majority, j) - s_j) * pow(h1 - h2, -1, ORDER) % ORDER for j, s_j in minority.items()}
        points[corrupt] = self.presigs[corrupt].k_share
        if len(points) < self.t + 1:
            return None
        k = shamir.interpolate(dict(sorted(points.items())[: self.t + 1]), ORDER)
        for s_candidate in (s, ORDER - s):  # the combiner may have negated s (low-s)
            x = (s_candidate * pow(k, -1, ORDER) - h1) * pow(r, -1, ORDER) % ORDER
            if G.eq(G.base_mul(x), self.key.public_key):
                return x
        return None

    def agree(self, messages: dict[int, bytes]) -> AgreementRound:
        """Each node records its message and sends its accept to the coordinator's round."""
        round_ = AgreementRound(self.public, self.directory, "split-request")
        for party, msg in messages.items():
            round_.add(accept(self.public, self.record(msg), party, "split-request"))
        return round_


def lagrange_at(points: dict[int, int], x: int) -> int:
    total = 0
    for i, y in points.items():
        num = den = 1
        for j in points:
            if j != i:
                num, den = num * (x - j) % ORDER, den * (i - j) % ORDER
        total = (total + y * num * pow(den, -1, ORDER)) % ORDER
    return total


@pytest.fixture(scope="module", params=[(4, 1, (1, 2, 4), (3,), 4), (7, 2, (1, 2, 3, 4, 7), (5, 6), 7)], ids=["n4", "n7"])
def case(request: pytest.FixtureRequest) -> tuple[Split, tuple[int, ...], tuple[int, ...], int]:
    n, t, majority, minority, corrupt = request.param
    return Split(n, t, seed=n), majority, minority, corrupt


def test_the_attack_arithmetic_recovers_the_key_from_shares_made_the_old_way(case) -> None:  # type: ignore[no-untyped-def]
    split, majority, minority, corrupt = case
    shares1 = {i: split.old_share(i, M1) for i in majority}
    s = shamir.interpolate(shares1, ORDER)
    x = split.recover_key(shares1, {j: split.old_share(j, M2) for j in minority}, corrupt, split.public.r, s)
    assert x == split.secret_key


def test_the_minority_releases_no_share_and_the_key_stays_secret(case) -> None:  # type: ignore[no-untyped-def]
    split, majority, minority, corrupt = case
    round_ = split.agree({**{i: M1 for i in majority}, **{j: M2 for j in minority}})
    cert = round_.decision
    assert isinstance(cert, Certificate) and cert.record == split.record(M1)
    cert.check(split.public, split.directory)
    shares = [
        sign_share(split.presigs[i], split.key, split.x[i], M1, recorded_use=split.record(M1), certificate=cert)
        for i in majority
    ]
    delta = cert.rerandomizer(G.encode(split.key.public_key), M1)
    signature = combine_signature_shares(split.public, split.key, M1, shares, delta)
    for j in minority:  # recorded for m2 at j, but the committee certified m1: nothing comes out
        with pytest.raises(AgreementFailed):
            sign_share(split.presigs[j], split.key, split.x[j], M2, recorded_use=split.record(M2), certificate=cert)
    majority_shares = {sh.index: sh.s for sh in shares}
    assert split.recover_key(majority_shares, {}, corrupt, signature.r, signature.s) is None


def test_no_certificate_for_the_minority_message_can_be_made_or_forged(case) -> None:  # type: ignore[no-untyped-def]
    split, majority, minority, corrupt = case
    record2 = split.record(M2)
    # The corrupt node accepts both messages; the minority plus the corrupt node are still < 2t+1.
    round_ = AgreementRound(split.public, split.directory, "split-request")
    for party in (*minority, corrupt):
        assert round_.add(accept(split.public, record2, party, "split-request")) is None
    forged = Certificate(tuple(accept(split.public, record2, p) for p in sorted({*minority, corrupt})))
    with pytest.raises(AgreementFailed, match="need"):
        forged.check(split.public, split.directory)
    # Padding with a duplicate, or with an honest node's forged signature, fails too.
    padded = Certificate(tuple(sorted([*forged.accepts, forged.accepts[0]], key=lambda a: a.party)))
    with pytest.raises(AgreementFailed, match="distinct"):
        padded.check(split.public, split.directory)
    missing = 2 * split.t + 1 - len(forged.accepts)
    fakes = []
    for honest in [i for i in majority if i != corrupt][:missing]:
        fake = accept(split.public, record2, honest)  # what the honest node never signed
        fakes.append(type(fake)(**{**fake.to_dict(), "signature": accept(split.public, record2, corrupt).signature}))
    stolen = Certificate(tuple(sorted([*forged.accepts, *fakes], key=lambda a: a.party)))
    with pytest.raises(AgreementFailed, match="bad signature"):
        stolen.check(split.public, split.directory)
    with pytest.raises(AgreementFailed):
        sign_share(split.presigs[minority[0]], split.key, split.x[minority[0]], M2, recorded_use=record2, certificate=forged)


def test_every_node_with_another_message_is_named_when_no_quorum_agrees() -> None:
    split = Split(4, 1, seed=11)
    messages = {i: hashlib.sha256(bytes([i])).digest() for i in range(1, 5)}
    decision = split.agree(messages).decision
    assert isinstance(decision, Disagreement)
    # Settled as soon as no message can reach 2t+1: the fourth node is named as not yet heard.
    assert sorted(decision.records) == [1, 2, 3] and decision.silent == (4,)
    assert "did not agree" in decision.message() and "[1]" in decision.message() and "[4]" in decision.message()


def test_the_message_multiplied_zero_share_masks_a_split_that_got_past_agreement() -> None:
    """Second line (DJNPØ's h·d_i): were two certificates ever made (a bug, not a corrupt minority),
    the minority's shares would no longer give k_j to the C1 arithmetic."""
    split = Split(4, 1, seed=12)
    cert1, cert2 = certify(split.public, split.record(M1), (1, 2, 4)), certify(split.public, split.record(M2), (2, 3, 4))
    s1 = {i: sign_share(split.presigs[i], split.key, split.x[i], M1, recorded_use=split.record(M1), certificate=cert1).s for i in (1, 2, 4)}
    s3 = sign_share(split.presigs[3], split.key, split.x[3], M2, recorded_use=split.record(M2), certificate=cert2).s
    h1, h2 = (int.from_bytes(m, "big") % ORDER for m in (M1, M2))
    read_off = (lagrange_at(s1, 3) - s3) * pow(h1 - h2, -1, ORDER) % ORDER
    assert read_off != split.presigs[3].k_share
    delta = cert1.rerandomizer(G.encode(split.key.public_key), M1)
    signature = combine_signature_shares(split.public, split.key, M1, [
        sign_share(split.presigs[i], split.key, split.x[i], M1, recorded_use=split.record(M1), certificate=cert1) for i in (1, 2, 4)
    ], delta)
    assert split.recover_key(s1, {3: s3}, 4, signature.r, signature.s) is None


def test_a_member_with_another_view_of_the_presignature_cannot_be_certified() -> None:
    split = Split(4, 1, seed=13)
    round_ = AgreementRound(split.public, split.directory, "split-request")
    record = split.record(M1)
    other_view = replace(split.public, big_r=G.base_mul(5))
    for party in (1, 2):
        round_.add(accept(split.public, record, party, "split-request"))
    round_.add(accept(other_view, record, 3, "split-request"))
    assert round_.decision is None  # 1, 2 agree; 3 saw another R; 4 may still come
    decision = round_.add(accept(split.public, record, 4, "split-request"))
    assert isinstance(decision, Certificate) and decision.signers == (1, 2, 4)
    with pytest.raises(CryptoError):
        decision.check(other_view)  # node 3 would refuse it against its own view
