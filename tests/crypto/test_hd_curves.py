"""Lit's HD derivation on P-256 and Ed25519 (runtime/crypto/hd.py `curve=`), checked against an
implementation we did not write (npm @noble/curves + @noble/hashes, tests/crypto/noble_hd.mjs) and
py_ecc's expand_message_xmd; derived keys then sign by FROST and verify with PyNaCl.

npm @lit-protocol/wasm 8.1.0 exposes derivation for secp256k1 only (`ecdsaDeriveKey`, covered by
tests/crypto/test_hd.py), so it cannot be the oracle here."""

from __future__ import annotations

import hashlib
import json
import random
import shutil
import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from nacl.signing import VerifyKey
from py_ecc.bls.hash import expand_message_xmd as py_ecc_expand

from runtime.crypto.errors import InvalidInput
from runtime.crypto.frost import aggregate, signing_package
from runtime.crypto.frost_signer import FrostSigner
from runtime.crypto.frost_suites import SCHNORR_ED25519_SHA512
from runtime.crypto.hd import (
    HD_CURVES,
    HD_ED25519,
    HD_K256,
    HD_P256,
    KEY_ID_DST,
    DerivedKey,
    derive_key,
    derive_public_key,
    derive_secret_share,
    hd_curve,
    key_id_scalar,
)
from runtime.crypto.shamir import interpolate, random_polynomial, share
from runtime.crypto.vss import feldman_commit
from tests.oracles import needs_oracle

REPO = Path(__file__).resolve().parents[2]
NOBLE_MISSING = (
    None if shutil.which("node") and (REPO / "node_modules" / "@noble" / "curves").exists()
    else "needs node and node_modules/@noble/curves"
)
CURVES = pytest.mark.parametrize("curve", [HD_P256, HD_ED25519], ids=lambda c: c.name)


def test_lits_context_strings():
    # lit-peer SigningScheme::id_sign_ctx for EcdsaP256Sha256/SchnorrP256Sha256, SchnorrEd25519Sha512, the K256 schemes.
    assert HD_P256.dst == b"LIT_HD_KEY_ID_P256_XMD:SHA-256_SSWU_RO_NUL_"
    assert HD_ED25519.dst == b"LIT_HD_KEY_ID_ED25519_XMD:SHA-512_ELL2_RO_NUL_"
    assert HD_K256.dst == KEY_ID_DST
    assert sorted(HD_CURVES) == ["ed25519", "k256", "p256"]
    with pytest.raises(InvalidInput, match="unknown key type 'bls'"):
        hd_curve("bls")


@pytest.mark.parametrize("key_id", [b"\x00", b"id", bytes(32), b"k" * 300])
def test_key_id_scalars_match_py_ecc_expansion(key_id):
    p256_d = int.from_bytes(py_ecc_expand(key_id, HD_P256.dst, 48, hashlib.sha256), "big") % HD_P256.group.order
    ed_d = int.from_bytes(py_ecc_expand(key_id, HD_ED25519.dst, 64, hashlib.sha512), "little") % HD_ED25519.group.order
    assert key_id_scalar(key_id, HD_P256) == p256_d
    assert key_id_scalar(key_id, HD_ED25519) == ed_d
    assert key_id_scalar(key_id) == key_id_scalar(key_id, HD_K256)  # the default is unchanged


def _cases(seed: int) -> list[dict[str, object]]:
    rng = random.Random(seed)
    cases = []
    for curve in (HD_P256, HD_ED25519):
        for count in (1, 2, 10):
            g = curve.group
            roots = [g.encode(g.base_mul(rng.randrange(1, g.order))).hex() for _ in range(count)]
            cases.append({"curve": curve.name, "dst": curve.dst.hex(), "key_id": rng.randbytes(32).hex(), "root_keys": roots})
    return cases


