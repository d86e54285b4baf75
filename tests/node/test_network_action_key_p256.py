"""The action's own key on P-256 on a real 4-node network: Lit.Actions.signAsAction,
getActionPublicKey and verifyActionSignature with EcdsaP256Sha256. The key is derived from the
network's P-256 root keys with the action's key id; signAsAction signs from P-256 presignatures under
the signing agreement and each node combines the others' shares. Signatures are checked by
`cryptography` (OpenSSL) over SHA-256 of the message (toSign is that digest, as a WebAuthn relying
party would check it) and the recovery id by python-ecdsa's key recovery."""

from __future__ import annotations

import hashlib
import json
import os
from typing import Any

import pytest
from ecdsa import NIST256p  # type: ignore[import-untyped]
from ecdsa.ecdsa import Signature as EcdsaLibSignature  # type: ignore[import-untyped]

from runtime.client import LitClient
from runtime.crypto.hd import HD_P256, action_key_id, derive_public_key
from runtime.crypto.p256 import ORDER as N
from tests.node.test_network_p256 import _openssl_verifies

pytestmark = pytest.mark.slow

P = "EcdsaP256Sha256"

# Every node's answer is kept (response_strategy below), so each node's key and output are seen.
SIGN_AS_ACTION = """(async () => {
  const me = Lit.Auth.actionIpfsIdStack[0];
  const out = await Lit.Actions.signAsAction({toSign, sigName: 'own', signingScheme: 'EcdsaP256Sha256'});
  const pk = await Lit.Actions.getActionPublicKey({signingScheme: 'EcdsaP256Sha256', actionIpfsCid: me});
  const k256 = await Lit.Actions.getActionPublicKey({signingScheme: 'EcdsaK256Sha256', actionIpfsCid: me});
  const mine = await Lit.Actions.verifyActionSignature({signingScheme: 'EcdsaP256Sha256', actionIpfsCid: me, toSign, signOutput: out});
  const theirs = await Lit.Actions.verifyActionSignature({signingScheme: 'EcdsaP256Sha256', actionIpfsCid: other, toSign, signOutput: out});
  const asK256 = await Lit.Actions.verifyActionSignature({signingScheme: 'EcdsaK256Sha256', actionIpfsCid: me, toSign, signOutput: out});
  Lit.Actions.setResponse({response: JSON.stringify({out, pk, k256, mine, theirs, asK256, me})});
})();"""

VERIFY = """(async () => {
  const ok = await Lit.Actions.verifyActionSignature({signingScheme: 'EcdsaP256Sha256', actionIpfsCid: cid, toSign, signOutput});
  Lit.Actions.setResponse({response: JSON.stringify(ok)});
})();"""


def _verifies(public_key_hex: str, message: bytes, r: int, s: int) -> bool:
    return _openssl_verifies(bytes.fromhex(public_key_hex), message, {"r": f"{r:064x}", "s": f"{s:064x}"})


def _rs(output: dict[str, Any]) -> tuple[int, int]:
    rs = bytes.fromhex(json.loads(output["signature"]))
    assert len(rs) == 64 and rs.hex().upper() == json.loads(output["signature"])  # the ecdsa crate's serde form
    return int.from_bytes(rs[:32], "big"), int.from_bytes(rs[32:], "big")


def _recovers(public_key_hex: str, digest: bytes, r: int, s: int, recid: int) -> bool:
    """python-ecdsa's recovery: its first candidate has R's y even, its second odd (recovery id bit 0)."""
    candidates = EcdsaLibSignature(r, s).recover_public_keys(int.from_bytes(digest, "big"), NIST256p.generator)
    return b"\x04" + candidates[recid].point.to_bytes() == bytes.fromhex(public_key_hex)


def _expected_key(client: LitClient, cid: str) -> str:
    rows = client.network.public["p256Commitments"]
    roots = [HD_P256.group.decode(bytes.fromhex(row[0]), "p256Commitments") for row in rows]
    return HD_P256.group.encode_uncompressed(derive_public_key(action_key_id(cid), roots, HD_P256)).hex()  # type: ignore[attr-defined]


async def _run(client: LitClient, cid: str, digest: bytes, other: str) -> list[dict[str, Any]]:
    """Every node's response to SIGN_AS_ACTION (the grace lets all four answer)."""
    answers: list[Any] = []

    def every(values: list[Any]) -> Any:
        answers[:] = values
        return values[0]

    result = await client.execute_js(ipfs_id=cid, js_params={"toSign": list(digest), "other": other}, response_strategy=every)
    assert result.errors == {}
    # The client got the shares too and combined the same key's signature.
    sig = result.signatures["own"]
    assert sig["signingScheme"] == P and sig["badNodes"] == [] and sig["dataSigned"] == "0x" + digest.hex()
    responses = [json.loads(text) for text in answers]
    assert len(responses) == 4
    assert sig["publicKey"] == "0x" + responses[0]["pk"]
    return responses


