"""Deploy, mint, permit and read the PKP contracts through HTTP JSON-RPC, on both chains."""

from __future__ import annotations

import coincurve
import pytest
from eth_utils import keccak

from runtime.ipfs.cid import CID
from runtime.chain.errors import ContractReverted, InvalidArgument, NotOwner
from runtime.chain.pkp import (
    SCOPE_PERSONAL_SIGN,
    SCOPE_SIGN_ANYTHING,
    NetworkKeysRegistry,
    PkpRegistry,
    deploy,
    pubkey_to_token_id,
)

pytestmark = pytest.mark.asyncio(loop_scope="module")

CID_A = "Qmf412jQZiuVUtdgnB36FXFX7xg5V6KEbSJ4dpQuhkLyfD"  # "hello world"
CID_B = "QmZULkCELmmk5XNfCgTnCyFgAVxBRBXyDHGGMVoLFLiXEN"  # "hello\n"


def fake_derive(key_id: bytes) -> bytes:
    # stands in for the HD derivation: any deterministic key per key id will do here
    return coincurve.PrivateKey(keccak(b"test-derive" + key_id)).public_key.format(compressed=False)


async def test_mint_permit_read(any_chain) -> None:
    owner_key, stranger = any_chain.accounts[1], any_chain.accounts[2]
    contracts = await deploy(any_chain.url, any_chain.accounts[0].private_key)
    assert contracts.chain_id == any_chain.chain_id
    async with PkpRegistry(any_chain.url, contracts.pkp_registry, owner_key.private_key) as reg:
        salt = b"\x07" * 32
        expected_key_id = keccak(
            any_chain.chain_id.to_bytes(32, "big")
            + bytes(12) + bytes.fromhex(contracts.pkp_registry[2:])
            + bytes(12) + bytes.fromhex(owner_key.address[2:])
            + salt
        )
        pkp = await reg.mint(fake_derive, salt=salt)
        assert pkp.key_id == expected_key_id  # the contract's chainid agrees with eth_chainId
        assert pkp.pubkey == fake_derive(pkp.key_id)
        assert pkp.token_id == pubkey_to_token_id(pkp.pubkey) == int.from_bytes(keccak(pkp.pubkey), "big")
        assert await reg.owner_of(pkp.token_id) == owner_key.address
        assert await reg.get_pubkey(pkp.token_id) == pkp.pubkey
        assert await reg.get_key_id(pkp.token_id) == pkp.key_id
        assert await reg.token_id_for_key_id(pkp.key_id) == pkp.token_id
        assert await reg.tokens_of_owner(owner_key.address) == [pkp.token_id]

        assert not await reg.is_permitted_action(pkp.token_id, CID_A)
        await reg.add_permitted_action(pkp.token_id, CID_A, [SCOPE_SIGN_ANYTHING])
        await reg.add_permitted_action(pkp.token_id, CID_B, [SCOPE_PERSONAL_SIGN])
        await reg.add_permitted_address(pkp.token_id, stranger.address, [SCOPE_PERSONAL_SIGN])
        assert await reg.is_permitted_action(pkp.token_id, CID_A)
        assert sorted(await reg.get_permitted_actions(pkp.token_id)) == sorted([CID_A, CID_B])
        assert await reg.get_permitted_action_scopes(pkp.token_id, CID_A) == [SCOPE_SIGN_ANYTHING]
        assert await reg.is_permitted_action_scope(pkp.token_id, CID_B, SCOPE_PERSONAL_SIGN)
        assert not await reg.is_permitted_action_scope(pkp.token_id, CID_B, SCOPE_SIGN_ANYTHING)
        assert await reg.is_permitted_address(pkp.token_id, stranger.address)
        assert await reg.get_permitted_addresses(pkp.token_id) == [stranger.address]
        assert await reg.get_permitted_address_scopes(pkp.token_id, stranger.address) == [SCOPE_PERSONAL_SIGN]

        # adding again merges scopes; removing forgets the action entirely
        await reg.add_permitted_action(pkp.token_id, CID_B, [SCOPE_SIGN_ANYTHING])
        assert await reg.get_permitted_action_scopes(pkp.token_id, CID_B) == [1, 2]
        await reg.remove_permitted_action(pkp.token_id, CID_A)
        assert not await reg.is_permitted_action(pkp.token_id, CID_A)
        assert await reg.get_permitted_actions(pkp.token_id) == [CID_B]
        assert await reg.get_permitted_action_scopes(pkp.token_id, CID_A) == []


