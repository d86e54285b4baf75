"""FROST signing end to end, each signature checked by verifiers litrt did not write: PyNaCl and
`cryptography` for Ed25519, npm @noble/curves and libsecp256k1 (coincurve) for BIP-340; plus the
published BIP-340 test vectors, lying signers named, nonces that sign only once, and any t+1 of
n = 4 and n = 7 signing."""

from __future__ import annotations

import hashlib
import itertools
import json
import random
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from coincurve import PublicKeyXOnly
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from nacl.exceptions import BadSignatureError
from nacl.signing import VerifyKey

from runtime.crypto.dkg import SCHEDULE, DkgConfig
from runtime.crypto.errors import InvalidInput, InvalidPoint, NotEnoughShares, PresignatureReused, VerificationFailed
from runtime.crypto.frost import Commitment, Nonces, aggregate, commit, signing_package
from runtime.crypto.frost_signer import FrostSigner
from runtime.crypto.frost_suites import (
    SCHNORR_ED25519_SHA512,
    SCHNORR_K256_SHA256,
    SCHNORR_K256_TAPROOT,
    SUITES,
    Ciphersuite,
    suite_for,
    taproot_tweak,
)
from runtime.crypto.group import threshold_for
from runtime.crypto.shamir import random_polynomial, share
from tests.oracles import needs_oracle

from .harness import Harness

REPO = Path(__file__).resolve().parents[2]
NOBLE = REPO / "node_modules" / "@noble" / "curves"
NOBLE_MISSING = None if shutil.which("node") and NOBLE.exists() else "needs node and node_modules/@noble/curves"
ALL = pytest.mark.parametrize("suite", list(SUITES.values()), ids=list(SUITES))


class Keys:
    """A dealt degree-t sharing: enough for signing tests (the DKG test below uses a real DKG)."""

    def __init__(self, suite: Ciphersuite, n: int, seed: int, secret: int | None = None) -> None:
        rng = random.Random(f"frost-keys/{suite.scheme}/{n}/{seed}")
        self.suite, self.n, self.t = suite, n, threshold_for(n)
        poly = random_polynomial(self.t, suite.order, constant=secret, rand=lambda q: rng.randrange(1, q))
        self.shares = share(poly, n, suite.order)
        self.public_key = suite.group.base_mul(poly[0])
        self.public_shares = {i: suite.group.base_mul(s) for i, s in self.shares.items()}
        self.rng = rng


def _sign(keys: Keys, signers: list[int], message: bytes, lie: dict[int, int] | None = None) -> tuple[Any, dict[int, int]]:
    parties = {i: FrostSigner(keys.suite, i, keys.shares[i], keys.public_key) for i in signers}
    commitments = [parties[i].commit(keys.rng.randbytes(64)) for i in signers]
    package = signing_package(keys.suite, keys.public_key, message, commitments)
    shares = {i: parties[i].sign(package) for i in signers}
    for i, delta in (lie or {}).items():
        shares[i] = (shares[i] + delta) % keys.suite.order
    return package, shares


def _signature(keys: Keys, signers: list[int], message: bytes) -> bytes:
    package, shares = _sign(keys, signers, message)
    return aggregate(package, shares, keys.public_shares)


def _x_only(keys: Keys) -> bytes:
    return keys.suite.encode_point(keys.public_key)[1:]


def _noble(cases: list[dict[str, str]]) -> list[bool]:
    proc = subprocess.run(
        ["node", str(Path(__file__).with_name("noble_schnorr.mjs"))],
        input=json.dumps(cases), capture_output=True, text=True, cwd=REPO, timeout=120, check=True,
    )
    return list(json.loads(proc.stdout))


def test_scheme_names_are_lits():
    assert sorted(SUITES) == ["SchnorrEd25519Sha512", "SchnorrK256Sha256", "SchnorrK256Taproot"]
    assert suite_for("SchnorrK256Taproot") is SCHNORR_K256_TAPROOT
    with pytest.raises(InvalidInput, match="unsupported FROST scheme 'EcdsaK256Sha256'"):
        suite_for("EcdsaK256Sha256")


