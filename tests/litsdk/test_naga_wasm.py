"""Our signature shares combined by Lit's Naga (v8) combiner, npm @lit-protocol/wasm 8.1.0
`unifiedCombineAndVerify`, in the JSON node/litsdk/naga_shares.py writes. The combiner verifies
what it combines; each signature it returns is checked again by a verifier litrt did not write
(eth_account and coincurve for secp256k1 ECDSA, `cryptography` (OpenSSL) for P-256 ECDSA, PyNaCl for Ed25519, coincurve with py_ecc's RFC 9380
expand_message_xmd for FROST(secp256k1, SHA-256), libsecp256k1's BIP-340 for Taproot, which
combines only under the conditions naga_shares.py names). No network: shares are made in-process, so the
signing sets can be chosen and a share can be tampered with."""

from __future__ import annotations

import hashlib
import json
import random
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from coincurve import PublicKey, PublicKeyXOnly
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat, load_der_public_key
from eth_account import Account
from nacl.signing import VerifyKey

from node.litsdk.naga_shares import naga_ecdsa_share, naga_frost_payload_shares, naga_frost_shares
from node.litsdk.shares import sdk_ecdsa_share
from runtime.crypto import shamir, vss
from runtime.crypto.frost_signer import FrostSigner
from runtime.crypto.frost_suites import SCHNORR_ED25519_SHA512, SCHNORR_K256_SHA256, SCHNORR_K256_TAPROOT, Ciphersuite
from runtime.crypto.hd import DerivedKey, eth_address
from runtime.crypto.p256 import P256
from runtime.crypto.schemes import scheme as scheme_named
from runtime.crypto.secp256k1 import SECP256K1
from runtime.crypto.share_payloads import FrostPackage
from tests.crypto import test_ecdsa_p256
from tests.crypto.test_ecdsa import _network
from tests.crypto.test_frost import Keys, _sign
from tests.litsdk.test_shares import _node_shares
from tests.oracles import require_oracle
from tests.vectors.independent import k256_frost_verifies, p256_verifies

ROOT = Path(__file__).parents[2]
LIT_WASM = ROOT / "node_modules" / "@lit-protocol" / "wasm"
_COMBINE = """
const wasm = require(process.argv[1]);
let input = '';
process.stdin.on('data', (d) => input += d);
process.stdin.on('end', async () => {
  try {
    process.stdout.write(JSON.stringify({ out: JSON.parse(await wasm.unifiedCombineAndVerify(JSON.parse(input))) }));
  } catch (e) { process.stdout.write(JSON.stringify({ error: String(e && e.message || e) })); }
});
"""


def wasm_combine(shares: list[str]) -> dict[str, Any]:
    """{"out": lit-sdk's SignedDataOutput} or {"error": the combiner's message}."""
    require_oracle(shutil.which("node") is not None and (LIT_WASM / "package.json").exists(), "node or @lit-protocol/wasm missing")
    proc = subprocess.run(
        ["node", "-e", _COMBINE, str(LIT_WASM)], input=json.dumps(shares), capture_output=True, text=True, check=True, cwd=ROOT
    )
    return json.loads(proc.stdout)


def _tamper(share: str, field: str, value: str) -> str:
    kind, fields = next(iter(json.loads(share).items()))
    return json.dumps({kind: {**fields, field: value}})


# ---- ECDSA (secp256k1) ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def net7():
    return _network(7, 2, 3, seed=26)


@pytest.mark.parametrize("signing_set", [[1, 2, 3, 4, 5], [2, 3, 5, 6, 7]])
def test_ecdsa_shares_combine_in_the_naga_wasm(net7, signing_set):
    msg = random.Random(f"naga/{signing_set}").randbytes(32)
    shares = [naga_ecdsa_share(s) for s in _node_shares(net7, msg, signing_set)]
    results = [json.loads(s)["EcdsaSignedMessageShare"]["result"] for s in shares]
    assert [i + 1 for i, r in enumerate(results) if r == "success"] == signing_set
    combined = wasm_combine(shares)
    assert "error" not in combined, combined
    out = combined["out"]
    assert out["signed_data"] == msg.hex()
    rs = bytes.fromhex(json.loads(out["signature"]))
    uncompressed = SECP256K1.encode_uncompressed(net7.key.public_key)
    assert json.loads(out["verifying_key"]).lower().endswith(uncompressed.hex())  # 8.1.0 writes DER SPKI
    assert Account._recover_hash(msg, signature=rs + bytes([27 + out["recovery_id"]])) == eth_address(net7.key.public_key)
    r, s = int.from_bytes(rs[:32], "big"), int.from_bytes(rs[32:], "big")
    assert PublicKey(uncompressed).verify(encode_dss_signature(r, s), msg, hasher=None)


