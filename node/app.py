"""The node's HTTP API (aiohttp): client endpoints, peer endpoints, and error mapping."""

from __future__ import annotations

import itertools
import json
import logging
import re
import secrets
from contextlib import nullcontext
from typing import Any

from aiohttp import web

from runtime.chain.errors import ChainError, InvalidArgument, UnknownChain, redact_urls
from runtime.crypto.protocol import Message
from runtime.ipfs import IpfsError

from .access import handle_encryption_sign, handle_signing_jwt
from .access_ops import PEER_SHARE_PATH, handle_peer_decryption_share
from .agreement import ACCEPT_PATH, ASSIGN_PATH
from .errors import BadRequest, NodeError
from .exchange import EXCHANGE_PATH
from .execute import handle_execute, handle_pkp_sign
from .litsdk import register as register_lit_sdk
from . import testfaults
from .service import NodeService
from .testfaults import Fault

__all__ = ["create_app", "SERVICE"]

log = logging.getLogger(__name__)

SERVICE = web.AppKey("service", NodeService)
_MAX_BODY = 32 * 1024 * 1024
# Deeper than any request needs (conditions nest a few levels). It must be checked before parsing:
# py_ecc raises the recursion limit to 100000, so json's C parser would overflow the C stack (and
# kill the node) long before it raised RecursionError.
_MAX_JSON_DEPTH = 64
_ESCAPE = re.compile(rb"\\.", re.S)
_STRING = re.compile(rb'"[^"]*"')  # linear: with escapes gone, every quote delimits a string
_NOT_BRACKETS = bytes(range(256)).translate(None, b"[]{}")
_NESTING_STEP = [0] * 256
_NESTING_STEP[ord("[")] = _NESTING_STEP[ord("{")] = 1
_NESTING_STEP[ord("]")] = _NESTING_STEP[ord("}")] = -1
_CLIENT_PATHS = ("/web/", "/peer/sign/")


def _error_response(request: web.Request, status: int, kind: str, message: str) -> web.Response:
    """An error answer; the node's RPC and IPFS URLs (which may carry API keys) never leave in one."""
    config = request.app[SERVICE].config
    urls = [*config.chains.values(), *config.ipfs_gateways, *config.ipfs_kubo_rpc]
    return web.json_response({"errorKind": kind, "message": redact_urls(message, urls)}, status=status)


@web.middleware
async def _errors(request: web.Request, handler: Any) -> web.StreamResponse:
    try:
        response: web.StreamResponse = await handler(request)
        return response
    except NodeError as exc:
        return _error_response(request, exc.status, exc.code, str(exc))
    except web.HTTPException:
        raise
    except (InvalidArgument, UnknownChain) as exc:
        return _error_response(request, 400, "bad_request", str(exc))
    except ChainError as exc:
        log.warning("chain error on %s: %r", request.path, exc)
        return _error_response(request, 502, "chain_unavailable", f"a chain read or write failed: {exc}")
    except IpfsError as exc:
        log.warning("IPFS error on %s: %r", request.path, exc)
        return _error_response(request, 502, "ipfs_unavailable", f"an IPFS fetch failed: {exc}")
    except Exception:  # a bug: the detail (and any secret in it) goes to the log, an incident id to the client
        incident = secrets.token_hex(6)
        log.exception("internal error %s on %s", incident, request.path)
        message = f"internal error (incident {incident}); the node operator's log has the details"
        return web.json_response({"errorKind": "internal_error", "message": message}, status=500)


@web.middleware
async def _client_activity(request: web.Request, handler: Any) -> web.StreamResponse:
    with request.app[SERVICE].presigner.serving_client() if request.path.startswith(_CLIENT_PATHS) else nullcontext():
        response: web.StreamResponse = await handler(request)
        return response


def _too_deep(raw: bytes) -> bool:
    """Whether the JSON text nests containers deeper than _MAX_JSON_DEPTH (brackets in strings do not count)."""
    brackets = _STRING.sub(b"", _ESCAPE.sub(b"", raw)).translate(None, _NOT_BRACKETS)
    return any(depth > _MAX_JSON_DEPTH for depth in itertools.accumulate(map(_NESTING_STEP.__getitem__, brackets)))


async def read_json(request: web.Request) -> Any:
    """The request body as JSON; BadRequest naming what is wrong with it otherwise."""
    raw = await request.read()
    if _too_deep(raw):
        raise BadRequest(f"request body is nested too deeply (more than {_MAX_JSON_DEPTH} levels)")
    try:
        return json.loads(raw)
    except UnicodeDecodeError:
        raise BadRequest("request body is not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise BadRequest(f"request body is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    except ValueError:  # the only other ValueError json raises: int() of too many digits
        raise BadRequest("request body holds a number that is too long (more than 4300 digits)") from None


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
    answer = await handle_execute(service, await read_json(request), dict(request.headers))
    if service.config.fault == Fault.STALL_EXECUTE:
        await testfaults.stall()
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


async def peer_exchange(request: web.Request) -> web.Response:
    sender, payload = await _peer_payload(request)
    request.app[SERVICE].exchange.deliver(sender, payload)
    return web.json_response({"ok": True})


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
    app.router.add_post(EXCHANGE_PATH, peer_exchange)
    register_lit_sdk(app, service, read_json)  # Lit's JavaScript SDK (v7) routes, and CORS for them

    async def on_startup(app: web.Application) -> None:
        service.start_background()

    async def on_cleanup(app: web.Application) -> None:
        await service.close()

    app.on_startup.append(on_startup)
    app.on_cleanup.append(on_cleanup)
    return app