async def test_only_owner_writes_and_transfer(any_chain) -> None:
    alice, bob = any_chain.accounts[3], any_chain.accounts[4]
    contracts = await deploy(any_chain.url, any_chain.accounts[0].private_key)
    async with (
        PkpRegistry(any_chain.url, contracts.pkp_registry, alice.private_key) as as_alice,
        PkpRegistry(any_chain.url, contracts.pkp_registry, bob.private_key) as as_bob,
    ):
        pkp = await as_alice.mint(fake_derive)
        with pytest.raises(NotOwner, match="caller is not the PKP owner"):
            await as_bob.add_permitted_action(pkp.token_id, CID_A, [SCOPE_SIGN_ANYTHING])
        with pytest.raises(NotOwner):
            await as_bob.add_permitted_address(pkp.token_id, bob.address, [SCOPE_SIGN_ANYTHING])
        with pytest.raises(NotOwner):
            await as_bob.transfer(pkp.token_id, bob.address)
        assert not await as_alice.is_permitted_action(pkp.token_id, CID_A)

        await as_alice.add_permitted_action(pkp.token_id, CID_A, [SCOPE_SIGN_ANYTHING])
        await as_alice.transfer(pkp.token_id, bob.address)
        assert await as_alice.owner_of(pkp.token_id) == bob.address
        assert await as_alice.tokens_of_owner(alice.address) == []
        assert await as_alice.tokens_of_owner(bob.address) == [pkp.token_id]
        assert await as_alice.is_permitted_action(pkp.token_id, CID_A)  # permissions stay with the token
        with pytest.raises(NotOwner):
            await as_alice.remove_permitted_action(pkp.token_id, CID_A)
        await as_bob.remove_permitted_action(pkp.token_id, CID_A)
        assert not await as_bob.is_permitted_action(pkp.token_id, CID_A)


async def test_mint_rules(devchain) -> None:
    user = devchain.accounts[5]
    contracts = await deploy(devchain.url, devchain.accounts[0].private_key)
    async with PkpRegistry(devchain.url, contracts.pkp_registry, user.private_key) as reg:
        pkp = await reg.mint(fake_derive, salt=b"\x01" * 32)
        with pytest.raises(ContractReverted, match="key id already minted"):
            await reg.mint(fake_derive, salt=b"\x01" * 32)
        with pytest.raises(ContractReverted, match="pubkey already minted"):
            await reg.mint(lambda _kid: pkp.pubkey, salt=b"\x02" * 32)
        with pytest.raises(ContractReverted, match="unknown tokenId"):
            await reg.owner_of(pkp.token_id + 1)
        assert not await reg.exists(pkp.token_id + 1)


