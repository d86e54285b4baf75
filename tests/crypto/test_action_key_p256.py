"""An action's own key on P-256 (EcdsaP256Sha256) and its SignedDataOutput, checked against libraries
we did not write: py_ecc's expand_message_xmd and eth_utils' keccak for the derivation scalar,
pyca/cryptography (OpenSSL) for the key and the signatures, python-ecdsa for the recovery id."""

from __future__ import annotations

import hashlib
import json
import os
import random

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed, decode_dss_signature
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from ecdsa import NIST256p  # type: ignore[import-untyped]
from ecdsa.ecdsa import Signature as EcdsaLibSignature  # type: ignore[import-untyped]
from eth_utils import keccak
from py_ecc.bls.hash import expand_message_xmd

from runtime.crypto.action_key import action_public_key, public_key_hex, signed_data_output, verify_signed_data_output
from runtime.crypto.ecdsa import EcdsaSignature
from runtime.crypto.errors import InvalidInput
from runtime.crypto.hd import HD_ED25519, HD_K256, HD_P256
from tests.vectors.independent import p256_verifies

G = HD_P256.group
N = G.order
CID = "QmcA9npUnrzsmvx9sfmZDnEnPAEbMA5kp4tnkueYqiJKZv"
# lit-peer SigningScheme::id_sign_ctx for EcdsaP256Sha256.
P256_CONTEXT = b"LIT_HD_KEY_ID_P256_XMD:SHA-256_SSWU_RO_NUL_"


def _openssl_key(secret: int) -> ec.EllipticCurvePrivateKey:
    return ec.derive_private_key(secret, ec.SECP256R1())


def _derived_secret(cid: str, root_secrets: list[int]) -> int:
    """Σ d^j·root_j with d = hash_to_field(keccak256("lit_action_" + cid)) in P-256's order, computed
    here from py_ecc's RFC 9380 expansion, not from runtime.crypto.hd."""
    key_id = keccak(f"lit_action_{cid}".encode())
    d = int.from_bytes(expand_message_xmd(key_id, P256_CONTEXT, 48, hashlib.sha256), "big") % N
    return sum(s * pow(d, j, N) for j, s in enumerate(root_secrets)) % N


def _roots(rng: random.Random) -> tuple[list[int], list[object]]:
    secrets_ = [rng.randrange(1, N) for _ in range(10)]  # Lit's ten root keys per curve
    return secrets_, [G.base_mul(s) for s in secrets_]


def _sign(secret: int, digest: bytes) -> EcdsaSignature:
    """OpenSSL's signature over the 32-byte digest, s made low and its recovery id found by python-ecdsa."""
    r, s = decode_dss_signature(_openssl_key(secret).sign(digest, ec.ECDSA(Prehashed(hashes.SHA256()))))
    s = min(s, N - s)
    public = _openssl_key(secret).public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
    candidates = EcdsaLibSignature(r, s).recover_public_keys(int.from_bytes(digest, "big"), NIST256p.generator)
    recid = next(i for i, pk in enumerate(candidates) if b"\x04" + pk.point.to_bytes() == public)
    return EcdsaSignature(r, s, recid)


def _signed(rng: random.Random) -> tuple[object, bytes, EcdsaSignature]:
    """(the action's P-256 key, a random digest, OpenSSL's signature of it with the derived secret)."""
    secrets_, roots = _roots(rng)
    digest = os.urandom(32)
    return action_public_key(CID, roots, HD_P256), digest, _sign(_derived_secret(CID, secrets_), digest)


def test_the_p256_action_key_is_lits_derivation_from_the_p256_root_keys() -> None:
    rng = random.Random(7)
    secrets_, roots = _roots(rng)
    ours = public_key_hex(action_public_key(CID, roots, HD_P256), HD_P256)
    openssl = _openssl_key(_derived_secret(CID, secrets_)).public_key()
    assert ours == openssl.public_bytes(Encoding.X962, PublicFormat.UncompressedPoint).hex()
    assert len(ours) == 130 and ours.startswith("04") and ours == ours.lower()
    other = "Qmf412jQZiuVUtdgnB36FXFX7xg5V6KEbSJ4dpQuhkLyfD"
    assert public_key_hex(action_public_key(other, roots, HD_P256), HD_P256) != ours


def test_a_p256_signed_data_output_has_lits_shape_and_verifies_with_openssl() -> None:
    public, digest, signature = _signed(random.Random(11))
    output = signed_data_output(signature, public, digest, HD_P256)
    assert set(output) == {"signature", "verifying_key", "signed_data", "recovery_id"}
    rs_hex = json.loads(output["signature"])  # a JSON string inside the JSON, as the ecdsa crate writes it
    assert rs_hex == rs_hex.upper() and len(rs_hex) == 128
    assert output["recovery_id"] == signature.recid and output["signed_data"] == digest.hex()
    rs = bytes.fromhex(rs_hex)
    r, s = int.from_bytes(rs[:32], "big"), int.from_bytes(rs[32:], "big")
    assert p256_verifies(bytes.fromhex(output["verifying_key"]), digest, r, s)
    assert verify_signed_data_output(json.dumps(output), public, digest, HD_P256)


def test_p256_verification_refuses_another_key_message_or_signature_and_takes_high_s() -> None:
    rng = random.Random(13)
    public, digest, signature = _signed(rng)
    output = json.dumps(signed_data_output(signature, public, digest, HD_P256))
    other = G.base_mul(rng.randrange(1, N))
    assert not verify_signed_data_output(output, other, digest, HD_P256)
    assert not verify_signed_data_output(output, public, os.urandom(32), HD_P256)
    # The same (r, s) claimed for the other key is refused: the signature does not match it.
    claimed = json.dumps(signed_data_output(signature, other, digest, HD_P256))
    assert not verify_signed_data_output(claimed, other, digest, HD_P256)
    tampered = EcdsaSignature(signature.r, (signature.s + 1) % N, signature.recid)
    assert not verify_signed_data_output(json.dumps(signed_data_output(tampered, public, digest, HD_P256)), public, digest, HD_P256)
    for bad in (EcdsaSignature(0, signature.s, 0), EcdsaSignature(signature.r, N, 0)):
        assert not verify_signed_data_output(json.dumps(signed_data_output(bad, public, digest, HD_P256)), public, digest, HD_P256)
    # Unlike k256's, the p256 verifier Lit uses takes a high s, and so does OpenSSL.
    high = EcdsaSignature(signature.r, N - signature.s, signature.recid ^ 1)
    assert verify_signed_data_output(json.dumps(signed_data_output(high, public, digest, HD_P256)), public, digest, HD_P256)


def test_an_action_key_is_ecdsa_on_k256_or_p256_only() -> None:
    with pytest.raises(InvalidInput, match="k256 or p256, not ed25519"):
        action_public_key(CID, [HD_ED25519.group.base_mul(3)], HD_ED25519)
    # The default stays K256, and its key for the same CID is another curve's point.
    k256_roots = [HD_K256.group.base_mul(5)]
    assert len(public_key_hex(action_public_key(CID, k256_roots))) == 130
