"""What one execute request shares across its action and the child actions it calls: its budget of
limits and its context. Its own module so the host mixins and the request handlers use it without
importing node/host.py (which imports them)."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Any

from sandbox import HostError, Limits
from sandbox.errors import count_limit_error, timeout_error
from sandbox.ops import BUDGETS, budget_of

from .agreement import SignatureSlot
from .auth import AuthMethodContext, AuthSig

__all__ = ["RequestBudget", "RequestContext"]


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

    def auth_context(self, action_stack: list[str]) -> dict[str, Any]:
        """Lit's LitAuth.auth for the action on top of `action_stack` (the sandbox's `Lit.Auth`)."""
        auth = self.auth_sig
        return {
            "actionIpfsIds": list(action_stack),
            "actionIpfsIdStack": list(action_stack),
            "authSigAddress": auth.address if auth else None,
            "authMethodContexts": [m.to_lit() for m in self.auth_methods],
            "resources": [],
            "customAuthResource": "",
        }
