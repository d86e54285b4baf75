"""Attacks on the client's public surface: every failure must come out as a LitError naming what was wrong.

The rule is runtime/client/errors.py's: `except LitError` catches everything the client raises;
the caller's own mistakes are also ValueErrors. Each test gives the client one bad input or one
failing peer (a closed loopback port, a loopback server posing as a node and answering garbage, a
chain that refuses) and checks the error's type and that its message names the culprit. Only the
PKP-ownership test needs a chain (the embedded dev chain); no test needs a Lit network.
"""

from __future__ import annotations

import json
import secrets
import socket
import threading
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import coincurve
import pytest
from aiohttp import web
from eth_utils import keccak

from runtime.access import ConditionError as AccessConditionError
from runtime.access.jwt import JwtError as AccessJwtError, b64url, jwt_payload, unsigned_jwt
from runtime.client import ActionError, LitClient, LitError, NetworkError, NotEnoughShares, SyncLitClient, create_auth_sig
from runtime.client.access import (
    ConditionError, EncryptedData, JwtError, encrypt, parse_envelope, verify_jwt,
)
from runtime.client.errors import ChainError, InvalidArgument, NoNetwork, NotPermitted
from runtime.client.session import get_session_sigs
from runtime.client.transactions import signed_legacy_transaction
from runtime.crypto import bls
from runtime.network.launcher import NETWORK_FILE, NetworkInfo

KEY = "0x" + "11" * 32
CONDITIONS = [{
    "contractAddress": "", "standardContractType": "", "chain": "ethereum", "method": "",
    "parameters": [":userAddress"],
    "returnValueTest": {"comparator": "=", "value": "0x" + "ab" * 20},
}]


def closed_port_url() -> str:
    """A loopback URL nothing listens on: the port was free a moment ago and is closed again."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def network_info(nodes: list[str], chain_url: str | None = None, ipfs_url: str | None = None) -> NetworkInfo:
    """A three-node network's description pointing at `nodes` (t = 1, threshold 2)."""
    return NetworkInfo(
        state_dir="(not on disk)", nodes=nodes, n=len(nodes), t=1, threshold=2,
        chain_url=chain_url or closed_port_url(), chain_id=31337, pkp_contract="0x" + "01" * 20,
        network_keys_contract="0x" + "02" * 20, ipfs_url=ipfs_url or closed_port_url(), public={},
    )


@asynccontextmanager
async def fake_nodes(answer: Callable[[web.Request], web.Response], count: int = 3) -> AsyncIterator[list[str]]:
    """`count` loopback servers posing as nodes; every request to any path gets `answer(request)`."""
    runners, urls = [], []

    async def handle(request: web.Request) -> web.Response:
        return answer(request)

    try:
        for _ in range(count):
            app = web.Application()
            app.router.add_route("*", "/{tail:.*}", handle)
            runner = web.AppRunner(app)
            await runner.setup()
            site = web.TCPSite(runner, "127.0.0.1", 0)
            await site.start()
            runners.append(runner)
            urls.append(f"http://127.0.0.1:{runner.addresses[0][1]}")
        yield urls
    finally:
        for runner in runners:
            await runner.cleanup()


@asynccontextmanager
async def client_of(answer: Callable[[web.Request], web.Response]) -> AsyncIterator[LitClient]:
    """A client (not connected: no /status asked) of three fake nodes that all answer `answer(request)`."""
    async with fake_nodes(answer) as urls:
        client = LitClient(network_info(urls), timeout_s=5)
        try:
            yield client
        finally:
            await client.close()


def assert_lit_error(error: BaseException, kind: type[LitError], *named: str) -> None:
    assert isinstance(error, kind), f"{type(error).__name__}: {error}"
    for name in named:
        assert name in str(error), f"{name!r} not in {str(error)!r}"


# ---- the caller's arguments ----------------------------------------------------------------------


@pytest.mark.parametrize("key, why", [
    ("0x12", "must be 32 bytes"), ("zz" * 32, "hex"), ("00" * 32, "zero"), (5, "got int"), (None, "got NoneType"),
])
def test_an_unusable_key_for_an_auth_sig_is_named(key: Any, why: str) -> None:
    with pytest.raises(LitError) as info:
        create_auth_sig(key)
    assert_lit_error(info.value, InvalidArgument, "account", why)
    assert isinstance(info.value, ValueError)  # the caller's mistake stays a ValueError too


