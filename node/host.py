"""The host a Lit Action reaches on a node: what a request shares, child calls, Lit.Auth.

The sandbox's base `Host` supplies fetch and dispatches each operation to an `op_<name>` method.
The operations that need keys, the chain or IPFS come from one mixin per concern (signing_ops,
chain_ops, access_ops). Every refusal is a `HostError` whose message reaches the action as a thrown
Error, and so the user.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Any

from runtime.auth.recap import EXECUTION, action_resource
from runtime.chain.errors import ChainError, redact_urls
from runtime.ipfs import IpfsError
from sandbox import Host, HostError, Limits, OpContext
from sandbox import execute as run_action
from sandbox.addresses import FetchPolicy
from sandbox.errors import count_limit_error, timeout_error
from sandbox.ops import BUDGETS, budget_of

from .access_ops import AccessOps
from .agreement import SignatureSlot
from .auth import AuthMethodContext, AuthSig
from .chain_ops import ChainOps
from .collective_ops import CollectiveOps
from .errors import NodeError, NotPermitted
from .op_args import text_arg
from .signing_ops import SigningOps

__all__ = ["RequestBudget", "RequestContext", "NodeHost"]


class RequestBudget:
    """The limits one execute request's actions share: the action and every child action it calls draw
    on one wall time and one count of fetches, signatures and contract calls (security review H3), as
    Lit's child calls add to their caller's state (lit-node functions/action_client.rs, CallChild)."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.used: Counter[str] = Counter()
        self._started = time.monotonic()

    def start(self) -> None:
        """Start the wall time from now (when the action gets its execution slot, not when it queued)."""
        self._started = time.monotonic()

    def charge(self, op: str) -> None:
        """Count one call of `op`; HostError, with Lit's text, once its budget is spent.

        The sandbox counts each execution's own calls too, and ends it at the limit; this count is the
        one that sees a child's calls, so it is what stops a parent from spending them again."""
        kind = budget_of(op)
        if kind is None:
            return
        self.used[kind] += 1
        limit = getattr(self.limits, BUDGETS[kind])
        if self.used[kind] > limit:
            raise HostError(count_limit_error(kind, limit).message + " (the action and its child actions share it)")

    def remaining(self) -> Limits:
        """The limits a child action starting now gets: what is left of the request's."""
        left_ms = int(self.limits.timeout_ms - (time.monotonic() - self._started) * 1000)
        if left_ms < 1:
            raise HostError(timeout_error(self.limits.timeout_ms).message)
        # A spent budget still gives the child 1 in its own sandbox: Limits are positive, and charge()
        # refuses that one call anyway.
        counts = {name: max(1, getattr(self.limits, name) - self.used[kind]) for kind, name in BUDGETS.items()}
        return replace(self.limits, timeout_ms=left_ms, **counts)


@dataclass
class RequestContext:
    """What one execute request shares across its action and the child actions it calls."""

    coordinator: int | None  # the node that assigns presignatures and certifies (node/agreement.py)
    auth_sig: AuthSig | None
    limits: Limits
    signed: dict[str, dict[str, Any]] = field(default_factory=dict)  # sigName -> share payload
    refusals: list[str] = field(default_factory=list)  # permission refusals, for the client to type
    request_id: str | None = None  # the client's id, the same on every node: peers join by it
    action_cids: set[str] = field(default_factory=set)  # every action run under this request
    auth_methods: tuple[AuthMethodContext, ...] = ()  # verified by this node (node/auth.py)
    combined: set[str] = field(default_factory=set)  # sigNames signed and combined inside the action
    collective_calls: Counter[str] = field(default_factory=Counter)  # runOnce/broadcastAndCollect calls per name
    claims: dict[str, dict[str, str]] = field(default_factory=dict)  # keyId -> this node's claimKey answer
    budget: RequestBudget = field(init=False)

    def __post_init__(self) -> None:
        self.budget = RequestBudget(self.limits)

    def slot(self, sig_name: str) -> SignatureSlot:
        """Where the nodes meet to agree on this signature: the same at every node."""
        if self.request_id is None or self.coordinator is None:
            raise HostError("signing needs the client's requestId (the same at every node); this request has none")
        return SignatureSlot(self.request_id, sig_name, self.coordinator)


# The error kinds of limits a child shares with its caller.
_SHARED = frozenset({"timeout", *BUDGETS})


class NodeHost(SigningOps, CollectiveOps, ChainOps, AccessOps, Host):
    def __init__(self, service: Any, request: RequestContext, action_stack: list[str], fetch_policy: FetchPolicy) -> None:
        super().__init__(fetch_policy)
        self._service = service
        self._request = request
        self._stack = action_stack
        # One child at a time per action, as Lit's node serves an action's calls in turn: with
        # Promise.all over many calls, a request would hold an isolate per call at once.
        self._children = asyncio.Lock()
        request.action_cids.update(action_stack)

    @property
    def action_cid(self) -> str:
        return self._stack[-1]

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
            result = await run_action(code, params, child, limits, auth_context=child.auth_context())
        if result.error is not None:
            shared = " (a child action gets what is left of its caller's limits)" if result.error.kind in _SHARED else ""
            raise HostError(f"child action {cid} failed: {result.error.message}{shared}")
        return result.response

    def auth_context(self) -> dict[str, Any]:
        auth = self._request.auth_sig
        return {
            "actionIpfsIds": list(self._stack),
            "actionIpfsIdStack": list(self._stack),
            "authSigAddress": auth.address if auth else None,
            "authMethodContexts": [m.to_lit() for m in self._request.auth_methods],
            "resources": [],
            "customAuthResource": "",
        }
