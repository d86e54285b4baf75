"""Our shares in the forms Lit's SDK combines (node/litsdk/shares.py), combined by the SDK's own
@lit-protocol/crypto 7.4.0 (the copy @lit-protocol/lit-node-client-nodejs loads) and checked with
eth_account and py_ecc: no network, so the signing sets can be chosen."""

from __future__ import annotations

import json
import random
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from eth_account import Account
from py_ecc.bls import G2ProofOfPossession

from node.litsdk.shares import sdk_bls_share, sdk_combines, sdk_ecdsa_share, sdk_pkp_sign_share
from runtime.crypto import shamir
from runtime.crypto.bls import ORDER as BLS_ORDER, sk_to_pk
from runtime.crypto.bls_threshold import sign_share as bls_sign_share
from runtime.crypto.ecdsa import check_presignature_use, sign_share
from runtime.crypto.hd import eth_address
from runtime.crypto.presignature import Presignature, ecdsa_group
from tests.crypto.signing import certify
from tests.crypto.test_ecdsa import _network
from tests.oracles import require_oracle

ROOT = Path(__file__).parents[2]
SDK_NODEJS = ROOT / "node_modules" / "@lit-protocol" / "lit-node-client-nodejs"
_COMBINE = """
const { createRequire } = require('module');
const sdk = createRequire(process.argv[1] + '/package.json');
const crypto = sdk('@lit-protocol/crypto');
let input = '';
process.stdin.on('data', (d) => input += d);
process.stdin.on('end', async () => {
  const req = JSON.parse(input);
  try {
    const out = req.op === 'ecdsa' ? await crypto.combineEcdsaShares(req.shares) : { sig: await crypto.combineSignatureShares(req.shares) };
    process.stdout.write(JSON.stringify(out));
  } catch (e) { process.stdout.write(JSON.stringify({ error: String(e && e.message || e) })); }
});
"""


def sdk_combine(op: str, shares: list[Any]) -> dict[str, Any]:
    require_oracle(shutil.which("node") is not None and SDK_NODEJS.exists(), "node or @lit-protocol/lit-node-client missing")
    proc = subprocess.run(
        ["node", "-e", _COMBINE, str(SDK_NODEJS)], input=json.dumps({"op": op, "shares": shares}),
        capture_output=True, text=True, check=True, cwd=ROOT,
    )
    return json.loads(proc.stdout)


@pytest.fixture(scope="module")
def net7():
    return _network(7, 2, 4, seed=16)


def _node_shares(net, msg: bytes, signing_set: list[int], presigs: list[Presignature] | None = None) -> list[dict[str, Any]]:
    """Every party's share as signer.Signer.sign returns it, under a certificate of `signing_set`;
    on the presignatures' curve (`net.take()`'s secp256k1 ones unless given)."""
    presigs = net.take() if presigs is None else presigs
    group = ecdsa_group(presigs[0].public.group.name)
    certificate = certify(presigs[0].public, check_presignature_use(None, msg, net.key.public_key, group), signing_set)
    out = []
    for p in presigs:
        record = check_presignature_use(None, msg, net.key.public_key, group)
        share = sign_share(p, net.key, net.shares[p.index], msg, recorded_use=record, certificate=certificate)
        out.append({
            "signatureShare": share.to_dict(), "presignature": p.public.to_dict(), "certificate": certificate.to_dict(),
            "publicKey": "0x" + group.encode_uncompressed(net.key.public_key).hex(), "dataSigned": "0x" + msg.hex(),
        })
    return out


@pytest.mark.parametrize("signing_set", [[1, 2, 3, 4, 5], [2, 3, 5, 6, 7], [1, 3, 4, 6, 7]])
def test_ecdsa_shares_add_up_in_the_sdk(net7, signing_set):
    msg = random.Random(str(signing_set)).randbytes(32)
    shares = [{**sdk_ecdsa_share(s), "sigName": "sig"} for s in _node_shares(net7, msg, signing_set)]
    assert [i + 1 for i, s in enumerate(shares) if s["signatureShare"]] == signing_set
    assert len({(s["bigR"], s["publicKey"], s["dataSigned"]) for s in shares}) == 1
    combined = sdk_combine("ecdsa", shares)
    assert "error" not in combined, combined
    signature = bytes.fromhex(combined["r"] + combined["s"]) + bytes([27 + combined["recid"]])
    assert Account._recover_hash(msg, signature=signature) == eth_address(net7.key.public_key)


def test_pkp_sign_form_is_the_same_share_in_snake_case(net7):
    msg = bytes(range(32))
    ours = _node_shares(net7, msg, [1, 2, 3, 4, 5])[6]
    snake = sdk_pkp_sign_share(ours)
    camel = sdk_ecdsa_share(ours)
    assert snake["signature_share"] == camel["signatureShare"] == "" and snake["result"] == "fail"
    assert (snake["big_r"], snake["public_key"], snake["digest"]) == (camel["bigR"], camel["publicKey"], msg.hex())


@pytest.mark.slow  # seven hash-to-G2 share signatures and a pairing in pure Python
def test_bls_shares_interpolate_in_the_sdk():
    rng = random.Random(7)
    polynomial = [rng.randrange(1, BLS_ORDER) for _ in range(5)]  # degree 2t = 4, as the network's BLS key
    identity = b"lit-accesscontrolcondition://" + bytes(32).hex().encode() + b"/" + bytes(range(32)).hex().encode()
    shares = {i: bls_sign_share(i, shamir.evaluate(polynomial, i, BLS_ORDER), identity) for i in range(1, 8)}
    chosen = [sdk_bls_share(shares[i]) for i in (2, 3, 5, 6, 7)]
    assert all(len(s) == 2 * 97 and s.startswith(f"{i:02x}") for s, i in zip(chosen, (2, 3, 5, 6, 7)))
    combined = sdk_combine("bls", [{"ProofOfPossession": s} for s in chosen])
    assert "error" not in combined, combined
    public_key = sk_to_pk(polynomial[0])
    assert G2ProofOfPossession.Verify(public_key, identity, bytes.fromhex(combined["sig"]))
    # BLS signatures are unique: 2t shares interpolate to some other point, never to this signature.
    fewer = sdk_combine("bls", [{"ProofOfPossession": s} for s in chosen[:4]])
    assert fewer.get("sig") != combined["sig"]


def test_only_secp256k1_ecdsa_payloads_reach_the_sdk():
    """Only secp256k1 ECDSA goes to the v7 SDK: FROST payloads and P-256 presignatures' shares are
    left out of /web/execute/v1's answer instead of being misread by it."""
    k256 = {"presignature": _network(4, 1, 1, seed=17).pool[0][0].public.to_dict()}
    assert sdk_combines(k256)
    assert not sdk_combines({"presignature": {**k256["presignature"], "curve": "p256"}})
    assert not sdk_combines({"frost": {"scheme": "SchnorrEd25519Sha512"}})
    assert not sdk_combines({"presignature": "not an object"}) and not sdk_combines(None)