def test_the_taproot_suites_hashes_are_lit_frost_taproots():
    """LIT-Protocol/frost's frost-taproot: context "FROST-secp256k1-Taproot-v1"; H1, H3 RFC 9380
    hash_to_field (expand_message_xmd SHA-256, 48 bytes, mod n) with DST context ‖ label; H4, H5
    SHA-256(context ‖ label ‖ m); H2 BIP-340's tagged challenge hash. Recomputed here with py_ecc's
    expand_message_xmd and hashlib, not litrt's hashing."""
    from py_ecc.bls.hash import expand_message_xmd

    suite, context = SCHNORR_K256_TAPROOT, b"FROST-secp256k1-Taproot-v1"
    tag = hashlib.sha256(b"BIP0340/challenge").digest()
    for m in (b"", b"abc", bytes(range(200))):
        for label, h in ((b"rho", suite.h1), (b"nonce", suite.h3)):
            uniform = expand_message_xmd(m, context + label, 48, hashlib.sha256)
            assert h(m) == int.from_bytes(uniform, "big") % suite.order, label
        assert suite.h4(m) == hashlib.sha256(context + b"msg" + m).digest()
        assert suite.h5(m) == hashlib.sha256(context + b"com" + m).digest()
        assert suite.h2(m) == int.from_bytes(hashlib.sha256(tag + tag + m).digest(), "big") % suite.order
    # FROST(secp256k1, SHA-256) keeps RFC 9591's own context, so the two suites bind apart.
    assert SCHNORR_K256_SHA256.h4(b"abc") != suite.h4(b"abc")


# -- Ed25519: any RFC 8032 verifier accepts ------------------------------------------------------


@pytest.mark.parametrize("n", [4, 7])
def test_ed25519_signatures_verify_with_pynacl_and_cryptography(n):
    keys = Keys(SCHNORR_ED25519_SHA512, n, seed=1)
    pk = keys.suite.encode_point(keys.public_key)
    for k, signers in enumerate(itertools.combinations(range(1, n + 1), keys.t + 1)):
        message = f"solana tx {k}".encode()
        sig = _signature(keys, list(signers), message)
        assert VerifyKey(pk).verify(message, sig) == message
        Ed25519PublicKey.from_public_bytes(pk).verify(sig, message)
        with pytest.raises(BadSignatureError):
            VerifyKey(pk).verify(message + b"x", sig)
        with pytest.raises(InvalidSignature):
            Ed25519PublicKey.from_public_bytes(pk).verify(sig, message + b"x")
        if k == 5:
            break


# -- BIP-340 ---------------------------------------------------------------------------------


def _taproot_cases(n: int) -> list[dict[str, str]]:
    cases, parities = [], set()
    for seed in range(12):  # both parities of the group key turn up among these
        keys = Keys(SCHNORR_K256_TAPROOT, n, seed)
        signers = sorted(keys.rng.sample(range(1, n + 1), keys.t + 1 + seed % 2 * keys.t))
        message = keys.rng.randbytes(32)  # a BIP-341 sighash is 32 bytes
        package, shares = _sign(keys, signers, message)
        sig = aggregate(package, shares, keys.public_shares)
        cases.append({"pub": _x_only(keys).hex(), "msg": message.hex(), "sig": sig.hex()})
        parities.add((package.key_sign, package.nonce_sign))
    assert parities == {(1, 1), (1, -1), (-1, 1), (-1, -1)}  # every negation case was exercised
    return cases


@pytest.mark.parametrize("n", [4, 7])
def test_taproot_signatures_verify_with_libsecp256k1(n):
    for c in _taproot_cases(n):
        assert PublicKeyXOnly(bytes.fromhex(c["pub"])).verify(bytes.fromhex(c["sig"]), bytes.fromhex(c["msg"]))


@needs_oracle(NOBLE_MISSING)
def test_taproot_signatures_verify_with_noble():
    cases = _taproot_cases(4) + _taproot_cases(7)
    tampered = [dict(c, msg=("00" if c["msg"][:2] != "00" else "01") + c["msg"][2:]) for c in cases[:3]]
    assert _noble(cases + tampered) == [True] * len(cases) + [False] * 3


