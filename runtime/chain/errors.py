"""Errors raised by runtime.chain.

    ChainError
     ├── UnknownChain          a chain name with no RPC URL in the config; lists the known names
     ├── RpcUnavailable        the JSON-RPC endpoint could not be reached or answered garbage; names the URL
     ├── RpcError              the endpoint answered with a JSON-RPC error; carries code, message, data
     ├── ContractReverted      a call or transaction was reverted by the contract; carries the reason
     │    └── NotOwner         a write on a PKP by someone who is not its owner (or admin-only write)
     ├── TransactionFailed     a mined transaction has status 0; names the transaction hash
     ├── InvalidArgument       a bad argument caught before touching the chain; names the field
     └── ArtifactError         a compiled contract artifact is missing or malformed

web3's exceptions never leave this package: `runtime.chain.web3util.mapped_errors` turns them
into these at the one boundary where web3 is called.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "ChainError",
    "UnknownChain",
    "RpcUnavailable",
    "RpcError",
    "ContractReverted",
    "NotOwner",
    "TransactionFailed",
    "InvalidArgument",
    "ArtifactError",
]


class ChainError(Exception):
    """Base of every error raised by runtime.chain."""


class UnknownChain(ChainError, KeyError):
    def __init__(self, chain: str, known: list[str]) -> None:
        super().__init__(f"no RPC URL configured for chain {chain!r}; known chains: {sorted(known)}")
        self.chain = chain

    def __str__(self) -> str:  # KeyError would quote the whole message
        return str(self.args[0])


class RpcUnavailable(ChainError):
    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"JSON-RPC endpoint {url} unavailable: {reason}")
        self.url = url


class RpcError(ChainError):
    def __init__(self, code: int, message: str, data: Any = None) -> None:
        super().__init__(f"JSON-RPC error {code}: {message}")
        self.code = code
        self.rpc_message = message
        self.data = data


class ContractReverted(ChainError):
    def __init__(self, reason: str, what: str = "call") -> None:
        super().__init__(f"{what} reverted: {reason}")
        self.reason = reason


class NotOwner(ContractReverted):
    pass


class TransactionFailed(ChainError):
    def __init__(self, tx_hash: str, what: str) -> None:
        super().__init__(f"transaction {tx_hash} ({what}) was mined but failed (status 0)")
        self.tx_hash = tx_hash


class InvalidArgument(ChainError, ValueError):
    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field


class ArtifactError(ChainError):
    pass
