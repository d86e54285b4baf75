"""An action's own key and Lit's SignedDataOutput, checked against libraries we did not write:
npm @lit-protocol/wasm + ethers (the key), coincurve and pyca/cryptography (the signatures)."""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
from pathlib import Path

import pytest
from coincurve import PrivateKey
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed, decode_dss_signature, encode_dss_signature

from runtime.crypto.scheme_names import LIT_SCHEME_NAMES
from runtime.crypto.action_key import (
    action_public_key,
    public_key_hex,
    signed_data_output,
    verify_signed_data_output,
)
from runtime.crypto.ecdsa import EcdsaSignature
from runtime.crypto.errors import InvalidInput
from runtime.crypto.secp256k1 import ORDER, SECP256K1 as G

REPO = Path(__file__).resolve().parents[2]
WASM = REPO / "node_modules" / "@lit-protocol" / "wasm"
CIDS = ["QmcA9npUnrzsmvx9sfmZDnEnPAEbMA5kp4tnkueYqiJKZv", "Qmf412jQZiuVUtdgnB36FXFX7xg5V6KEbSJ4dpQuhkLyfD"]

# The oracle computes the key id itself (ethers keccak256 of "lit_action_" + cid), then derives.
_ORACLE_JS = r"""
const wasm = require('@lit-protocol/wasm');
const { ethers } = require('ethers');
let input = '';
process.stdin.on('data', (c) => (input += c));
process.stdin.on('end', async () => {
  const c = JSON.parse(input);
  const keys = c.root_keys.map((k) => Uint8Array.from(Buffer.from(k, 'hex')));
  const out = [];
  for (const cid of c.cids) {
    const id = ethers.utils.arrayify(ethers.utils.keccak256(ethers.utils.toUtf8Bytes('lit_action_' + cid)));
    out.push(Buffer.from(await wasm.ecdsaDeriveKey(id, keys)).toString('hex'));
  }
  process.stdout.write(JSON.stringify(out));
});
"""


@pytest.mark.skipif(
    shutil.which("node") is None or not WASM.exists(),
    reason="needs node and node_modules/@lit-protocol/wasm (run the set-up command)",
)
def test_action_key_is_lits_derivation_of_its_cid() -> None:
    rng = random.Random()
    roots = [G.base_mul(rng.randrange(1, ORDER)) for _ in range(10)]
    proc = subprocess.run(
        ["node", "-e", _ORACLE_JS],
        input=json.dumps({"cids": CIDS, "root_keys": [G.encode(r).hex() for r in roots]}),
        capture_output=True, text=True, cwd=REPO, timeout=120, check=True,
    )
    oracle = json.loads(proc.stdout)
    ours = [public_key_hex(action_public_key(cid, roots)) for cid in CIDS]
    # The oracle returns the uncompressed key; Lit's getActionPublicKey gives the same hex.
    assert ours == oracle
    assert ours[0] != ours[1]


def _sign(secret: int, digest: bytes) -> EcdsaSignature:
    compact = PrivateKey(secret.to_bytes(32, "big")).sign_recoverable(digest, hasher=None)
    return EcdsaSignature(int.from_bytes(compact[:32], "big"), int.from_bytes(compact[32:64], "big"), compact[64])


def test_signed_data_output_has_lits_shape_and_verifies_with_cryptography() -> None:
    secret, digest = random.randrange(1, ORDER), os.urandom(32)
    public = G.base_mul(secret)
    output = signed_data_output(_sign(secret, digest), public, digest)
    assert set(output) == {"signature", "verifying_key", "signed_data", "recovery_id"}
    rs_hex = json.loads(output["signature"])  # a JSON string inside the JSON, as the ecdsa crate writes it
    assert rs_hex == rs_hex.upper() and len(rs_hex) == 128
    assert output["verifying_key"] == G.encode_uncompressed(public).hex() and output["signed_data"] == digest.hex()
    key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256K1(), bytes.fromhex(output["verifying_key"]))
    rs = bytes.fromhex(rs_hex)
    der = encode_dss_signature(int.from_bytes(rs[:32], "big"), int.from_bytes(rs[32:], "big"))
    key.verify(der, digest, ec.ECDSA(Prehashed(hashes.SHA256())))  # raises if invalid
    assert verify_signed_data_output(json.dumps(output), public, digest)


def test_verification_refuses_another_key_another_message_and_high_s() -> None:
    secret, digest = random.randrange(1, ORDER), os.urandom(32)
    public = G.base_mul(secret)
    signature = _sign(secret, digest)
    output = json.dumps(signed_data_output(signature, public, digest))
    other = G.base_mul(random.randrange(1, ORDER))
    assert not verify_signed_data_output(output, other, digest)
    assert not verify_signed_data_output(output, public, os.urandom(32))
    # The same (r, s) claimed for the other key is still refused: the signature does not match it.
    assert not verify_signed_data_output(json.dumps(signed_data_output(signature, other, digest)), other, digest)
    high = EcdsaSignature(signature.r, ORDER - signature.s, signature.recid ^ 1)
    assert not verify_signed_data_output(json.dumps(signed_data_output(high, public, digest)), public, digest)
    # A signature made by cryptography over the digest verifies too (not only our own outputs).
    key = ec.derive_private_key(secret, ec.SECP256K1())
    r, s = decode_dss_signature(key.sign(digest, ec.ECDSA(Prehashed(hashes.SHA256()))))
    s = min(s, ORDER - s)
    assert verify_signed_data_output(json.dumps(signed_data_output(EcdsaSignature(r, s, 0), public, digest)), public, digest)


@pytest.mark.parametrize("bad", ["not json", "{}", json.dumps({"signature": "\"00\"", "verifying_key": "", "signed_data": ""})])
def test_malformed_output_is_an_error_naming_sign_output(bad: str) -> None:
    with pytest.raises(InvalidInput, match="signOutput"):
        verify_signed_data_output(bad, G.base_mul(5), bytes(32))


def test_scheme_names_are_lits() -> None:
    # One list of Lit's names for the node, the client and the CLI: lit-peer's sixteen.
    assert len(LIT_SCHEME_NAMES) == 16 and "EcdsaK256Sha256" in LIT_SCHEME_NAMES
    with pytest.raises(InvalidInput, match="ipfs_cid"):
        action_public_key("", [G.base_mul(3)])
