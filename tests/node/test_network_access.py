"""Access-controlled decryption and network-signed JWTs on a real 4-node network and dev chain.

Every condition here is read from contracts deployed on the network's own chain: the nodes
evaluate them independently, and a refusal must name the condition that failed.
"""

from __future__ import annotations

import asyncio
import base64
import os
import signal
import hashlib
import json
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import aiohttp
import pytest
import pytest_asyncio
from eth_account import Account

from runtime.access.jwt import b64url, b64url_decode
from runtime.chain.accounts import dev_accounts
from runtime.chain.tokens import AccessGate, Erc20, Erc721, deploy_test_tokens
from runtime.client import (
    JwtError, LitClient, LitError, NotEnoughShares, NotPermitted, create_auth_sig, verify_jwt,
)
from runtime.network.launcher import stop_network
from runtime.network.processes import read_pids
from runtime.access import conditions_field, conditions_from_request
from runtime.access.envelope import access_identity
from runtime.client.access import EncryptedData
from runtime.crypto.channel import ResponseKey

pytestmark = pytest.mark.slow

CHAIN = "local"


def _basic(kind: str, address: str, method: str, parameters: list[str], comparator: str, value: str) -> dict:
    return {
        "contractAddress": address, "standardContractType": kind, "chain": CHAIN, "method": method,
        "parameters": parameters, "returnValueTest": {"comparator": comparator, "value": value},
    }


def holds_nft(erc721: str) -> list[dict]:
    return [_basic("ERC721", erc721, "balanceOf", [":userAddress"], ">", "0")]


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def tokens(network):
    deployer = dev_accounts(count=1)[0].private_key
    return await deploy_test_tokens(network.chain_url, deployer)


@pytest.fixture
def owner(owner_key):
    return Account.from_key(owner_key)


@pytest.fixture
def stranger(stranger_key):
    return Account.from_key(stranger_key)


async def _post_each_node(network, path: str, body: dict) -> list[tuple[int, dict]]:
    async with aiohttp.ClientSession() as http:
        answers = []
        for url in network.nodes:
            async with http.post(url + path, json=body) as resp:
                answers.append((resp.status, await resp.json()))
        return answers


@pytest.mark.asyncio(loop_scope="module")
async def test_nft_holder_decrypts_non_holder_refused_by_every_node_then_roles_swap(network, tokens, owner, stranger):
    deployer = dev_accounts(count=1)[0].private_key
    async with Erc721(network.chain_url, tokens.erc721, deployer) as nft:
        token_id = await nft.mint(owner.address)
    conditions = holds_nft(tokens.erc721)
    async with await LitClient.connect(network.state_dir) as client:
        envelope = client.encrypt(b"the holder's secret", conditions)
        opened = await client.decrypt(envelope, conditions, create_auth_sig(owner))
        assert opened.plaintext == b"the holder's secret"

        with pytest.raises(NotPermitted, match=r"not met for .*accessControlConditions\[0\]"):
            await client.decrypt(envelope, conditions, create_auth_sig(stranger))
        # Ask each node directly: every one refuses, names the condition, and sends no share.
        body = {"accessControlConditions": conditions, **envelope.to_json(), "authSig": create_auth_sig(stranger),
                "clientPublicKey": "11" * 32, "requestId": "r1"}
        for status, answer in await _post_each_node(network, "/web/encryption/sign", body):
            assert status == 403 and "accessControlConditions[0]" in answer["message"], answer
            assert "signedData" not in answer

        async with Erc721(network.chain_url, tokens.erc721, owner.key) as nft:
            await nft.transfer(owner.address, stranger.address, token_id)
        assert (await client.decrypt(envelope, conditions, create_auth_sig(stranger))).plaintext == b"the holder's secret"
        with pytest.raises(NotPermitted):
            await client.decrypt(envelope, conditions, create_auth_sig(owner))


