"""Funded development accounts, derived deterministically from a BIP-39 mnemonic.

The embedded dev chain and the ganache launcher fund the same accounts, so scripts and tests
can use the same keys against either. The default mnemonic is the well-known public test
phrase: these keys guard nothing and must never hold real value.
"""

from __future__ import annotations

from dataclasses import dataclass

from eth_tester.backends.pyevm.main import get_account_keys_from_mnemonic

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
    keys = get_account_keys_from_mnemonic(mnemonic, quantity=count, hd_path=DEV_HD_PATH)
    return [DevAccount(k.public_key.to_checksum_address(), k.to_hex()) for k in keys]
