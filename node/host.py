"""The host a Lit Action reaches on a node: child calls, Lit.Auth (what a request shares is in
node/request.py).

The sandbox's base `Host` supplies fetch and dispatches each operation to an `op_<name>` method.
The operations that need keys, the chain or IPFS come from one mixin per concern (signing_ops,
chain_ops, access_ops). Every refusal is a `HostError` whose message reaches the action as a thrown
Error, and so the user.
"""

from __future__ import annotations

import asyncio
from typing import Any

from runtime.auth.recap import EXECUTION, action_resource
from runtime.chain.errors import ChainError, redact_urls
from runtime.ipfs import IpfsError
from sandbox import Host, HostError, OpContext
from sandbox import execute as run_action
from sandbox.addresses import FetchPolicy
from sandbox.ops import BUDGETS

from .access_ops import AccessOps
from .chain_ops import ChainOps
from .collective_ops import CollectiveOps
from .context import NodeContext
from .errors import NodeError, NotPermitted
from .op_args import text_arg
from .request import RequestBudget, RequestContext
from .signing_ops import SigningOps

__all__ = ["RequestBudget", "RequestContext", "NodeHost"]


# The error kinds of limits a child shares with its caller.
_SHARED = frozenset({"timeout", *BUDGETS})


class NodeHost(SigningOps, CollectiveOps, ChainOps, AccessOps, Host):
    def __init__(self, service: NodeContext, request: RequestContext, action_stack: list[str], fetch_policy: FetchPolicy) -> None:
        super().__init__(fetch_policy)
        self._service = service
        self._request = request
        self._stack = action_stack
        self.action_cid = action_stack[-1]  # the action this host serves; its stack never changes
        # One child at a time per action, as Lit's node serves an action's calls in turn: with
        # Promise.all over many calls, a request would hold an isolate per call at once.
        self._children = asyncio.Lock()
        request.action_cids.update(action_stack)

    async def handle(self, op: str, args: dict[str, Any], ctx: OpContext | None = None) -> Any:
        try:
            self._request.budget.charge(op)
            return await super().handle(op, args, ctx)
        except NotPermitted as exc:
            self._request.refusals.append(str(exc))
            raise HostError(str(exc)) from None
        except NodeError as exc:
            raise HostError(str(exc)) from None
        except (ChainError, IpfsError) as exc:
            # The action (and so the client) sees the reason, never a configured URL (it may hold a key).
            raise HostError(f"{op}: {redact_urls(str(exc), self._service.config.chains.values())}") from None

    # ---- child actions ---------------------------------------------------------------------------

    async def op_call(self, args: dict[str, Any], ctx: OpContext) -> str:
        cid = text_arg(args, "ipfsId")
        if len(self._stack) >= self._request.limits.max_call_depth:
            raise HostError(f"Lit.Actions.call: maximum call depth {self._request.limits.max_call_depth} exceeded")
        cid, code = await self._service.action_code(cid)
        if self._request.auth_sig is not None:
            # The authSig travels into the child: it must have allowed running that action too.
            self._request.auth_sig.require(EXECUTION, action_resource(cid))
        params = args.get("params") or {}
        if not isinstance(params, dict):
            raise HostError("Lit.Actions.call: params must be an object")
        child = self._service.make_host(self._request, self._stack + [cid])
        async with self._children:
            limits = self._request.budget.remaining()
            result = await run_action(code, params, child, limits, auth_context=self._request.auth_context(self._stack + [cid]))
        if result.error is not None:
            shared = " (a child action gets what is left of its caller's limits)" if result.error.kind in _SHARED else ""
            raise HostError(f"child action {cid} failed: {result.error.message}{shared}")
        return result.response

    def auth_context(self) -> dict[str, Any]:
        return self._request.auth_context(self._stack)
