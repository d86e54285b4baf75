"""The host side of the bridge: what Lit.Actions functions do outside V8.

A host is an object with one coroutine method per operation, named `op_<name>`:

    class NodeHost(Host):
        async def op_signEcdsa(self, args: dict, ctx: OpContext) -> str:
            ...                      # args is the JSON the action passed, e.g. toSign as a list of ints
            return "success"         # any JSON value; raise HostError("...") to throw in the action

`args` is always a dict (the action's single parameter object); return values must be JSON-serialisable.
The base Host provides fetch (under `fetch_policy`) and `webcrypto` (the work behind the prelude's
crypto.subtle, so every host offers it); every other Lit.Actions function is refused with
"Lit.Actions.<name> is not available in this host" until a subclass defines it. Counting limits
(fetches, signatures, contract calls) is the executor's job, not the host's.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from sandbox.addresses import FetchPolicy
from sandbox.errors import HostError
from sandbox.fetch import perform_fetch
from sandbox.limits import Limits
from sandbox.ops import FETCH_OP
from sandbox.webcrypto import webcrypto

__all__ = ["Host", "OpContext"]

_OP_NAME = re.compile(r"[A-Za-z][A-Za-z0-9]{0,63}")

OpMethod = Callable[[dict[str, Any], "OpContext"], Awaitable[Any]]


@dataclass(frozen=True)
class OpContext:
    """What a host operation may know about the execution that called it."""

    limits: Limits = field(default_factory=Limits)
    auth_context: dict[str, Any] = field(default_factory=dict)
    js_params: dict[str, Any] = field(default_factory=dict)


class Host:
    """Base host: dispatches operations to `op_<name>` methods; implements fetch."""

    def __init__(self, fetch_policy: FetchPolicy | None = None) -> None:
        self.fetch_policy = fetch_policy or FetchPolicy()

    def operation(self, op: str) -> OpMethod | None:
        """The method serving `op`, or None when this host does not offer it."""
        if not _OP_NAME.fullmatch(op):
            return None
        method = getattr(self, f"op_{op}", None)
        return method if callable(method) else None

    async def handle(self, op: str, args: dict[str, Any], ctx: OpContext | None = None) -> Any:
        """Run one operation; raise HostError with a message meant for the action's author."""
        method = self.operation(op)
        if method is None:
            label = "fetch" if op == FETCH_OP else f"Lit.Actions.{op}"
            raise HostError(f"{label} is not available in this host")
        if not isinstance(args, dict):
            raise HostError(f"Lit.Actions.{op} expects one object of named parameters")
        return await method(args, ctx or OpContext())

    async def op_fetch(self, args: dict[str, Any], ctx: OpContext) -> dict[str, Any]:
        return await perform_fetch(
            args, self.fetch_policy, ctx.limits.fetch_timeout_s, ctx.limits.max_fetch_response_bytes
        )

    async def op_webcrypto(self, args: dict[str, Any], ctx: OpContext) -> Any:
        return await webcrypto(args)
