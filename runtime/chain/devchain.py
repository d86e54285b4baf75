"""The embedded dev chain: eth-tester + py-evm served as Ethereum JSON-RPC over HTTP on loopback.

Separate processes (the nodes, the client, an ethers script) share one chain through its URL.
py-evm is blocking and not thread-safe, so every request runs on one dedicated worker thread:
the event loop never blocks, and requests are serialised in arrival order.

    python -m runtime.chain.devchain --port 8545

prints one JSON line (url, chainId, funded accounts with their keys) and serves until stopped.
"""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import json
import signal
import sys
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from aiohttp import web
from eth_tester import PyEVMBackend  # type: ignore[import-untyped]  # eth-tester ships no types

from .accounts import DEV_BALANCE_WEI, DEV_HD_PATH, DEV_MNEMONIC, DevAccount, dev_accounts
from .errors import RpcError
from .evm_rpc import EvmRpc

__all__ = ["DEV_CHAIN_ID", "DevChain", "start_devchain", "main"]

DEV_CHAIN_ID = 31337
_MAX_BODY = 16 * 1024 * 1024  # a large contract deployment is well under this


def _check_loopback(host: str) -> None:
    # the chain signs eth_sendTransaction for its funded accounts: never expose it to a network
    if host == "localhost":
        return
    try:
        if ipaddress.ip_address(host).is_loopback:
            return
    except ValueError:
        pass
    raise ValueError(f"host: the dev chain only listens on loopback (127.0.0.0/8, ::1), not {host!r}")


def _rpc_error(req_id: Any, code: int, message: str, data: Any = None) -> dict[str, Any]:
    error: dict[str, Any] = {"code": code, "message": message}
    if data is not None:
        error["data"] = data
    return {"jsonrpc": "2.0", "id": req_id, "error": error}


class DevChain:
    """One in-process chain and its HTTP JSON-RPC endpoint."""

    def __init__(
        self, *, mnemonic: str = DEV_MNEMONIC, num_accounts: int = 10, chain_id: int = DEV_CHAIN_ID
    ) -> None:
        self.chain_id = chain_id
        self.accounts: list[DevAccount] = dev_accounts(mnemonic, num_accounts)
        self._mnemonic = mnemonic
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="devchain-evm")
        self._rpc: EvmRpc | None = None
        self._runner: web.AppRunner | None = None
        self._url: str | None = None

    @property
    def url(self) -> str:
        if self._url is None:
            raise RuntimeError("the dev chain is not serving yet: await start() first")
        return self._url

    def _build(self) -> EvmRpc:
        backend = PyEVMBackend.from_mnemonic(
            self._mnemonic,
            genesis_state_overrides={"balance": DEV_BALANCE_WEI},
            num_accounts=len(self.accounts),
            hd_path=DEV_HD_PATH,
        )
        return EvmRpc(backend, self.chain_id)

    async def request(self, method: str, params: list[Any] | None = None) -> Any:
        """Run one JSON-RPC method in-process (same path as HTTP requests); raises RpcError."""
        if self._rpc is None:
            raise RuntimeError("the dev chain is not started")
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self._rpc.handle, method, params)

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        _check_loopback(host)
        loop = asyncio.get_running_loop()
        self._rpc = await loop.run_in_executor(self._executor, self._build)
        app = web.Application(client_max_size=_MAX_BODY)
        app.router.add_post("/", self._handle_http)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        bound_host, bound_port = self._runner.addresses[0][:2]
        shown = f"[{bound_host}]" if ":" in bound_host else bound_host
        self._url = f"http://{shown}:{bound_port}"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        self._executor.shutdown(wait=True)
        self._url = None

    async def __aenter__(self) -> "DevChain":
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def _handle_http(self, request: web.Request) -> web.Response:
        try:
            body = json.loads(await request.read())
        except (json.JSONDecodeError, UnicodeDecodeError):
            return web.json_response(_rpc_error(None, -32700, "parse error: body is not JSON"))
        if isinstance(body, list):
            if not body:
                return web.json_response(_rpc_error(None, -32600, "invalid request: empty batch"))
            return web.json_response([await self._one(item) for item in body])
        return web.json_response(await self._one(body))

    async def _one(self, item: Any) -> dict[str, Any]:
        if not isinstance(item, dict) or not isinstance(item.get("method"), str):
            return _rpc_error(None, -32600, "invalid request: expected an object with a method")
        req_id = item.get("id")
        try:
            result = await self.request(item["method"], item.get("params"))
        except RpcError as exc:
            return _rpc_error(req_id, exc.code, exc.rpc_message, exc.data)
        except Exception as exc:  # a bug or an eth-tester corner we did not map: say what it was
            return _rpc_error(req_id, -32603, f"internal error in {item['method']}: {type(exc).__name__}: {exc}")
        return {"jsonrpc": "2.0", "id": req_id, "result": result}


async def start_devchain(
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    mnemonic: str = DEV_MNEMONIC,
    num_accounts: int = 10,
    chain_id: int = DEV_CHAIN_ID,
) -> DevChain:
    """Start a dev chain serving on host:port (0 picks a free port); `await chain.stop()` ends it."""
    chain = DevChain(mnemonic=mnemonic, num_accounts=num_accounts, chain_id=chain_id)
    try:
        await chain.start(host, port)
    except BaseException:
        await chain.stop()
        raise
    return chain


async def _serve(args: argparse.Namespace) -> None:
    chain = await start_devchain(
        args.host, args.port, mnemonic=args.mnemonic, num_accounts=args.accounts, chain_id=args.chain_id
    )
    info = {
        "url": chain.url,
        "chainId": chain.chain_id,
        "accounts": [{"address": a.address, "privateKey": a.private_key} for a in chain.accounts],
    }
    print(json.dumps(info), flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):  # POSIX only, as is the whole project
        loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        await chain.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m runtime.chain.devchain", description=__doc__.split("\n")[0])
    parser.add_argument("--host", default="127.0.0.1", help="loopback address to listen on")
    parser.add_argument("--port", type=int, default=8545, help="TCP port (0 picks a free one)")
    parser.add_argument("--accounts", type=int, default=10, help="number of funded accounts")
    parser.add_argument("--mnemonic", default=DEV_MNEMONIC, help="BIP-39 phrase the accounts derive from")
    parser.add_argument("--chain-id", type=int, default=DEV_CHAIN_ID)
    args = parser.parse_args(argv)
    try:
        asyncio.run(_serve(args))
    except ValueError as exc:
        print(f"devchain: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"devchain: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
