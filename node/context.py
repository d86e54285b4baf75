"""What the request handlers and the host mixins use from the node (node/service.py NodeService).

A Protocol, so those modules name exactly the parts of the node they rely on, typed, without
importing node/service.py (which imports them); NodeService satisfies it by its shape.
"""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:  # types only: web3 (PkpRegistry) and the peer stack need not load with this module
    from eth_account.signers.local import LocalAccount

    from runtime.chain.pkp import PkpRegistry
    from runtime.chain.rpc import ChainRpc
    from runtime.crypto.identity import PartyKeys, PeerDirectory
    from sandbox import Host, Limits

    from .config import NodeConfig
    from .exchange import RequestExchange
    from .keys import NetworkKeys
    from .peer import PeerTransport
    from .request import RequestContext
    from .sealed import SealedStore
    from .signer import Signer

__all__ = ["ExecutionGate", "NodeContext"]


class ExecutionGate(Protocol):
    """The node's execution slots (node/service.py ExecutionSlots)."""

    def slot(self, client: str) -> AbstractAsyncContextManager[None]:
        """Hold one slot while the block runs; TooBusy when `client` may not queue another."""
        ...


class NodeContext(Protocol):
    """The node as its handlers and hosts see it."""

    config: NodeConfig
    limits: Limits
    t: int  # the faulty nodes the network tolerates: t + 1 agree
    registry: PkpRegistry
    chains: ChainRpc
    exchange: RequestExchange
    transport: PeerTransport
    identity: PartyKeys
    directory: PeerDirectory
    active_requests: dict[str, RequestContext]
    store: SealedStore  # the node's sealed records (node/sealed.py), opened once at start

    # Read-only: NodeService makes these on first use (a property, a cached_property) or holds a
    # more specific type (ExecutionSlots).
    @property
    def signer(self) -> Signer: ...
    @property
    def claim_wallet(self) -> LocalAccount: ...
    @property
    def executions(self) -> ExecutionGate: ...

    def require_keys(self) -> NetworkKeys: ...
    def cid_of(self, code: str) -> str: ...
    async def action_code(self, ipfs_id: str) -> tuple[str, str]: ...
    def make_host(self, request: RequestContext, action_stack: list[str]) -> Host: ...
