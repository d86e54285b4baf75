"""Ethereum's small primitives: keccak-256, EIP-55 addresses, EIP-191 personal signatures.

The client and the CLI need only these, and eth_utils/eth_account cost 0.3–0.6 s to import (most of
`litrt execute`'s wall time); pycryptodome's keccak and coincurve cost a few milliseconds. Tests check
every function here against eth_utils and eth_account.
"""

from __future__ import annotations

import re

from coincurve import PrivateKey, PublicKey
from Crypto.Hash import keccak as _keccak

from .errors import InvalidInput

__all__ = [
    "keccak256", "to_checksum_address", "is_checksum_address", "address_of_public_key", "address_of_key",
    "personal_message_hash", "sign_personal", "recover_personal", "parse_private_key",
]

_HEX_ADDRESS = re.compile(r"0x[0-9a-fA-F]{40}")


def keccak256(data: bytes) -> bytes:
    return _keccak.new(digest_bits=256, data=bytes(data)).digest()


def to_checksum_address(address: str | bytes) -> str:
    """EIP-55 form of a 20-byte address given as bytes or as 0x-hex in any case."""
    if isinstance(address, (bytes, bytearray)):
        if len(address) != 20:
            raise InvalidInput("address", f"must be 20 bytes, got {len(address)}")
        lower = bytes(address).hex()
    elif isinstance(address, str) and _HEX_ADDRESS.fullmatch(address):
        lower = address[2:].lower()
    else:
        raise InvalidInput("address", f"must be 0x and 40 hex digits, got {address!r}")
    digest = keccak256(lower.encode()).hex()
    return "0x" + "".join(c.upper() if int(d, 16) >= 8 else c for c, d in zip(lower, digest))


def is_checksum_address(address: object) -> bool:
    return isinstance(address, str) and _HEX_ADDRESS.fullmatch(address) is not None and (
        to_checksum_address(address) == address
    )


def address_of_public_key(public_key: bytes) -> str:
    """The address of a secp256k1 key (33 or 65 bytes): the last 20 bytes of keccak of x‖y."""
    try:
        uncompressed = PublicKey(bytes(public_key)).format(compressed=False)
    except (ValueError, TypeError) as exc:
        raise InvalidInput("public_key", f"not a secp256k1 point: {exc}") from None
    return to_checksum_address(keccak256(uncompressed[1:])[-20:])


def parse_private_key(key: str | bytes) -> PrivateKey:
    """A 32-byte key given as bytes or hex (0x optional)."""
    if isinstance(key, str):
        text = key[2:] if key[:2] in ("0x", "0X") else key
        try:
            key = bytes.fromhex(text)
        except ValueError:
            raise InvalidInput("private key", "must be 32 bytes of hex") from None
    if not isinstance(key, (bytes, bytearray)) or len(key) != 32:
        raise InvalidInput("private key", "must be 32 bytes")
    try:
        return PrivateKey(bytes(key))
    except ValueError:
        raise InvalidInput("private key", "is zero or not below the curve order") from None


def address_of_key(key: str | bytes) -> str:
    return address_of_public_key(parse_private_key(key).public_key.format(compressed=False))


def personal_message_hash(message: bytes) -> bytes:
    """EIP-191 version 0x45, what `personal_sign` and eth_account's `encode_defunct` sign."""
    return keccak256(b"\x19Ethereum Signed Message:\n" + str(len(message)).encode() + bytes(message))


def sign_personal(key: str | bytes, message: bytes) -> bytes:
    """65 bytes r‖s‖v with v in {27, 28}, as wallets return from personal_sign (low s, RFC 6979)."""
    compact = parse_private_key(key).sign_recoverable(personal_message_hash(message), hasher=None)
    return compact[:64] + bytes([27 + compact[64]])


def recover_personal(message: bytes, signature: bytes) -> str:
    """The address whose key made `signature` (r‖s‖v, v in {0, 1, 27, 28}) over `message`."""
    signature = bytes(signature)
    if len(signature) != 65:
        raise InvalidInput("signature", f"must be 65 bytes r||s||v, got {len(signature)}")
    v = signature[64] - 27 if signature[64] >= 27 else signature[64]
    if v not in (0, 1):
        raise InvalidInput("signature", f"bad recovery byte v={signature[64]}")
    try:
        public = PublicKey.from_signature_and_message(signature[:64] + bytes([v]), personal_message_hash(message), hasher=None)
    except ValueError as exc:
        raise InvalidInput("signature", f"recovers no key: {exc}") from None
    return address_of_public_key(public.format(compressed=False))