def _condition_sets(tokens, owner: str) -> dict[str, dict]:
    erc20 = _basic("ERC20", tokens.erc20, "balanceOf", [":userAddress"], ">=", str(10**18))
    rich = _basic("", "", "eth_getBalance", [":userAddress", "latest"], ">", str(10**18))
    past = _basic("timestamp", "", "eth_getBlockByNumber", ["latest"], ">=", "1")
    future = _basic("timestamp", "", "eth_getBlockByNumber", ["latest"], ">=", str(int(time.time()) + 10**6))
    is_owner = _basic("", "", "", [":userAddress"], "=", owner)
    member = {
        "contractAddress": tokens.gate, "functionName": "level", "functionParams": [":userAddress"], "chain": CHAIN,
        "functionAbi": {"name": "level", "type": "function", "stateMutability": "view",
                        "inputs": [{"name": "who", "type": "address"}], "outputs": [{"name": "", "type": "uint256"}]},
        "returnValueTest": {"key": "", "comparator": ">=", "value": "3"},
    }
    return {
        "erc20 balance": {"accessControlConditions": [erc20]},
        # The stranger is a funded dev account too: "rich" alone would admit both, so pair it.
        "native balance and owner": {"accessControlConditions": [rich, {"operator": "and"}, is_owner]},
        "timestamp": {"accessControlConditions": [past, {"operator": "and"}, [future, {"operator": "or"}, is_owner]]},
        "evm contract": {"evmContractConditions": [member]},
        "unified mix": {"unifiedAccessControlConditions": [
            {**erc20, "conditionType": "evmBasic"}, {"operator": "or"}, {**member, "conditionType": "evmContract"}
        ]},
    }


@pytest.mark.asyncio(loop_scope="module")
async def test_each_kind_of_condition_admits_the_holder_and_refuses_the_stranger(network, tokens, owner, stranger):
    deployer = dev_accounts(count=1)[0].private_key
    async with Erc20(network.chain_url, tokens.erc20, deployer) as erc20:
        await erc20.mint(owner.address, 5 * 10**18)
    async with AccessGate(network.chain_url, tokens.gate, deployer) as gate:
        await gate.set_member(owner.address, True, 5, "owner")
        await gate.set_member(stranger.address, True, 1, "stranger")
    async with await LitClient.connect(network.state_dir) as client:
        for name, conditions in _condition_sets(tokens, owner.address).items():
            envelope = client.encrypt(name.encode(), conditions)
            assert (await client.decrypt(envelope, conditions, create_auth_sig(owner))).plaintext == name.encode(), name
            with pytest.raises(NotPermitted, match="not met"):
                await client.decrypt(envelope, conditions, create_auth_sig(stranger))
            token = await client.sign_jwt(conditions, create_auth_sig(owner))
            assert client.verify_jwt(token)["sub"] == owner.address, name


@pytest.mark.asyncio(loop_scope="module")
async def test_other_conditions_or_data_hash_cannot_open_a_ciphertext(network, tokens, owner):
    anyone = [_basic("", "", "", [":userAddress"], "=", owner.address)]
    async with await LitClient.connect(network.state_dir) as client:
        envelope = client.encrypt(b"bound", anyone)
        other = [_basic("", "", "", [":userAddress"], "!=", "0x" + "00" * 20)]  # also met by the owner
        with pytest.raises(LitError, match="decryption failed"):
            await client.decrypt(envelope, other, create_auth_sig(owner))
        wrong_hash = EncryptedData(envelope.ciphertext, hashlib.sha256(b"other").hexdigest())
        with pytest.raises(LitError, match="decryption failed"):
            await client.decrypt(wrong_hash, anyone, create_auth_sig(owner))
        raw = bytearray(base64.b64decode(envelope.ciphertext))
        raw[60] ^= 1  # inside V, after the 48-byte U
        tampered = EncryptedData(base64.b64encode(bytes(raw)).decode(), envelope.data_to_encrypt_hash)
        with pytest.raises(LitError, match="decryption failed"):
            await client.decrypt(tampered, anyone, create_auth_sig(owner))


@pytest.mark.asyncio(loop_scope="module")
async def test_expired_malformed_or_foreign_auth_sigs_are_refused(network, owner, stranger):
    conditions = [_basic("", "", "", [":userAddress"], "=", owner.address)]
    expired = create_auth_sig(owner, issued_at=datetime.now(timezone.utc) - timedelta(hours=2))
    foreign = {**create_auth_sig(stranger), "address": owner.address}
    async with await LitClient.connect(network.state_dir) as client:
        envelope = client.encrypt(b"x", conditions)
        with pytest.raises(NotPermitted, match="expired"):
            await client.decrypt(envelope, conditions, expired)
        with pytest.raises(NotPermitted, match="not from authSig.address"):
            await client.decrypt(envelope, conditions, foreign)
        with pytest.raises(LitError, match="authSig"):
            await client.decrypt(envelope, conditions, {"sig": "0x00"})
        with pytest.raises(NotPermitted, match="expired"):
            await client.sign_jwt(conditions, expired)