def test_bad_siwe_fields_are_named() -> None:
    from datetime import datetime

    with pytest.raises(InvalidArgument, match="SIWE message: .*time zone"):
        create_auth_sig(KEY, issued_at=datetime(2030, 1, 1))
    with pytest.raises(InvalidArgument, match="unknown SIWE fields \\['domian'\\]"):
        create_auth_sig(KEY, domian="example.com")
    with pytest.raises(InvalidArgument, match="wallet: address"):
        create_auth_sig(KEY, wallet="0x12")
    with pytest.raises(InvalidArgument, match="resources: ability 'nonsense'"):
        create_auth_sig(KEY, resources=[("nonsense", "lit-pkp://*")])
    assert create_auth_sig(KEY)["address"] == coincurve_address(KEY)  # the good key still works


def coincurve_address(key: str) -> str:
    public = coincurve.PrivateKey(bytes.fromhex(key[2:])).public_key.format(compressed=False)[1:]
    from eth_utils import to_checksum_address

    return to_checksum_address(keccak(public)[-20:])


def test_bad_session_sig_requests_are_named() -> None:
    from datetime import datetime, timedelta, timezone

    nodes = ["http://127.0.0.1:7470"]
    cases: list[tuple[dict[str, Any], str]] = [
        ({"resources": [("lit-pkp://*", "lit-action-execution")]}, "resources[0]: "),
        ({"resources": []}, "resources is empty"),
        ({"resources": [("lit-pkp://*", "pkp-signing")], "expiration": timedelta(seconds=-1)}, "is not after now"),
        ({"resources": [("lit-pkp://*", "pkp-signing")], "expiration": 5}, "expiration: expected a datetime"),
        ({"resources": [("lit-pkp://*", "pkp-signing")], "expiration": datetime(2030, 1, 1)}, "naive"),
    ]
    for kwargs, named in cases:
        with pytest.raises(InvalidArgument) as info:
            get_session_sigs(nodes, KEY, **kwargs)
        assert named in str(info.value), (kwargs, str(info.value))
    with pytest.raises(InvalidArgument, match="capability_auth_sigs\\[0\\]: expected an authSig object, got int"):
        get_session_sigs(nodes, KEY, [("lit-pkp://*", "pkp-signing")], capability_auth_sigs=[5])  # type: ignore[list-item]
    with pytest.raises(InvalidArgument, match="got int"):
        get_session_sigs(5, KEY, [("lit-pkp://*", "pkp-signing")])
    sigs = get_session_sigs(nodes, KEY, [("lit-pkp://*", "pkp-signing")], datetime.now(timezone.utc) + timedelta(hours=1))
    assert list(sigs) == nodes


def network_key() -> tuple[int, bytes]:
    secret = secrets.randbelow(bls.ORDER - 1) + 1
    return secret, bls.sk_to_pk(secret)


@pytest.mark.parametrize("conditions, path", [
    ("nope", "request"),
    ([{"chain": "ethereum"}], "accessControlConditions[0].contractAddress"),
    ([{**CONDITIONS[0], "returnValueTest": {"comparator": "~", "value": "1"}}], "returnValueTest.comparator"),
    ([{**CONDITIONS[0], "chain": 5}], "accessControlConditions[0].chain"),
])
def test_bad_conditions_raise_the_clients_condition_error(conditions: Any, path: str) -> None:
    _, public = network_key()
    with pytest.raises(LitError) as info:
        encrypt(public, b"secret", conditions)
    assert_lit_error(info.value, ConditionError, path)
    assert isinstance(info.value, AccessConditionError) and isinstance(info.value, ValueError)  # older handlers still catch it
    assert isinstance(info.value.__cause__, AccessConditionError) and info.value.path in str(info.value)


def test_encrypt_refuses_a_bad_network_key_or_data() -> None:
    with pytest.raises(InvalidArgument, match="network_public_key"):
        encrypt("0x1234", b"secret", CONDITIONS)
    with pytest.raises(InvalidArgument, match="network_public_key"):
        encrypt("zz" * 48, b"secret", CONDITIONS)
    _, public = network_key()
    with pytest.raises(InvalidArgument, match="data: expected bytes, got str"):
        encrypt(public, "secret", CONDITIONS)  # type: ignore[arg-type]
    with pytest.raises(ConditionError, match="not configured"):
        encrypt(public, b"secret", [{**CONDITIONS[0], "chain": "no-such-chain"}], chains=["yellowstone"])
    assert encrypt(public, b"secret", CONDITIONS).data_to_encrypt_hash  # the good inputs still encrypt


