"""A real `ganache` process (npm, node_modules/.bin/ganache) on a free loopback port.

Used by the tests as the "external" chain: same funded dev accounts as the embedded chain
(passed explicitly, so both chains agree whatever ganache's own derivation does).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import shutil
import socket
import tempfile
from pathlib import Path
from typing import IO

import aiohttp

from .accounts import DEV_BALANCE_WEI, DevAccount, dev_accounts
from .errors import ChainError

__all__ = ["GANACHE_BIN", "GANACHE_CHAIN_ID", "GanacheProcess", "ganache_available", "start_ganache"]

GANACHE_BIN = Path(__file__).resolve().parents[2] / "node_modules" / ".bin" / "ganache"
GANACHE_CHAIN_ID = 1337
_READY_TIMEOUT_S = 120.0  # generous: two cores shared with other work


def ganache_available() -> str | None:
    """None if ganache can be started here, else why not (for a test's skip reason)."""
    if shutil.which("node") is None:
        return "node is not installed (needed to run ganache)"
    if not GANACHE_BIN.exists():
        return f"{GANACHE_BIN} is missing: run `npm ci` (scripts/setup.sh does)"
    return None


def _free_port(host: str) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


class GanacheProcess:
    def __init__(
        self, proc: asyncio.subprocess.Process, url: str, chain_id: int, accounts: list[DevAccount], log: IO[bytes]
    ) -> None:
        self.proc = proc
        self._log = log  # ganache's stderr: a file, so a chatty ganache can never block on a full pipe
        self.url = url
        self.chain_id = chain_id
        self.accounts = accounts

    async def stop(self) -> None:
        if self.proc.returncode is None:
            self.proc.terminate()
            try:
                await asyncio.wait_for(self.proc.wait(), 15)
            except asyncio.TimeoutError:
                self.proc.kill()
                await self.proc.wait()
        self._log.close()

    async def __aenter__(self) -> "GanacheProcess":
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()


def _tail(log: IO[bytes]) -> str:
    log.seek(0)
    return log.read().decode(errors="replace")[-2000:]


async def _wait_ready(proc: asyncio.subprocess.Process, log: IO[bytes], url: str, timeout: float) -> None:
    body = {"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": []}
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    async with aiohttp.ClientSession() as session:
        while True:
            if proc.returncode is not None:
                raise ChainError(f"ganache exited with code {proc.returncode} before serving {url}: {_tail(log)}")
            with contextlib.suppress(aiohttp.ClientError, asyncio.TimeoutError):
                async with session.post(url, json=body, timeout=aiohttp.ClientTimeout(total=5)) as resp:
                    if "result" in json.loads(await resp.text()):
                        return
            if loop.time() > deadline:
                raise ChainError(f"ganache did not answer on {url} within {timeout:.0f} s")
            await asyncio.sleep(0.2)


async def start_ganache(
    *, host: str = "127.0.0.1", chain_id: int = GANACHE_CHAIN_ID, accounts: list[DevAccount] | None = None
) -> GanacheProcess:
    """Start ganache with `accounts` (default: the dev accounts) funded; wait until it answers."""
    reason = ganache_available()
    if reason is not None:
        raise ChainError(f"cannot start ganache: {reason}")
    accounts = accounts if accounts is not None else dev_accounts()
    port = _free_port(host)
    args = [
        str(GANACHE_BIN),
        "--server.host", host,
        "--server.port", str(port),
        "--chain.chainId", str(chain_id),
        "--logging.quiet",
        "--miner.instamine", "eager",
    ]
    for account in accounts:
        args += ["--wallet.accounts", f"{account.private_key},{hex(DEV_BALANCE_WEI)}"]
    log = tempfile.TemporaryFile()
    proc = await asyncio.create_subprocess_exec(
        *args, stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.DEVNULL, stderr=log
    )
    ganache = GanacheProcess(proc, f"http://{host}:{port}", chain_id, accounts, log)
    try:
        await _wait_ready(proc, log, ganache.url, _READY_TIMEOUT_S)
    except BaseException:
        await ganache.stop()
        raise
    return ganache
