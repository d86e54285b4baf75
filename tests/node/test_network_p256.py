"""P-256 PKPs on a real 4-node network: minted with key type 6 (Lit's P256) from the network's P-256
root keys, signing EcdsaP256Sha256 by threshold ECDSA from P-256 presignatures, from an action and
with pkp_sign. Every signature is checked by `cryptography` (OpenSSL) as an ordinary ECDSA P-256
signature over SHA-256 of the message (toSign is that digest, as Lit's client sends it); a lying node
is named and outvoted; a node restarted after a kill hands out none of the presignatures it used."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from runtime.client import LitClient, create_auth_sig
from runtime.client.errors import ActionError
from runtime.crypto.hd import HD_P256, derive_public_key
from runtime.crypto.p256 import P256
from tests.vectors.independent import p256_verifies
from tests.node.test_network_frost_restart import kill_node, start_node

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
P = "EcdsaP256Sha256"

SIGN_WITH_PKP = """(async () => {
  for (const signingScheme of schemes) {
    await Lit.Actions.sign({toSign, publicKey, sigName: signingScheme, signingScheme});
  }
})();"""
SIGN_ECDSA = "(async () => { await Lit.Actions.signEcdsa({toSign, publicKey, sigName: 'sig'}); })();"
SIGN_AND_COMBINE = """(async () => {
  const signature = await Lit.Actions.signAndCombine({toSign, publicKey, sigName: "combined", signingScheme: "EcdsaP256Sha256"});
  Lit.Actions.setResponse({ response: signature });
})();"""


def _openssl_verifies(public_key: bytes, message: bytes, sig: dict[str, Any]) -> bool:
    """OpenSSL checks (r, s) against the key over SHA-256(message)."""
    return p256_verifies(public_key, hashlib.sha256(message).digest(), int(sig["r"], 16), int(sig["s"], 16))


async def _p256_pkp(client: LitClient, owner_key: str) -> tuple[Any, str]:
    pkp = await client.mint_pkp(owner_key, key_type="p256")
    rows = client.network.public["p256Commitments"]
    roots = [P256.decode(bytes.fromhex(row[0]), "p256Commitments") for row in rows]
    assert pkp.pubkey == P256.encode_uncompressed(derive_public_key(pkp.key_id, roots, HD_P256))
    return pkp, "0x" + pkp.pubkey.hex()


async def test_a_p256_pkp_signs_with_pkp_sign_and_from_an_action(network, owner_key):
    message = b"a WebAuthn-style challenge " + os.urandom(20)
    digest = hashlib.sha256(message).digest()
    async with await LitClient.connect(network.state_dir) as client:
        pkp, public_key = await _p256_pkp(client, owner_key)
        assert pkp.key_type == "p256" and len(pkp.pubkey) == 65 and pkp.pubkey[0] == 4
        async with client.registry() as registry:
            assert await registry.get_key_type(pkp.token_id) == "p256"

        auth = create_auth_sig(owner_key, chain_id=client.network.chain_id)
        signed = await client.pkp_sign(public_key, digest, auth, signing_scheme=P)
        assert signed["signingScheme"] == P and signed["publicKey"] == public_key and signed["badNodes"] == []
        assert signed["dataSigned"] == "0x" + digest.hex()
        assert _openssl_verifies(pkp.pubkey, message, signed)
        assert not _openssl_verifies(pkp.pubkey, message + b"!", signed)

        cid = await client.upload_action(SIGN_WITH_PKP)
        await client.permit_action(owner_key, pkp.token_id, cid)
        result = await client.execute_js(ipfs_id=cid, js_params={"toSign": list(digest), "publicKey": public_key, "schemes": [P]})
        sig = result.signatures[P]
        assert sig["signingScheme"] == P and sig["publicKey"] == public_key and sig["badNodes"] == []
        assert _openssl_verifies(pkp.pubkey, message, sig)
        assert sig["presignatureId"] != signed["presignatureId"]


async def test_sign_and_combine_gives_the_action_a_p256_signature(network, owner_key):
    message = b"combined inside the nodes"
    async with await LitClient.connect(network.state_dir) as client:
        pkp, public_key = await _p256_pkp(client, owner_key)
        cid = await client.upload_action(SIGN_AND_COMBINE)
        await client.permit_action(owner_key, pkp.token_id, cid)
        result = await client.execute_js(ipfs_id=cid, js_params={"toSign": list(hashlib.sha256(message).digest()), "publicKey": public_key})
        assert result.signatures == {}  # the client gets no share, the action the signature
        assert set(result.response) == {"r", "s", "v"}
        assert _openssl_verifies(pkp.pubkey, message, result.response)


async def test_p256_pkps_refuse_other_schemes_and_unhashed_messages(network, owner_key):
    digest = os.urandom(32)
    async with await LitClient.connect(network.state_dir) as client:
        pkp, public_key = await _p256_pkp(client, owner_key)
        k_pkp = await client.mint_pkp(owner_key)
        cid = await client.upload_action(SIGN_WITH_PKP + "\n// mismatched")
        ecdsa_cid = await client.upload_action(SIGN_ECDSA)
        for token in (pkp.token_id, k_pkp.token_id):
            for action in (cid, ecdsa_cid):
                await client.permit_action(owner_key, token, action)
        for scheme in ("EcdsaK256Sha256", "SchnorrK256Sha256"):
            with pytest.raises(ActionError, match=f"must be one of EcdsaP256Sha256 for a PKP of key type p256, got '{scheme}'"):
                await client.execute_js(ipfs_id=cid, js_params={"toSign": list(digest), "publicKey": public_key, "schemes": [scheme]})
        with pytest.raises(ActionError, match="for a PKP of key type p256, got 'EcdsaK256Sha256'"):
            await client.execute_js(ipfs_id=ecdsa_cid, js_params={"toSign": list(digest), "publicKey": public_key})
        k_key = "0x" + k_pkp.pubkey.hex()
        with pytest.raises(ActionError, match="for a PKP of key type k256, got 'EcdsaP256Sha256'"):
            await client.execute_js(ipfs_id=cid, js_params={"toSign": list(digest), "publicKey": k_key, "schemes": [P]})
        with pytest.raises(ActionError, match="Message length to be signed is not 32 bytes"):
            await client.execute_js(ipfs_id=cid, js_params={"toSign": list(digest + b"x"), "publicKey": public_key, "schemes": [P]})


async def test_a_lying_node_is_named_and_outvoted(liar_network, owner_key):
    digest = hashlib.sha256(b"outvoted").digest()
    async with await LitClient.connect(liar_network.state_dir, straggler_grace_s=30) as client:
        pkp, public_key = await _p256_pkp(client, owner_key)
        signed = await client.pkp_sign(public_key, digest, create_auth_sig(owner_key), signing_scheme=P)
        assert signed["badNodes"] == [2]
        assert "invalid signature share" in signed["errors"][2]
        assert _openssl_verifies(pkp.pubkey, b"outvoted", signed)


def test_the_cli_mints_and_signs_with_a_p256_pkp(network):
    def litrt(command: str, *args: str) -> tuple[int, dict]:
        cmd = [sys.executable, "-m", "runtime.cli.main", "pkp", command, "--state-dir", str(network.state_dir), *args, "--json"]
        proc = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO, timeout=300)
        return proc.returncode, json.loads(proc.stdout) if proc.stdout.strip() else {"stderr": proc.stderr}

    code, minted = litrt("mint", "--key-type", "p256")
    assert code == 0 and minted["keyType"] == "p256" and minted["publicKey"].startswith("0x04"), minted
    message = b"signed from the command line"
    code, signed = litrt("sign", minted["tokenId"], hashlib.sha256(message).hexdigest(), "--scheme", P)
    assert code == 0 and signed["signingScheme"] == P and signed["publicKey"] == minted["publicKey"], signed
    assert _openssl_verifies(bytes.fromhex(minted["publicKey"][2:]), message, signed)


async def test_a_restarted_node_never_reuses_a_p256_presignature(network, owner_key):
    root = Path(network.state_dir)
    async with await LitClient.connect(network.state_dir) as client:
        pkp, public_key = await _p256_pkp(client, owner_key)
        auth = create_auth_sig(owner_key, chain_id=client.network.chain_id)

        async def sign(coordinator: int) -> dict[str, Any]:
            message = os.urandom(24)
            signed = await client.pkp_sign(public_key, hashlib.sha256(message).digest(), auth, signing_scheme=P, coordinator=coordinator)
            assert _openssl_verifies(pkp.pubkey, message, signed)
            return signed

        used = {(await sign(3))["presignatureId"] for _ in range(3)}
        victim = await kill_node(root, "node3")
        assert 3 in (await sign(1))["errors"]  # three nodes still sign; the dead one is named

        status = await start_node(root, victim)
        assert status["presignatures"]["used"] >= 3  # its usage log survived the kill
        again = {(await sign(3))["presignatureId"] for _ in range(3)}
        assert not again & used
        assert all(pid.startswith("presign-3-p256-") for pid in used | again)
