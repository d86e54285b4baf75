"""H1 on a real network: Lit's session signatures and contract wallets (EIP-1271).

A session signature is made for one node: sent to another it must be refused, as must one whose
ed25519 signature does not match. A contract wallet signs in, or delegates a session, through its
isValidSignature; a signature it does not accept is refused. An EthWallet auth method lends its
address only when its own authSig holds; kinds the nodes cannot verify are refused by name. An
authSig that allows one action cannot run another through Lit.Actions.call.
"""

from __future__ import annotations

import json
import os

import aiohttp
import pytest
from eth_account import Account

from runtime.auth.recap import EXECUTION, action_resource
from runtime.chain.tokens import deploy_test_contract_wallet
from runtime.client import LitClient, NotPermitted, create_auth_sig, eth_wallet_auth_method
from runtime.crypto.channel import ResponseKey
from runtime.crypto.hd import eth_address

pytestmark = pytest.mark.slow

PKP_SIGNING = [("lit-pkp://*", "pkp-signing")]


async def _sign_at(url: str, body: dict) -> tuple[int, dict]:
    async with aiohttp.ClientSession() as session:
        async with session.post(url + "/web/pkp/sign", json=body) as resp:
            return resp.status, await resp.json(content_type=None)


async def test_session_signatures_sign_and_cannot_be_replayed_to_another_node(network, owner_key):
    async with await LitClient.connect(network.state_dir) as client:
        pkp = await client.mint_pkp(owner_key)
        sigs = client.get_session_sigs(owner_key, PKP_SIGNING)
        signed = await client.pkp_sign("0x" + pkp.pubkey.hex(), os.urandom(32), session_sigs=sigs)
        assert signed["address"] == eth_address(pkp.pubkey)

        first, second = network.nodes[0], network.nodes[1]
        body = {
            "toSign": os.urandom(32).hex(), "publicKey": "0x" + pkp.pubkey.hex(), "clientPublicKey": ResponseKey.generate().public_hex,
            "requestId": "replay-" + os.urandom(4).hex(), "coordinator": 2,
        }
        status, answer = await _sign_at(second, {**body, "authSig": sigs[first]})  # made for node 1
        assert status == 403 and "nodeAddress" in answer["message"], answer
        forged = {**sigs[second], "sig": sigs[first]["sig"]}  # a valid signature, of another message
        status, answer = await _sign_at(second, {**body, "authSig": forged})
        assert status in (400, 403) and "sig" in answer["message"], answer


async def test_session_scoped_to_signing_cannot_execute(network, owner_key):
    async with await LitClient.connect(network.state_dir) as client:
        sigs = client.get_session_sigs(owner_key, PKP_SIGNING)
        with pytest.raises(NotPermitted, match="Execution"):
            await client.execute_js(code="Lit.Actions.setResponse({response: 'hi'})", session_sigs=sigs)


async def test_a_contract_wallet_signs_in_or_delegates_a_session_and_a_wrong_signer_cannot(network, owner_key, stranger_key):
    owner = Account.from_key(owner_key).address
    wallet = await deploy_test_contract_wallet(network.chain_url, owner_key, owner)
    async with await LitClient.connect(network.state_dir) as client:
        pkp = await client.mint_pkp(owner_key)
        await client.permit_address(owner_key, pkp.token_id, wallet)
        public_key = "0x" + pkp.pubkey.hex()
        signed = await client.pkp_sign(public_key, os.urandom(32), create_auth_sig(owner_key, wallet=wallet))
        assert signed["address"] == eth_address(pkp.pubkey)
        with pytest.raises(NotPermitted, match="not from authSig.address"):
            await client.pkp_sign(public_key, os.urandom(32), create_auth_sig(stranger_key, wallet=wallet))
        sigs = client.get_session_sigs(owner_key, PKP_SIGNING, wallet=wallet)
        signed = await client.pkp_sign(public_key, os.urandom(32), session_sigs=sigs)
        assert signed["address"] == eth_address(pkp.pubkey)
        forged = client.get_session_sigs(stranger_key, PKP_SIGNING, wallet=wallet)
        with pytest.raises(NotPermitted, match="capabilities"):
            await client.pkp_sign(public_key, os.urandom(32), session_sigs=forged)


SIGN_WITH_PKP = """(async () => {
  await Lit.Actions.signEcdsa({toSign, publicKey, sigName: 'sig'});
  Lit.Actions.setResponse({response: JSON.stringify(Lit.Auth.authMethodContexts)});
})();"""


