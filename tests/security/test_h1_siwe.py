"""H1: an authSig is a credential only for what its SIWE/ReCap message says, at this network, for a while.

Before the fix every message here but the last two was accepted: the node only looked for an
`Expiration Time:` line in any personal-signed text, and an accepted authSig could sign with every
PKP of its address, decrypt and execute.
"""

from __future__ import annotations

import asyncio
import base64
import os
import time
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import aiohttp
import pytest
from eth_account import Account
from eth_account.messages import encode_defunct

from node.auth import AuthSig, verify_auth_sig
from node.errors import NotPermitted
from node.execute import handle_execute
from node.signer import Pkp, Signer
from runtime.auth.recap import DECRYPTION, EXECUTION, SIGNING, action_resource, pkp_resource
from runtime.chain.pkp import SCOPE_SIGN_ANYTHING
from runtime.client import LitClient
from runtime.client import NotPermitted as ClientNotPermitted
from runtime.client.auth import create_auth_sig

NOW = datetime(2030, 1, 1, 12, 0, tzinfo=timezone.utc)
COOLGAME = "Welcome to CoolGame! Click to play.\nExpiration Time: 2999-01-01T00:00:00Z"


def _signed(account, text: str) -> dict[str, str]:
    sig = account.sign_message(encode_defunct(text=text)).signature
    return {"sig": "0x" + bytes(sig).hex(), "derivedVia": "web3.eth.personal.sign", "signedMessage": text,
            "address": account.address}


def _verify(auth_sig: dict) -> AuthSig:
    return verify_auth_sig(auth_sig, NOW.timestamp())


def _auth(account, **kw) -> dict[str, str]:
    return create_auth_sig(account, **{"issued_at": NOW - timedelta(minutes=1), **kw})


@pytest.fixture
def account():
    return Account.create()


def test_the_coolgame_text_is_no_credential(account):
    with pytest.raises(NotPermitted, match="SIWE domain: the first line"):
        _verify(_signed(account, COOLGAME))


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"domain": "evil.com"}, "SIWE domain: 'evil.com' is not a domain of this network"),
        ({"domain": "evil.com", "chain_id": 999}, "SIWE domain"),
        ({"chain_id": 999}, "SIWE Chain ID: 999 is not this network's chain id 31337"),
        ({"uri": "https://evil.com/login"}, "SIWE URI"),
        ({"uri": "ftp://localhost/x"}, "SIWE URI"),
        ({"uri": "lit:capability:delegation"}, "SIWE URI"),
        ({"issued_at": NOW - timedelta(hours=2)}, "SIWE Expiration Time: expired"),
        ({"expires_in": timedelta(days=7, seconds=1)}, "SIWE Expiration Time: lifetime .* exceeds"),
        ({"issued_at": NOW + timedelta(hours=1)}, "SIWE Issued At: .* is in the future"),
        ({"resources": None}, "SIWE Resources: no urn:recap:"),
    ],
)
def test_a_siwe_for_another_site_chain_uri_or_time_is_refused_naming_the_field(account, overrides, field):
    with pytest.raises(NotPermitted, match=field):
        _verify(_auth(account, **overrides))


def test_the_same_message_for_this_network_is_accepted(account):
    verified = _verify(_auth(account, expires_in=timedelta(days=7)))
    assert verified.address == account.address


def _edit(account, old: str, new: str) -> dict[str, str]:
    text = _auth(account)["signedMessage"]
    assert old in text
    return _signed(account, text.replace(old, new))


def test_naive_times_and_malformed_fields_are_refused(account):
    issued = _auth(account)["signedMessage"].split("Issued At: ")[1].split("\n")[0]
    with pytest.raises(NotPermitted, match="SIWE Issued At: .* with a zone"):
        _verify(_edit(account, f"Issued At: {issued}", f"Issued At: {issued.removesuffix('Z')}"))
    with pytest.raises(NotPermitted, match="SIWE Version: must be 1"):
        _verify(_edit(account, "Version: 1", "Version: 2"))
    with pytest.raises(NotPermitted, match="SIWE Nonce"):
        _verify(_edit(account, "\nNonce: ", "\nNonce: ab\nX: "))
    with pytest.raises(NotPermitted, match="SIWE address"):
        _verify(_edit(account, account.address, account.address.lower()))
    expiry = _auth(account)["signedMessage"].split("Expiration Time: ")[1].split("\n")[0]
    with pytest.raises(NotPermitted, match="SIWE Expiration Time: missing"):
        _verify(_edit(account, f"\nExpiration Time: {expiry}", ""))


def test_a_recap_the_statement_does_not_disclose_is_refused(account):
    with pytest.raises(NotPermitted, match="SIWE statement: must end with the ReCap text"):
        _verify(_edit(account, " I further authorize", " I maybe authorize"))
    urn = _auth(account)["signedMessage"].rsplit("- ", 1)[1]
    with pytest.raises(NotPermitted, match="SIWE Resources: .*base64url"):
        _verify(_edit(account, urn, urn + "!!"))
    with pytest.raises(NotPermitted, match="SIWE Resources: the ReCap must be a JSON object"):
        _verify(_edit(account, urn, "urn:recap:" + base64.urlsafe_b64encode(b"[1]").decode().rstrip("=")))


