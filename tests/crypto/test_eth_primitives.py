"""runtime.crypto.eth against eth_utils and eth_account (libraries we did not write)."""

from __future__ import annotations

import secrets

import pytest
from eth_account import Account
from eth_account.messages import encode_defunct
from eth_utils import is_checksum_address as their_is_checksum
from eth_utils import keccak, to_checksum_address as their_checksum
from hypothesis import given, settings
from hypothesis import strategies as st

from runtime.crypto.errors import InvalidInput
from runtime.crypto.eth import (
    address_of_key, is_checksum_address, keccak256, personal_message_hash, recover_personal, sign_personal,
    to_checksum_address,
)


@given(st.binary(max_size=300))
@settings(max_examples=60, deadline=None)
def test_keccak_and_checksum_match_eth_utils(data: bytes) -> None:
    assert keccak256(data) == keccak(data)
    raw = keccak(data)[-20:]
    assert to_checksum_address(raw) == their_checksum(raw)
    assert to_checksum_address("0x" + raw.hex().upper()) == their_checksum(raw)
    assert is_checksum_address(their_checksum(raw))
    assert is_checksum_address("0x" + raw.hex()) == their_is_checksum("0x" + raw.hex())


@given(st.binary(max_size=200))
@settings(max_examples=30, deadline=None)
def test_personal_signatures_match_eth_account(message: bytes) -> None:
    key = "0x" + secrets.token_bytes(32).hex()
    account = Account.from_key(key)
    assert address_of_key(key) == account.address
    theirs = account.sign_message(encode_defunct(primitive=message))
    assert personal_message_hash(message) == bytes(theirs.message_hash)
    assert sign_personal(key, message) == bytes(theirs.signature)  # both RFC 6979, low s
    assert recover_personal(message, bytes(theirs.signature)) == account.address
    assert Account.recover_message(encode_defunct(primitive=message), signature=sign_personal(key, message)) == account.address


@pytest.mark.parametrize("bad, field", [
    ("0x1234", "private key"), (b"\x00" * 32, "private key"), ("zz" * 32, "private key"),
])
def test_bad_keys_are_named(bad: object, field: str) -> None:
    with pytest.raises(InvalidInput, match=field):
        address_of_key(bad)  # type: ignore[arg-type]


def test_bad_signatures_are_named() -> None:
    with pytest.raises(InvalidInput, match="65 bytes"):
        recover_personal(b"x", b"\x01" * 64)
    with pytest.raises(InvalidInput, match="recovery byte"):
        recover_personal(b"x", b"\x01" * 64 + b"\x05")
    with pytest.raises(InvalidInput, match="address"):
        to_checksum_address("0x12")


def test_high_s_signatures_recover_as_eth_account_recovers_them() -> None:
    """Wallets make low-s signatures, but a recovering verifier must not fail on the mirror image."""
    from runtime.crypto.secp256k1 import ORDER

    key = "0x" + secrets.token_bytes(32).hex()
    low = sign_personal(key, b"hello")
    s = ORDER - int.from_bytes(low[32:64], "big")
    high = low[:32] + s.to_bytes(32, "big") + bytes([55 - low[64]])  # 27 <-> 28
    assert recover_personal(b"hello", high) == Account.recover_message(encode_defunct(b"hello"), signature=high)
