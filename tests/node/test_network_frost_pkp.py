"""Ed25519 PKPs on a real 4-node network: minted with key type 3 (Lit's Ed25519) from the
network's Ed25519 root keys, signing SchnorrEd25519Sha512 by FROST from an action and with
pkp_sign. Signatures are checked by PyNaCl and `cryptography`, a Solana transfer by `solders`;
permissions apply as for K256 PKPs, and a scheme of another curve than the PKP's is refused by name."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import aiohttp
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from nacl.exceptions import BadSignatureError
from nacl.signing import VerifyKey

from runtime.client import InvalidArgument, LitClient, NotPermitted, create_auth_sig
from runtime.client.combine import curve_roots
from runtime.client.errors import ActionError
from runtime.crypto.hd import HD_ED25519, derive_public_key
from tests.oracles import needs_oracle

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
SOLDERS_MISSING = None if importlib.util.find_spec("solders") else "needs solders (PyPI) to check a Solana transaction"
ED = "SchnorrEd25519Sha512"

SIGN_WITH_PKP = """(async () => {
  for (const signingScheme of schemes) {
    await Lit.Actions.sign({toSign, publicKey, sigName: signingScheme, signingScheme});
  }
})();"""


def _verify_ed25519(public_key: bytes, message: bytes, signature: bytes) -> None:
    """Both outside verifiers accept the signature, and PyNaCl refuses it for another message."""
    assert VerifyKey(public_key).verify(message, signature) == message
    Ed25519PublicKey.from_public_bytes(public_key).verify(signature, message)
    with pytest.raises(BadSignatureError):
        VerifyKey(public_key).verify(message + b"!", signature)


async def test_an_ed25519_pkp_signs_from_an_action_and_with_pkp_sign(network, owner_key):
    message = b"any length for Ed25519: " + os.urandom(77)
    async with await LitClient.connect(network.state_dir) as client:
        pkp = await client.mint_pkp(owner_key, key_type="ed25519")
        assert pkp.key_type == "ed25519" and len(pkp.pubkey) == 32
        roots = curve_roots(client.network.public, client.root_commitments)["ed25519"]
        expected = derive_public_key(pkp.key_id, [row[0] for row in roots], HD_ED25519)
        assert pkp.pubkey == HD_ED25519.group.encode(expected)
        async with client.registry() as registry:
            assert await registry.get_key_type(pkp.token_id) == "ed25519"
        public_key = "0x" + pkp.pubkey.hex()

        cid = await client.upload_action(SIGN_WITH_PKP)
        await client.permit_action(owner_key, pkp.token_id, cid)
        result = await client.execute_js(ipfs_id=cid, js_params={"toSign": list(message), "publicKey": public_key, "schemes": [ED]})
        sig = result.signatures[ED]
        assert sig["signingScheme"] == ED and sig["publicKey"] == public_key and sig["badNodes"] == []
        assert sig["dataSigned"] == "0x" + message.hex()
        _verify_ed25519(pkp.pubkey, message, bytes.fromhex(sig["signature"][2:]))

        auth = create_auth_sig(owner_key, chain_id=client.network.chain_id)
        signed = await client.pkp_sign(public_key, message, auth, signing_scheme=ED)
        assert signed["signingScheme"] == ED and signed["publicKey"] == public_key
        _verify_ed25519(pkp.pubkey, message, bytes.fromhex(signed["signature"][2:]))


async def test_permissions_apply_to_ed25519_pkps(network, owner_key, stranger_key):
    message = os.urandom(40)
    async with await LitClient.connect(network.state_dir) as client:
        pkp = await client.mint_pkp(owner_key, key_type="ed25519")
        public_key = "0x" + pkp.pubkey.hex()
        params = {"toSign": list(message), "publicKey": public_key, "schemes": [ED]}
        # An action the PKP does not permit signs nothing.
        with pytest.raises(NotPermitted, match="is not permitted with scope 1"):
            await client.execute_js(code=SIGN_WITH_PKP + "\n// not permitted", js_params=params)
        # Nor does a stranger's authSig, until the owner permits that address.
        stranger = create_auth_sig(stranger_key, chain_id=client.network.chain_id)
        with pytest.raises(NotPermitted, match="neither the owner nor permitted"):
            await client.pkp_sign(public_key, message, stranger, signing_scheme=ED)
        await client.permit_address(owner_key, pkp.token_id, stranger["address"])
        signed = await client.pkp_sign(public_key, message, stranger, signing_scheme=ED)
        _verify_ed25519(pkp.pubkey, message, bytes.fromhex(signed["signature"][2:]))


async def test_a_scheme_of_another_curve_than_the_pkps_is_refused_by_name(network, owner_key):
    digest = os.urandom(32)
    async with await LitClient.connect(network.state_dir) as client:
        ed_pkp = await client.mint_pkp(owner_key, key_type="ed25519")
        k_pkp = await client.mint_pkp(owner_key)
        cid = await client.upload_action(SIGN_WITH_PKP + "\n// mismatched")
        for pkp in (ed_pkp, k_pkp):
            await client.permit_action(owner_key, pkp.token_id, cid)
        ed_key, k_key = "0x" + ed_pkp.pubkey.hex(), "0x" + k_pkp.pubkey.hex()
        for scheme in ("EcdsaK256Sha256", "SchnorrK256Sha256", "SchnorrK256Taproot"):
            params = {"toSign": list(digest), "publicKey": ed_key, "schemes": [scheme]}
            with pytest.raises(ActionError, match=f"must be one of SchnorrEd25519Sha512 for a PKP of key type ed25519, got '{scheme}'"):
                await client.execute_js(ipfs_id=cid, js_params=params)
        params = {"toSign": list(digest), "publicKey": k_key, "schemes": [ED]}
        with pytest.raises(ActionError, match="for a PKP of key type k256, got 'SchnorrEd25519Sha512'"):
            await client.execute_js(ipfs_id=cid, js_params=params)

        auth = create_auth_sig(owner_key, chain_id=client.network.chain_id)
        with pytest.raises(InvalidArgument, match="for a PKP of key type ed25519, got 'EcdsaK256Sha256'"):
            await client.pkp_sign(ed_key, digest, auth)
        # The nodes refuse it too, for any client.
        async with aiohttp.ClientSession() as http:
            for scheme, key in (("EcdsaK256Sha256", ed_key), ("SchnorrK256Taproot", ed_key), (ED, k_key)):
                body = {"signingScheme": scheme, "toSign": digest.hex(), "publicKey": key, "authSig": auth}
                async with http.post(client.network.nodes[0] + "/web/pkp/sign", json=body) as resp:
                    answer = await resp.json()
                assert resp.status == 400 and f"for a PKP of key type {'k256' if key == k_key else 'ed25519'}" in answer["message"]
        with pytest.raises(InvalidArgument, match="key_type must be k256, ed25519 or p256, got 'p384'"):
            await client.mint_pkp(owner_key, key_type="p384")


@needs_oracle(SOLDERS_MISSING)
async def test_an_ed25519_pkp_signs_a_solana_transfer_that_solders_accepts(network, owner_key):
    from solders.hash import Hash
    from solders.message import Message
    from solders.pubkey import Pubkey
    from solders.signature import Signature
    from solders.system_program import TransferParams, transfer
    from solders.transaction import Transaction, TransactionError

    async with await LitClient.connect(network.state_dir) as client:
        pkp = await client.mint_pkp(owner_key, key_type="ed25519")
        payer = Pubkey(pkp.pubkey)  # the PKP's public key is its Solana address
        instruction = transfer(TransferParams(from_pubkey=payer, to_pubkey=Pubkey.new_unique(), lamports=2_500_000))
        message = Message.new_with_blockhash([instruction], payer, Hash.new_unique())
        cid = await client.upload_action(SIGN_WITH_PKP + "\n// solana")
        await client.permit_action(owner_key, pkp.token_id, cid)
        params = {"toSign": list(bytes(message)), "publicKey": "0x" + pkp.pubkey.hex(), "schemes": [ED]}
        result = await client.execute_js(ipfs_id=cid, js_params=params)
        signature = Signature.from_bytes(bytes.fromhex(result.signatures[ED]["signature"][2:]))
        signed = Transaction.populate(message, [signature])
        signed.verify()  # raises unless the payer's signature is valid
        assert Transaction.from_bytes(bytes(signed)) == signed  # a complete transaction, as it is sent
        with pytest.raises(TransactionError):
            Transaction.populate(Message.new_with_blockhash([instruction], payer, Hash.new_unique()), [signature]).verify()


def test_the_cli_mints_an_ed25519_pkp(network):
    def litrt(*args: str, command: str = "mint") -> tuple[int, dict]:
        cmd = [sys.executable, "-m", "runtime.cli.main", "pkp", command, "--state-dir", str(network.state_dir), *args, "--json"]
        proc = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO, timeout=300)
        return proc.returncode, json.loads(proc.stdout) if proc.stdout.strip() else {"stderr": proc.stderr}

    code, minted = litrt("--key-type", "ed25519")
    assert code == 0 and minted["keyType"] == "ed25519", minted
    assert len(bytes.fromhex(minted["publicKey"][2:])) == 32
    # ... and signs with it (the CLI's dev key owns it), checked by PyNaCl.
    message = b"a Solana message of any length"
    code, signed = litrt(minted["tokenId"], message.hex(), "--scheme", "SchnorrEd25519Sha512", command="sign")
    assert code == 0 and signed["signingScheme"] == "SchnorrEd25519Sha512", signed
    public_key = bytes.fromhex(minted["publicKey"][2:])
    assert VerifyKey(public_key).verify(message, bytes.fromhex(signed["signature"][2:])) == message
    code, default = litrt()
    assert code == 0 and default["keyType"] == "k256" and default["publicKey"].startswith("0x04")
    code, p256 = litrt("--key-type", "p256")  # tests/node/test_network_p256.py signs with it
    assert code == 0 and p256["keyType"] == "p256" and p256["publicKey"].startswith("0x04")