@needs_oracle(NOBLE_MISSING)
def test_derived_keys_match_noble():
    cases = _cases(1)
    proc = subprocess.run(
        ["node", str(Path(__file__).with_name("noble_hd.mjs"))],
        input=json.dumps(cases), capture_output=True, text=True, cwd=REPO, timeout=120, check=True,
    )
    for case, expected in zip(cases, json.loads(proc.stdout), strict=True):
        curve = hd_curve(str(case["curve"]))
        key_id = bytes.fromhex(str(case["key_id"]))
        roots = [curve.group.decode(bytes.fromhex(h)) for h in case["root_keys"]]  # type: ignore[attr-defined]
        assert f"{key_id_scalar(key_id, curve):064x}" == expected["d"]
        assert curve.group.encode(derive_public_key(key_id, roots, curve)).hex() == expected["derived"]


def test_p256_derived_key_matches_openssl_on_the_derived_secret():
    rng = random.Random(2)
    n = HD_P256.group.order
    secrets_ = [rng.randrange(1, n) for _ in range(3)]
    roots = [HD_P256.group.base_mul(s) for s in secrets_]
    key_id = b"pkp-p256"
    secret = derive_secret_share(key_id, secrets_, HD_P256)  # Σ d^j·root_j on secrets is the derived secret
    openssl = ec.derive_private_key(secret, ec.SECP256R1()).public_key().public_bytes(Encoding.X962, PublicFormat.CompressedPoint)
    assert HD_P256.group.encode(derive_public_key(key_id, roots, HD_P256)) == openssl


@CURVES
def test_derived_shares_interpolate_and_match_derived_commitments(curve):
    rng = random.Random(3)
    g, t, n = curve.group, 2, 7
    polys = [random_polynomial(t, g.order, rand=lambda q: rng.randrange(1, q)) for _ in range(4)]
    commitments = [feldman_commit(g, p) for p in polys]
    key = derive_key(b"pkp", commitments, curve)
    shares = {i: derive_secret_share(b"pkp", [share(p, n, g.order)[i] for p in polys], curve) for i in range(1, n + 1)}
    assert g.eq(g.base_mul(interpolate({i: shares[i] for i in (2, 5, 7)}, g.order)), key.public_key)
    assert all(g.eq(key.public_share(i), g.base_mul(s)) for i, s in shares.items())
    assert g.eq(key.public_key, derive_public_key(b"pkp", [c[0] for c in commitments], curve))
    data = key.to_dict()
    assert data["curve"] == curve.name
    back = DerivedKey.from_dict(json.loads(json.dumps(data)))
    assert back.curve is curve and all(g.eq(a, b) for a, b in zip(back.commitments, key.commitments))


def test_k256_derived_key_dict_keeps_its_shape():
    from runtime.crypto.secp256k1 import SECP256K1

    key = derive_key(b"x", [[SECP256K1.base_mul(5), SECP256K1.base_mul(6)]])
    assert set(key.to_dict()) == {"key_id", "commitments"} and key.curve is HD_K256


def test_a_derived_ed25519_key_signs_solana_style_by_frost():
    rng = random.Random(4)
    g, t, n = HD_ED25519.group, 1, 4
    polys = [random_polynomial(t, g.order, rand=lambda q: rng.randrange(1, q)) for _ in range(3)]
    key = derive_key(b"solana-pkp", [feldman_commit(g, p) for p in polys], HD_ED25519)
    shares = {i: derive_secret_share(b"solana-pkp", [share(p, n, g.order)[i] for p in polys], HD_ED25519) for i in range(1, n + 1)}
    signers = {i: FrostSigner(SCHNORR_ED25519_SHA512, i, shares[i], key.public_key) for i in (1, 4)}
    package = signing_package(SCHNORR_ED25519_SHA512, key.public_key, b"transfer", [s.commit(rng.randbytes(64)) for s in signers.values()])
    sig = aggregate(package, {i: s.sign(package) for i, s in signers.items()}, {i: key.public_share(i) for i in signers})
    VerifyKey(g.encode(key.public_key)).verify(b"transfer", sig)
