"""PKP auth methods as Lit's PKPPermissions: add, remove, list, scopes, ids, owner-only writes.

Reads that matter for compatibility with Lit's ABI are also made with a hand-encoded eth_call
(selector from Lit's signature, eth_abi for the words), so the artifact cannot drift unseen.
"""

from __future__ import annotations

from typing import Any

import coincurve
import pytest
from eth_abi import decode, encode
from eth_utils import function_signature_to_4byte_selector, keccak

from runtime.chain.errors import ContractReverted, InvalidArgument, NotOwner
from runtime.chain.pkp import (
    AUTH_METHOD_ACTION,
    AUTH_METHOD_ADDRESS,
    SCOPE_PERSONAL_SIGN,
    SCOPE_SIGN_ANYTHING,
    AuthMethod,
    PkpRegistry,
    auth_method_id,
    cid_to_bytes,
    deploy,
)

pytestmark = pytest.mark.asyncio(loop_scope="module")

CID_A = "Qmf412jQZiuVUtdgnB36FXFX7xg5V6KEbSJ4dpQuhkLyfD"
CUSTOM_TYPE = int.from_bytes(keccak(b"litrt-test-app"), "big")  # as Lit's generateUniqueAuthMethodType
CUSTOM_ID = keccak(b"user-42@litrt-test-app")


def fake_derive(key_id: bytes) -> bytes:
    return coincurve.PrivateKey(keccak(b"auth-methods" + key_id)).public_key.format(compressed=False)


async def raw_call(reg: PkpRegistry, signature: str, args: list[Any], out_types: list[str]) -> tuple[Any, ...]:
    in_types = signature[signature.index("(") + 1 : -1]
    data = function_signature_to_4byte_selector(signature) + encode(in_types.split(","), args)
    return decode(out_types, await reg.w3.eth.call({"to": reg.address, "data": "0x" + data.hex()}))


async def test_add_list_scopes_remove(any_chain) -> None:
    owner, friend = any_chain.accounts[1], any_chain.accounts[2]
    contracts = await deploy(any_chain.url, any_chain.accounts[0].private_key)
    async with PkpRegistry(any_chain.url, contracts.pkp_registry, owner.private_key) as reg:
        pkp = await reg.mint(fake_derive)
        tid = pkp.token_id
        assert await reg.get_permitted_auth_methods(tid) == []
        assert not await reg.is_permitted_auth_method(tid, CUSTOM_TYPE, CUSTOM_ID)

        await reg.add_permitted_auth_method(tid, AuthMethod(CUSTOM_TYPE, CUSTOM_ID), [SCOPE_SIGN_ANYTHING])
        friend_id = bytes.fromhex(friend.address[2:])
        await reg.add_permitted_auth_method(tid, AuthMethod(AUTH_METHOD_ADDRESS, friend_id), [SCOPE_PERSONAL_SIGN])
        await reg.add_permitted_action(tid, CID_A, [SCOPE_SIGN_ANYTHING, SCOPE_PERSONAL_SIGN])

        # addresses and actions are auth methods of type 1 and 2: one list, seen from both sides
        methods = await reg.get_permitted_auth_methods(tid)
        assert sorted(methods, key=lambda m: m.auth_method_type) == [
            AuthMethod(AUTH_METHOD_ADDRESS, friend_id, b""),
            AuthMethod(AUTH_METHOD_ACTION, cid_to_bytes(CID_A), b""),
            AuthMethod(CUSTOM_TYPE, CUSTOM_ID, b""),
        ]
        assert await reg.is_permitted_address(tid, friend.address)
        assert await reg.get_permitted_addresses(tid) == [friend.address]
        assert await reg.is_permitted_auth_method(tid, AUTH_METHOD_ACTION, cid_to_bytes(CID_A))
        assert await reg.is_permitted_auth_method(tid, CUSTOM_TYPE, CUSTOM_ID)
        assert not await reg.is_permitted_auth_method(tid, CUSTOM_TYPE + 1, CUSTOM_ID)
        assert not await reg.is_permitted_auth_method(tid, CUSTOM_TYPE, CUSTOM_ID[:-1])

        assert await reg.get_permitted_auth_method_scopes(tid, CUSTOM_TYPE, CUSTOM_ID, 2) == [False, True, False]
        assert await reg.get_permitted_address_scopes(tid, friend.address) == [SCOPE_PERSONAL_SIGN]
        assert await reg.is_permitted_auth_method_scope(tid, CUSTOM_TYPE, CUSTOM_ID, SCOPE_SIGN_ANYTHING)
        assert not await reg.is_permitted_auth_method_scope(tid, CUSTOM_TYPE, CUSTOM_ID, SCOPE_PERSONAL_SIGN)
        # Lit's ABI: getPermittedAuthMethodScopes returns maxScopeId entries
        (flags,) = await raw_call(
            reg, "getPermittedAuthMethodScopes(uint256,uint256,bytes,uint256)", [tid, CUSTOM_TYPE, CUSTOM_ID, 3], ["bool[]"]
        )
        assert list(flags) == [False, True, False]
        (raw_methods,) = await raw_call(reg, "getPermittedAuthMethods(uint256)", [tid], ["(uint256,bytes,bytes)[]"])
        assert (CUSTOM_TYPE, CUSTOM_ID, b"") in raw_methods

        # scopes one at a time; adding the method again merges scopes
        await reg.add_permitted_auth_method_scope(tid, CUSTOM_TYPE, CUSTOM_ID, SCOPE_PERSONAL_SIGN)
        await reg.remove_permitted_auth_method_scope(tid, CUSTOM_TYPE, CUSTOM_ID, SCOPE_SIGN_ANYTHING)
        assert await reg.get_permitted_auth_method_scopes(tid, CUSTOM_TYPE, CUSTOM_ID, 2) == [False, False, True]
        await reg.add_permitted_auth_method(tid, AuthMethod(CUSTOM_TYPE, CUSTOM_ID), [SCOPE_SIGN_ANYTHING])
        assert await reg.get_permitted_auth_method_scopes(tid, CUSTOM_TYPE, CUSTOM_ID, 2) == [False, True, True]
        assert len(await reg.get_permitted_auth_methods(tid)) == 3

        # removing forgets the method and its scopes; a re-add starts from the scopes it is given
        await reg.remove_permitted_auth_method(tid, CUSTOM_TYPE, CUSTOM_ID)
        assert not await reg.is_permitted_auth_method(tid, CUSTOM_TYPE, CUSTOM_ID)
        assert await reg.get_permitted_auth_method_scopes(tid, CUSTOM_TYPE, CUSTOM_ID, 2) == [False] * 3
        assert {m.auth_method_type for m in await reg.get_permitted_auth_methods(tid)} == {1, 2}
        with pytest.raises(ContractReverted, match="not permitted"):
            await reg.remove_permitted_auth_method(tid, CUSTOM_TYPE, CUSTOM_ID)
        with pytest.raises(ContractReverted, match="not permitted"):
            await reg.add_permitted_auth_method_scope(tid, CUSTOM_TYPE, CUSTOM_ID, SCOPE_SIGN_ANYTHING)
        await reg.add_permitted_auth_method(tid, AuthMethod(CUSTOM_TYPE, CUSTOM_ID), [])
        assert await reg.get_permitted_auth_method_scopes(tid, CUSTOM_TYPE, CUSTOM_ID, 2) == [False] * 3
        # the address family sees a type-1 removal
        await reg.remove_permitted_auth_method(tid, AUTH_METHOD_ADDRESS, friend_id)
        assert not await reg.is_permitted_address(tid, friend.address)


