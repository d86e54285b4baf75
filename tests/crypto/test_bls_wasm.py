"""Interoperability with Lit's own client code: npm @lit-protocol/wasm run by node in a subprocess.

blsCombine / blsVerify / blsEncrypt / blsDecrypt are the functions Lit's JS SDK uses; agreeing
with them byte for byte is the evidence that our shares, signatures and ciphertexts are Lit's.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from runtime.crypto import bls, ibe
from runtime.crypto.bls import G1, G2
from runtime.crypto.bls_threshold import SignatureShare, combine, deal, interpolate, sign_share
from runtime.crypto.errors import VerificationFailed

PACKAGE = Path(__file__).parents[2] / "node_modules" / "@lit-protocol" / "wasm"
VECTORS = json.loads((Path(__file__).parents[1] / "vectors" / "bls_wasm.json").read_text())

# One request per node process, as JSON on stdin; hex in, hex out.
_RUNNER = """
const w = require(process.argv[1]);
let input = '';
process.stdin.on('data', d => input += d);
process.stdin.on('end', async () => {
  const req = JSON.parse(input), hex = s => Buffer.from(s, 'hex'), out = {};
  try {
    if (req.op === 'combine') out.sig = await w.blsCombine(req.shares);
    if (req.op === 'verify') { await w.blsVerify(hex(req.pk), hex(req.msg), req.sig); out.ok = true; }
    if (req.op === 'encrypt') out.ct = Buffer.from(await w.blsEncrypt(hex(req.pk), hex(req.msg), hex(req.id))).toString('hex');
    if (req.op === 'decrypt') out.msg = Buffer.from(await w.blsDecrypt(hex(req.ct), req.shares)).toString('hex');
  } catch (e) { out.error = String((e && e.message) || e); }
  process.stdout.write(JSON.stringify(out));
});
"""

needs_wasm = pytest.mark.skipif(
    shutil.which("node") is None or not (PACKAGE / "package.json").exists(),
    reason="node or node_modules/@lit-protocol/wasm missing (run the set-up script's npm install)",
)


def _wasm(**request: Any) -> dict[str, Any]:
    proc = subprocess.run(
        ["node", "-e", _RUNNER, str(PACKAGE)],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(proc.stdout)


def test_stored_wasm_combination_matches_ours() -> None:
    v = VECTORS["combine"]
    shares = [SignatureShare.from_json(s) for s in v["shares"]]
    assert 300 in {s.index for s in shares}  # an index >= 256 pins the identifier's byte order
    assert G2.encode(interpolate(shares)).hex() == v["signature"]
    assert bls.verify(bytes.fromhex(v["public_key"]), bytes.fromhex(v["msg"]), bytes.fromhex(v["signature"]))


@needs_wasm
@pytest.mark.parametrize("n", [4, 7])
def test_bls_combine_gives_our_signature(n: int) -> None:
    key_shares, key = deal(n)
    message = b"combine with Lit's wasm"
    shares = [sign_share(i, x, message) for i, x in key_shares.items()]
    ours = G2.encode(combine(shares, key, message)).hex()
    theirs = _wasm(op="combine", shares=[s.to_json() for s in shares[: key.need]])
    assert theirs == {"sig": ours}


@needs_wasm
def test_bls_verify_accepts_ours_and_rejects_a_wrong_message() -> None:
    sk, message = 0xA11CE, b"verify me"
    request = {"op": "verify", "pk": bls.sk_to_pk(sk).hex(), "sig": bls.sign(sk, message).hex()}
    assert _wasm(**request, msg=message.hex()) == {"ok": True}
    assert "error" in _wasm(**request, msg=(message + b"!").hex())


@needs_wasm
@pytest.mark.parametrize("length", [0, 31, 32, 300])
def test_we_decrypt_bls_encrypt_output(length: int) -> None:
    key_shares, key = deal(4)
    identity = ibe.access_control_identity(b"\x11" * 32, b"\x22" * 32)
    message = bytes(i % 256 for i in range(length))
    out = _wasm(op="encrypt", pk=G1.encode(key.public_key).hex(), msg=message.hex(), id=identity.hex())
    shares = [sign_share(i, x, identity) for i, x in key_shares.items()]
    assert ibe.decrypt_with_shares(bytes.fromhex(out["ct"]), identity, shares, key) == message


@needs_wasm
@pytest.mark.parametrize("length", [0, 31, 32, 300])
def test_bls_decrypt_opens_our_ciphertexts(length: int) -> None:
    key_shares, key = deal(4)
    identity = ibe.access_control_identity(b"\x33" * 32, b"\x44" * 32)
    message = bytes(i % 256 for i in range(length))
    ct = ibe.encrypt(key.public_key, message, identity)
    shares = [sign_share(i, x, identity).to_json() for i, x in key_shares.items()]
    assert _wasm(op="decrypt", ct=ct.to_bytes().hex(), shares=shares[: key.need]) == {"msg": message.hex()}
    tampered = bytearray(ct.to_bytes())
    tampered[60] ^= 1  # a byte of V
    assert "error" in _wasm(op="decrypt", ct=bytes(tampered).hex(), shares=shares[: key.need])


@needs_wasm
def test_padding_of_w_is_bound_here_but_not_in_blsful() -> None:
    """blsful reads the length prefix and ignores W's zero padding, so a flipped padding byte still
    opens there; we refuse it, so that no byte of a ciphertext can change unnoticed."""
    key_shares, key = deal(4)
    identity = ibe.access_control_identity(b"\x55" * 32, b"\x66" * 32)
    raw = bytearray(ibe.encrypt(key.public_key, b"", identity).to_bytes())
    raw[-2] ^= 1  # last byte of W: padding, since the message is empty
    shares = [sign_share(i, x, identity) for i, x in key_shares.items()]
    assert _wasm(op="decrypt", ct=raw.hex(), shares=[s.to_json() for s in shares]) == {"msg": ""}
    with pytest.raises(VerificationFailed):
        ibe.decrypt_with_shares(bytes(raw), identity, shares, key)
