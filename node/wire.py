"""Client request bodies in, sealed share payloads out: the two steps every share endpoint shares."""

from __future__ import annotations

import json
from typing import Any

from runtime.crypto.channel import seal_response
from runtime.crypto.errors import CryptoError

from .errors import BadRequest

__all__ = ["request_object", "seal_for_client"]


def request_object(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise BadRequest("request body must be a JSON object")
    return body


def seal_for_client(body: dict[str, Any], payload: Any) -> str:
    client_key, request_id = body.get("clientPublicKey"), body.get("requestId")
    if not isinstance(request_id, str) or not request_id:
        raise BadRequest("requestId must be a non-empty string")
    try:
        return seal_response(str(client_key), json.dumps(payload).encode(), request_id.encode())
    except (CryptoError, ValueError) as exc:
        raise BadRequest(f"clientPublicKey: {exc}") from None
