"""Client request bodies in, sealed share payloads out: the two steps every share endpoint shares."""

from __future__ import annotations

import json
from typing import Any

from runtime.crypto.channel import seal_response
from runtime.crypto.errors import CryptoError

from .errors import BadRequest

__all__ = ["request_object", "seal_for_client", "check_client_key"]


def request_object(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise BadRequest("request body must be a JSON object")
    return body


def check_client_key(body: dict[str, Any]) -> str:
    """The request id, once it and the client's key are known to be usable: checked before any
    presignature is spent, so a bad key cannot burn one."""
    client_key, request_id = body.get("clientPublicKey"), body.get("requestId")
    if not isinstance(request_id, str) or not request_id or len(request_id) > 256:
        raise BadRequest("requestId must be a non-empty string of at most 256 characters")
    try:
        # A trial seal, not a parse: a small-order key parses but cannot be sealed to.
        seal_response(str(client_key), b"", request_id.encode())
    except (CryptoError, ValueError) as exc:
        raise BadRequest(f"clientPublicKey: {exc}") from None
    return request_id


def seal_for_client(body: dict[str, Any], payload: Any) -> str:
    request_id = check_client_key(body)
    return seal_response(str(body["clientPublicKey"]), json.dumps(payload).encode(), request_id.encode())
