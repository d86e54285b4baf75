"""Lit.Actions.sign, signAsAction, getActionPublicKey, verifyActionSignature and claimKey on a real
4-node network. Signatures are checked by eth_account and coincurve, claims by eth_account."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from coincurve import PublicKey
from eth_account import Account
from eth_account.messages import encode_defunct
from eth_utils import keccak

from node.config import NodeConfig
from node.service import open_store
from node.signing_ops import CLAIM_WALLET_PURPOSE
from runtime.client import LitClient, NotPermitted
from runtime.client.errors import ActionError
from runtime.crypto.action_key import action_public_key
from runtime.crypto.hd import eth_address
from runtime.crypto.secp256k1 import ORDER, SECP256K1

pytestmark = pytest.mark.slow

SIGN = """(async () => {
  await Lit.Actions.sign({toSign, publicKey, sigName: 'sig', signingScheme});
})();"""

SIGN_AS_ACTION = """(async () => {
  const me = Lit.Auth.actionIpfsIdStack[0];
  // An extra actionIpfsCid is no way to sign as another action: signAsAction takes none.
  const out = await Lit.Actions.signAsAction({toSign, sigName: 'own', signingScheme: 'EcdsaK256Sha256', actionIpfsCid: other});
  const pk = await Lit.Actions.getActionPublicKey({signingScheme: 'EcdsaK256Sha256', actionIpfsCid: me});
  const mine = await Lit.Actions.verifyActionSignature({signingScheme: 'EcdsaK256Sha256', actionIpfsCid: me, toSign, signOutput: out});
  const theirs = await Lit.Actions.verifyActionSignature({signingScheme: 'EcdsaK256Sha256', actionIpfsCid: other, toSign, signOutput: out});
  Lit.Actions.setResponse({response: JSON.stringify({out, pk, mine, theirs, me, tag})});
})();"""

VERIFY = """(async () => {
  const ok = await Lit.Actions.verifyActionSignature({signingScheme: 'EcdsaK256Sha256', actionIpfsCid: cid, toSign, signOutput});
  Lit.Actions.setResponse({response: JSON.stringify(ok)});
})();"""

CLAIM = """(async () => {
  await Lit.Actions.claimKey({keyId: 'user-1'});
  await Lit.Actions.claimKey({keyId: 'user-2'});
})();"""


def _recover(sig: dict) -> str:
    return Account._recover_hash(bytes.fromhex(sig["dataSigned"][2:]), signature=bytes.fromhex(sig["signature"][2:]))


def _check_output(out: dict, digest: bytes) -> bytes:
    """The SignedDataOutput verifies under coincurve; returns its key."""
    rs = bytes.fromhex(json.loads(out["signature"]))
    key = bytes.fromhex(out["verifying_key"])
    assert out["signed_data"] == digest.hex() and len(key) == 65
    recoverable = rs + bytes([out["recovery_id"]])
    assert PublicKey.from_signature_and_message(recoverable, digest, hasher=None).format(compressed=False) == key
    return key


async def _permitted_pkp(client: LitClient, owner_key: str, code: str):
    pkp = await client.mint_pkp(owner_key)
    await client.permit_action(owner_key, pkp.token_id, await client.upload_action(code))
    return pkp


async def test_sign_ecdsa_k256_signs_the_32_bytes_as_given(network, owner_key):
    async with await LitClient.connect(network.state_dir) as client:
        pkp = await _permitted_pkp(client, owner_key, SIGN)
        digest = os.urandom(32)
        params = {"toSign": list(digest), "publicKey": "0x" + pkp.pubkey.hex(), "signingScheme": "EcdsaK256Sha256"}
        result = await client.execute_js(code=SIGN, js_params=params)
        sig = result.signatures["sig"]
        assert sig["signingScheme"] == "EcdsaK256Sha256"
        assert sig["dataSigned"] == "0x" + digest.hex()  # not SHA-256'd again: Lit signs the prehash given
        assert _recover(sig) == eth_address(pkp.pubkey)


async def test_sign_refuses_unknown_and_unsupported_schemes_and_short_messages(network, owner_key):
    async with await LitClient.connect(network.state_dir) as client:
        pkp = await _permitted_pkp(client, owner_key, SIGN)
        params = {"toSign": list(os.urandom(32)), "publicKey": "0x" + pkp.pubkey.hex()}
        # A PKP that did not permit this action: sign asks the same permission as signEcdsa.
        other = await client.mint_pkp(owner_key)
        with pytest.raises(NotPermitted, match="is not permitted with scope 1"):
            await client.execute_js(
                code=SIGN, js_params={**params, "publicKey": "0x" + other.pubkey.hex(), "signingScheme": "EcdsaK256Sha256"}
            )
        with pytest.raises(ActionError, match="Parse error Invalid signing scheme: EcdsaK256"):
            await client.execute_js(code=SIGN, js_params={**params, "signingScheme": "EcdsaK256"})
        with pytest.raises(ActionError, match="signing scheme EcdsaP384Sha384 is not supported by this network yet"):
            await client.execute_js(code=SIGN, js_params={**params, "signingScheme": "EcdsaP384Sha384"})
        with pytest.raises(ActionError, match="signingScheme must not be blank"):
            await client.execute_js(code=SIGN, js_params={**params, "signingScheme": ""})
        short = {**params, "toSign": list(os.urandom(31)), "signingScheme": "EcdsaK256Sha256"}
        with pytest.raises(ActionError, match="Message length to be signed is not 32 bytes"):
            await client.execute_js(code=SIGN, js_params=short)


async def test_sign_as_action_uses_the_actions_own_key_only(network):
    digest = os.urandom(32)
    # Two actions differing in one comment: two CIDs, so two keys.
    code_a, code_b = SIGN_AS_ACTION + "\n// a", SIGN_AS_ACTION + "\n// b"
    async with await LitClient.connect(network.state_dir) as client:
        cid_a, cid_b = await client.upload_action(code_a), await client.upload_action(code_b)
        roots = [row[0] for row in client.root_commitments]
        # No PKP and no permission: an anonymous caller, the action signs as itself.
        a = await client.execute_js(ipfs_id=cid_a, js_params={"toSign": list(digest), "other": cid_b, "tag": "a"})
        b = await client.execute_js(ipfs_id=cid_b, js_params={"toSign": list(digest), "other": cid_a, "tag": "b"})
        for result, cid in ((a, cid_a), (b, cid_b)):
            response = result.response
            assert response["me"] == cid
            expected = SECP256K1.encode_uncompressed(action_public_key(cid, roots))
            assert response["pk"] == expected.hex()  # Lit's getActionPublicKey: a hex string, not bytes
            assert _check_output(json.loads(response["out"]), digest) == expected
            assert response["mine"] is True and response["theirs"] is False
            # The client got the shares too and combined the same key's signature.
            sig = result.signatures["own"]
            assert sig["signingScheme"] == "EcdsaK256Sha256" and _recover(sig) == eth_address(expected)
        assert a.response["pk"] != b.response["pk"]

        # A third action checks A's output: true against A's CID only, and only for A's message.
        out_a = a.response["out"]
        verify = lambda cid, msg: client.execute_js(  # noqa: E731
            code=VERIFY, js_params={"cid": cid, "toSign": list(msg), "signOutput": out_a}
        )
        assert (await verify(cid_a, digest)).response is True
        assert (await verify(cid_b, digest)).response is False
        assert (await verify(cid_a, os.urandom(32))).response is False
        # A forged output naming B's key over A's signature does not pass for B either.
        forged = {**json.loads(out_a), "verifying_key": b.response["pk"]}
        result = await client.execute_js(
            code=VERIFY, js_params={"cid": cid_b, "toSign": list(digest), "signOutput": json.dumps(forged)}
        )
        assert result.response is False


async def test_claim_key_returns_every_nodes_signature_as_lit_does(network):
    async with await LitClient.connect(network.state_dir) as client:
        cid = await client.upload_action(CLAIM)
        result = await client.execute_js(ipfs_id=cid)
        assert set(result.claims) == {"user-1", "user-2"}
        claim = result.claims["user-1"]
        derived = keccak(f"{cid}_user-1".encode())
        assert claim["derivedKeyId"] == derived.hex()
        assert len(claim["signatures"]) >= network.threshold
        signers = [
            Account.recover_message(encode_defunct(primitive=derived), vrs=(s["v"], int(s["r"], 16), int(s["s"], 16)))
            for s in claim["signatures"]
        ]
        assert signers == claim["signers"] and len(set(signers)) == len(signers)
        # Each is a node's own claim wallet (from its sealed store), as Lit's nodes sign with theirs.
        wallets = set()
        for node_dir in sorted(Path(network.state_dir).glob("node*")):
            store = open_store(NodeConfig.load(node_dir / "config.json"))
            secret = int.from_bytes(store.derive_key(CLAIM_WALLET_PURPOSE), "big") % (ORDER - 1) + 1
            wallets.add(Account.from_key(secret.to_bytes(32, "big")).address)
        assert set(signers) <= wallets
        # ... and each node publishes its wallet's address in /status, which the client checks against.
        published = set(client.claim_addresses.values())
        assert len(published) >= network.t + 1 and published <= wallets  # the statuses that settled connect
        assert not any("claim" in text for text in result.errors.values())
        # The claimed key id derives a PKP key like any other.
        assert len(client.derive_pkp_public_key(derived)) == 65


async def test_sign_as_action_outvotes_a_node_sending_bad_shares(liar_network):
    digest = os.urandom(32)
    # The grace lets the liar be heard even when its answer comes after the quorum's.
    async with await LitClient.connect(liar_network.state_dir, straggler_grace_s=30) as client:
        cid = await client.upload_action(SIGN_AS_ACTION)
        result = await client.execute_js(ipfs_id=cid, js_params={"toSign": list(digest), "other": cid, "tag": "x"})
        expected = SECP256K1.encode_uncompressed(action_public_key(cid, [row[0] for row in client.root_commitments]))
        # Every node, the liar too, combined from the honest shares it checked.
        assert _check_output(json.loads(result.response["out"]), digest) == expected
        assert result.signatures["own"]["badNodes"] == [2]
        assert _recover(result.signatures["own"]) == eth_address(expected)
