"""The local networks of one pytest session: each started on first use, one per (node count, fetch
mocks), and stopped when the session ends; or one network the user already runs, reused as it is."""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
from collections.abc import Callable, Coroutine, Iterable, Mapping
from pathlib import Path
from typing import Any, TypeVar

from runtime.network.launcher import NetworkInfo, load_network, start_network, stop_network
from sandbox.fetch_mocks import FetchMocks

__all__ = ["NetworkPool", "run_blocking", "mocks_from_flags", "mocks_from_table"]

T = TypeVar("T")
_URL_PREFIXES = ("http://", "https://")


def run_blocking(coro: Coroutine[Any, Any, T]) -> T:
    """Run `coro` to completion from sync code. Inside a running event loop (an async test or fixture)
    it runs in a thread of its own, since a running loop cannot be entered again."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


def _anchored(source: Any, base: Path) -> Any:
    # A relative FILE means the file next to the test or ini file that names it, not one in the cwd.
    if isinstance(source, Path):
        return str(base / source.expanduser())
    if isinstance(source, str) and source and not source.startswith(_URL_PREFIXES):
        return str(base / Path(source).expanduser())
    return source


def mocks_from_table(table: Mapping[str, Any], base: Path, what: str) -> dict[str, Any]:
    """{HOST: FILE|URL|document} checked, relative FILEs taken from `base`, in node-config form.
    MockSpecError names `what`, the HOST and what is wrong."""
    if not isinstance(table, Mapping):
        table = {"": table}  # from_config names the type error
    anchored = {host: _anchored(source, base) for host, source in table.items()}
    return FetchMocks.from_config(anchored, what).to_config()


def mocks_from_flags(specs: Iterable[str], base: Path, what: str) -> dict[str, Any]:
    """`HOST=FILE.json|URL` strings (command line, ini lines), relative FILEs taken from `base`."""
    anchored = []
    for spec in specs:
        host, eq, source = spec.partition("=")
        anchored.append(f"{host}={_anchored(source.strip(), base)}" if eq and source.strip() else spec)
    return FetchMocks.from_flags(anchored, what).to_config() if anchored else {}


class NetworkPool:
    """Hands out networks by (nodes, fetch mocks); starts each once and stops all at `close`.

    With `reuse` (a running network's state directory) every request gets that network, and a
    request it cannot satisfy (other node count or mocks) is refused with what differs."""

    def __init__(
        self,
        make_dir: Callable[[str], Path],
        nodes: int = 4,
        fetch_mocks: Mapping[str, Any] | None = None,
        reuse: Path | None = None,
    ) -> None:
        if nodes < 1:
            raise ValueError(f"a network needs at least 1 node, not {nodes}")
        self.make_dir = make_dir
        self.nodes = nodes
        self.fetch_mocks = dict(fetch_mocks or {})
        self.reuse = reuse
        self._started: dict[str, NetworkInfo] = {}
        self._failed: dict[str, BaseException] = {}

    def get(self, nodes: int | None = None, fetch_mocks: Mapping[str, Any] | None = None) -> NetworkInfo:
        """The network with `nodes` nodes (default: the session's) and the session's fetch mocks
        plus `fetch_mocks` (node-config form, see `mocks_from_table`; a HOST given here wins)."""
        n = self.nodes if nodes is None else nodes
        if not isinstance(n, int) or isinstance(n, bool) or n < 1:
            raise ValueError(f"nodes must be an integer of at least 1, not {n!r}")
        mocks = {**self.fetch_mocks, **(fetch_mocks or {})}
        if self.reuse is not None:
            return self._reused(n, mocks)
        key = json.dumps([n, mocks], sort_keys=True)
        if key in self._failed:
            raise RuntimeError(f"the {n}-node network failed to start earlier in this session") from self._failed[key]
        if key not in self._started:
            root = self.make_dir(f"lit-net{n}")
            try:
                self._started[key] = run_blocking(
                    start_network(
                        root, n, phase_timeout_s=10, presign_batch_size=8, presign_pool_target=16,
                        fetch_mocks=FetchMocks.from_config(mocks) if mocks else None,
                    )
                )
            except BaseException as exc:
                self._failed[key] = exc
                raise
        return self._started[key]

    def _reused(self, n: int, mocks: dict[str, Any]) -> NetworkInfo:
        assert self.reuse is not None
        try:
            info = load_network(self.reuse)
        except FileNotFoundError as exc:
            raise ValueError(f"--lit-state-dir {self.reuse}: {exc}") from None
        if info.n != n:
            raise ValueError(f"--lit-state-dir {self.reuse}: that network has {info.n} nodes, the test asks for {n}")
        if info.fetch_mocks != mocks:
            raise ValueError(
                f"--lit-state-dir {self.reuse}: that network's fetch mocks are {info.fetch_mocks or 'none'}, "
                f"the test asks for {mocks or 'none'} (start it with the same --mock-fetch flags)"
            )
        return info

    def close(self) -> None:
        """Stop every network this pool started (never a reused one)."""
        for info in self._started.values():
            stop_network(info.state_dir)
        self._started.clear()
