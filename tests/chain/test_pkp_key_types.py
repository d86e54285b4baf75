"""PKPRegistry key types (Lit's PubkeyRouter keyType, numbered as lit-peer's CurveType: 2 K256,
3 Ed25519), on the embedded dev chain: what each type takes, what is read back, and that a mint
without a key type still makes a K256 PKP."""

from __future__ import annotations

import coincurve
import pytest
from eth_utils import keccak
from nacl.bindings import crypto_core_ed25519_is_valid_point
from nacl.signing import SigningKey

from runtime.chain.errors import ContractReverted, InvalidArgument
from runtime.chain.pkp import PkpRegistry, deploy, key_type_of, normalize_pubkey, pubkey_to_token_id

pytestmark = pytest.mark.asyncio(loop_scope="module")


def ed25519_derive(key_id: bytes) -> bytes:
    # stands in for the HD derivation: a real Ed25519 key (PyNaCl's) per key id
    return bytes(SigningKey(keccak(b"ed-derive" + key_id)).verify_key)


def k256_derive(key_id: bytes) -> bytes:
    return coincurve.PrivateKey(keccak(b"k-derive" + key_id)).public_key.format(compressed=False)


async def test_an_ed25519_pkp_records_its_key_type_and_32_byte_key(devchain) -> None:
    owner = devchain.accounts[1]
    contracts = await deploy(devchain.url, devchain.accounts[0].private_key)
    async with PkpRegistry(devchain.url, contracts.pkp_registry, owner.private_key) as reg:
        asked: list[tuple[bytes, str]] = []

        def derive(key_id: bytes, key_type: str) -> bytes:
            asked.append((key_id, key_type))
            return ed25519_derive(key_id)

        pkp = await reg.mint(derive, key_type="ed25519")
        assert asked == [(pkp.key_id, "ed25519")]  # the callback is told the key type
        assert pkp.key_type == "ed25519" and len(pkp.pubkey) == 32 and pkp.pubkey == ed25519_derive(pkp.key_id)
        assert pkp.token_id == int.from_bytes(keccak(pkp.pubkey), "big") == pubkey_to_token_id(pkp.pubkey)
        assert await reg.get_key_type(pkp.token_id) == "ed25519"
        assert await reg.get_pubkey(pkp.token_id) == pkp.pubkey
        assert await reg.get_key_id(pkp.token_id) == pkp.key_id
        assert await reg.owner_of(pkp.token_id) == owner.address
        # Lit's getRoutingData shape: (pubkey, keyType, derivedKeyId); zeros for an unknown token.
        assert tuple(await reg.contract.functions.getRoutingData(pkp.token_id).call()) == (pkp.pubkey, 3, pkp.key_id)
        assert tuple(await reg.contract.functions.getRoutingData(pkp.token_id + 1).call()) == (b"", 0, bytes(32))

        # A mint as before key types (one-argument callback, no key type) is K256.
        old = await reg.mint(k256_derive)
        assert old.key_type == "k256" and await reg.get_key_type(old.token_id) == "k256"
        assert tuple(await reg.contract.functions.getRoutingData(old.token_id).call()) == (old.pubkey, 2, old.key_id)
        explicit = await reg.mint(k256_derive, key_type="k256")
        assert await reg.get_key_type(explicit.token_id) == "k256"
        with pytest.raises(ContractReverted, match="unknown tokenId"):
            await reg.get_key_type(old.token_id + 1)


async def test_each_key_type_takes_only_its_key_length(devchain) -> None:
    contracts = await deploy(devchain.url, devchain.accounts[0].private_key)
    async with PkpRegistry(devchain.url, contracts.pkp_registry, devchain.accounts[2].private_key) as reg:
        k256_key = k256_derive(b"x")
        with pytest.raises(ContractReverted, match="an Ed25519 pubkey must be 32 bytes"):
            await reg._transact("mintWithKeyType", 3, b"\x01" * 32, k256_key)
        with pytest.raises(ContractReverted, match="pubkey must be 65 bytes"):
            await reg._transact("mintWithKeyType", 2, b"\x02" * 32, ed25519_derive(b"x"))
        with pytest.raises(ContractReverted, match=r"unsupported key type \(2 K256, 3 Ed25519, 6 P256\)"):
            await reg._transact("mintWithKeyType", 7, b"\x03" * 32, k256_key)  # P-384: Lit's 7, not taken
        with pytest.raises(ContractReverted, match="unsupported key type"):
            await reg._transact("mintWithKeyType", 0, b"\x04" * 32, k256_key)
        # The client refuses before sending: a wrong length, a point off the curve, an unknown type.
        with pytest.raises(InvalidArgument, match="an Ed25519 public key is 32 bytes, not 65"):
            await reg.mint(lambda key_id: k256_key, key_type="ed25519")
        with pytest.raises(InvalidArgument, match="unknown key type 'p384'"):
            await reg.mint(ed25519_derive, key_type="p384")
        assert await reg.tokens_of_owner(devchain.accounts[2].address) == []


async def test_public_keys_say_their_key_type() -> None:
    ed = ed25519_derive(b"k")
    k = k256_derive(b"k")
    assert key_type_of(ed) == "ed25519" and key_type_of("0x" + k.hex()) == "k256"
    assert key_type_of(coincurve.PublicKey(k).format(compressed=True)) == "k256"
    assert normalize_pubkey(coincurve.PublicKey(k).format(compressed=True)) == k
    assert normalize_pubkey(ed) == ed
    with pytest.raises(InvalidArgument, match="64 bytes is no PKP key"):
        key_type_of(bytes(64))
    not_a_point = (2).to_bytes(32, "little")  # libsodium agrees it is no Ed25519 public key
    assert not crypto_core_ed25519_is_valid_point(not_a_point)
    with pytest.raises(InvalidArgument, match="not an Ed25519 public key"):
        normalize_pubkey(not_a_point)
