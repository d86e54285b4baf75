"""The node's HTTP API (aiohttp): client endpoints, peer endpoints, and error mapping."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

from aiohttp import web

from runtime.crypto.protocol import Message

from .access import handle_encryption_sign, handle_signing_jwt
from .access_ops import PEER_SHARE_PATH, handle_peer_decryption_share
from .agreement import ACCEPT_PATH, ASSIGN_PATH
from .errors import BadRequest, NodeError, NotReady
from .execute import handle_execute, handle_pkp_sign
from .service import NodeService

__all__ = ["create_app", "SERVICE"]

log = logging.getLogger(__name__)

SERVICE = web.AppKey("service", NodeService)
_MAX_BODY = 32 * 1024 * 1024
_CLIENT_PATHS = ("/web/", "/peer/sign/")


@web.middleware
async def _errors(request: web.Request, handler: Any) -> web.StreamResponse:
    try:
        return await handler(request)
    except NodeError as exc:
        return web.json_response(exc.to_json(), status=exc.status)
    except web.HTTPException:
        raise
    except Exception as exc:  # never leak a traceback to a client; log it here
        log.exception("unhandled error on %s", request.path)
        return web.json_response({"errorKind": "internal_error", "message": f"{type(exc).__name__}: {exc}"}, status=500)


@web.middleware
async def _client_activity(request: web.Request, handler: Any) -> web.StreamResponse:
    if not request.path.startswith(_CLIENT_PATHS):
        return await handler(request)
    with request.app[SERVICE].presigner.serving_client():
        return await handler(request)


async def read_json(request: web.Request) -> Any:
    try:
        return await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise BadRequest("request body is not valid JSON") from None


async def _peer_payload(request: web.Request) -> tuple[int, Any]:
    """(sender, payload) of a peer route's envelope: signed, for this node, fresh and not replayed."""
    return request.app[SERVICE].transport.open(request.path, await read_json(request))


async def health(request: web.Request) -> web.Response:
    return web.json_response({"ok": True, "index": request.app[SERVICE].config.index})


async def status(request: web.Request) -> web.Response:
    return web.json_response(request.app[SERVICE].status())


async def peer_message(request: web.Request) -> web.Response:
    sender, payload = await _peer_payload(request)
    try:
        message = Message.from_json(payload)
    except (ValueError, KeyError, TypeError) as exc:
        raise BadRequest(f"peer message: {exc}") from None
    if message.sender != sender:
        raise BadRequest(f"peer message claims sender {message.sender} but came from node {sender}")
    request.app[SERVICE].hub.deliver(message)
    return web.json_response({"ok": True})


async def peer_presign_start(request: web.Request) -> web.Response:
    sender, invite = await _peer_payload(request)
    service = request.app[SERVICE]
    service.require_keys()
    service.presigner.join(sender, invite)
    return web.json_response({"ok": True})


async def execute(request: web.Request) -> web.Response:
    service = request.app[SERVICE]
    answer = await handle_execute(service, await read_json(request))
    if service.config.fault == "stall_execute":
        await asyncio.sleep(3600)
    return web.json_response(answer)


async def pkp_sign(request: web.Request) -> web.Response:
    return web.json_response(await handle_pkp_sign(request.app[SERVICE], await read_json(request)))


async def peer_decryption_share(request: web.Request) -> web.Response:
    sender, ask = await _peer_payload(request)
    return web.json_response(await handle_peer_decryption_share(request.app[SERVICE], sender, ask))


async def encryption_sign(request: web.Request) -> web.Response:
    return web.json_response(await handle_encryption_sign(request.app[SERVICE], await read_json(request)))


async def signing_jwt(request: web.Request) -> web.Response:
    return web.json_response(await handle_signing_jwt(request.app[SERVICE], await read_json(request)))


async def peer_sign_assign(request: web.Request) -> web.Response:
    _, payload = await _peer_payload(request)
    service = request.app[SERVICE]
    service.require_keys()
    return web.json_response(await service.agreement.handle_assign(payload))


async def peer_sign_accept(request: web.Request) -> web.Response:
    sender, payload = await _peer_payload(request)
    return web.json_response(await request.app[SERVICE].agreement.handle_accept(sender, payload))


def create_app(service: NodeService) -> web.Application:
    app = web.Application(middlewares=[_client_activity, _errors], client_max_size=_MAX_BODY)
    app[SERVICE] = service
    app.router.add_get("/health", health)
    app.router.add_get("/status", status)
    app.router.add_post("/peer/message", peer_message)
    app.router.add_post("/peer/presign/start", peer_presign_start)
    app.router.add_post(PEER_SHARE_PATH, peer_decryption_share)
    app.router.add_post("/web/execute", execute)
    app.router.add_post("/web/pkp/sign", pkp_sign)
    app.router.add_post("/web/encryption/sign", encryption_sign)
    app.router.add_post("/web/signing/access_control_condition", signing_jwt)
    app.router.add_post(ASSIGN_PATH, peer_sign_assign)
    app.router.add_post(ACCEPT_PATH, peer_sign_accept)

    async def on_startup(app: web.Application) -> None:
        service.start_background()

    async def on_cleanup(app: web.Application) -> None:
        await service.close()

    app.on_startup.append(on_startup)
    app.on_cleanup.append(on_cleanup)
    return app
