"""Chain access for litrt: PKP contracts, the embedded dev chain, chain-name RPC helpers.

Submodules: `pkp` (contract clients, deploy), `rpc` (chains by name), `devchain` (py-evm served
as JSON-RPC), `eip1271` (contract wallets' signature checks), `errors`.

For tests only, and so not exported here: `ganache` (a real ganache process) and `tokens` (test
ERC20/721/1155, a gate contract for access-condition tests and an EIP-1271 contract wallet, all
mintable by anyone); import them from their submodules.

Importing this package loads nothing: each name below is taken from its submodule on first use,
so that `runtime.chain.errors` (which the client needs) does not pull in web3 (which it may not).
"""

from __future__ import annotations

import importlib
from typing import Any

_SUBMODULE_OF = {
    "ArtifactError": "errors",
    "AuthMethod": "pkp",
    "ChainError": "errors",
    "ChainRpc": "rpc",
    "ContractReverted": "errors",
    "InvalidArgument": "errors",
    "MintedPkp": "pkp",
    "NetworkKeysInfo": "pkp",
    "NetworkKeysRegistry": "pkp",
    "NotOwner": "errors",
    "PkpContracts": "pkp",
    "PkpRegistry": "pkp",
    "RpcError": "errors",
    "RpcUnavailable": "errors",
    "SCOPE_PERSONAL_SIGN": "pkp",
    "SCOPE_SIGN_ANYTHING": "pkp",
    "TransactionFailed": "errors",
    "UnknownChain": "errors",
    "auth_method_id": "pkp",
    "deploy": "pkp",
    "is_valid_signature": "eip1271",
    "pubkey_to_token_id": "pkp",
}

__all__ = [
    "AuthMethod",
    "auth_method_id",
    "is_valid_signature",
    "ArtifactError",
    "ChainError",
    "ChainRpc",
    "ContractReverted",
    "InvalidArgument",
    "MintedPkp",
    "NetworkKeysInfo",
    "NetworkKeysRegistry",
    "NotOwner",
    "PkpContracts",
    "PkpRegistry",
    "RpcError",
    "RpcUnavailable",
    "SCOPE_PERSONAL_SIGN",
    "SCOPE_SIGN_ANYTHING",
    "TransactionFailed",
    "UnknownChain",
    "deploy",
    "pubkey_to_token_id",
]


def __getattr__(name: str) -> Any:
    module = _SUBMODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value