async def test_scopes_and_arguments_checked(devchain) -> None:
    user = devchain.accounts[6]
    contracts = await deploy(devchain.url, devchain.accounts[0].private_key)
    async with PkpRegistry(devchain.url, contracts.pkp_registry, user.private_key) as reg:
        pkp = await reg.mint(fake_derive)
        with pytest.raises(InvalidArgument, match="unknown scope"):
            await reg.add_permitted_action(pkp.token_id, CID_A, [3])
        with pytest.raises(InvalidArgument, match="cid"):
            await reg.add_permitted_action(pkp.token_id, "not-a-cid", [1])
        # the contract refuses unknown scopes on its own too
        data_scope = [0]
        with pytest.raises(ContractReverted, match="unknown scope"):
            await reg._transact("addPermittedAction", pkp.token_id, b"\x12\x20" + bytes(32), data_scope)
        assert await reg.get_permitted_auth_method_scopes(pkp.token_id, 2, b"\x12\x20" + bytes(32), 3) == [
            False, False, False, False
        ]
        await reg.add_permitted_action(pkp.token_id, CID_A, [1])
    async with PkpRegistry(devchain.url, contracts.pkp_registry) as read_only:
        with pytest.raises(InvalidArgument, match="private_key"):
            await read_only.add_permitted_action(pkp.token_id, CID_B, [1])
        # a CIDv1 with the same multihash names the same action
        cid_v1 = str(CID.parse(CID_A).to_v1())
        assert cid_v1.startswith("bafy")
        assert await read_only.is_permitted_action(pkp.token_id, cid_v1)


async def test_network_keys_set_once_by_admin(any_chain) -> None:
    admin, other = any_chain.accounts[0], any_chain.accounts[7]
    contracts = await deploy(any_chain.url, admin.private_key)
    root_keys = [coincurve.PrivateKey(bytes([i]) * 32).public_key.format() for i in range(1, 4)]
    bls_pk = bytes([0x80]) + bytes(47)
    async with (
        NetworkKeysRegistry(any_chain.url, contracts.network_keys, admin.private_key) as as_admin,
        NetworkKeysRegistry(any_chain.url, contracts.network_keys, other.private_key) as as_other,
    ):
        assert await as_admin.admin() == admin.address
        assert await as_admin.get_network_keys() is None
        with pytest.raises(NotOwner, match="not the admin"):
            await as_other.set_network_keys(root_keys, bls_pk, 3)
        with pytest.raises(ContractReverted, match="48 bytes"):
            await as_admin.set_network_keys(root_keys, bls_pk[:47], 3)
        await as_admin.set_network_keys(root_keys, bls_pk, 3)
        info = await as_other.get_network_keys()
        assert info is not None
        assert (info.ecdsa_root_keys, info.bls_public_key, info.threshold) == (root_keys, bls_pk, 3)
        with pytest.raises(ContractReverted, match="already set"):
            await as_admin.set_network_keys(root_keys, bls_pk, 3)


async def test_reads_per_block_see_every_change_at_once(any_chain) -> None:
    """A node's registry answers repeated reads from memory, but only within one block: a permit, a
    revocation or a transfer is seen by the very next read (attack: a revoked action keeps signing)."""
    owner, other = any_chain.accounts[1], any_chain.accounts[2]
    contracts = await deploy(any_chain.url, any_chain.accounts[0].private_key)
    async with PkpRegistry(any_chain.url, contracts.pkp_registry, owner.private_key) as writer, \
            PkpRegistry(any_chain.url, contracts.pkp_registry, reads_per_block=True) as node_view:
        pkp = await writer.mint(fake_derive)
        for _ in range(3):
            assert not await node_view.is_permitted_action_scope(pkp.token_id, CID_A, SCOPE_SIGN_ANYTHING)
        await writer.add_permitted_action(pkp.token_id, CID_A, [SCOPE_SIGN_ANYTHING])
        assert await node_view.is_permitted_action_scope(pkp.token_id, CID_A, SCOPE_SIGN_ANYTHING)
        assert await node_view.is_permitted_action_scope(pkp.token_id, CID_A, SCOPE_SIGN_ANYTHING)
        await writer.remove_permitted_action(pkp.token_id, CID_A)
        assert not await node_view.is_permitted_action_scope(pkp.token_id, CID_A, SCOPE_SIGN_ANYTHING)
        assert await node_view.owner_of(pkp.token_id) == owner.address
        await writer.transfer(pkp.token_id, other.address)
        assert await node_view.owner_of(pkp.token_id) == other.address