def test_ecdsa_combine_refuses_a_wrong_share(net7):
    msg = bytes(range(32))
    shares = [naga_ecdsa_share(s) for s in _node_shares(net7, msg, [1, 2, 3, 4, 5])]
    shares[2] = _tamper(shares[2], "signature_share", json.dumps(f"{7:064X}"))
    assert "error" in wasm_combine(shares)


# ---- ECDSA (P-256) -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def p256_net():
    return test_ecdsa_p256.make_net4()  # 4 parties, t = 1: signing sets of 2t+1 = 3


@pytest.mark.parametrize("signing_set", [[1, 2, 3], [2, 3, 4]])
def test_p256_ecdsa_shares_combine_in_the_naga_wasm(p256_net, signing_set):
    """EcdsaP256Sha256: toSign is SHA-256(message), signed as a prehash, as Lit's client sends it."""
    message = f"naga p256 {signing_set}".encode()
    digest = hashlib.sha256(message).digest()
    shares = [naga_ecdsa_share(s) for s in _node_shares(p256_net, digest, signing_set, p256_net.pool.pop())]
    fields = [json.loads(s)["EcdsaSignedMessageShare"] for s in shares]
    assert {f["sig_type"] for f in fields} == {"EcdsaP256Sha256"}
    assert [i + 1 for i, f in enumerate(fields) if f["result"] == "success"] == signing_set
    combined = wasm_combine(shares)
    assert "error" not in combined, combined
    out = combined["out"]
    assert out["signed_data"] == digest.hex() and out["recovery_id"] in (0, 1)
    uncompressed = P256.encode_uncompressed(p256_net.key.public_key)
    spki = load_der_public_key(bytes.fromhex(json.loads(out["verifying_key"])))  # 8.1.0 writes DER SPKI
    assert isinstance(spki, ec.EllipticCurvePublicKey) and isinstance(spki.curve, ec.SECP256R1)
    assert spki.public_bytes(Encoding.X962, PublicFormat.UncompressedPoint) == uncompressed
    rs = bytes.fromhex(json.loads(out["signature"]))
    r, s = int.from_bytes(rs[:32], "big"), int.from_bytes(rs[32:], "big")
    assert p256_verifies(uncompressed, digest, r, s)
    assert not p256_verifies(uncompressed, hashlib.sha256(b"another").digest(), r, s)


def test_p256_ecdsa_combine_refuses_a_wrong_share(p256_net):
    digest = hashlib.sha256(b"p256 liar").digest()
    shares = [naga_ecdsa_share(s) for s in _node_shares(p256_net, digest, [1, 2, 4], p256_net.pool.pop())]
    assert "error" not in wasm_combine(shares)  # the same shares untampered combine
    shares[1] = _tamper(shares[1], "signature_share", json.dumps(f"{7:064X}"))
    assert wasm_combine(shares) == {"error": "ecdsa signature verification failed"}


def test_p256_shares_are_not_given_to_the_v7_sdk(p256_net):
    digest = hashlib.sha256(b"v7").digest()
    share = _node_shares(p256_net, digest, [1, 2, 3], p256_net.pool.pop())[0]
    with pytest.raises(ValueError, match="secp256k1 ECDSA shares only, not p256"):
        sdk_ecdsa_share(share)


# ---- FROST ---------------------------------------------------------------------------------------


def _check_frost_signature(suite: Ciphersuite, public_key: Any, message: bytes, out: dict[str, Any]) -> None:
    scheme, signature_hex = json.loads(out["signature"])
    signature = bytes.fromhex(signature_hex)
    assert out["signed_data"] == message.hex() and out["recovery_id"] is None
    assert json.loads(out["verifying_key"])[1] == suite.encode_point(public_key).hex()
    if suite is SCHNORR_ED25519_SHA512:
        assert scheme == "Ed25519Sha512"
        VerifyKey(suite.encode_point(public_key)).verify(message, signature)  # raises if invalid
    else:
        assert scheme == "K256Sha256"
        assert k256_frost_verifies(suite.encode_point(public_key), message, signature)