async def test_an_eth_wallet_auth_method_is_verified_and_lends_its_pkps(network, owner_key, stranger_key):
    async with await LitClient.connect(network.state_dir) as client:
        pkp = await client.mint_pkp(owner_key)
        params = {"toSign": list(os.urandom(32)), "publicKey": "0x" + pkp.pubkey.hex()}
        # The caller's own authSig has no rights on the PKP; the owner's wallet, as an auth method, has.
        result = await client.execute_js(
            code=SIGN_WITH_PKP, js_params=params, auth_sig=create_auth_sig(stranger_key),
            auth_methods=[eth_wallet_auth_method(owner_key)],
        )
        assert result.signatures["sig"]["address"] == eth_address(pkp.pubkey)
        owner = Account.from_key(owner_key).address
        assert result.response == [
            {"userId": owner, "appId": "lit", "authMethodType": 1, "usedForSignSessionKeyRequest": False}
        ]
        # Without it the same caller is refused; with a wallet method the owner did not sign, too.
        with pytest.raises(NotPermitted, match="neither the owner nor permitted"):
            await client.execute_js(code=SIGN_WITH_PKP, js_params=params, auth_sig=create_auth_sig(stranger_key))
        lying = json.loads(eth_wallet_auth_method(stranger_key)["accessToken"])
        lying["address"] = owner
        with pytest.raises(NotPermitted, match=r"authMethods\[0\]"):
            await client.execute_js(
                code=SIGN_WITH_PKP, js_params=params, auth_sig=create_auth_sig(stranger_key),
                auth_methods=[{"authMethodType": 1, "accessToken": json.dumps(lying)}],
            )


async def test_auth_methods_the_nodes_cannot_verify_are_refused_by_name(network, owner_key):
    async with await LitClient.connect(network.state_dir) as client:
        google = {"authMethodType": 6, "accessToken": "eyJhbGciOiJSUzI1NiJ9.e30.c2ln"}
        with pytest.raises(NotPermitted, match=r"authMethods\[0\]: auth method type 6 \(GoogleJwt\)"):
            await client.execute_js(code="Lit.Actions.setResponse({response: 'x'})", auth_methods=[google])
        with pytest.raises(Exception, match=r"authMethods\[0\].accessToken"):
            await client.execute_js(
                code="Lit.Actions.setResponse({response: 'x'})", auth_methods=[{"authMethodType": 1, "accessToken": "{"}]
            )


CHILD = "Lit.Actions.setResponse({response: 'child ran'})"
PARENT = "(async () => { Lit.Actions.setResponse({response: await Lit.Actions.call({ipfsId: childIpfsId, params: {}})}); })();"


async def test_an_authsig_for_one_action_cannot_run_another_as_a_child(network, owner_key):
    async with await LitClient.connect(network.state_dir) as client:
        parent, child = await client.upload_action(PARENT), await client.upload_action(CHILD)
        only_parent = create_auth_sig(owner_key, resources=[(EXECUTION, action_resource(parent))])
        with pytest.raises(Exception, match="Execution") as refused:
            await client.execute_js(ipfs_id=parent, js_params={"childIpfsId": child}, auth_sig=only_parent)
        assert child in str(refused.value)
        both = create_auth_sig(owner_key, resources=[(EXECUTION, action_resource(parent)), (EXECUTION, action_resource(child))])
        result = await client.execute_js(ipfs_id=parent, js_params={"childIpfsId": child}, auth_sig=both)
        assert result.response == "child ran"


async def test_every_execute_names_a_signer(network):
    body = {"code": "Lit.Actions.setResponse({response: 'x'})", "jsParams": {}}
    async with aiohttp.ClientSession() as session:
        for url in network.nodes:
            async with session.post(url + "/web/execute", json=body) as resp:
                answer = await resp.json(content_type=None)
                assert resp.status == 400 and "authSig is required" in answer["message"]
    # The client signs for itself when the caller gives no signer: an address with no rights.
    who = "Lit.Actions.setResponse({response: Lit.Auth.authSigAddress})"
    async with await LitClient.connect(network.state_dir) as client:
        first, second = (await client.execute_js(code=who)).response, (await client.execute_js(code=who)).response
    assert first == second and first.startswith("0x") and len(first) == 42
