"""Chain access for litrt: PKP contracts, the embedded dev chain, chain-name RPC helpers.

Submodules: `pkp` (contract clients, deploy), `rpc` (chains by name), `devchain` (py-evm served
as JSON-RPC), `ganache` (a real ganache process for tests), `tokens` (test ERC20/721/1155 and a
gate contract for access-condition tests, and an EIP-1271 contract wallet), `eip1271` (contract
wallets' signature checks), `errors`.

Importing this package loads nothing: each name below is taken from its submodule on first use,
so that `runtime.chain.errors` (which the client needs) does not pull in web3 (which it may not).
"""

from __future__ import annotations

import importlib
from typing import Any

_SUBMODULE_OF = {
    "AccessGate": "tokens",
    "ArtifactError": "errors",
    "AuthMethod": "pkp",
    "ChainError": "errors",
    "ChainRpc": "rpc",
    "ContractReverted": "errors",
    "Erc1155": "tokens",
    "Erc20": "tokens",
    "Erc721": "tokens",
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
    "TestTokenContracts": "tokens",
    "TransactionFailed": "errors",
    "UnknownChain": "errors",
    "auth_method_id": "pkp",
    "deploy": "pkp",
    "deploy_test_tokens": "tokens",
    "is_valid_signature": "eip1271",
    "pubkey_to_token_id": "pkp",
}

__all__ = [
    "AccessGate",
    "AuthMethod",
    "auth_method_id",
    "is_valid_signature",
    "ArtifactError",
    "ChainError",
    "ChainRpc",
    "ContractReverted",
    "Erc20",
    "Erc721",
    "Erc1155",
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
    "TestTokenContracts",
    "TransactionFailed",
    "UnknownChain",
    "deploy",
    "deploy_test_tokens",
    "pubkey_to_token_id",
]


def __getattr__(name: str) -> Any:
    module = _SUBMODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value