@pytest.mark.asyncio(loop_scope="module")
async def test_malformed_conditions_are_refused_before_any_chain_read(network, owner):
    bad = {"accessControlConditions": [{**_basic("", "", "", [":userAddress"], "~", "x")}], "dataToEncryptHash": "00" * 32,
           "authSig": create_auth_sig(owner), "clientPublicKey": "11" * 32, "requestId": "r"}
    for status, answer in await _post_each_node(network, "/web/encryption/sign", bad):
        assert status == 400 and "returnValueTest.comparator" in answer["message"], answer
    unknown_chain = {**bad, "accessControlConditions": [{**_basic("", "", "", [":userAddress"], "=", owner.address), "chain": "nochain"}]}
    for status, answer in await _post_each_node(network, "/web/encryption/sign", unknown_chain):
        assert status == 400 and "nochain" in answer["message"], answer


@pytest.mark.asyncio(loop_scope="module")
async def test_jwt_verifies_with_the_network_key_and_a_changed_payload_does_not(network, owner):
    conditions = [_basic("", "", "", [":userAddress"], "=", owner.address)]
    async with await LitClient.connect(network.state_dir) as client:
        token = await client.sign_jwt(conditions, create_auth_sig(owner), lifetime_s=600)
        key = client.network.public["blsPublicKey"]
    header, payload, signature = token.split(".")
    assert json.loads(b64url_decode(header, "header")) == {"alg": "BLS12-381", "typ": "JWT"}
    claims = verify_jwt(token, key)
    assert claims["iss"] == "LIT" and claims["sub"] == owner.address and claims["chain"] == CHAIN
    assert claims["accessControlConditions"] == conditions and claims["evmContractConditions"] is None
    forged = dict(claims, sub="0x" + "ab" * 20)
    with pytest.raises(JwtError, match="does not verify"):
        verify_jwt(f"{header}.{b64url(json.dumps(forged, separators=(',', ':')).encode())}.{signature}", key)
    with pytest.raises(JwtError, match="expired"):
        verify_jwt(token, key, now=claims["exp"] + 1)


@pytest.mark.asyncio(loop_scope="module")
async def test_ciphertexts_and_jwts_interoperate_with_lit_wasm(network, owner, lit_wasm):
    """Oracle: npm @lit-protocol/wasm. Its blsEncrypt output opens through our network; the
    nodes' decryption shares open our ciphertext in its blsDecrypt; its blsVerify accepts our JWT."""
    conditions = [_basic("", "", "", [":userAddress"], "=", owner.address)]
    async with await LitClient.connect(network.state_dir) as client:
        key = client.network.public["blsPublicKey"]
        data = b"interop across implementations"
        ours = client.encrypt(data, conditions)
        identity = access_identity(*conditions_from_request(conditions_field(conditions)), ours.data_to_encrypt_hash)
        theirs = lit_wasm(op="encrypt", pk=key, msg=data.hex(), id=identity.hex())["ct"]
        foreign = EncryptedData(base64.b64encode(bytes.fromhex(theirs)).decode(), ours.data_to_encrypt_hash)
        assert (await client.decrypt(foreign, conditions, create_auth_sig(owner))).plaintext == data

        response_key = ResponseKey.generate()
        body = {"accessControlConditions": conditions, **ours.to_json(), "authSig": create_auth_sig(owner),
                "clientPublicKey": response_key.public_hex, "requestId": "interop"}
        shares = [json.loads(response_key.open(answer["signedData"], b"interop"))["signatureShare"]
                  for _, answer in await _post_each_node(network, "/web/encryption/sign", body)]
        ciphertext = base64.b64decode(ours.ciphertext).hex()
        assert lit_wasm(op="decrypt", ct=ciphertext, shares=shares[: client.network.threshold]) == {"msg": data.hex()}

        token = await client.sign_jwt(conditions, create_auth_sig(owner))
    header, payload, signature = token.split(".")
    verdict = lit_wasm(op="verify", pk=key, msg=f"{header}.{payload}".encode().hex(), sig=b64url_decode(signature, "sig").hex())
    assert verdict == {"ok": True}