async def test_auth_method_id_is_keccak_of_abi_encoding(devchain) -> None:
    contracts = await deploy(devchain.url, devchain.accounts[0].private_key)
    async with PkpRegistry(devchain.url, contracts.pkp_registry) as reg:
        for method_type, method_id in ((CUSTOM_TYPE, CUSTOM_ID), (AUTH_METHOD_ACTION, cid_to_bytes(CID_A)),
                                       (AUTH_METHOD_ADDRESS, bytes(range(20))), (6, b"x")):
            expected = int.from_bytes(keccak(encode(["uint256", "bytes"], [method_type, method_id])), "big")
            assert auth_method_id(method_type, method_id) == expected
            assert await reg.get_auth_method_id(method_type, method_id) == expected
            (raw,) = await raw_call(reg, "getAuthMethodId(uint256,bytes)", [method_type, method_id], ["uint256"])
            assert raw == expected


async def test_token_ids_for_auth_method_and_events(devchain) -> None:
    user = devchain.accounts[5]
    contracts = await deploy(devchain.url, devchain.accounts[0].private_key)
    async with PkpRegistry(devchain.url, contracts.pkp_registry, user.private_key) as reg:
        first, second = await reg.mint(fake_derive), await reg.mint(fake_derive)
        webauthn = AuthMethod(3, b"credential-id", b"\x04" + bytes(64))
        receipt = await reg._transact("addPermittedAuthMethod", first.token_id, (3, webauthn.id, webauthn.user_pubkey), [1])
        (added,) = reg._events(receipt, "PermittedAuthMethodAdded")
        assert (added["tokenId"], added["authMethodType"], added["id"], added["userPubkey"]) == (
            first.token_id, 3, webauthn.id, webauthn.user_pubkey
        )
        (scope_added,) = reg._events(receipt, "PermittedAuthMethodScopeAdded")
        assert (scope_added["authMethodType"], scope_added["scopeId"]) == (3, 1)
        await reg.add_permitted_auth_method(second.token_id, webauthn, [SCOPE_PERSONAL_SIGN])
        assert sorted(await reg.get_token_ids_for_auth_method(3, webauthn.id)) == sorted(
            [first.token_id, second.token_id]
        )
        assert (await reg.get_permitted_auth_methods(first.token_id))[0].user_pubkey == webauthn.user_pubkey

        # a user pubkey, once set, is not swapped by a later add; the same one, or none, is fine
        with pytest.raises(ContractReverted, match="different userPubkey"):
            await reg.add_permitted_auth_method(first.token_id, AuthMethod(3, webauthn.id, b"\x04" + bytes([1]) * 64), [])
        await reg.add_permitted_auth_method(first.token_id, AuthMethod(3, webauthn.id), [SCOPE_PERSONAL_SIGN])
        assert (await reg.get_permitted_auth_methods(first.token_id))[0].user_pubkey == webauthn.user_pubkey

        receipt = await reg._transact("removePermittedAuthMethod", first.token_id, 3, webauthn.id)
        (removed,) = reg._events(receipt, "PermittedAuthMethodRemoved")
        assert (removed["tokenId"], removed["authMethodType"], removed["id"]) == (first.token_id, 3, webauthn.id)
        assert await reg.get_token_ids_for_auth_method(3, webauthn.id) == [second.token_id]
        assert await reg.get_token_ids_for_auth_method(3, b"nobody") == []