@needs_oracle(NOBLE_MISSING)
def test_taproot_key_path_with_bip86_tweak_verifies_with_noble():
    # The output key Q = P + H_TapTweak(P)·G signs with shares ±s_i + t: what a P2TR key-path spend needs.
    keys = Keys(SCHNORR_K256_TAPROOT, 4, seed=3)
    tweak = taproot_tweak(keys.public_key)
    keys.shares = {i: tweak.share(s) for i, s in keys.shares.items()}
    keys.public_shares = {i: tweak.public_share(p) for i, p in keys.public_shares.items()}
    keys.public_key = tweak.output_key
    sighash = bytes(range(32))
    sig = _signature(keys, [1, 3], sighash)
    assert _noble([{"pub": _x_only(keys).hex(), "msg": sighash.hex(), "sig": sig.hex()}]) == [True]


BIP340_VECTORS = [  # bitcoin/bips bip-0340/test-vectors.csv (final, even-y), indices 0-14: key, message, signature, valid
    ("F9308A019258C31049344F85F89D5229B531C845836F99B08601F113BCE036F9", "0000000000000000000000000000000000000000000000000000000000000000", "E907831F80848D1069A5371B402410364BDF1C5F8307B0084C55F1CE2DCA821525F66A4A85EA8B71E482A74F382D2CE5EBEEE8FDB2172F477DF4900D310536C0", True),
    ("DFF1D77F2A671C5F36183726DB2341BE58FEAE1DA2DECED843240F7B502BA659", "243F6A8885A308D313198A2E03707344A4093822299F31D0082EFA98EC4E6C89", "6896BD60EEAE296DB48A229FF71DFE071BDE413E6D43F917DC8DCF8C78DE33418906D11AC976ABCCB20B091292BFF4EA897EFCB639EA871CFA95F6DE339E4B0A", True),
    ("DD308AFEC5777E13121FA72B9CC1B7CC0139715309B086C960E18FD969774EB8", "7E2D58D8B3BCDF1ABADEC7829054F90DDA9805AAB56C77333024B9D0A508B75C", "5831AAEED7B44BB74E5EAB94BA9D4294C49BCF2A60728D8B4C200F50DD313C1BAB745879A5AD954A72C45A91C3A51D3C7ADEA98D82F8481E0E1E03674A6F3FB7", True),
    ("25D1DFF95105F5253C4022F628A996AD3A0D95FBF21D468A1B33F8C160D8F517", "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF", "7EB0509757E246F19449885651611CB965ECC1A187DD51B64FDA1EDC9637D5EC97582B9CB13DB3933705B32BA982AF5AF25FD78881EBB32771FC5922EFC66EA3", True),
    ("D69C3509BB99E412E68B0FE8544E72837DFA30746D8BE2AA65975F29D22DC7B9", "4DF3C3F68FCC83B27E9D42C90431A72499F17875C81A599B566C9889B9696703", "00000000000000000000003B78CE563F89A0ED9414F5AA28AD0D96D6795F9C6376AFB1548AF603B3EB45C9F8207DEE1060CB71C04E80F593060B07D28308D7F4", True),
    ("EEFDEA4CDB677750A420FEE807EACF21EB9898AE79B9768766E4FAA04A2D4A34", "243F6A8885A308D313198A2E03707344A4093822299F31D0082EFA98EC4E6C89", "6CFF5C3BA86C69EA4B7376F31A9BCB4F74C1976089B2D9963DA2E5543E17776969E89B4C5564D00349106B8497785DD7D1D713A8AE82B32FA79D5F7FC407D39B", False),
    ("DFF1D77F2A671C5F36183726DB2341BE58FEAE1DA2DECED843240F7B502BA659", "243F6A8885A308D313198A2E03707344A4093822299F31D0082EFA98EC4E6C89", "FFF97BD5755EEEA420453A14355235D382F6472F8568A18B2F057A14602975563CC27944640AC607CD107AE10923D9EF7A73C643E166BE5EBEAFA34B1AC553E2", False),
    ("DFF1D77F2A671C5F36183726DB2341BE58FEAE1DA2DECED843240F7B502BA659", "243F6A8885A308D313198A2E03707344A4093822299F31D0082EFA98EC4E6C89", "1FA62E331EDBC21C394792D2AB1100A7B432B013DF3F6FF4F99FCB33E0E1515F28890B3EDB6E7189B630448B515CE4F8622A954CFE545735AAEA5134FCCDB2BD", False),
    ("DFF1D77F2A671C5F36183726DB2341BE58FEAE1DA2DECED843240F7B502BA659", "243F6A8885A308D313198A2E03707344A4093822299F31D0082EFA98EC4E6C89", "6CFF5C3BA86C69EA4B7376F31A9BCB4F74C1976089B2D9963DA2E5543E177769961764B3AA9B2FFCB6EF947B6887A226E8D7C93E00C5ED0C1834FF0D0C2E6DA6", False),
    ("DFF1D77F2A671C5F36183726DB2341BE58FEAE1DA2DECED843240F7B502BA659", "243F6A8885A308D313198A2E03707344A4093822299F31D0082EFA98EC4E6C89", "0000000000000000000000000000000000000000000000000000000000000000123DDA8328AF9C23A94C1FEECFD123BA4FB73476F0D594DCB65C6425BD186051", False),
    ("DFF1D77F2A671C5F36183726DB2341BE58FEAE1DA2DECED843240F7B502BA659", "243F6A8885A308D313198A2E03707344A4093822299F31D0082EFA98EC4E6C89", "00000000000000000000000000000000000000000000000000000000000000017615FBAF5AE28864013C099742DEADB4DBA87F11AC6754F93780D5A1837CF197", False),
    ("DFF1D77F2A671C5F36183726DB2341BE58FEAE1DA2DECED843240F7B502BA659", "243F6A8885A308D313198A2E03707344A4093822299F31D0082EFA98EC4E6C89", "4A298DACAE57395A15D0795DDBFD1DCB564DA82B0F269BC70A74F8220429BA1D69E89B4C5564D00349106B8497785DD7D1D713A8AE82B32FA79D5F7FC407D39B", False),
    ("DFF1D77F2A671C5F36183726DB2341BE58FEAE1DA2DECED843240F7B502BA659", "243F6A8885A308D313198A2E03707344A4093822299F31D0082EFA98EC4E6C89", "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEFFFFFC2F69E89B4C5564D00349106B8497785DD7D1D713A8AE82B32FA79D5F7FC407D39B", False),
    ("DFF1D77F2A671C5F36183726DB2341BE58FEAE1DA2DECED843240F7B502BA659", "243F6A8885A308D313198A2E03707344A4093822299F31D0082EFA98EC4E6C89", "6CFF5C3BA86C69EA4B7376F31A9BCB4F74C1976089B2D9963DA2E5543E177769FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141", False),
    ("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEFFFFFC30", "243F6A8885A308D313198A2E03707344A4093822299F31D0082EFA98EC4E6C89", "6CFF5C3BA86C69EA4B7376F31A9BCB4F74C1976089B2D9963DA2E5543E17776969E89B4C5564D00349106B8497785DD7D1D713A8AE82B32FA79D5F7FC407D39B", False),
]


