"""Dev accounts: our BIP-39/BIP-32 derivation gives the keys eth-tester funds on the dev chain."""

from __future__ import annotations

import pytest
from eth_account import Account
from eth_tester.backends.pyevm.main import get_account_keys_from_mnemonic

from runtime.chain.accounts import DEV_HD_PATH, DEV_MNEMONIC, dev_accounts


@pytest.mark.parametrize("mnemonic", [
    DEV_MNEMONIC,
    "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about",
    "legal winner thank year wave sausage worth useful legal winner thank yellow",
])
def test_dev_accounts_match_eth_tester_and_eth_account(mnemonic: str) -> None:
    ours = dev_accounts(mnemonic, count=12)
    theirs = get_account_keys_from_mnemonic(mnemonic, quantity=12, hd_path=DEV_HD_PATH)
    assert [a.private_key for a in ours] == [k.to_hex() for k in theirs]
    assert [a.address for a in ours] == [k.public_key.to_checksum_address() for k in theirs]
    Account.enable_unaudited_hdwallet_features()
    for i in (0, 11):
        assert Account.from_mnemonic(mnemonic, account_path=f"{DEV_HD_PATH}/{i}").key.hex().removeprefix("0x") == ours[i].private_key[2:]


def test_count_must_be_positive() -> None:
    with pytest.raises(ValueError, match="count"):
        dev_accounts(count=0)
