"""The Python SDK: LitClient and authSigs.

Names load on first use (PEP 562): `litrt execute` imports the client, and the access-control half
(eth-abi, web3) costs more start-up than the whole request; it loads only for encrypt/decrypt/JWTs.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .errors import (
    ActionError, ChainError, InvalidArgument, LitError, NetworkError, NoNetwork, NotEnoughShares, NotPermitted, TooBusy,
)

if TYPE_CHECKING:
    from .access import ConditionError, DecryptResult, EncryptedData, JwtError, encrypt, verify_jwt
    from .auth import create_auth_sig, eth_wallet_auth_method
    from .client import ExecuteResult, LitClient
    from .sync import SyncLitClient

__all__ = [
    "LitClient", "SyncLitClient", "ExecuteResult", "create_auth_sig", "eth_wallet_auth_method", "encrypt", "verify_jwt", "EncryptedData",
    "DecryptResult", "LitError", "NetworkError", "NotPermitted", "NotEnoughShares", "ActionError", "TooBusy",
    "InvalidArgument", "NoNetwork", "ChainError", "ConditionError", "JwtError", "dev_key",
]

_LAZY = {
    "LitClient": ".client", "ExecuteResult": ".client", "SyncLitClient": ".sync",
    "create_auth_sig": ".auth", "eth_wallet_auth_method": ".auth",
    "encrypt": ".access", "EncryptedData": ".access", "DecryptResult": ".access",
    "ConditionError": ".access", "JwtError": ".access", "verify_jwt": ".access",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


def dev_key() -> str:
    """Dev account 1's private key (0x-hex): funded on a local network's chain, and the owner `litrt pkp
    mint` uses by default. It comes from the public test mnemonic, so it guards nothing."""
    from runtime.chain.accounts import dev_accounts

    return dev_accounts(count=2)[1].private_key
