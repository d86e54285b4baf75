"""P-256 PKPs in PKPRegistry (Lit's keyType 6, lit-peer CurveType::P256), on the embedded dev chain:
a 65-byte uncompressed key recorded with its type, and keys told apart by their curve, checked
against `cryptography` (OpenSSL) and coincurve, not our own curve code."""

from __future__ import annotations

import coincurve
import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from eth_utils import keccak

from runtime.chain.errors import ContractReverted, InvalidArgument
from runtime.chain.pkp import KEY_TYPES, PkpRegistry, deploy, key_type_of, normalize_pubkey, pubkey_to_token_id

def p256_key(seed: bytes) -> ec.EllipticCurvePublicKey:
    secret = int.from_bytes(keccak(b"p256-derive" + seed), "big") % (2**255) + 1
    return ec.derive_private_key(secret, ec.SECP256R1()).public_key()


def p256_derive(key_id: bytes) -> bytes:
    # stands in for the HD derivation: a real P-256 key per key id, compressed (the registry stores it uncompressed)
    return p256_key(key_id).public_bytes(Encoding.X962, PublicFormat.CompressedPoint)


@pytest.mark.asyncio(loop_scope="module")
async def test_a_p256_pkp_records_key_type_6_and_its_uncompressed_key(devchain) -> None:
    owner = devchain.accounts[3]
    contracts = await deploy(devchain.url, devchain.accounts[0].private_key)
    async with PkpRegistry(devchain.url, contracts.pkp_registry, owner.private_key) as reg:
        pkp = await reg.mint(lambda key_id, key_type: p256_derive(key_id), key_type="p256")
        uncompressed = p256_key(pkp.key_id).public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
        assert pkp.key_type == "p256" and pkp.pubkey == uncompressed
        assert pkp.token_id == int.from_bytes(keccak(uncompressed), "big") == pubkey_to_token_id(uncompressed)
        assert await reg.get_key_type(pkp.token_id) == "p256"
        assert await reg.get_pubkey(pkp.token_id) == uncompressed
        assert tuple(await reg.contract.functions.getRoutingData(pkp.token_id).call()) == (uncompressed, 6, pkp.key_id)
        with pytest.raises(ContractReverted, match=r"a P256 pubkey must be 65 bytes, uncompressed"):
            await reg._transact("mintWithKeyType", 6, b"\x05" * 32, p256_derive(b"short"))
        with pytest.raises(InvalidArgument, match="not a P-256 public key"):
            secp = coincurve.PrivateKey(keccak(b"k")).public_key.format(compressed=False)
            await reg.mint(lambda key_id: secp, key_type="p256")


def test_keys_say_their_curve() -> None:
    p = p256_key(b"a")
    p_full = p.public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
    p_short = p.public_bytes(Encoding.X962, PublicFormat.CompressedPoint)
    k_full = coincurve.PrivateKey(keccak(b"b")).public_key.format(compressed=False)
    assert KEY_TYPES["p256"] == 6
    assert key_type_of(p_full) == "p256" and key_type_of(k_full) == "k256"
    # A compressed key whose x is valid on both curves says nothing: it is K256 unless the type is given.
    on_secp256k1 = key_type_of(p_short) == "k256"
    try:
        coincurve.PublicKey(p_short)
    except ValueError:
        assert not on_secp256k1
    else:
        assert on_secp256k1
    assert normalize_pubkey(p_short, "p256") == normalize_pubkey(p_full) == p_full
    assert normalize_pubkey(k_full) == k_full
    with pytest.raises(InvalidArgument, match="not a P-256 public key"):
        normalize_pubkey(k_full, "p256")
    with pytest.raises(InvalidArgument, match="not a secp256k1 public key"):
        normalize_pubkey(p_full, "k256")
