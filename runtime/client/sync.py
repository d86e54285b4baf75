"""A blocking face on LitClient for scripts that are not async.

It runs one event loop on a private thread and forwards each coroutine method to it, so there is
one implementation of every operation (the async one) and this file stays thin.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import threading
from pathlib import Path
from typing import Any

from runtime.network.launcher import NetworkInfo

from ._errors_map import open_network
from .client import LitClient

__all__ = ["SyncLitClient"]


class SyncLitClient:
    """`SyncLitClient(".litrt/network").execute_js(...)`: every LitClient coroutine, blocking."""

    def __init__(
        self, network: str | Path | NetworkInfo, timeout_s: float = 60.0, straggler_grace_s: float = 0.0,
        busy_retries: int = 5,
    ) -> None:
        info = network if isinstance(network, NetworkInfo) else open_network(network)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="litrt-client", daemon=True)
        self._thread.start()
        try:
            self._client: LitClient = self._call(LitClient.connect(info, timeout_s, straggler_grace_s, busy_retries))
        except BaseException:
            self._stop_loop()  # no client to close(): without this the loop's thread would outlive the failure
            raise

    def _call(self, coroutine: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result()

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._client, name)
        if not inspect.iscoroutinefunction(attribute):
            return attribute

        @functools.wraps(attribute)
        def blocking(*args: Any, **kwargs: Any) -> Any:
            return self._call(attribute(*args, **kwargs))

        return blocking

    def close(self) -> None:
        try:
            self._call(self._client.close())
        finally:
            self._stop_loop()

    def _stop_loop(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join()
        self._loop.close()

    def __enter__(self) -> "SyncLitClient":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