@pytest.mark.parametrize("index", range(len(BIP340_VECTORS)))
def test_bip340_vectors(index):
    pub, msg, sig, valid = (bytes.fromhex(x) if isinstance(x, str) else x for x in BIP340_VECTORS[index])
    suite, g = SCHNORR_K256_TAPROOT, SCHNORR_K256_TAPROOT.group
    try:
        key = suite.decode_point(b"\x02" + pub, "public_key")
    except InvalidPoint:
        assert not valid  # vectors 5 and 14: no point has this x
        return
    assert suite.verify(key, msg, sig) is valid
    if valid:  # and our own challenge closes the equation s·G = R + e·P on the even-y lifts
        r = suite.decode_point(b"\x02" + sig[:32])
        e = suite.challenge(r, key, msg)
        assert g.eq(g.base_mul(int.from_bytes(sig[32:], "big")), g.add(r, g.mul(key, e)))


# -- liars, nonce reuse, thresholds --------------------------------------------------------------


@ALL
def test_a_lying_share_is_rejected_and_the_liar_named(suite):
    keys = Keys(suite, 7, seed=4)
    signers = [1, 2, 4, 6, 7]
    package, shares = _sign(keys, signers, b"msg", lie={4: 1, 7: suite.order - 5})
    with pytest.raises(VerificationFailed, match=r"parties \[4, 7\]") as err:
        aggregate(package, shares, keys.public_shares)
    assert err.value.parties == (4, 7)
    # A share that is right, presented as someone else's, is a lie too.
    package, shares = _sign(keys, [1, 2, 3], b"msg")
    shares[1], shares[2] = shares[2], shares[1]
    with pytest.raises(VerificationFailed) as err:
        aggregate(package, shares, keys.public_shares)
    assert err.value.parties == (1, 2)


