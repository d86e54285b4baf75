"""Interoperability with Lit's own client code: npm @lit-protocol/wasm run by node in a subprocess.

blsCombine / blsVerify / blsEncrypt / blsDecrypt are the functions Lit's JS SDK uses; agreeing
with them byte for byte is the evidence that our shares, signatures and ciphertexts are Lit's.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from runtime.crypto import bls, ibe
from runtime.crypto.bls import G1, G2
from runtime.crypto.bls_threshold import SignatureShare, combine, interpolate, sign_share
from runtime.crypto.errors import VerificationFailed
from runtime.testing.dealers import deal

VECTORS = json.loads((Path(__file__).parents[1] / "vectors" / "bls_wasm.json").read_text())


def test_stored_wasm_combination_matches_ours() -> None:
    v = VECTORS["combine"]
    shares = [SignatureShare.from_json(s) for s in v["shares"]]
    assert 300 in {s.index for s in shares}  # an index >= 256 pins the identifier's byte order
    assert G2.encode(interpolate(shares)).hex() == v["signature"]
    assert bls.verify(bytes.fromhex(v["public_key"]), bytes.fromhex(v["msg"]), bytes.fromhex(v["signature"]))


@pytest.mark.parametrize("n", [4, 7])
def test_bls_combine_gives_our_signature(n: int, lit_wasm) -> None:
    key_shares, key = deal(n)
    message = b"combine with Lit's wasm"
    shares = [sign_share(i, x, message) for i, x in key_shares.items()]
    ours = G2.encode(combine(shares, key, message)).hex()
    theirs = lit_wasm(op="combine", shares=[s.to_json() for s in shares[: key.need]])
    assert theirs == {"sig": ours}


def test_bls_verify_accepts_ours_and_rejects_a_wrong_message(lit_wasm) -> None:
    sk, message = 0xA11CE, b"verify me"
    request = {"op": "verify", "pk": bls.sk_to_pk(sk).hex(), "sig": bls.sign(sk, message).hex()}
    assert lit_wasm(**request, msg=message.hex()) == {"ok": True}
    wrong = lit_wasm(**request, msg=(message + b"!").hex())
    assert wrong == {"error": "Verification failed: Failed to verify signature"}


@pytest.mark.parametrize("length", [0, 31, 32, 300])
def test_we_decrypt_bls_encrypt_output(length: int, lit_wasm) -> None:
    key_shares, key = deal(4)
    identity = ibe.access_control_identity(b"\x11" * 32, b"\x22" * 32)
    message = bytes(i % 256 for i in range(length))
    out = lit_wasm(op="encrypt", pk=G1.encode(key.public_key).hex(), msg=message.hex(), id=identity.hex())
    shares = [sign_share(i, x, identity) for i, x in key_shares.items()]
    assert ibe.decrypt_with_shares(bytes.fromhex(out["ct"]), identity, shares, key) == message


@pytest.mark.parametrize("length", [0, 31, 32, 300])
def test_bls_decrypt_opens_our_ciphertexts(length: int, lit_wasm) -> None:
    key_shares, key = deal(4)
    identity = ibe.access_control_identity(b"\x33" * 32, b"\x44" * 32)
    message = bytes(i % 256 for i in range(length))
    ct = ibe.encrypt(key.public_key, message, identity)
    shares = [sign_share(i, x, identity).to_json() for i, x in key_shares.items()]
    assert lit_wasm(op="decrypt", ct=ct.to_bytes().hex(), shares=shares[: key.need]) == {"msg": message.hex()}
    tampered = bytearray(ct.to_bytes())
    tampered[60] ^= 1  # a byte of V
    refused = lit_wasm(op="decrypt", ct=bytes(tampered).hex(), shares=shares[: key.need])
    assert refused == {"error": "Decryption failed: Failed to decrypt"}


def test_padding_of_w_is_bound_here_but_not_in_blsful(lit_wasm) -> None:
    """blsful reads the length prefix and ignores W's zero padding, so a flipped padding byte still
    opens there; we refuse it, so that no byte of a ciphertext can change unnoticed."""
    key_shares, key = deal(4)
    identity = ibe.access_control_identity(b"\x55" * 32, b"\x66" * 32)
    raw = bytearray(ibe.encrypt(key.public_key, b"", identity).to_bytes())
    raw[-2] ^= 1  # last byte of W: padding, since the message is empty
    shares = [sign_share(i, x, identity) for i, x in key_shares.items()]
    assert lit_wasm(op="decrypt", ct=raw.hex(), shares=[s.to_json() for s in shares]) == {"msg": ""}
    with pytest.raises(VerificationFailed):
        ibe.decrypt_with_shares(bytes(raw), identity, shares, key)