async def test_a_malformed_ciphertext_is_refused_before_any_node_is_asked() -> None:
    _, public = network_key()
    good = encrypt(public, b"secret", CONDITIONS)
    # The nodes are closed ports: reaching them would give a NetworkError, not the InvalidArgument asserted.
    client = LitClient(network_info([closed_port_url() for _ in range(3)]))
    auth_sig = create_auth_sig(KEY)
    try:
        for ciphertext, named in [
            ("not base64!", "encrypted: ciphertext"),
            (good.ciphertext[: len(good.ciphertext) // 2], "encrypted: ciphertext"),
            ("", "encrypted: ciphertext"),
        ]:
            with pytest.raises(InvalidArgument) as info:
                await client.decrypt(EncryptedData(ciphertext, good.data_to_encrypt_hash), CONDITIONS, auth_sig)
            assert named in str(info.value)
        with pytest.raises(InvalidArgument, match="encrypted"):
            await client.decrypt(EncryptedData(good.ciphertext, "not a hash"), CONDITIONS, auth_sig)
        with pytest.raises(ConditionError, match="accessControlConditions\\[0\\].contractAddress"):
            await client.decrypt(good, [{"chain": "ethereum"}], auth_sig)
        with pytest.raises(InvalidArgument, match="expected an EncryptedData, got dict"):
            await client.decrypt(good.to_json(), CONDITIONS, auth_sig)  # type: ignore[arg-type]
    finally:
        await client.close()


def test_a_bad_envelope_is_named() -> None:
    with pytest.raises(InvalidArgument, match="envelope is not JSON"):
        parse_envelope("{not json")
    with pytest.raises(InvalidArgument, match="dataToEncryptHash"):
        parse_envelope(json.dumps({"ciphertext": "x"}))


def test_tokens_that_do_not_verify_raise_the_clients_jwt_error() -> None:
    secret, public = network_key()
    now = int(time.time())

    def token(signer: int, iat: int, exp: int) -> str:
        unsigned = unsigned_jwt(jwt_payload("0x" + "ab" * 20, "ethereum", iat, exp, "accessControlConditions", CONDITIONS))
        return f"{unsigned}.{b64url(bls.sign(signer, unsigned.encode()))}"

    assert verify_jwt(token(secret, now, now + 60), public)["exp"] == now + 60  # a good token verifies
    other, _ = network_key()
    for bad, why in [
        ("a.b", "three dot-separated parts"),
        ("a.b.c", "header"),
        (token(other, now, now + 60), "does not verify"),
        (token(secret, now - 120, now - 60), "expired"),
        (token(secret, now + 3600, now + 7200), "issued in the future"),
        (5, "a JWT is a string, not int"),
    ]:
        with pytest.raises(LitError) as info:
            verify_jwt(bad, public)  # type: ignore[arg-type]
        assert_lit_error(info.value, JwtError, why)
        assert isinstance(info.value, AccessJwtError)
    with pytest.raises(InvalidArgument, match="network_public_key"):
        verify_jwt(token(secret, now, now + 60), "zz")


def test_a_bad_transaction_or_signature_is_named() -> None:
    signature = {"r": "01" * 32, "s": "02" * 32, "recid": 0}
    for unsigned, why in [("zz", "not an RLP list"), ("0xc0", "unsigned EIP-155 legacy"), (7, "expected a hex string")]:
        with pytest.raises(InvalidArgument, match=why):
            signed_legacy_transaction(unsigned, signature)  # type: ignore[arg-type]
    import rlp

    unsigned = "0x" + rlp.encode([0, 1, 21000, b"\x11" * 20, 5, b"", 31337, 0, 0]).hex()
    assert signed_legacy_transaction(unsigned, signature).startswith("0x")
    with pytest.raises(InvalidArgument, match="signature .*missing 'recid'"):
        signed_legacy_transaction(unsigned, {"r": "01", "s": "02"})


# ---- the network directory -------------------------------------------------------------------------


def test_a_sync_client_on_a_missing_or_broken_network_dir_names_it(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    with pytest.raises(LitError) as info:
        SyncLitClient(missing)
    assert_lit_error(info.value, NoNetwork, str(missing), "litrt up")
    assert isinstance(info.value, FileNotFoundError)
    (tmp_path / NETWORK_FILE).write_text("{not json")
    with pytest.raises(NoNetwork, match=f"{tmp_path}.*cannot be read"):
        SyncLitClient(tmp_path)
    (tmp_path / NETWORK_FILE).write_text(json.dumps({"nodes": []}))
    with pytest.raises(NoNetwork, match="cannot be read"):
        SyncLitClient(tmp_path)


async def test_connect_on_a_missing_network_dir_names_it(tmp_path: Path) -> None:
    with pytest.raises(NoNetwork, match=str(tmp_path)):
        await LitClient.connect(tmp_path)


# ---- nodes that are down or lie ---------------------------------------------------------------------


async def test_unreachable_nodes_give_a_network_error() -> None:
    with pytest.raises(NetworkError, match="fewer than t\\+1=2 nodes agree"):
        await LitClient.connect(network_info([closed_port_url() for _ in range(3)]), timeout_s=5)


async def test_unreachable_nodes_are_named_with_why() -> None:
    urls = [closed_port_url() for _ in range(3)]
    with pytest.raises(NetworkError) as info:
        await LitClient.connect(network_info(urls), timeout_s=5)
    assert "node 1: unreachable" in str(info.value) and "node 3: unreachable" in str(info.value)


def test_a_sync_client_that_cannot_connect_leaves_no_thread_behind() -> None:
    before = {t for t in threading.enumerate() if t.name == "litrt-client"}
    with pytest.raises(NetworkError):
        SyncLitClient(network_info([closed_port_url() for _ in range(3)]), timeout_s=5)
    after = {t for t in threading.enumerate() if t.name == "litrt-client" and t.is_alive()}
    assert after <= before


def garbage(_: web.Request) -> web.Response:
    return web.Response(text="<html>this is not a node</html>", content_type="text/html")


async def test_nodes_answering_garbage_are_a_network_error_naming_them() -> None:
    async with fake_nodes(garbage) as urls:
        with pytest.raises(NetworkError) as info:
            await LitClient.connect(network_info(urls), timeout_s=5)
    assert "is malformed" in str(info.value) and urls[0] in str(info.value)


async def test_nodes_agreeing_on_a_bogus_network_view_are_a_network_error() -> None:
    view = {"ecdsaCommitments": [["zz"]], "blsCommitments": []}

    def status(_: web.Request) -> web.Response:
        return web.json_response({"network": view, "ready": True})

    async with fake_nodes(status) as urls:
        with pytest.raises(NetworkError, match="network view .* is malformed: .*ecdsaCommitments"):
            await LitClient.connect(network_info(urls), timeout_s=5)


async def test_an_execute_answered_with_garbage_is_a_network_error() -> None:
    async with client_of(garbage) as client:
        with pytest.raises(NetworkError, match="fewer than 2 of 3 nodes answered successfully.*is malformed"):
            await client.execute_js(code="Lit.Actions.setResponse({response: '1'})")


async def test_an_action_error_given_as_a_bare_string_is_an_action_error() -> None:
    async with client_of(lambda _: web.json_response({"error": "boom from a node"})) as client:
        with pytest.raises(ActionError, match="boom from a node"):
            await client.execute_js(code="1")


async def test_a_pkp_sign_without_the_signature_is_not_enough_shares() -> None:
    async with client_of(lambda _: web.json_response({})) as client:
        with pytest.raises(NotEnoughShares, match="no node sent a share of the signature 'sig'"):
            await client.pkp_sign("0x04" + "00" * 64, b"\x01" * 32, auth_sig=create_auth_sig(KEY))


async def test_wrong_request_arguments_are_invalid_arguments() -> None:
    client = LitClient(network_info([closed_port_url() for _ in range(3)]), timeout_s=5)
    auth_sig = create_auth_sig(KEY)
    try:
        with pytest.raises(InvalidArgument, match="exactly one of code and ipfs_id"):
            await client.execute_js(code="1", ipfs_id="Qm")
        with pytest.raises(InvalidArgument, match="response strategy"):
            await client.execute_js(code="1", response_strategy="bogus")
        with pytest.raises(InvalidArgument, match="coordinator"):
            await client.execute_js(code="1", coordinator=9)
        with pytest.raises(InvalidArgument, match="to_sign must be exactly 32 bytes"):
            await client.pkp_sign("0x04", b"short", auth_sig=auth_sig)
        with pytest.raises(InvalidArgument, match="to_sign must be exactly 32 bytes for EcdsaP256Sha256"):
            await client.pkp_sign("0x04", b"\x01" * 31, auth_sig=auth_sig, signing_scheme="EcdsaP256Sha256")
        with pytest.raises(InvalidArgument, match="not both"):
            await client.pkp_sign("0x04", b"\x01" * 32, auth_sig=auth_sig, session_sigs={})
        with pytest.raises(InvalidArgument, match="session_sigs has no signature"):
            await client.pkp_sign("0x04", b"\x01" * 32, session_sigs={"http://elsewhere": {}})
        with pytest.raises(InvalidArgument, match="busy_retries"):
            LitClient(client.network, busy_retries=-1)
    finally:
        await client.close()


def test_the_package_exports_the_clients_error_types() -> None:
    import runtime.client as package
    from runtime.client import access

    assert package.ConditionError is access.ConditionError and package.JwtError is access.JwtError
    assert package.verify_jwt is access.verify_jwt
    assert {package.InvalidArgument, package.NoNetwork, package.ChainError} == {InvalidArgument, NoNetwork, ChainError}


# ---- IPFS and the chain -------------------------------------------------------------------------------


async def test_upload_action_names_an_unreachable_ipfs_or_a_missing_file(tmp_path: Path) -> None:
    client = LitClient(network_info([closed_port_url()] * 3), timeout_s=5)
    try:
        with pytest.raises(NetworkError, match=f"IPFS at {client.network.ipfs_url} unreachable"):
            await client.upload_action("Lit.Actions.setResponse({response: '1'})")
        with pytest.raises(InvalidArgument, match="action file .*nowhere.js"):
            await client.upload_action(tmp_path / "nowhere.js")
    finally:
        await client.close()


@pytest.mark.slow  # web3 retries each refused connection before giving up
async def test_an_unreachable_chain_is_a_chain_error_naming_the_call() -> None:
    chain_url = closed_port_url()
    client = LitClient(network_info([closed_port_url()] * 3, chain_url=chain_url), timeout_s=5)
    try:
        with pytest.raises(ChainError, match=f"mint_pkp on {chain_url}: JSON-RPC endpoint unavailable"):
            await client.mint_pkp(KEY)
        with pytest.raises(ChainError, match="permit_action Qm.* on PKP 7: JSON-RPC endpoint unavailable"):
            await client.permit_action(KEY, 7, "Qmf412jQZiuVUtdgnB36FXFX7xg5V6KEbSJ4dpQuhkLyfD")
        with pytest.raises(ChainError, match="list_pkps of 0x"):
            await client.list_pkps("0x" + "ab" * 20)
        with pytest.raises(InvalidArgument, match="private_key: private key: must be 32 bytes"):
            await client.mint_pkp("0x1234")
    finally:
        await client.close()


@pytest.mark.slow
async def test_permitting_on_a_pkp_one_does_not_own_is_not_permitted() -> None:
    from runtime.chain.devchain import start_devchain
    from runtime.chain.pkp import PkpRegistry, deploy

    chain = await start_devchain()
    try:
        deployer, owner, stranger = chain.accounts[:3]
        contracts = await deploy(chain.url, deployer.private_key)
        async with PkpRegistry(chain.url, contracts.pkp_registry, owner.private_key) as registry:
            minted = await registry.mint(lambda key_id: coincurve.PrivateKey(keccak(key_id)).public_key.format(compressed=False))
        info = network_info([closed_port_url()] * 3, chain_url=chain.url)
        info.pkp_contract = contracts.pkp_registry
        client = LitClient(info)
        cid = "Qmf412jQZiuVUtdgnB36FXFX7xg5V6KEbSJ4dpQuhkLyfD"
        with pytest.raises(NotPermitted, match=f"permit_action {cid} on PKP {minted.token_id}: .*not the PKP owner"):
            await client.permit_action(stranger.private_key, minted.token_id, cid)
        assert await client.permit_action(owner.private_key, minted.token_id, cid)  # the owner may
        await client.close()
    finally:
        await chain.stop()
