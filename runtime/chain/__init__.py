"""Chain access for litrt: PKP contracts, the embedded dev chain, chain-name RPC helpers.

Submodules: `pkp` (contract clients, deploy), `rpc` (chains by name), `devchain` (py-evm served
as JSON-RPC), `ganache` (a real ganache process for tests), `errors`.
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

__all__ = [
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