def test_a_bad_share_is_named_and_skipped_and_too_few_honest_nodes_fail_cleanly(tmp_path, launcher, owner_key):
    owner = Account.from_key(owner_key)
    conditions = [_basic("", "", "", [":userAddress"], "=", owner.address)]
    info = launcher(tmp_path / "net", 4, faults={2: "wrong_bls_shares"})
    try:

        async def flow(honest_left: int):
            # The grace makes the client hear node 2 even when three good answers came first.
            async with await LitClient.connect(info.state_dir, straggler_grace_s=30) as client:
                envelope = client.encrypt(b"shared", conditions)
                if honest_left >= client.network.threshold:
                    opened = await client.decrypt(envelope, conditions, create_auth_sig(owner))
                    assert opened.plaintext == b"shared" and "does not verify" in opened.errors[2]
                    token = await client.sign_jwt(conditions, create_auth_sig(owner))
                    assert client.verify_jwt(token)["sub"] == owner.address
                else:
                    with pytest.raises(NotEnoughShares, match="fewer than 3 valid shares") as caught:
                        await client.decrypt(envelope, conditions, create_auth_sig(owner))
                    assert "does not verify" in caught.value.node_errors[2] and 4 in caught.value.node_errors

        asyncio.run(flow(honest_left=3))
        victim = next(p for p in read_pids(Path(info.state_dir)) if p.name == "node4")
        os.killpg(victim.pid, signal.SIGKILL)
        asyncio.run(flow(honest_left=2))
    finally:
        stop_network(info.state_dir)


def _only_action(cid: str) -> list[dict]:
    return [_basic("", "", "", [":currentActionIpfsId"], "=", cid)]


@pytest.mark.asyncio(loop_scope="module")
async def test_actions_check_conditions_and_encrypt_for_the_client(network, owner, stranger):
    code = """(async () => {
      const mine = await Lit.Actions.checkConditions({ conditions, authSig: null, chain: "local" });
      const sealed = await Lit.Actions.encrypt({ accessControlConditions: conditions, to_encrypt: new TextEncoder().encode("from an action") });
      Lit.Actions.setResponse({ response: JSON.stringify({ mine, ...sealed }) });
    })();"""
    conditions = [_basic("", "", "", [":userAddress"], "=", owner.address)]
    async with await LitClient.connect(network.state_dir) as client:
        for who, expected in ((owner, True), (stranger, False)):
            result = await client.execute_js(code=code, js_params={"conditions": conditions}, auth_sig=create_auth_sig(who))
            assert result.response["mine"] is expected
        # Each node encrypts with its own randomness: any node's ciphertext opens for the owner.
        envelope = EncryptedData(result.response["ciphertext"], result.response["dataToEncryptHash"])
        assert (await client.decrypt(envelope, conditions, create_auth_sig(owner))).plaintext == b"from an action"


@pytest.mark.asyncio(loop_scope="module")
async def test_only_the_named_action_decrypts_inside_the_network(network):
    example = (Path(__file__).resolve().parents[2] / "actions_examples" / "decrypt_in_action.js").read_text()
    async with await LitClient.connect(network.state_dir, straggler_grace_s=30) as client:
        cid = await client.upload_action(example)
        conditions = _only_action(cid)
        envelope = client.encrypt("hunter2 and more", conditions)
        params = {"accessControlConditions": conditions, **envelope.to_json()}
        result = await client.execute_js(ipfs_id=cid, js_params=params)
        assert result.response == {"length": 16, "sha256": "0x" + hashlib.sha256(b"hunter2 and more").hexdigest()}

        impostor = example.replace("returns a digest.", "returns a digest!")  # same code, another CID
        with pytest.raises(NotPermitted, match="currentActionIpfsId"):
            await client.execute_js(code=impostor, js_params=params)

        single = """(async () => {
          const text = await Lit.Actions.decryptToSingleNode({ accessControlConditions, ciphertext, dataToEncryptHash, authSig: null, chain: "local" });
          Lit.Actions.setResponse({ response: JSON.stringify(text) });
        })();"""
        single_cid = await client.upload_action(single)
        conditions = _only_action(single_cid)
        envelope = client.encrypt("for one node", conditions)
        params = {"accessControlConditions": conditions, **envelope.to_json()}
        result = await client.execute_js(code=single, js_params=params, response_strategy=lambda rs: rs)
        assert sorted(result.response) == ['"for one node"', "null", "null", "null"], result.errors
