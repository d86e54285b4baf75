"""The two requests that can produce signature shares: execute an action, and sign with a PKP.

Shares leave the node only sealed to the client's ephemeral X25519 key (DESIGN §8), bound to the
request id, so they are in clear only inside the client that asked.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import asdict
from typing import Any

from runtime.crypto.channel import seal_response
from runtime.crypto.errors import CryptoError
from sandbox import execute as run_action

from .auth import verify_auth_sig
from .errors import BadRequest
from .host import RequestContext
from .signer import SCOPE_SIGN_ANYTHING

__all__ = ["handle_execute", "handle_pkp_sign", "request_object", "seal_for_client"]

_MAX_PRESIGNATURES = 16


def request_object(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise BadRequest("request body must be a JSON object")
    return body


def _presignature_ids(body: dict[str, Any], field: str = "presignatureIds") -> list[str]:
    ids = body.get(field) or []
    if not isinstance(ids, list) or len(ids) > _MAX_PRESIGNATURES or not all(isinstance(i, str) for i in ids):
        raise BadRequest(f"{field} must be a list of at most {_MAX_PRESIGNATURES} presignature ids")
    return ids


def seal_for_client(body: dict[str, Any], payload: Any) -> str:
    client_key, request_id = body.get("clientPublicKey"), body.get("requestId")
    if not isinstance(request_id, str) or not request_id:
        raise BadRequest("requestId must be a non-empty string")
    try:
        return seal_response(str(client_key), json.dumps(payload).encode(), request_id.encode())
    except (CryptoError, ValueError) as exc:
        raise BadRequest(f"clientPublicKey: {exc}") from None


async def handle_execute(service: Any, body: Any) -> dict[str, Any]:
    body = request_object(body)
    code_b64, ipfs_id = body.get("code"), body.get("ipfsId")
    if (code_b64 is None) == (ipfs_id is None):
        raise BadRequest("give exactly one of code (base64) and ipfsId")
    js_params = body.get("jsParams") or {}
    if not isinstance(js_params, dict):
        raise BadRequest("jsParams must be an object")
    auth = verify_auth_sig(body["authSig"]) if body.get("authSig") else None
    presignature_ids = _presignature_ids(body)
    if code_b64 is not None:
        try:
            code = base64.b64decode(str(code_b64), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise BadRequest("code must be base64 of UTF-8 JavaScript") from None
        cid = service.cid_of(code)
    else:
        cid, code = await service.action_code(str(ipfs_id))
    request = RequestContext(presignature_ids, auth, service.limits)
    host = service.make_host(request, [cid])
    result = await run_action(code, js_params, host, service.limits, auth_context=host.auth_context())
    return {
        "success": result.error is None,
        "nodeIndex": service.config.index,
        "ipfsId": cid,
        "response": result.response,
        "logs": result.logs,
        "error": asdict(result.error) if result.error is not None else None,
        "signedData": seal_for_client(body, request.signed) if request.signed else None,
        "notPermitted": request.refusals,
    }


async def handle_pkp_sign(service: Any, body: Any) -> dict[str, Any]:
    """Sign 32 bytes with a PKP, authorised by the owner's (or a permitted address's) authSig."""
    body = request_object(body)
    auth = verify_auth_sig(body.get("authSig"))
    to_sign_hex = body.get("toSign")
    try:
        to_sign = bytes.fromhex(str(to_sign_hex).removeprefix("0x"))
    except ValueError:
        raise BadRequest("toSign must be hex") from None
    if len(to_sign) != 32:
        raise BadRequest(f"toSign must be exactly 32 bytes, got {len(to_sign)}")
    (presignature_id,) = _presignature_ids(body) or [None]
    if presignature_id is None:
        raise BadRequest("presignatureIds must name one leased presignature")
    signer = service.signer
    pkp = await signer.resolve(body.get("publicKey"))
    await signer.authorize(pkp, SCOPE_SIGN_ANYTHING, None, auth)
    share = signer.sign(pkp, to_sign, presignature_id)
    return {"nodeIndex": service.config.index, "signedData": seal_for_client(body, {"sig": {**share, "sigName": "sig"}})}
