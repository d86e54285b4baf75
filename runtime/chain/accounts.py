"""Funded development accounts, derived deterministically from a BIP-39 mnemonic.

The embedded dev chain and the ganache launcher fund the same accounts, so scripts and tests
can use the same keys against either. The default mnemonic is the well-known public test
phrase: these keys guard nothing and must never hold real value.
"""

from __future__ import annotations

import hashlib
import hmac
import unicodedata
from dataclasses import dataclass

from coincurve import PrivateKey

from runtime.crypto.eth import address_of_key
from runtime.crypto.secp256k1 import ORDER

__all__ = ["DEV_MNEMONIC", "DEV_HD_PATH", "DEV_BALANCE_WEI", "DevAccount", "dev_accounts"]

DEV_MNEMONIC = "test test test test test test test test test test test junk"
# The standard Ethereum path m/44'/60'/0'/0/i (eth-tester appends "/i" to this prefix).
DEV_HD_PATH = "m/44'/60'/0'/0"
DEV_BALANCE_WEI = 1_000_000 * 10**18


@dataclass(frozen=True)
class DevAccount:
    address: str  # checksummed
    private_key: str  # 0x-prefixed hex, 32 bytes


def dev_accounts(mnemonic: str = DEV_MNEMONIC, count: int = 10) -> list[DevAccount]:
    """The first `count` accounts of `mnemonic` on the standard path."""
    if count < 1:
        raise ValueError(f"count: need at least one account, got {count}")
    parent = _derive(_bip39_seed(mnemonic), DEV_HD_PATH)
    keys = [_child(*parent, i)[0] for i in range(count)]
    return [DevAccount(address_of_key(k), "0x" + k.hex()) for k in keys]


# BIP-39 and BIP-32 written out (about twenty lines over hashlib and coincurve) because the
# libraries that do it (eth-account's HD wallet, eth-tester) cost 0.3-0.5 s to import, and every
# `litrt` command that signs as the dev account would pay it. tests/chain/test_accounts.py checks
# the keys against eth-tester's, which funds them on the dev chain.
_HARDENED = 0x8000_0000


def _bip39_seed(mnemonic: str, passphrase: str = "") -> bytes:
    words = unicodedata.normalize("NFKD", mnemonic).encode()
    salt = unicodedata.normalize("NFKD", "mnemonic" + passphrase).encode()
    return hashlib.pbkdf2_hmac("sha512", words, salt, 2048)


def _child(key: bytes, chain_code: bytes, index: int) -> tuple[bytes, bytes]:
    if index >= _HARDENED:
        data = b"\x00" + key + index.to_bytes(4, "big")
    else:
        data = PrivateKey(key).public_key.format(compressed=True) + index.to_bytes(4, "big")
    digest = hmac.new(chain_code, data, hashlib.sha512).digest()
    tweak = int.from_bytes(digest[:32], "big")
    child = (tweak + int.from_bytes(key, "big")) % ORDER
    if tweak >= ORDER or child == 0:  # probability below 2**-127; BIP-32 says skip to the next index
        raise ValueError(f"BIP-32 index {index} gives an invalid key")
    return child.to_bytes(32, "big"), digest[32:]


def _derive(seed: bytes, path: str) -> tuple[bytes, bytes]:
    digest = hmac.new(b"Bitcoin seed", seed, hashlib.sha512).digest()
    node = digest[:32], digest[32:]
    steps = path.split("/")
    if steps[0] != "m":
        raise ValueError(f"HD path must start with m/: {path!r}")
    for step in steps[1:]:
        index = int(step.rstrip("'")) + (_HARDENED if step.endswith("'") else 0)
        node = _child(*node, index)
    return node