@ALL
def test_after_a_liar_the_honest_signers_sign_on_fresh_nonces(suite):
    keys = Keys(suite, 4, seed=5)
    package, shares = _sign(keys, [1, 2, 3], b"m", lie={2: 1})
    with pytest.raises(VerificationFailed) as err:
        aggregate(package, shares, keys.public_shares)
    honest = [i for i in (1, 2, 3, 4) if i not in err.value.parties]
    assert suite.verify(keys.public_key, b"m", _signature(keys, honest, b"m"))


@ALL
def test_nonces_sign_once(suite):
    keys = Keys(suite, 4, seed=6)
    signers = {i: FrostSigner(suite, i, keys.shares[i], keys.public_key) for i in (1, 2)}
    commitments = [signers[i].commit(keys.rng.randbytes(64)) for i in (1, 2)]
    first = signing_package(suite, keys.public_key, b"one", commitments)
    signers[1].sign(first)
    assert signers[1].pending == 0
    second = signing_package(suite, keys.public_key, b"two", commitments)
    with pytest.raises(PresignatureReused, match="signer 1"):
        signers[1].sign(second)
    with pytest.raises(PresignatureReused):
        signers[1].sign(first)  # not even the same message again


@ALL
def test_stored_nonces_survive_a_restart_and_still_sign_once(suite):
    keys = Keys(suite, 4, seed=12)
    nonces, commitment = commit(suite, 3, keys.shares[3], keys.rng.randbytes(64))
    stored = json.loads(json.dumps(nonces.to_dict(suite)))  # what the node writes before publishing D, E
    assert str(nonces.hiding) not in repr(nonces)  # secrets stay out of logs
    restarted = FrostSigner(suite, 3, keys.shares[3], keys.public_key)
    assert restarted.adopt(Nonces.from_dict(suite, stored)) == commitment
    other = FrostSigner(suite, 1, keys.shares[1], keys.public_key)
    package = signing_package(suite, keys.public_key, b"after restart", [commitment, other.commit(keys.rng.randbytes(64))])
    sig = aggregate(package, {3: restarted.sign(package), 1: other.sign(package)}, keys.public_shares)
    assert suite.verify(keys.public_key, b"after restart", sig)
    with pytest.raises(PresignatureReused):
        restarted.sign(package)


@ALL
def test_a_signer_refuses_a_package_for_another_key(suite):
    keys, other = Keys(suite, 4, seed=13), Keys(suite, 4, seed=14)
    signer = FrostSigner(suite, 1, keys.shares[1], keys.public_key)
    package = signing_package(suite, other.public_key, b"m", [signer.commit(keys.rng.randbytes(64))])
    with pytest.raises(InvalidInput, match="another group key"):
        signer.sign(package)
    assert signer.pending == 1  # refused before its nonces were touched


@ALL
def test_every_t_plus_1_subset_of_4_gives_a_valid_signature(suite):
    keys = Keys(suite, 4, seed=7)
    for signers in itertools.combinations(range(1, 5), keys.t + 1):
        assert suite.verify(keys.public_key, b"subset", _signature(keys, list(signers), b"subset"))
    with pytest.raises(VerificationFailed):  # t signers hold too little: their shares cannot combine
        _signature(keys, [2], b"subset")


