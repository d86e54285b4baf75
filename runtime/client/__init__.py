"""The Python SDK: LitClient and authSigs."""

from runtime.access import ConditionError
from runtime.access.jwt import JwtError, verify_jwt

from .access import DecryptResult, EncryptedData, encrypt
from .auth import create_auth_sig, eth_wallet_auth_method
from .client import ExecuteResult, LitClient
from .sync import SyncLitClient
from .errors import ActionError, LitError, NetworkError, NotEnoughShares, NotPermitted

__all__ = [
    "LitClient", "SyncLitClient", "ExecuteResult", "create_auth_sig", "eth_wallet_auth_method", "encrypt", "verify_jwt", "EncryptedData",
    "DecryptResult", "LitError", "NetworkError", "NotPermitted", "NotEnoughShares", "ActionError",
    "ConditionError", "JwtError", "dev_key",
]


def dev_key() -> str:
    """Dev account 1's private key (0x-hex): funded on a local network's chain, and the owner `litrt pkp
    mint` uses by default. It comes from the public test mnemonic, so it guards nothing."""
    from runtime.chain.accounts import dev_accounts  # eth-tester and py_ecc: 0.2 s that only this needs

    return dev_accounts(count=2)[1].private_key
