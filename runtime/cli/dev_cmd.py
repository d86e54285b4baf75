"""`litrt dev ACTION.js`: re-run an action on a local network on every save."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from .common import add_mock_fetch, add_state_dir, mock_fetch

if TYPE_CHECKING:
    from sandbox.fetch_mocks import FetchMocks

    from .common import Subparsers

__all__ = ["register"]


async def _serve(args: argparse.Namespace, mocks: FetchMocks | None) -> None:
    from aiohttp import web

    from runtime.devserver import DevServer

    server = DevServer(Path(args.action), args.state_dir, args.params, args.nodes, fetch_mocks=mocks)
    await server.prepare()
    runner = web.AppRunner(server.app(), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", args.port).start()
    print(f"dev server API on http://127.0.0.1:{args.port} (POST /run, GET /last); watching {args.action}", flush=True)
    import asyncio
    stop = asyncio.Event()
    try:
        await server.watch(stop)
    finally:
        await runner.cleanup()
        if server.client is not None:
            await server.client.close()


def _dev(args: argparse.Namespace) -> int:
    if not Path(args.action).is_file():
        print(f"error: no such action file: {args.action}", file=sys.stderr)
        return 2
    from runtime.devserver import MockMismatch
    from sandbox.fetch_mocks import MockSpecError

    try:
        mocks = mock_fetch(args)
    except MockSpecError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        import asyncio
        asyncio.run(_serve(args, mocks))
    except MockMismatch as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        pass
    return 0


def register(subparsers: Subparsers) -> None:
    dev = subparsers.add_parser("dev", help="run an action on a local network on every save of its file")
    dev.add_argument("action")
    dev.add_argument("--params", help="jsParams as JSON or @file.json (the file is watched too)")
    dev.add_argument("--nodes", type=int, default=4, help="size of the network to start if none is running")
    dev.add_argument("--port", type=int, default=7470, help="port of the dev server's HTTP API")
    add_mock_fetch(dev)
    add_state_dir(dev)
    dev.set_defaults(handler=_dev)
