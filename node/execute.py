"""The two requests that can produce signature shares: execute an action, and sign with a PKP.

Shares leave the node only sealed to the client's ephemeral X25519 key (docs/architecture.md §Secrets), bound to the
request id, so they are in clear only inside the client that asked.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
from dataclasses import asdict
from typing import Any

from sandbox import execute as run_action
from sandbox.fetch_mocks import recording

from runtime.auth.recap import EXECUTION, action_resource

from .auth import authenticate, verify_auth_methods
from .agreement import SignatureSlot, coordinator_for
from .wire import check_client_key, request_object, seal_for_client
from .errors import BadRequest
from .context import NodeContext
from .request import RequestContext
from .frost_ops import frost_payload, frost_scheme
from .op_args import PKP_SCHEMES, scheme_refusal
from .signer import SCOPE_SIGN_ANYTHING

__all__ = ["handle_execute", "handle_pkp_sign"]

_JOINABLE_AFTER_S = 60.0


def _forget(active: dict[str, RequestContext], request_id: str, request: RequestContext) -> None:
    if active.get(request_id) is request:
        del active[request_id]


def _coordinator(service: NodeContext, body: dict[str, Any]) -> int | None:
    """Who coordinates this request's signatures; None when it cannot sign (no client key to seal
    shares to), checked before the action runs so that a bad key never spends a presignature."""
    if body.get("clientPublicKey") is None and body.get("requestId") is None:
        return None
    request_id = check_client_key(body)
    return coordinator_for(request_id, service.config.n, body.get("coordinator"))


async def handle_execute(service: NodeContext, body: Any, headers: dict[str, str] | None = None) -> dict[str, Any]:
    """Run the request's action here; `headers` (the HTTP request's) become Lit.Headers, as on Lit.

    The run waits for one of the node's execution slots (service.executions): TooBusy (429) when
    the node, or this client, already has as many as it takes."""
    body = request_object(body)
    code_b64, ipfs_id = body.get("code"), body.get("ipfsId")
    if (code_b64 is None) == (ipfs_id is None):
        raise BadRequest("give exactly one of code (base64) and ipfsId")
    js_params = body.get("jsParams") or {}
    if not isinstance(js_params, dict):
        raise BadRequest("jsParams must be an object")
    if not body.get("authSig"):
        raise BadRequest("authSig is required: an authSig or this node's session signature, as Lit's nodes require")
    auth = await authenticate(body["authSig"], service.config)
    auth_methods = await verify_auth_methods(body.get("authMethods"), service.config)
    coordinator = _coordinator(service, body)
    if code_b64 is not None:
        try:
            code = base64.b64decode(str(code_b64), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise BadRequest("code must be base64 of UTF-8 JavaScript") from None
        if len(code.encode("utf-8")) > service.limits.max_code_bytes:  # before hashing it, too
            raise BadRequest(f"code is larger than the {service.limits.max_code_bytes}-byte limit")
        cid = service.cid_of(code)
    else:
        cid, code = await service.action_code(str(ipfs_id))
    # The authSig lends its address to this action (PKPs, conditions): only if it said so for this CID.
    auth.require(EXECUTION, action_resource(cid))
    request_id: str | None = body.get("requestId") if isinstance(body.get("requestId"), str) else None
    request = RequestContext(coordinator, auth, service.limits, request_id=request_id, auth_methods=auth_methods)
    host = service.make_host(request, [cid])
    # Slots are shared out by the authenticated address, so that one signer's flood cannot crowd out others.
    async with service.executions.slot(auth.address.lower()):
        request.budget.start()  # the wall time the action shares with its children runs from here
        registered = request_id is not None and service.active_requests.setdefault(request_id, request) is request
        try:
            with recording() as mocked:
                result = await run_action(code, js_params, host, service.limits, auth_context=request.auth_context([cid]), headers=headers)
        finally:
            if registered and request_id is not None:
                # Stay joinable a while: a peer's decryptToSingleNode may ask after this node is done.
                asyncio.get_running_loop().call_later(_JOINABLE_AFTER_S, _forget, service.active_requests, request_id, request)
    answer = {
        "success": result.error is None,
        "nodeIndex": service.config.index,
        "ipfsId": cid,
        "response": result.response,
        "logs": result.logs,
        "error": asdict(result.error) if result.error is not None else None,
        "signedData": seal_for_client(body, request.signed) if request.signed else None,
        # Lit's claimData: keyId -> {signature, derivedKeyId}, an object even when empty (Lit's SDK
        # reads its keys). Claims are signatures by this node's wallet, not secrets: not sealed.
        "claimData": request.claims,
        "notPermitted": request.refusals,
    }
    if service.config.fetch_mocks:
        # Development only: what this execution's fetches got from the mocks instead of the network.
        answer["mockedFetches"] = mocked
    return answer

_MAX_SCHNORR_MESSAGE = 64 * 1024  # a Solana transaction is at most 1232 bytes; Bitcoin sighashes are 32


async def handle_pkp_sign(service: NodeContext, body: Any) -> dict[str, Any]:
    """Sign with a PKP, authorised by the owner's (or a permitted address's) authSig: 32 bytes under
    `signingScheme` EcdsaK256Sha256 (the default), or any bytes up to 64 KiB under the FROST schemes of
    the PKP's curve (SchnorrK256Sha256 and SchnorrK256Taproot for K256, SchnorrEd25519Sha512 for Ed25519)."""
    body = request_object(body)
    auth = await authenticate(body.get("authSig"), service.config)
    scheme = body.get("signingScheme", "EcdsaK256Sha256")
    if scheme not in PKP_SCHEMES:
        raise BadRequest(f"signingScheme must be one of {', '.join(PKP_SCHEMES)} for a PKP, got {scheme!r:.80}")
    frost = frost_scheme(scheme)
    to_sign_hex = body.get("toSign")
    try:
        to_sign = bytes.fromhex(str(to_sign_hex).removeprefix("0x"))
    except ValueError:
        raise BadRequest("toSign must be hex") from None
    if frost is None and len(to_sign) != 32:
        raise BadRequest(f"toSign must be exactly 32 bytes, got {len(to_sign)}")
    if frost is not None and not 0 < len(to_sign) <= _MAX_SCHNORR_MESSAGE:
        raise BadRequest(f"toSign must be 1 to {_MAX_SCHNORR_MESSAGE} bytes for {scheme}, got {len(to_sign)}")
    signer = service.signer
    pkp = await signer.resolve(body.get("publicKey"))
    refusal = scheme_refusal(scheme, pkp.key_type)
    if refusal is not None:
        raise BadRequest(refusal)
    request_id = check_client_key(body)
    slot = SignatureSlot(request_id, "pkp-sign", coordinator_for(request_id, service.config.n, body.get("coordinator")))
    await signer.authorize(pkp, SCOPE_SIGN_ANYTHING, None, auth)
    if frost is not None:  # the PKP's key id derives its key on the scheme's curve, as its mint did
        share = await frost_payload(service, slot, frost, pkp.key_id, to_sign)
    else:
        share = await signer.sign(pkp, to_sign, slot)
    return {"nodeIndex": service.config.index, "signedData": seal_for_client(body, {"sig": {**share, "sigName": "sig"}})}
