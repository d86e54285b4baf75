"""Errors the node maps to HTTP answers.

    NodeError                 base; carries an HTTP status and a stable `code`
     ├── BadRequest           400: the request is malformed; names the field
     ├── Unauthorized         401: an unknown peer or a bad signature on a peer message
     ├── NotPermitted         403: an action or auth sig lacks a permission; names the rule
     ├── TooBusy              429: a peer asks for more concurrent work than this node takes from it
     ├── NotReady             503: the DKG has not finished, or the presignature pool is empty
     └── StateCorrupted       500: sealed state could not be opened
"""

from __future__ import annotations

__all__ = ["NodeError", "BadRequest", "Unauthorized", "NotPermitted", "TooBusy", "NotReady", "StateCorrupted"]


class NodeError(Exception):
    status = 500
    code = "internal_error"

    def to_json(self) -> dict[str, str]:
        return {"errorKind": self.code, "message": str(self)}


class BadRequest(NodeError):
    status = 400
    code = "bad_request"


class Unauthorized(NodeError):
    status = 401
    code = "unauthorized"


class NotPermitted(NodeError):
    status = 403
    code = "not_permitted"


class TooBusy(NodeError):
    status = 429
    code = "too_busy"


class NotReady(NodeError):
    status = 503
    code = "not_ready"


class StateCorrupted(NodeError):
    status = 500
    code = "state_corrupted"