async def test_only_owner_writes(devchain) -> None:
    alice, bob = devchain.accounts[6], devchain.accounts[7]
    contracts = await deploy(devchain.url, devchain.accounts[0].private_key)
    async with (
        PkpRegistry(devchain.url, contracts.pkp_registry, alice.private_key) as as_alice,
        PkpRegistry(devchain.url, contracts.pkp_registry, bob.private_key) as as_bob,
    ):
        tid = (await as_alice.mint(fake_derive)).token_id
        with pytest.raises(NotOwner, match="caller is not the PKP owner"):
            await as_bob.add_permitted_auth_method(tid, AuthMethod(CUSTOM_TYPE, CUSTOM_ID), [SCOPE_SIGN_ANYTHING])
        await as_alice.add_permitted_auth_method(tid, AuthMethod(CUSTOM_TYPE, CUSTOM_ID), [SCOPE_SIGN_ANYTHING])
        with pytest.raises(NotOwner):
            await as_bob.remove_permitted_auth_method(tid, CUSTOM_TYPE, CUSTOM_ID)
        with pytest.raises(NotOwner):
            await as_bob.add_permitted_auth_method_scope(tid, CUSTOM_TYPE, CUSTOM_ID, SCOPE_PERSONAL_SIGN)
        with pytest.raises(NotOwner):
            await as_bob.remove_permitted_auth_method_scope(tid, CUSTOM_TYPE, CUSTOM_ID, SCOPE_SIGN_ANYTHING)
        with pytest.raises(ContractReverted, match="unknown tokenId"):
            await as_bob.add_permitted_auth_method(tid + 1, AuthMethod(CUSTOM_TYPE, CUSTOM_ID), [])
        assert await as_bob.get_permitted_auth_method_scopes(tid, CUSTOM_TYPE, CUSTOM_ID, 2) == [False, True, False]


async def test_arguments_checked(devchain) -> None:
    user = devchain.accounts[8]
    contracts = await deploy(devchain.url, devchain.accounts[0].private_key)
    async with PkpRegistry(devchain.url, contracts.pkp_registry, user.private_key) as reg:
        tid = (await reg.mint(fake_derive)).token_id
        with pytest.raises(InvalidArgument, match="auth_method_type"):
            await reg.add_permitted_auth_method(tid, AuthMethod(0, b"x"), [1])
        with pytest.raises(InvalidArgument, match="auth_method_type"):
            await reg.is_permitted_auth_method(tid, True, b"x")  # type: ignore[arg-type]
        with pytest.raises(InvalidArgument, match="id"):
            await reg.add_permitted_auth_method(tid, AuthMethod(CUSTOM_TYPE, b""), [1])
        with pytest.raises(InvalidArgument, match="20 address bytes"):
            await reg.add_permitted_auth_method(tid, AuthMethod(AUTH_METHOD_ADDRESS, b"\x01" * 19), [1])
        with pytest.raises(InvalidArgument, match="scopes"):
            await reg.add_permitted_auth_method(tid, AuthMethod(CUSTOM_TYPE, CUSTOM_ID), [3])
        with pytest.raises(InvalidArgument, match="user_pubkey"):
            await reg.add_permitted_auth_method(tid, AuthMethod(CUSTOM_TYPE, CUSTOM_ID, "04ab"), [1])  # type: ignore[arg-type]
        with pytest.raises(InvalidArgument, match="max_scope_id"):
            await reg.get_permitted_auth_method_scopes(tid, CUSTOM_TYPE, CUSTOM_ID, 256)
        # the contract holds the same rules without the client's help
        with pytest.raises(ContractReverted, match="NULLMETHOD"):
            await reg._transact("addPermittedAuthMethod", tid, (0, b"x", b""), [1])
        with pytest.raises(ContractReverted, match="empty auth method id"):
            await reg._transact("addPermittedAuthMethod", tid, (CUSTOM_TYPE, b"", b""), [1])
        with pytest.raises(ContractReverted, match="unknown scope"):
            await reg._transact("addPermittedAuthMethod", tid, (CUSTOM_TYPE, CUSTOM_ID, b""), [0])
        with pytest.raises(ContractReverted, match="at most 256"):
            await reg._call("getPermittedAuthMethodScopes", tid, CUSTOM_TYPE, CUSTOM_ID, 257)
