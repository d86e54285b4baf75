"""EIP-1271 contract-wallet signatures, checked against a TestContractWallet on both chains."""

from __future__ import annotations

import pytest
from eth_account import Account
from eth_account.messages import _hash_eip191_message, encode_defunct

from runtime.chain.eip1271 import is_valid_signature
from runtime.chain.errors import ContractReverted, InvalidArgument, RpcUnavailable
from runtime.chain.pkp import deploy
from runtime.chain.tokens import deploy_test_contract_wallet
from runtime.chain.web3util import TxSender, connect

pytestmark = pytest.mark.asyncio(loop_scope="module")

SIWE = (
    "localhost wants you to sign in with your Ethereum account:\n"
    "{address}\n\n"
    "Sign in to litrt.\n\n"
    "URI: lit:session:abcd\n"
    "Version: 1\n"
    "Chain ID: 31337\n"
    "Nonce: 0123456789abcdef\n"
    "Issued At: 2025-01-01T00:00:00Z\n"
    "Expiration Time: 2025-01-02T00:00:00Z"
)


def personal_sign(private_key: str, text: str) -> tuple[bytes, bytes]:
    """(EIP-191 hash of `text`, the key's 65-byte signature over it), as a wallet app makes them."""
    message = encode_defunct(text=text)
    return _hash_eip191_message(message), bytes(Account.sign_message(message, private_key).signature)


async def test_owner_signature_is_the_wallets(any_chain) -> None:
    deployer, owner, other = any_chain.accounts[0], any_chain.accounts[1], any_chain.accounts[2]
    wallet = await deploy_test_contract_wallet(any_chain.url, deployer.private_key, owner.address)
    digest, signature = personal_sign(owner.private_key, SIWE.format(address=wallet))
    assert await is_valid_signature(any_chain.url, wallet, digest, signature)
    assert await is_valid_signature(any_chain.url, wallet.lower(), digest, signature)

    _, strangers = personal_sign(other.private_key, SIWE.format(address=wallet))
    assert not await is_valid_signature(any_chain.url, wallet, digest, strangers)
    # the owner's signature binds the hash: the same signature over another message is not valid
    other_digest, _ = personal_sign(owner.private_key, SIWE.format(address=wallet) + "\nResources:")
    assert not await is_valid_signature(any_chain.url, wallet, other_digest, signature)


async def test_malformed_signatures_are_not_valid(any_chain) -> None:
    deployer, owner = any_chain.accounts[0], any_chain.accounts[1]
    wallet = await deploy_test_contract_wallet(any_chain.url, deployer.private_key, owner.address)
    digest, signature = personal_sign(owner.private_key, "hello")
    assert not await is_valid_signature(any_chain.url, wallet, digest, b"")
    assert not await is_valid_signature(any_chain.url, wallet, digest, signature[:64])
    assert not await is_valid_signature(any_chain.url, wallet, digest, signature + b"\x00")
    # recovery id 0/1 is as good as 27/28
    assert await is_valid_signature(any_chain.url, wallet, digest, signature[:64] + bytes([signature[64] - 27]))
    # (r, n - s) recovers the same key; the wallet takes only low s, so one signature has one encoding
    n = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
    s = int.from_bytes(signature[32:64], "big")
    flipped = signature[:32] + (n - s).to_bytes(32, "big") + bytes([55 - signature[64]])
    assert not await is_valid_signature(any_chain.url, wallet, digest, flipped)


async def test_no_code_or_no_such_function_is_not_valid(any_chain) -> None:
    owner = any_chain.accounts[1]
    digest, signature = personal_sign(owner.private_key, SIWE.format(address=owner.address))
    assert not await is_valid_signature(any_chain.url, owner.address, digest, signature)  # an EOA
    assert not await is_valid_signature(any_chain.url, Account.create().address, digest, signature)
    # a contract without isValidSignature reverts: not valid either
    contracts = await deploy(any_chain.url, any_chain.accounts[0].private_key)
    assert not await is_valid_signature(any_chain.url, contracts.pkp_registry, digest, signature)


async def test_new_owner_takes_over(devchain) -> None:
    deployer, owner, heir = devchain.accounts[0], devchain.accounts[3], devchain.accounts[4]
    wallet = await deploy_test_contract_wallet(devchain.url, deployer.private_key, owner.address)
    digest, by_owner = personal_sign(owner.private_key, "hello")
    _, by_heir = personal_sign(heir.private_key, "hello")
    w3 = connect(devchain.url)
    try:
        set_owner = bytes.fromhex("13af4035") + bytes(12) + bytes.fromhex(heir.address[2:])  # setOwner(address)
        with pytest.raises(ContractReverted, match="caller is not the owner"):
            await TxSender(w3, devchain.url, heir.private_key).send({"to": wallet, "data": set_owner}, "setOwner")
        await TxSender(w3, devchain.url, owner.private_key).send({"to": wallet, "data": set_owner}, "setOwner")
    finally:
        await w3.provider.disconnect()
    assert not await is_valid_signature(devchain.url, wallet, digest, by_owner)
    assert await is_valid_signature(devchain.url, wallet, digest, by_heir)


async def test_arguments_and_rpc_failures(devchain) -> None:
    owner = devchain.accounts[1]
    with pytest.raises(InvalidArgument, match="wallet"):
        await is_valid_signature(devchain.url, "0x1234", bytes(32), b"")
    with pytest.raises(InvalidArgument, match="digest"):
        await is_valid_signature(devchain.url, owner.address, bytes(31), b"")
    with pytest.raises(InvalidArgument, match="signature"):
        await is_valid_signature(devchain.url, owner.address, bytes(32), "0x00")  # type: ignore[arg-type]
    # an endpoint that cannot be reached is an error, never a quiet "not valid"
    with pytest.raises(RpcUnavailable, match="eth_getCode"):
        await is_valid_signature("http://127.0.0.1:9", owner.address, bytes(32), b"\x00" * 65)