@ALL
def test_n7_any_3_and_any_5_sign(suite):
    keys = Keys(suite, 7, seed=8)
    rng = random.Random(8)
    for size in (keys.t + 1, 2 * keys.t + 1, 7):
        signers = sorted(rng.sample(range(1, 8), size))
        assert suite.verify(keys.public_key, b"n7", _signature(keys, signers, b"n7")), signers


def test_missing_and_extra_shares_are_named():
    suite = SCHNORR_K256_SHA256
    keys = Keys(suite, 4, seed=9)
    package, shares = _sign(keys, [1, 2], b"m")
    with pytest.raises(NotEnoughShares, match="have 1, need 2"):
        aggregate(package, {1: shares[1]}, keys.public_shares)
    with pytest.raises(InvalidInput, match=r"parties \[3\]"):
        aggregate(package, {**shares, 3: 5}, keys.public_shares)


def test_commitments_are_validated():
    suite = SCHNORR_ED25519_SHA512
    keys = Keys(suite, 4, seed=10)
    signer = FrostSigner(suite, 1, keys.shares[1], keys.public_key)
    c = signer.commit(bytes(64))
    assert Commitment.from_dict(suite, c.to_dict(suite)) == c
    with pytest.raises(InvalidPoint, match=r"commitment\[1\].binding"):
        Commitment.from_dict(suite, dict(c.to_dict(suite), binding="01" + "00" * 31))
    with pytest.raises(InvalidInput, match="signer 1 appears twice"):
        signing_package(suite, keys.public_key, b"m", [c, c])
    with pytest.raises(InvalidInput, match="64 random bytes"):
        signer.commit(bytes(32))


# -- over a real DKG -------------------------------------------------------------------------


@pytest.mark.parametrize("suite", [SCHNORR_ED25519_SHA512, SCHNORR_K256_TAPROOT], ids=lambda s: s.scheme)
def test_frost_over_dkg_shares(suite, dkg_factory):
    config = DkgConfig.for_network(f"frost-{suite.scheme}", 4, keys=1)
    parties = dkg_factory(suite.group, config)
    Harness(parties, schedule=SCHEDULE).run()
    results = {p.index: p.outcome() for p in parties}
    key = results[1].keys[0]
    pk = key.public_key_point(suite.group)
    from runtime.crypto.vss import public_share

    commitments_pts = key.commitment_points(suite.group)
    public_shares = {i: public_share(suite.group, commitments_pts, i) for i in results}
    rng = random.Random(11)
    signers = {i: FrostSigner(suite, i, results[i].keys[0].share, pk) for i in (2, 4)}
    package = signing_package(suite, pk, b"dkg", [s.commit(rng.randbytes(64)) for s in signers.values()])
    sig = aggregate(package, {i: s.sign(package) for i, s in signers.items()}, public_shares)
    if suite is SCHNORR_ED25519_SHA512:
        VerifyKey(suite.encode_point(pk)).verify(b"dkg", sig)
    else:
        assert PublicKeyXOnly(suite.encode_point(pk)[1:]).verify(sig, b"dkg")


def test_scheme_table_names_lits_schemes():
    from runtime.crypto.scheme_names import PKP_SCHEMES
    from runtime.crypto.schemes import LIT_SCHEME_NAMES, SCHEMES, scheme

    assert len(LIT_SCHEME_NAMES) == 16 and set(SCHEMES) <= set(LIT_SCHEME_NAMES)
    # scheme_names.py stays import-free for the CLI, so what PKPs and action keys sign is listed there
    # by hand: it must be exactly the schemes this table can sign.
    assert sorted(PKP_SCHEMES) == sorted(SCHEMES)
    for name, suite in SUITES.items():
        assert scheme(name).frost is suite and scheme(name).protocol == "frost"
        assert scheme(name).hd.group is suite.group
    assert scheme("EcdsaP256Sha256").key_type == "p256" and scheme("SchnorrEd25519Sha512").key_type == "ed25519"
    with pytest.raises(InvalidInput, match="SchnorrEd448Shake256 is one of Lit's schemes but litrt does not sign with it"):
        scheme("SchnorrEd448Shake256")
    with pytest.raises(InvalidInput, match="unknown signing scheme 'schnorr'"):
        scheme("schnorr")
