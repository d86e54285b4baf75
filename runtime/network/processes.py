"""Child processes of a local network: start them, wait for them, stop them, find them again.

Each process's pid and log live in the network's state directory, so `litrt down` and
`litrt status` from another shell can find a network started with `--detach`.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

__all__ = ["ManagedProcess", "free_port", "spawn", "wait_http", "stop_all", "read_pids", "python_cmd"]


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def python_cmd(*args: str) -> list[str]:
    return [sys.executable, *args]


@dataclass
class ManagedProcess:
    name: str
    pid: int
    url: str
    log_path: str


def _pids_file(state_dir: Path) -> Path:
    return state_dir / "processes.json"


def read_pids(state_dir: Path) -> list[ManagedProcess]:
    path = _pids_file(state_dir)
    if not path.exists():
        return []
    return [ManagedProcess(**p) for p in json.loads(path.read_text())]


def _record(state_dir: Path, proc: ManagedProcess) -> None:
    procs = [p for p in read_pids(state_dir) if p.name != proc.name] + [proc]
    _pids_file(state_dir).write_text(json.dumps([asdict(p) for p in procs], indent=2))


def spawn(state_dir: Path, name: str, cmd: list[str], url: str, env: dict[str, str] | None = None) -> ManagedProcess:
    """Start `cmd` in its own session (so Ctrl-C in the launcher's shell reaches only the launcher)."""
    logs = state_dir / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    log_path = logs / f"{name}.log"
    with open(log_path, "ab") as log_file:
        child = subprocess.Popen(
            cmd,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env={**os.environ, **(env or {})},
            start_new_session=True,
        )
    proc = ManagedProcess(name=name, pid=child.pid, url=url, log_path=str(log_path))
    _record(state_dir, proc)
    return proc


def is_alive(pid: int) -> bool:
    try:
        waited, _ = os.waitpid(pid, os.WNOHANG)
        if waited == pid:
            return False
    except ChildProcessError:
        pass  # not our child (a detached network seen from another shell)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


async def wait_http(
    proc: ManagedProcess, path: str, timeout_s: float, ready: Callable[[Any], object] = lambda data: True
) -> dict[str, Any]:
    """Poll `proc.url + path` until it answers JSON that `ready` accepts; fail early if the process died."""
    import aiohttp  # here, not at the top: clients import launcher.py (so this) for NetworkInfo, needing no aiohttp

    deadline = time.monotonic() + timeout_s
    last = "no answer yet"
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as session:
        while time.monotonic() < deadline:
            if not is_alive(proc.pid):
                tail = Path(proc.log_path).read_text(errors="replace")[-2000:]
                raise RuntimeError(f"{proc.name} exited during start-up; its log ends:\n{tail}")
            try:
                async with session.get(proc.url + path) as resp:
                    data = await resp.json(content_type=None)
                    if resp.status == 200 and isinstance(data, dict) and ready(data):
                        return data
                    last = f"HTTP {resp.status}: {str(data)[:200]}"
            except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as exc:
                last = str(exc) or type(exc).__name__
            await asyncio.sleep(0.2)
    raise TimeoutError(f"{proc.name} not ready at {proc.url}{path} after {timeout_s:.0f}s ({last})")


def _signal_live(procs: list[ManagedProcess], signum: int) -> None:
    for p in procs:
        if is_alive(p.pid):
            try:
                os.killpg(p.pid, signum)
            except ProcessLookupError:
                pass


def stop_all(state_dir: Path, timeout_s: float = 10.0) -> list[str]:
    """SIGTERM every recorded process, SIGKILL what is left after `timeout_s`; names of those stopped."""
    procs = read_pids(state_dir)
    _signal_live(procs, signal.SIGTERM)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and any(is_alive(p.pid) for p in procs):
        time.sleep(0.1)
    _signal_live(procs, signal.SIGKILL)
    _pids_file(state_dir).unlink(missing_ok=True)
    return [p.name for p in procs]