def test_abilities_are_granted_per_resource(account):
    pkp_a, pkp_b = pkp_resource(1), pkp_resource(2)
    scoped = _verify(_auth(account, resources=[(SIGNING, pkp_a)]))
    assert scoped.allows(SIGNING, pkp_a) and not scoped.allows(SIGNING, pkp_b)
    assert not scoped.allows(EXECUTION, action_resource("QmX")) and not scoped.allows(DECRYPTION, "lit-accesscontrolcondition://ab/cd")
    with pytest.raises(NotPermitted, match=f"does not grant {EXECUTION} on lit-litaction://QmX"):
        scoped.require(EXECUTION, action_resource("QmX"))
    everything = _verify(_auth(account))
    assert everything.allows(SIGNING, pkp_b) and everything.allows(EXECUTION, action_resource("QmY"))


class _Registry:
    """Only what Signer.authorize reads: `owner` owns every PKP; no action is permitted."""

    def __init__(self, owner: str) -> None:
        self.owner = owner

    async def owner_of(self, token_id: int) -> str:
        return self.owner

    async def get_permitted_address_scopes(self, token_id: int, address: str) -> list[int]:
        return []

    async def is_permitted_action_scope(self, token_id: int, cid: str, scope: int) -> bool:
        return False


def _pkp(token_id: int) -> Pkp:
    return Pkp(token_id=token_id, key_id=b"\0" * 32, public_key=b"\4" + b"\0" * 64, key=None, share=0)  # type: ignore[arg-type]


async def test_an_auth_sig_scoped_to_one_pkp_cannot_sign_with_another(account):
    signer = Signer(1, None, None, None, _Registry(account.address), None)  # type: ignore[arg-type]
    scoped = _verify(_auth(account, resources=[(SIGNING, pkp_resource(1))]))
    await signer.authorize(_pkp(1), SCOPE_SIGN_ANYTHING, None, scoped)
    with pytest.raises(NotPermitted, match=f"does not grant Threshold/Signing on {pkp_resource(2)}"):
        await signer.authorize(_pkp(2), SCOPE_SIGN_ANYTHING, None, scoped)
    decrypt_only = _verify(_auth(account, resources=[(DECRYPTION, "lit-accesscontrolcondition://*")]))
    with pytest.raises(NotPermitted, match="does not grant Threshold/Signing"):
        await signer.authorize(_pkp(1), SCOPE_SIGN_ANYTHING, None, decrypt_only)


class _Ran(Exception):
    pass


def _service():
    def make_host(request, cids):
        raise _Ran(cids)

    config = SimpleNamespace(siwe_domains=["localhost"], siwe_chain_id=31337, n=4, index=1)
    return SimpleNamespace(config=config, limits=SimpleNamespace(max_code_bytes=1 << 20),
                           cid_of=lambda code: "QmAction", make_host=make_host)


async def test_an_auth_sig_scoped_to_decryption_cannot_execute(account):
    code = base64.b64encode(b"Lit.Actions.setResponse({response: 'hi'})").decode()
    decrypt_only = create_auth_sig(account, resources=[(DECRYPTION, "lit-accesscontrolcondition://*")])
    with pytest.raises(NotPermitted, match=f"does not grant {EXECUTION} on lit-litaction://QmAction"):
        await handle_execute(_service(), {"code": code, "authSig": decrypt_only})
    other_action = create_auth_sig(account, resources=[(EXECUTION, action_resource("QmOther"))])
    with pytest.raises(NotPermitted, match=EXECUTION):
        await handle_execute(_service(), {"code": code, "authSig": other_action})
    this_action = create_auth_sig(account, resources=[(EXECUTION, action_resource("QmAction"))])
    with pytest.raises(_Ran):  # past the check: the node goes on to run it
        await handle_execute(_service(), {"code": code, "authSig": this_action})


# ---- on a network: every node refuses ----------------------------------------------------------


async def _assert_every_node_refuses(network, path: str, body: dict, field: str) -> None:
    async with aiohttp.ClientSession() as http:

        async def ask(url: str) -> tuple[int, dict]:
            async with http.post(url + path, json=body) as resp:
                return resp.status, await resp.json()

        for status, answer in await asyncio.gather(*(ask(u) for u in network.nodes)):
            assert status == 403 and field in answer["message"], answer


@pytest.mark.slow
async def test_every_node_refuses_coolgame_and_foreign_sites_and_scopes_pkps(network, owner_key):
    owner = Account.from_key(owner_key)
    coolgame = _signed(owner, COOLGAME)
    foreign = create_auth_sig(owner, domain="evil.com", chain_id=999)
    async with await LitClient.connect(network.state_dir) as client:
        pkp_a = await client.mint_pkp(owner_key)
        pkp_b = await client.mint_pkp(owner_key)
        for bad, field in ((coolgame, "SIWE domain"), (foreign, "SIWE domain")):
            body = {"publicKey": "0x" + pkp_a.pubkey.hex(), "toSign": "0x" + "11" * 32, "authSig": bad,
                    "clientPublicKey": "11" * 32, "requestId": f"h1-{time.time()}"}
            await _assert_every_node_refuses(network, "/web/pkp/sign", body, field)
            code = base64.b64encode(b"Lit.Actions.setResponse({response: 'x'})").decode()
            await _assert_every_node_refuses(network, "/web/execute", {"code": code, "authSig": bad}, field)
        scoped = create_auth_sig(owner, resources=[(SIGNING, pkp_resource(pkp_a.token_id))])
        await client.pkp_sign("0x" + pkp_a.pubkey.hex(), os.urandom(32), scoped)
        with pytest.raises(ClientNotPermitted, match=f"does not grant Threshold/Signing on {pkp_resource(pkp_b.token_id)}"):
            await client.pkp_sign("0x" + pkp_b.pubkey.hex(), os.urandom(32), scoped)
