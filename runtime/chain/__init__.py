"""Chain access for litrt: PKP contracts, the embedded dev chain, chain-name RPC helpers.

Submodules: `pkp` (contract clients, deploy), `rpc` (chains by name), `devchain` (py-evm served
as JSON-RPC), `ganache` (a real ganache process for tests), `tokens` (test ERC20/721/1155 and a
gate contract for access-condition tests), `errors`.
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
from .pkp import (
    SCOPE_PERSONAL_SIGN,
    SCOPE_SIGN_ANYTHING,
    MintedPkp,
    NetworkKeysInfo,
    NetworkKeysRegistry,
    PkpContracts,
    PkpRegistry,
    deploy,
    pubkey_to_token_id,
)
from .rpc import ChainRpc
from .tokens import AccessGate, Erc20, Erc721, Erc1155, TestTokenContracts, deploy_test_tokens

__all__ = [
    "AccessGate",
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