@pytest.mark.parametrize("suite", [SCHNORR_ED25519_SHA512, SCHNORR_K256_SHA256], ids=lambda s: s.scheme)
@pytest.mark.parametrize("signers", [[1, 3], [2, 4], [1, 2, 3, 4]])
def test_frost_shares_combine_in_the_naga_wasm(suite, signers):
    keys = Keys(suite, 4, seed=31)
    message = f"naga {signers}".encode()
    package, shares = _sign(keys, signers, message)
    combined = wasm_combine(naga_frost_shares(package, shares, keys.public_shares, keys.public_key))
    assert "error" not in combined, combined
    _check_frost_signature(suite, keys.public_key, message, combined["out"])


@pytest.mark.parametrize("suite", [SCHNORR_ED25519_SHA512, SCHNORR_K256_SHA256], ids=lambda s: s.scheme)
def test_frost_combine_names_the_signer_whose_share_is_wrong(suite):
    keys = Keys(suite, 7, seed=32)
    package, shares = _sign(keys, [2, 4, 7], b"one liar", lie={4: 1})
    combined = wasm_combine(naga_frost_shares(package, shares, keys.public_shares, keys.public_key))
    assert combined == {"error": "frost signature from shares is invalid. Invalid share peer ids: 4"}


@pytest.mark.parametrize("scheme_name", ["SchnorrEd25519Sha512", "SchnorrK256Sha256"])
def test_node_frost_payload_parts_combine_in_the_naga_wasm(scheme_name):
    """The parts of the nodes' FROST payload (share_payloads.FrostPackage and hex shares) for a key
    derived as the client derives it (degree-t Feldman commitments)."""
    chosen = scheme_named(scheme_name)
    suite = chosen.frost
    assert suite is not None and chosen.hd.group is suite.group
    rng = random.Random(f"naga-payload/{scheme_name}")
    polynomial = shamir.random_polynomial(1, suite.order, rand=lambda q: rng.randrange(1, q))  # t = 1 of n = 4
    key = DerivedKey(b"key id", tuple(vss.feldman_commit(suite.group, polynomial)), chosen.hd)
    signers = {i: FrostSigner(suite, i, shamir.evaluate(polynomial, i, suite.order), key.public_key) for i in (1, 3)}
    message = b"signed through the payload"
    package = FrostPackage(chosen, key.key_id, message, tuple(s.commit(rng.randbytes(64)) for s in signers.values()))
    signing = package.signing_package(key)
    payload_shares = {str(i): suite.encode_scalar(s.sign(signing)).hex() for i, s in signers.items()}
    combined = wasm_combine(naga_frost_payload_shares(package.to_dict(), payload_shares, key))
    assert "error" not in combined, combined
    _check_frost_signature(suite, key.public_key, message, combined["out"])


@pytest.mark.parametrize("seed", [0, 1, 4])  # keys with odd y (0) and even y (1, 4); R's y odd for 1
def test_taproot_shares_over_a_sha256_digest_combine(seed):
    """lit-frost's K256Taproot signs SHA-256(message): shares our nodes make over that digest
    combine there into a BIP-340 signature libsecp256k1 accepts for the digest, whichever the
    parity of the key (frost-core binds the key as derived, and so do we)."""
    suite = SCHNORR_K256_TAPROOT
    keys = Keys(suite, 4, seed)
    message = f"taproot {seed}".encode()
    digest = hashlib.sha256(message).digest()
    package, shares = _sign(keys, [1, 3], digest)
    assert suite.key_parity(keys.public_key) == (-1 if seed == 0 else 1)
    combined = wasm_combine(naga_frost_shares(package, shares, keys.public_shares, keys.public_key, message))
    assert "error" not in combined, combined
    scheme, signature_hex = json.loads(combined["out"]["signature"])
    assert scheme == "K256Taproot" and combined["out"]["signed_data"] == message.hex()
    x_only = PublicKeyXOnly(suite.encode_point(keys.public_key)[1:])
    assert x_only.verify(bytes.fromhex(signature_hex), digest)


def test_taproot_shares_lit_cannot_combine_are_refused():
    suite = SCHNORR_K256_TAPROOT
    even = Keys(suite, 4, 1)
    package, shares = _sign(even, [1, 3], b"m" * 32)
    with pytest.raises(ValueError, match=r"signs SHA-256\(message\)"):
        naga_frost_shares(package, shares, even.public_shares, even.public_key)
