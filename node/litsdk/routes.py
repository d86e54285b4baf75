"""The routes Lit's JavaScript SDK (v7, @lit-protocol/lit-node-client 7.x) calls on a node, in its
wire format: handshake, execute, PKP sign, decryption shares, the blockhash source, and CORS.

Each request is served by our own handler (node/execute.py, node/access.py), which seals its
shares to a client key: here that key is a one-request key this module makes and opens itself,
since the SDK has none. The SDK's `X-Request-Id` header, the same at every node for one operation,
is the request id that brings the nodes together for a signature (coordinator, agreement).
"""

from __future__ import annotations

import json
import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from runtime.chain.errors import redact_urls
from runtime.crypto.bls_threshold import SignatureShare as BlsShare
from runtime.crypto.channel import ResponseKey

from ..access import handle_encryption_sign
from ..errors import BadRequest, NodeError, NotReady
from ..execute import handle_execute, handle_pkp_sign
from ..service import NodeService
from ..wire import request_object
from .shares import sdk_bls_share, sdk_combines, sdk_ecdsa_share, sdk_pkp_sign_share

__all__ = ["register", "HANDSHAKE_PATH", "BLOCKHASH_PATH", "EXECUTE_PATH", "PKP_SIGN_PATH", "DECRYPT_PATH"]

HANDSHAKE_PATH = "/web/handshake"
EXECUTE_PATH = "/web/execute/v1"
PKP_SIGN_PATH = "/web/pkp/sign/v1"
# The SDK asks for a decryption share at "/web/encryption/sign/" (its V0 suffix is "/"); the
# slash-less path is our own client's (node/access.py), which answers sealed shares.
DECRYPT_PATH = "/web/encryption/sign/"
BLOCKHASH_PATH = "/get_most_recent_valid_block"
_REQUEST_ID_PREFIX = "lit-sdk:"
_BLOCK_CACHE_S = 1.0
_CORS_HEADERS = "content-type, accept, x-lit-sdk-version, x-lit-sdk-type, x-request-id, x-correlation-id"

ReadJson = Callable[[web.Request], Awaitable[Any]]
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _request_id(request: web.Request) -> str:
    """Our request id for the SDK's operation: its X-Request-Id, which all nodes receive alike."""
    value = request.headers.get("X-Request-Id") or request.headers.get("X-Correlation-Id")
    if not value:
        raise BadRequest("the X-Request-Id header is missing: Lit's SDK sends one per operation, the same to every node")
    return _REQUEST_ID_PREFIX + value


