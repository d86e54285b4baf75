"""Actions that sign, on a real 4-node network: permissions, scopes, tampered IPFS blocks."""

from __future__ import annotations

from pathlib import Path

import pytest
from eth_account import Account
from eth_account.messages import encode_defunct
from eth_utils import keccak

from runtime.client import LitClient, NetworkError, NotPermitted
from runtime.chain.pkp import AuthMethod
from runtime.crypto.hd import eth_address
from runtime.ipfs import BlockStore, build_dag

pytestmark = pytest.mark.slow

SIGN = Path(__file__).resolve().parents[2] / "actions_examples" / "sign_message.js"

PERSONAL = """
const go = async () => {
  await Lit.Actions.ethPersonalSignMessageEcdsa({ message, publicKey, sigName: "p" });
  Lit.Actions.setResponse({ response: "ok" });
};
go();
"""


def _recover(sig: dict) -> str:
    return Account._recover_hash(bytes.fromhex(sig["dataSigned"][2:]), signature=bytes.fromhex(sig["signature"][2:]))


async def test_permitted_action_signs_and_unpermitted_is_refused(network, owner_key):
    async with await LitClient.connect(network.state_dir) as client:
        cid = await client.upload_action(SIGN.read_text())
        pkp = await client.mint_pkp(owner_key)
        params = {"publicKey": "0x" + pkp.pubkey.hex(), "message": "m1"}
        with pytest.raises(NotPermitted, match=f"action {cid} is not permitted with scope 1"):
            await client.execute_js(ipfs_id=cid, js_params=params)

        await client.permit_action(owner_key, pkp.token_id, cid, [1])
        result = await client.execute_js(ipfs_id=cid, js_params=params)
        sig = result.signatures["sig1"]
        assert _recover(sig) == eth_address(pkp.pubkey) and result.response == {"signed": "m1"}
        assert "signed keccak256" in result.logs and result.ipfs_id == cid
        # Inline code hashes to the same CID, so the permission applies to it too.
        inline = await client.execute_js(code=SIGN.read_text(), js_params=params)
        assert _recover(inline.signatures["sig1"]) == eth_address(pkp.pubkey)


async def test_scope_two_allows_personal_sign_only(network, owner_key):
    async with await LitClient.connect(network.state_dir) as client:
        sign_cid = await client.upload_action(SIGN.read_text())
        personal_cid = await client.upload_action(PERSONAL)
        pkp = await client.mint_pkp(owner_key)
        params = {"publicKey": "0x" + pkp.pubkey.hex(), "message": "hello"}
        await client.permit_action(owner_key, pkp.token_id, sign_cid, [2])
        await client.permit_action(owner_key, pkp.token_id, personal_cid, [2])
        with pytest.raises(NotPermitted, match="not permitted with scope 1"):
            await client.execute_js(ipfs_id=sign_cid, js_params=params)
        result = await client.execute_js(ipfs_id=personal_cid, js_params=params)
        sig = result.signatures["p"]
        recovered = Account.recover_message(encode_defunct(text="hello"), signature=sig["signature"])
        assert recovered == eth_address(pkp.pubkey)


async def test_every_node_refuses_a_tampered_block(network):
    code = b"Lit.Actions.setResponse({response: 'tampered?'});"
    async with await LitClient.connect(network.state_dir) as client:
        cid = await client.upload_action(code)
        store = BlockStore(Path(network.state_dir) / "ipfs")
        path = store.path_for(build_dag(code).root)
        path.write_bytes(path.read_bytes().replace(b"tampered?", b"tampered!"))
        with pytest.raises(NetworkError) as info:
            await client.execute_js(ipfs_id=cid)
        assert str(info.value).count(cid) >= 4  # each node names the CID it refused


async def test_action_error_reports_message_and_line(network):
    async with await LitClient.connect(network.state_dir) as client:
        from runtime.client import ActionError

        with pytest.raises(ActionError) as info:
            await client.execute_js(code="const a = 1;\nnull.boom;\n")
        assert info.value.line == 2 and "boom" in info.value.js_message


CHILD = 'Lit.Actions.setResponse({response: JSON.stringify({child: greeting, stack: Lit.Auth.actionIpfsIdStack})});'

PARENT = """
const go = async () => {
  const rpc = await Lit.Actions.getRpcUrl({ chain: "lit" });
  const nonce = await Lit.Actions.getLatestNonce({ address: owner, chain: "lit" });
  const tokenId = await Lit.Actions.pubkeyToTokenId({ publicKey });
  const permitted = await Lit.Actions.isPermittedAction({ tokenId, ipfsId: Lit.Auth.actionIpfsIds[0] });
  const addresses = await Lit.Actions.getPermittedAddresses({ tokenId });
  const child = JSON.parse(await Lit.Actions.call({ ipfsId: childCid, params: { greeting: "hi" } }));
  Lit.Actions.setResponse({ response: JSON.stringify({ rpc, nonce, tokenId, permitted, addresses, child }) });
};
go();
"""


async def test_chain_reads_permissions_and_child_calls(network, owner_key):
    async with await LitClient.connect(network.state_dir) as client:
        owner = Account.from_key(owner_key).address
        child_cid = await client.upload_action(CHILD)
        parent_cid = await client.upload_action(PARENT)
        pkp = await client.mint_pkp(owner_key)
        await client.permit_action(owner_key, pkp.token_id, parent_cid)
        params = {"publicKey": "0x" + pkp.pubkey.hex(), "owner": owner, "childCid": child_cid}
        result = await client.execute_js(ipfs_id=parent_cid, js_params=params)
        out = result.response
        assert out["rpc"] == network.chain_url and int(out["nonce"], 16) > 0
        assert out["tokenId"] == f"0x{pkp.token_id:064x}" and out["permitted"] is True
        assert out["addresses"][0].lower() == owner.lower()  # Lit lists the owner first
        assert out["child"] == {"child": "hi", "stack": [parent_cid, child_cid]}


AUTH_METHODS = """
const go = async () => {
  const permitted = await Lit.Actions.isPermittedAuthMethod({ tokenId, authMethodType, userId });
  const stranger = await Lit.Actions.isPermittedAuthMethod({ tokenId, authMethodType, userId: [1, 2, 3] });
  const methods = await Lit.Actions.getPermittedAuthMethods({ tokenId });
  const scopes = await Lit.Actions.getPermittedAuthMethodScopes({ tokenId, authMethodType, userId, maxScopeId: 3 });
  Lit.Actions.setResponse({ response: JSON.stringify({ permitted, stranger, methods, scopes }) });
};
go();
"""


async def test_actions_read_a_pkps_permitted_auth_methods(network, owner_key):
    async with await LitClient.connect(network.state_dir) as client:
        pkp = await client.mint_pkp(owner_key)
        app_type, user = int.from_bytes(keccak(b"litrt-app"), "big"), keccak(b"alice")
        async with client.registry(owner_key) as registry:
            await registry.add_permitted_auth_method(pkp.token_id, AuthMethod(app_type, user), [2])
        params = {"tokenId": str(pkp.token_id), "authMethodType": hex(app_type), "userId": list(user)}
        result = await client.execute_js(code=AUTH_METHODS, js_params=params)
    assert result.response["permitted"] is True and result.response["stranger"] is False
    assert {"auth_method_type": hex(app_type), "id": "0x" + user.hex(), "user_pubkey": "0x"} in result.response["methods"]
    assert result.response["scopes"] == [False, False, True]
