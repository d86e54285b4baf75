"""Sockets for the IPFS HTTP service: start it inside a running loop, or run it until Ctrl-C."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass

from aiohttp import web

from .http_api import create_app
from .store import BlockStore

__all__ = ["RunningServer", "serve", "run_forever"]


@dataclass
class RunningServer:
    runner: web.AppRunner
    host: str
    port: int

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def multiaddr(self) -> str:
        """The address ipfshttpclient.connect() takes."""
        family = "ip6" if ":" in self.host else "ip4"
        return f"/{family}/{self.host}/tcp/{self.port}/http"

    async def close(self) -> None:
        await self.runner.cleanup()

    async def __aenter__(self) -> "RunningServer":
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()


async def serve(store: BlockStore, host: str = "127.0.0.1", port: int = 5001) -> RunningServer:
    """Start serving `store` on host:port (port 0 picks a free one) in the running loop."""
    runner = web.AppRunner(create_app(store), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    try:
        await site.start()
    except OSError as exc:
        await runner.cleanup()
        raise OSError(exc.errno, f"cannot listen on {host}:{port}: {exc.strerror}") from exc
    bound_port = port
    for address in runner.addresses:
        if isinstance(address, tuple):
            bound_port = int(address[1])
            break
    return RunningServer(runner, host, bound_port)


def run_forever(
    store: BlockStore,
    host: str = "127.0.0.1",
    port: int = 5001,
    on_ready: Callable[[RunningServer], None] | None = None,
) -> None:
    """Serve until interrupted; `on_ready(server)` is called once the socket is listening."""

    async def main() -> None:
        server = await serve(store, host, port)
        try:
            if on_ready is not None:
                on_ready(server)
            await asyncio.Event().wait()
        finally:
            await server.close()

    asyncio.run(main())
