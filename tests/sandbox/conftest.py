"""Shared helpers for the sandbox tests: a loopback HTTP server and a short way to run actions."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web

from sandbox import ExecutionResult, FetchPolicy, Host, Limits, execute

FAST = Limits(timeout_ms=5000)


async def run(code: str, params: dict[str, Any] | None = None, host: Host | None = None, **limits: Any) -> ExecutionResult:
    chosen = Limits(**{**FAST.__dict__, **limits})
    return await execute(code, params, host or Host(), chosen)


def _routes() -> web.Application:
    app = web.Application()

    async def hello(request: web.Request) -> web.Response:
        return web.json_response({"greeting": "hello", "query": request.query.get("q", "")})

    async def echo(request: web.Request) -> web.Response:
        body = await request.read()
        return web.json_response(
            {"method": request.method, "body": body.decode(), "type": request.headers.get("Content-Type", "")}
        )

    async def slow(request: web.Request) -> web.Response:
        await asyncio.sleep(3)
        return web.Response(text="late")

    async def big(request: web.Request) -> web.Response:
        return web.Response(body=b"x" * 200_000)

    async def bytes_(request: web.Request) -> web.Response:
        return web.Response(body=bytes([0, 1, 2, 255]), headers={"X-Test": "yes"})

    async def redirect(request: web.Request) -> web.Response:
        raise web.HTTPFound(str(request.query["to"]))

    app.router.add_get("/hello", hello)
    app.router.add_route("*", "/echo", echo)
    app.router.add_get("/slow", slow)
    app.router.add_get("/big", big)
    app.router.add_get("/bytes", bytes_)
    app.router.add_get("/redirect", redirect)
    return app


@pytest.fixture
async def server() -> AsyncIterator[str]:
    runner = web.AppRunner(_routes())
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    yield f"http://127.0.0.1:{port}"
    await runner.cleanup()


@pytest.fixture
def local_host() -> Host:
    return Host(FetchPolicy(allow_private=True))
