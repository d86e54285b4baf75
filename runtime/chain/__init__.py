"""Chain access for litrt: PKP contracts, the embedded dev chain, chain-name RPC helpers.

Submodules: `pkp` (contract clients, deploy), `rpc` (chains by name), `devchain` (py-evm served
as JSON-RPC), `ganache` (a real ganache process for tests), `tokens` (test ERC20/721/1155 and a
gate contract for access-condition tests, and an EIP-1271 contract wallet), `eip1271` (contract
wallets' signature checks), `errors`.
"""

from __future__ import annotations

from .errors import (
    ArtifactError,
    ChainError,
    ContractReverted,
    InvalidArgument,
    NotOwner,
    RpcError,
    RpcUnavailable,
    TransactionFailed,
    UnknownChain,
)
from .eip1271 import is_valid_signature
from .pkp import (
    SCOPE_PERSONAL_SIGN,
    SCOPE_SIGN_ANYTHING,
    AuthMethod,
    MintedPkp,
    NetworkKeysInfo,
    NetworkKeysRegistry,
    PkpContracts,
    PkpRegistry,
    auth_method_id,
    deploy,
    pubkey_to_token_id,
)
from .rpc import ChainRpc
from .tokens import AccessGate, Erc20, Erc721, Erc1155, TestTokenContracts, deploy_test_tokens

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
