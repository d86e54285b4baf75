"""Errors a LitClient raises.

    LitError
     ├── NetworkError         nodes unreachable, or they disagree about the network
     ├── NotPermitted         nodes refused: the action or authSig lacks a permission (reason given)
     ├── NotEnoughShares      fewer good signature shares than the threshold; says which nodes failed
     ├── TooBusy              nodes refused the request at admission (HTTP 429), also after retrying
     └── ActionError          the action itself failed: the JS message and its line
"""

from __future__ import annotations

from typing import Any

__all__ = ["LitError", "NetworkError", "NotPermitted", "NotEnoughShares", "ActionError", "TooBusy"]


class LitError(Exception):
    """Base of every error a LitClient raises."""


class NetworkError(LitError):
    pass


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
