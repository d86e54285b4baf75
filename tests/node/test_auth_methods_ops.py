"""The Lit.Actions auth-method reads (node/auth_methods.py) against PKPRegistry on the dev chain."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import coincurve
import pytest
import pytest_asyncio
from eth_utils import keccak

from node.auth_methods import get_permitted_auth_method_scopes, get_permitted_auth_methods, is_permitted_auth_method
from runtime.chain.devchain import start_devchain
from runtime.chain.pkp import AuthMethod, PkpRegistry, cid_to_bytes, deploy
from sandbox import HostError

pytestmark = pytest.mark.asyncio(loop_scope="module")

CID = "Qmf412jQZiuVUtdgnB36FXFX7xg5V6KEbSJ4dpQuhkLyfD"
APP_TYPE = int.from_bytes(keccak(b"litrt-ops-test-app"), "big")
APP_USER = list(keccak(b"alice@ops-test"))  # as an action holds a userId: an array of bytes


@dataclass
class Env:
    registry: PkpRegistry
    token_id: int
    friend: str


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def env() -> AsyncIterator[Env]:
    chain = await start_devchain()
    try:
        contracts = await deploy(chain.url, chain.accounts[0].private_key)
        owner, friend = chain.accounts[1], chain.accounts[2]
        async with PkpRegistry(chain.url, contracts.pkp_registry, owner.private_key) as registry:
            pkp = await registry.mint(
                lambda kid: coincurve.PrivateKey(keccak(b"ops" + kid)).public_key.format(compressed=False)
            )
            await registry.add_permitted_auth_method(pkp.token_id, AuthMethod(APP_TYPE, bytes(APP_USER)), [1])
            await registry.add_permitted_address(pkp.token_id, friend.address, [2])
            await registry.add_permitted_action(pkp.token_id, CID, [1, 2])
            yield Env(registry, pkp.token_id, friend.address)
    finally:
        await chain.stop()


async def test_is_permitted_auth_method(env: Env) -> None:
    tid = env.token_id
    assert await is_permitted_auth_method(env.registry, str(tid), str(APP_TYPE), APP_USER)
    assert await is_permitted_auth_method(env.registry, hex(tid), hex(APP_TYPE), APP_USER)
    assert await is_permitted_auth_method(env.registry, tid, APP_TYPE, {str(i): b for i, b in enumerate(APP_USER)})
    assert await is_permitted_auth_method(env.registry, tid, 1, list(bytes.fromhex(env.friend[2:])))
    assert await is_permitted_auth_method(env.registry, tid, "2", list(cid_to_bytes(CID)))
    assert not await is_permitted_auth_method(env.registry, tid, APP_TYPE, APP_USER[:-1])
    assert not await is_permitted_auth_method(env.registry, tid + 1, APP_TYPE, APP_USER)
    # shapes that can never be permitted are a plain "no", as Lit's contract answers
    assert not await is_permitted_auth_method(env.registry, tid, 0, APP_USER)
    assert not await is_permitted_auth_method(env.registry, tid, 1, [1, 2, 3])


async def test_get_permitted_auth_methods_in_lits_shape(env: Env) -> None:
    methods = await get_permitted_auth_methods(env.registry, str(env.token_id))
    assert sorted(methods, key=lambda m: int(m["auth_method_type"], 16)) == [
        {"auth_method_type": "0x1", "id": env.friend.lower(), "user_pubkey": "0x"},
        {"auth_method_type": "0x2", "id": "0x" + cid_to_bytes(CID).hex(), "user_pubkey": "0x"},
        {"auth_method_type": hex(APP_TYPE), "id": "0x" + bytes(APP_USER).hex(), "user_pubkey": "0x"},
    ]
    assert await get_permitted_auth_methods(env.registry, env.token_id + 1) == []


async def test_get_permitted_auth_method_scopes(env: Env) -> None:
    tid = env.token_id
    scopes = await get_permitted_auth_method_scopes(env.registry, tid, APP_TYPE, APP_USER, 3)
    assert scopes == [False, True, False]
    assert await get_permitted_auth_method_scopes(env.registry, tid, "1", list(bytes.fromhex(env.friend[2:])), 3) == [
        False, False, True
    ]
    default = await get_permitted_auth_method_scopes(env.registry, tid, 2, list(cid_to_bytes(CID)))
    assert len(default) == 100 and default[:3] == [False, True, True] and not any(default[3:])
    assert await get_permitted_auth_method_scopes(env.registry, tid, APP_TYPE, APP_USER, 0) == []
    assert await get_permitted_auth_method_scopes(env.registry, tid, APP_TYPE, APP_USER, 256) == [False, True] + [False] * 254
    assert await get_permitted_auth_method_scopes(env.registry, tid, 0, APP_USER, 2) == [False, False]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda r: is_permitted_auth_method(r, "twelve", 1, [1]), "tokenId"),
        (lambda r: is_permitted_auth_method(r, -1, 1, [1]), "tokenId"),
        (lambda r: is_permitted_auth_method(r, 1, True, [1]), "authMethodType"),
        (lambda r: is_permitted_auth_method(r, 1, "1.5", [1]), "authMethodType"),
        (lambda r: is_permitted_auth_method(r, 1, 2**256, [1]), "authMethodType"),
        (lambda r: is_permitted_auth_method(r, 1, 1, []), "userId must not be empty"),
        (lambda r: is_permitted_auth_method(r, 1, 1, "0x1234"), "userId"),
        (lambda r: is_permitted_auth_method(r, 1, 1, [256]), "userId"),
        (lambda r: get_permitted_auth_methods(r, None), "tokenId"),
        (lambda r: get_permitted_auth_method_scopes(r, 1, 1, [1], 257), "maxScopeId"),
        (lambda r: get_permitted_auth_method_scopes(r, 1, 1, [1], "many"), "maxScopeId"),
    ],
)
async def test_bad_arguments_name_themselves(env: Env, call, message: str) -> None:
    with pytest.raises(HostError, match=message):
        await call(env.registry)