async def test_the_p256_action_key_is_one_key_at_every_node_that_openssl_verifies(network):
    message = b"a WebAuthn-style challenge " + os.urandom(16)
    digest = hashlib.sha256(message).digest()
    async with await LitClient.connect(network.state_dir, straggler_grace_s=30) as client:
        cid_a = await client.upload_action(SIGN_AS_ACTION + "\n// a")
        cid_b = await client.upload_action(SIGN_AS_ACTION + "\n// b")
        responses = await _run(client, cid_a, digest, cid_b)
        expected = _expected_key(client, cid_a)
        for response in responses:
            assert response["me"] == cid_a
            assert response["pk"] == expected  # getActionPublicKey: uncompressed SEC1, lower-case hex, no 0x
            assert response["k256"] != expected and len(response["k256"]) == 130  # the K256 key is another
            out = json.loads(response["out"])
            assert set(out) == {"signature", "verifying_key", "signed_data", "recovery_id"}
            assert out["verifying_key"] == expected and out["signed_data"] == digest.hex()
            r, s = _rs(out)
            assert s <= N // 2  # normalised low, as Lit's combine does
            assert _verifies(expected, message, r, s)
            assert not _verifies(expected, message + b"!", r, s)
            assert _recovers(expected, digest, r, s, out["recovery_id"])
            assert response["mine"] is True and response["theirs"] is False and response["asK256"] is False
        # Every node combined the same signature from the shares (the polynomial's, whichever 2t+1).
        assert len({response["out"] for response in responses}) == 1

        # Another action (another CID) has another P-256 key, which signs for it alone.
        other = await _run(client, cid_b, digest, cid_a)
        expected_b = _expected_key(client, cid_b)
        assert expected_b != expected
        assert {response["pk"] for response in other} == {expected_b}
        out_b = json.loads(other[0]["out"])
        assert out_b["verifying_key"] == expected_b and _verifies(expected_b, message, *_rs(out_b))
        assert all(response["mine"] is True and response["theirs"] is False for response in other)


async def test_verify_action_signature_on_p256_refuses_tampered_outputs_and_other_cids(network):
    digest = os.urandom(32)
    async with await LitClient.connect(network.state_dir) as client:
        cid_a = await client.upload_action(SIGN_AS_ACTION + "\n// c")
        cid_b = await client.upload_action(SIGN_AS_ACTION + "\n// d")
        signed = await client.execute_js(ipfs_id=cid_a, js_params={"toSign": list(digest), "other": cid_b})
        out = json.loads(signed.response["out"])
        r, s = _rs(out)

        async def verify(cid: str, message: bytes, output: dict[str, Any]) -> Any:
            params = {"cid": cid, "toSign": list(message), "signOutput": json.dumps(output)}
            return (await client.execute_js(code=VERIFY, js_params=params)).response

        # A third action checks A's output: true against A's CID and A's message only.
        assert await verify(cid_a, digest, out) is True
        assert await verify(cid_b, digest, out) is False
        assert await verify(cid_a, os.urandom(32), out) is False
        # Tampered: another s, another signed_data, or B's key named over A's signature.
        other_s = json.dumps((r.to_bytes(32, "big") + ((s + 1) % N).to_bytes(32, "big")).hex().upper())
        assert await verify(cid_a, digest, {**out, "signature": other_s}) is False
        assert await verify(cid_a, digest, {**out, "signed_data": os.urandom(32).hex()}) is False
        assert await verify(cid_b, digest, {**out, "verifying_key": _expected_key(client, cid_b)}) is False


async def test_a_node_sending_bad_p256_shares_is_named_and_outvoted(liar_network):
    message = b"outvoted"
    digest = hashlib.sha256(message).digest()
    # The grace lets the liar be heard even when its answer comes after the quorum's.
    async with await LitClient.connect(liar_network.state_dir, straggler_grace_s=30) as client:
        cid = await client.upload_action(SIGN_AS_ACTION)
        result = await client.execute_js(ipfs_id=cid, js_params={"toSign": list(digest), "other": cid})
        expected = _expected_key(client, cid)
        # Every node, the liar too, combined from the honest shares it checked.
        out = json.loads(result.response["out"])
        assert out["verifying_key"] == expected and _verifies(expected, message, *_rs(out))
        sig = result.signatures["own"]
        assert sig["badNodes"] == [2] and sig["publicKey"] == "0x" + expected
        assert _verifies(expected, message, int(sig["r"], 16), int(sig["s"], 16))
