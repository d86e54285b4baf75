"""Errors a LitClient raises.

The rule: every exception a public client function or method raises (LitClient, SyncLitClient,
create_auth_sig, encrypt, get_session_sigs, ...) is a LitError, so `except LitError` catches all
the client can raise. Mistakes in the caller's own arguments are also ValueErrors (InvalidArgument
and ConditionError), and a missing network directory is also a FileNotFoundError (NoNetwork), so
code that catches those keeps working. Foreign errors (the HTTP transport's HttpError, socket
errors and timeouts, JSON decoding, runtime.chain, runtime.crypto, runtime.access, runtime.auth, a
KeyError in a malformed node answer) are turned into these where they enter the client
(runtime/client/_errors_map.py, and client.py for the transport), with a message naming what failed
and the original kept as `__cause__`.

    LitError
     ├── InvalidArgument      the caller gave something unusable: a bad key, envelope, resource...
     │    └── ConditionError  access-control conditions malformed; `.path` names the bad part
     │                        (runtime.client.access; also a runtime.access.ConditionError)
     ├── JwtError             a token malformed, not signed by the network, expired or not yet valid
     │                        (runtime.client.access; also a runtime.access.jwt.JwtError)
     ├── NoNetwork            no network description in the state directory given, or an unreadable one
     ├── NetworkError         nodes unreachable, answering garbage, or disagreeing about the network
     ├── ChainError           the chain unreachable, or it refused or reverted a call or transaction
     ├── NotPermitted         nodes (or the PKP contract) refused: the caller lacks a permission (reason given)
     ├── NotEnoughShares      fewer good signature shares than the threshold; says which nodes failed
     ├── TooBusy              nodes refused the request at admission (HTTP 429), also after retrying
     └── ActionError          the action itself failed: the JS message and its line

Not mapped: a bug in this package (an AssertionError, an AttributeError on our own objects) stays
what it is, and so do KeyboardInterrupt and asyncio.CancelledError.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "LitError", "InvalidArgument", "NoNetwork", "NetworkError", "ChainError", "NotPermitted", "NotEnoughShares",
    "ActionError", "TooBusy",
]


class LitError(Exception):
    """Base of every error a LitClient raises."""


class InvalidArgument(LitError, ValueError):
    """An argument the caller gave cannot be used; the message names it (Lit: InvalidArgumentException)."""


class NoNetwork(LitError, FileNotFoundError):
    """The state directory holds no network description (or one that cannot be read)."""


class NetworkError(LitError):
    pass


class ChainError(LitError):
    """The chain (PKP contract) could not be used; `__cause__` is runtime.chain's error."""


class NotPermitted(LitError):
    pass


class TooBusy(LitError):
    pass


class NotEnoughShares(LitError):
    def __init__(self, message: str, node_errors: dict[int, str] | None = None) -> None:
        super().__init__(message)
        self.node_errors = node_errors or {}


class ActionError(LitError):
    def __init__(
        self,
        message: str,
        line: int | None = None,
        node_errors: dict[int, str] | None = None,
        node_mocked_fetches: dict[int, list[dict[str, Any]]] | None = None,
    ) -> None:
        super().__init__(f"{message} (line {line})" if line else message)
        self.js_message = message
        self.line = line
        self.node_errors = node_errors or {}
        self.node_mocked_fetches = node_mocked_fetches or {}  # as ExecuteResult's: the run's mocked requests
