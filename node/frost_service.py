"""The node's FROST state: its nonce pool, kept full in the background, and the signing rounds.

Made on first use from what every node has (config, sealed store key, request exchange) and kept
per node service; the refill task runs on the node's loop from then on. Nonces cost two scalar
multiplications each, so a batch takes milliseconds; what bounds the rate is the sealed write.
The refill sleeps on an event the pool sets whenever a nonce is taken, so an idle node does no
work for its pool and a busy one tops it up at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import weakref
from typing import TYPE_CHECKING

from runtime.crypto.hd import action_key_id
from runtime.crypto.schemes import Scheme

from .frost_nonces import NONCE_SUITES, FrostNoncePool, open_nonce_pool
from .frost_signing import FrostKey, FrostSigning

if TYPE_CHECKING:
    from .context import NodeContext

__all__ = ["FrostService", "frost_for", "close_frost", "POOL_TARGET", "BATCH_SIZE"]

log = logging.getLogger(__name__)

POOL_TARGET = 64  # unused nonce pairs kept per group
BATCH_SIZE = 32
_RETRY_S = 0.25  # after a batch failed (a full disk): try again this much later

_SERVICES: "weakref.WeakKeyDictionary[object, FrostService]" = weakref.WeakKeyDictionary()


class FrostService:
    def __init__(self, node: "NodeContext") -> None:
        config = node.config
        self._node = node
        self.pool: FrostNoncePool = open_nonce_pool(config.index, config.state_dir, config.seal_key_path, node.store)
        self.signing = FrostSigning(config.index, config.n, node.t, self.pool, node.exchange, config.fault)
        # Batches are made off the loop; a signature that finds the pool empty waits for one (ms).
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        self.pool.on_take = self._taken
        self._refill = self._loop.create_task(self._keep_full())

    def _taken(self) -> None:
        """The pool's on_take: any thread may take, so the event is set on the loop's own thread."""
        # Asking is_closed() first would race with the loop closing; the take itself has succeeded,
        # and a closed loop has no refill left to wake.
        with contextlib.suppress(RuntimeError):
            self._loop.call_soon_threadsafe(self._wake.set)

    async def _keep_full(self) -> None:
        while True:
            self._wake.clear()  # before looking: a take from here on ends the wait below
            low = [group for group in NONCE_SUITES if self.pool.available(group) < POOL_TARGET]
            failed = False
            for group in low:
                try:
                    await asyncio.to_thread(self.pool.make_batch, group, BATCH_SIZE)
                except Exception:  # a full disk: keep serving what is left, try again later
                    log.exception("FROST nonce batch for %s failed", group)
                    failed = True
            if failed:
                await asyncio.sleep(_RETRY_S)
            elif not low:
                await self._wake.wait()

    async def close(self) -> None:
        self.pool.on_take = None
        self._refill.cancel()
        await asyncio.gather(self._refill, return_exceptions=True)

    def key(self, scheme: Scheme, key_id: bytes) -> FrostKey:
        """This node's share of the key `key_id` on the scheme's curve."""
        derived, share = self._node.require_keys().derive(key_id, scheme.hd)
        return FrostKey(key_id, derived, share)

    def action_key(self, scheme: Scheme, action_cid: str) -> FrostKey:
        """An action's own key on the scheme's curve (Lit: keccak256("lit_action_" + CID) as key id)."""
        return self.key(scheme, action_key_id(action_cid))


async def close_frost(node: "NodeContext") -> None:
    """Stop the node's refill task, if its FROST service was ever made (for the node's close())."""
    service = _SERVICES.pop(node, None)
    if service is not None:
        await service.close()


def frost_for(node: "NodeContext") -> FrostService:
    """The node's FROST service, made (and its refill started) on first use, on the running loop.
    Calling it once the network keys are ready makes the first nonces before any signature asks."""
    service = _SERVICES.get(node)
    if service is None:
        service = _SERVICES[node] = FrostService(node)
    return service
