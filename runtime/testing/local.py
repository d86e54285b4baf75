"""LocalRunner (the `lit_run` fixture): one action run in this process's V8 sandbox, fetch mocks
included, no network and no keys; for fast unit tests of an action's logic. Signing needs the
network (`lit_network`, `dev_pkp`): here a Lit.Actions signing call fails as "not available"."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sandbox import ExecutionResult, FetchPolicy, Limits, execute
from sandbox.fetch_mocks import FetchMocks
from sandbox.solo import SoloHost

from .networks import mocks_from_table, run_blocking

__all__ = ["LocalRunner"]


class LocalRunner:
    """`lit_run(ACTION, params, fetch_mocks={HOST: FILE|URL|document})` -> ExecutionResult.

    ACTION is a path to the action's file, relative paths (of params and mock files too) taken from
    `base`, the requesting test's directory; or pass the source as `code=`. The result is not raised
    on: check `result.error` (None on success) and `result.response` (the setResponse string)."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.mocked: list[str] = []  # the "mocked: GET ... -> FILE (200)" lines of the last run

    def __call__(
        self,
        action: str | Path | None = None,
        params: Mapping[str, Any] | str | Path | None = None,
        *,
        code: str | None = None,
        fetch_mocks: Mapping[str, Any] | None = None,
        allow_private_fetch: bool = False,
        timeout_ms: int | None = None,
    ) -> ExecutionResult:
        """Run and wait. In an async test whose own event loop serves a URL the action fetches, call
        it as `await asyncio.to_thread(lit_run, ...)`, so that the loop keeps serving meanwhile."""
        source = self._source(action, code)
        js_params = self._params(params)
        self.mocked = []
        mocks = None
        if fetch_mocks:
            table = mocks_from_table(fetch_mocks, self.base, "lit_run fetch_mocks")
            mocks = FetchMocks.from_config(table, "lit_run fetch_mocks", self.mocked.append)
        host = SoloHost(FetchPolicy(allow_private=allow_private_fetch, mocks=mocks))
        limits = Limits() if timeout_ms is None else Limits(timeout_ms=timeout_ms)
        return run_blocking(execute(source, js_params, host, limits))

    def _source(self, action: str | Path | None, code: str | None) -> str:
        if (action is None) == (code is None):
            raise ValueError("lit_run: give the action's file or code=, exactly one of them")
        if code is not None:
            return code
        assert action is not None
        path = self.base / Path(action)
        try:
            return path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ValueError(f"lit_run: cannot read the action {path}: {exc}") from None

    def _params(self, params: Mapping[str, Any] | str | Path | None) -> dict[str, Any]:
        if params is None:
            return {}
        if isinstance(params, Mapping):
            return dict(params)
        path = self.base / Path(params)
        try:
            value = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ValueError(f"lit_run: cannot read params from {path}: {exc}") from None
        if not isinstance(value, dict):
            raise ValueError(f"lit_run: {path} must hold a JSON object (the jsParams)")
        return value
