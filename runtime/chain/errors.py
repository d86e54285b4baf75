"""Errors raised by runtime.chain.

    ChainError
     ├── UnknownChain          a chain name with no RPC URL in the config; lists the known names
     ├── RpcUnavailable        the JSON-RPC endpoint could not be reached or answered garbage; the URL
     │                         (which may carry an API key) is in `.url`, never in the message
     ├── RpcError              the endpoint answered with a JSON-RPC error; carries code, message, data
     ├── ContractReverted      a call or transaction was reverted by the contract; carries the reason
     │    └── NotOwner         a write on a PKP by someone who is not its owner (or admin-only write)
     ├── TransactionFailed     a mined transaction has status 0; names the transaction hash
     ├── InvalidArgument       a bad argument caught before touching the chain; names the field
     └── ArtifactError         a compiled contract artifact is missing or malformed

web3's exceptions never leave this package: `runtime.chain.web3util.mapped_errors` turns them
into these at the one boundary where web3 is called. `redact_urls` takes RPC URLs out of a text
before it goes to a client or an action.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

__all__ = [
    "redact_urls",
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


_REDACTED = "<rpc url>"
_SHORTEST_SECRET = 4  # shorter pieces (a path of "/", a host "a") would only garble the text


def redact_urls(text: str, urls: Iterable[str]) -> str:
    """`text` without any of `urls` nor any part of one that may carry a key: host, path, query, user info."""
    pieces: set[str] = set()
    for url in urls:
        parts = urlsplit(url)
        pieces.update((url, url.rstrip("/"), parts.netloc, parts.hostname or "", parts.path, parts.query))
        pieces.update((parts.username or "", parts.password or ""))
    for piece in sorted(pieces, key=len, reverse=True):  # longest first, so a URL goes whole
        if len(piece) >= _SHORTEST_SECRET:
            text = text.replace(piece, _REDACTED)
    return text


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
        super().__init__(f"JSON-RPC endpoint unavailable: {redact_urls(reason, [url])}")
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
