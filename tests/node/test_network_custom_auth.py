"""actions_examples/custom_auth.js on a real 4-node network: a dApp's own auth method type on a PKP,
checked by a validation action that signs only for a user the dApp's server vouched for."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from eth_account import Account
from eth_account.messages import encode_defunct
from eth_utils import keccak

from runtime.chain.pkp import AuthMethod
from runtime.client import ActionError, LitClient
from runtime.crypto.hd import eth_address

pytestmark = pytest.mark.slow

ACTION = Path(__file__).resolve().parents[2] / "actions_examples" / "custom_auth.js"
APP_TYPE = int.from_bytes(keccak(b"litrt-custom-auth-test-app"), "big")
DIGEST = "cd" * 32


@dataclass
class Setup:
    client: LitClient
    cid: str
    token_id: int
    pubkey: bytes
    server: Account


def credential(key, user: str) -> str:
    signed = Account.sign_message(encode_defunct(text=f"litrt custom auth: {user}"), private_key=key.key)
    return "0x" + signed.signature.hex().removeprefix("0x")


def params(s: Setup, user: str, cred: str, token_id: int | None = None) -> dict:
    return {
        "publicKey": "0x" + s.pubkey.hex(),
        "tokenId": str(s.token_id if token_id is None else token_id),
        "authMethodType": hex(APP_TYPE),
        "userId": user,
        "credential": cred,
        "appServer": s.server.address,
        "toSignHex": "0x" + DIGEST,
    }


async def setup(client: LitClient, owner_key: str) -> Setup:
    """A PKP that permits the action and the auth method (APP_TYPE, "alice") with scope 1."""
    cid = await client.upload_action(ACTION.read_text())
    pkp = await client.mint_pkp(owner_key)
    await client.permit_action(owner_key, pkp.token_id, cid)
    async with client.registry(owner_key) as r:
        await r.add_permitted_auth_method(pkp.token_id, AuthMethod(APP_TYPE, b"alice"), [1])
    return Setup(client, cid, pkp.token_id, pkp.pubkey, Account.create())


async def test_alice_with_a_server_credential_gets_a_pkp_signature(network, owner_key):
    async with await LitClient.connect(network.state_dir) as client:
        s = await setup(client, owner_key)
        result = await client.execute_js(ipfs_id=s.cid, js_params=params(s, "alice", credential(s.server, "alice")))
        sig = result.signatures["sig"]
        assert sig["address"] == eth_address(s.pubkey)
        assert sig["dataSigned"] == "0x" + DIGEST
        assert Account._recover_hash(bytes.fromhex(DIGEST), signature=sig["signature"]) == eth_address(s.pubkey)
        assert result.response == {"user": "alice", "signed": "0x" + DIGEST}


async def test_a_credential_from_another_key_is_refused(network, owner_key):
    async with await LitClient.connect(network.state_dir) as client:
        s = await setup(client, owner_key)
        forged = credential(Account.create(), "alice")
        with pytest.raises(ActionError, match="credential is not from the app's server") as info:
            await client.execute_js(ipfs_id=s.cid, js_params=params(s, "alice", forged))
        assert "auth method" not in info.value.js_message
        # a credential for another user is no credential for alice either
        with pytest.raises(ActionError, match="credential is not from the app's server"):
            await client.execute_js(ipfs_id=s.cid, js_params=params(s, "alice", credential(s.server, "bob")))
        with pytest.raises(ActionError, match="credential is not from the app's server"):
            await client.execute_js(ipfs_id=s.cid, js_params=params(s, "alice", "0x1234"))


async def test_bob_has_a_credential_but_is_not_permitted_on_the_pkp(network, owner_key):
    async with await LitClient.connect(network.state_dir) as client:
        s = await setup(client, owner_key)
        with pytest.raises(ActionError, match='user "bob" is not a permitted auth method of this PKP'):
            await client.execute_js(ipfs_id=s.cid, js_params=params(s, "bob", credential(s.server, "bob")))


async def test_alice_is_refused_once_her_auth_method_is_removed(network, owner_key):
    async with await LitClient.connect(network.state_dir) as client:
        s = await setup(client, owner_key)
        alice = params(s, "alice", credential(s.server, "alice"))
        before = await client.execute_js(ipfs_id=s.cid, js_params=alice)
        assert before.signatures["sig"]["address"] == eth_address(s.pubkey)
        async with client.registry(owner_key) as r:
            await r.remove_permitted_auth_method(s.token_id, APP_TYPE, b"alice")
        with pytest.raises(ActionError, match='user "alice" is not a permitted auth method of this PKP'):
            await client.execute_js(ipfs_id=s.cid, js_params=alice)


async def test_a_token_id_of_another_pkp_is_refused(network, owner_key, stranger_key):
    """A stranger permits bob on a PKP of their own and names its tokenId with this PKP's publicKey."""
    async with await LitClient.connect(network.state_dir) as client:
        s = await setup(client, owner_key)
        theirs = await client.mint_pkp(stranger_key)
        async with client.registry(stranger_key) as r:
            await r.add_permitted_auth_method(theirs.token_id, AuthMethod(APP_TYPE, b"bob"), [1])
        bob = params(s, "bob", credential(s.server, "bob"), token_id=theirs.token_id)
        with pytest.raises(ActionError, match=f"tokenId {theirs.token_id} is not the token of publicKey"):
            await client.execute_js(ipfs_id=s.cid, js_params=bob)