class LitSdkRoutes:
    def __init__(self, service: NodeService, read_json: ReadJson) -> None:
        self._service = service
        self._read_json = read_json
        self._block: tuple[float, str, int] | None = None  # (read at, hash, timestamp)

    # ---- errors in Lit's shape -------------------------------------------------------------------

    def _lit_errors(self, handler: Handler) -> Handler:
        """NodeErrors as Lit's nodes report errors: the SDK reads errorCode and message."""

        async def wrapped(request: web.Request) -> web.StreamResponse:
            try:
                return await handler(request)
            except NodeError as exc:
                config = self._service.config
                urls = [*config.chains.values(), *config.ipfs_gateways, *config.ipfs_kubo_rpc]
                body = {
                    "errorKind": exc.code, "errorCode": exc.code, "status": exc.status,
                    "message": redact_urls(str(exc), urls),
                    "correlationId": request.headers.get("X-Request-Id", ""), "details": [],
                }
                return web.json_response(body, status=exc.status)

        return wrapped

    # ---- connect ----------------------------------------------------------------------------------

    async def _latest_block(self) -> tuple[str, int]:
        """(hash, timestamp) of the network chain's latest block, re-read at most once a second."""
        now = time.monotonic()
        if self._block is not None and now - self._block[0] < _BLOCK_CACHE_S:
            return self._block[1], self._block[2]
        try:
            block = await self._service.chains.web3("lit").eth.get_block("latest")
        except Exception as exc:  # web3 raises many kinds; the SDK needs only to learn it failed
            raise NotReady(f"the network's chain did not give its latest block: {exc}") from None
        block_hash, timestamp = "0x" + bytes(block["hash"]).hex(), int(block["timestamp"])
        self._block = (now, block_hash, timestamp)
        return block_hash, timestamp

    async def handshake(self, request: web.Request) -> web.Response:
        await self._body(request)  # the SDK's challenge is not used, but a malformed body is still a 400
        public = self._service.require_keys().public_info()
        block_hash, _ = await self._latest_block()
        bls_key = public["blsPublicKey"].removeprefix("0x")  # 96 hex digits: the SDK reads it without 0x
        return web.json_response({
            "serverPublicKey": "",
            "subnetPublicKey": bls_key,
            "networkPublicKey": bls_key,
            "networkPublicKeySet": bls_key,
            "hdRootPubkeys": [k.removeprefix("0x") for k in public["ecdsaRootKeys"]],
            "attestation": None,
            "latestBlockhash": block_hash,  # the SDK's SIWE nonce
            "clientSdkVersion": request.headers.get("X-Lit-SDK-Version", ""),
        })

    async def most_recent_block(self, request: web.Request) -> web.Response:
        """What Lit's block indexer answers, from this network's own chain."""
        block_hash, timestamp = await self._latest_block()
        return web.json_response({"blockhash": block_hash, "timestamp": str(timestamp)})

    # ---- shares -----------------------------------------------------------------------------------

    async def _body(self, request: web.Request) -> dict[str, Any]:
        return request_object(await self._read_json(request))

    async def execute(self, request: web.Request) -> web.Response:
        body = await self._body(request)
        request_id, key = _request_id(request), ResponseKey.generate()
        ours: dict[str, Any] = {k: body[k] for k in ("code", "ipfsId", "jsParams", "authSig", "authMethods") if k in body}
        ours.update(requestId=request_id, clientPublicKey=key.public_hex)
        answer = await handle_execute(self._service, ours, dict(request.headers))
        if not answer["success"]:
            error = answer.get("error") or {}
            message = str(error.get("message", "the action failed"))
            return web.json_response(
                {"success": False, "error": message, "logs": answer["logs"], "errorKind": "lit_action_error",
                 "errorCode": str(error.get("kind", "js_error")), "message": message},
                status=400,
            )
        signed: dict[str, Any] = {}
        if answer["signedData"]:
            shares = json.loads(key.open(answer["signedData"], request_id.encode()))
            signed = {name: {**sdk_ecdsa_share(share), "sigName": name} for name, share in shares.items() if sdk_combines(share)}
        return web.json_response({
            "success": True, "signedData": signed, "decryptedData": {}, "claimData": answer["claimData"],
            "response": answer["response"], "logs": answer["logs"],
        })

    async def pkp_sign(self, request: web.Request) -> web.Response:
        body = await self._body(request)
        to_sign = body.get("toSign")
        if not isinstance(to_sign, list) or not all(isinstance(b, int) and 0 <= b < 256 for b in to_sign):
            raise BadRequest("toSign must be an array of byte values (0..255)")
        request_id, key = _request_id(request), ResponseKey.generate()
        ours = {
            "toSign": bytes(to_sign).hex(), "publicKey": body.get("pubkey"), "authSig": body.get("authSig"),
            "requestId": request_id, "clientPublicKey": key.public_hex,
        }
        answer = await handle_pkp_sign(self._service, ours)
        share = json.loads(key.open(answer["signedData"], request_id.encode()))["sig"]
        return web.json_response({"success": True, "signedData": to_sign, "signatureShare": sdk_pkp_sign_share(share)})

    async def decryption_share(self, request: web.Request) -> web.Response:
        body = await self._body(request)
        request_id, key = _request_id(request), ResponseKey.generate()
        answer = await handle_encryption_sign(self._service, {**body, "requestId": request_id, "clientPublicKey": key.public_hex})
        payload = json.loads(key.open(answer["signedData"], request_id.encode()))
        share = BlsShare.from_json(payload["signatureShare"])
        return web.json_response({
            "result": "success", "signatureShare": {"ProofOfPossession": sdk_bls_share(share)}, "shareIndex": share.index,
        })

    # ---- CORS -------------------------------------------------------------------------------------

    @staticmethod
    async def preflight(request: web.Request) -> web.Response:
        return web.Response(status=204)

    @staticmethod
    async def cors_headers(request: web.Request, response: web.StreamResponse) -> None:
        """As Lit's nodes (rocket_cors): any origin, with credentials, for the SDK's routes."""
        if not request.path.startswith(("/web/handshake", "/web/execute/", "/web/pkp/sign/", DECRYPT_PATH, BLOCKHASH_PATH)):
            return
        origin = request.headers.get("Origin")
        response.headers["Access-Control-Allow-Origin"] = origin or "*"
        if origin:
            response.headers["Access-Control-Allow-Credentials"] = "true"
            response.headers["Vary"] = "Origin"
        response.headers["Access-Control-Allow-Methods"] = "GET, POST, PATCH, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = request.headers.get("Access-Control-Request-Headers", _CORS_HEADERS)


def register(app: web.Application, service: NodeService, read_json: ReadJson) -> None:
    """Add the SDK's routes to a node's app; `read_json` is the app's checked body reader."""
    routes = LitSdkRoutes(service, read_json)
    posts: list[tuple[str, Handler]] = [
        (HANDSHAKE_PATH, routes.handshake), (EXECUTE_PATH, routes.execute), (PKP_SIGN_PATH, routes.pkp_sign),
        (DECRYPT_PATH, routes.decryption_share),
    ]
    for path, handler in posts:
        wrapped = routes._lit_errors(handler)
        # The SDK asks with or without a trailing slash depending on the route's version suffix.
        for variant in {path, path.rstrip("/"), path.rstrip("/") + "/"}:
            if variant == DECRYPT_PATH.rstrip("/"):
                continue  # our own client's route
            app.router.add_post(variant, wrapped)
            app.router.add_route("OPTIONS", variant, routes.preflight)
    app.router.add_get(BLOCKHASH_PATH, routes._lit_errors(routes.most_recent_block))
    app.router.add_route("OPTIONS", BLOCKHASH_PATH, routes.preflight)
    app.on_response_prepare.append(routes.cors_headers)
