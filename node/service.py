"""One node's long-lived state and background work: identity, keys, pool, genesis, presigning."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import itertools
import logging
from collections import Counter, OrderedDict, deque
from collections.abc import AsyncIterator
from functools import cached_property
from pathlib import Path

from eth_account import Account
from eth_account.signers.local import LocalAccount

from runtime.chain.pkp import PkpRegistry
from runtime.chain.rpc import ChainRpc
from runtime.crypto.group import threshold_for
from runtime.crypto.identity import PartyKeys
from runtime.crypto.p256 import P256
from runtime.crypto.protocol import Message
from runtime.crypto.secp256k1 import ORDER
from runtime.ipfs import CID, GatewaySource, KuboRpcSource, VerifiedFetcher, build_dag

from sandbox import Limits
from sandbox.addresses import FetchPolicy

from .config import ExecutionCaps, NodeConfig
from .ecdsa_curves import P256_BATCH_SIZE, P256_POOL_TARGET, EcdsaAgreement
from .exchange import RequestExchange
from .frost_service import close_frost, frost_for
from .host import NodeHost, RequestContext
from .errors import BadRequest, NotReady, TooBusy
from .genesis import NeedsResharing, peer_directory, run_genesis, wait_for_peers
from .keys import NetworkKeys
from .peer import PeerTransport
from .presign_pool import PresignPool
from .presigning import Presigner
from .sealed import SealedStore, load_or_create_key
from .sessions import SessionHub
from .signer import Signer
from .signing_ops import CLAIM_WALLET_PURPOSE
from .testfaults import armed_fault
from .usage_log import UsageLog

__all__ = ["NodeService", "ExecutionSlots", "IDENTITY_RECORD", "open_store"]

log = logging.getLogger(__name__)

IDENTITY_RECORD = "identity"
KEYS_RECORD = "network-keys"
_MAX_ACTION_BYTES = 16 * 1024 * 1024
_CODE_CACHE_ENTRIES = 256


def open_store(config: NodeConfig) -> SealedStore:
    return SealedStore(Path(config.state_dir) / "sealed", load_or_create_key(Path(config.seal_key_path)))


class ExecutionSlots:
    """Admission to the sandbox (security review H3): at most `caps.running` executions at once and
    `caps.queued` more waiting, and no client holding more than `caps.per_client` of those places; the
    rest are refused with TooBusy (429), whose message says to retry.

    One client cannot crowd out the others: a client that already runs an execution never takes the
    last free slot, which is kept for a client running none, and a freed slot goes to the waiting
    client that runs the fewest. A single client therefore gets running - 1 slots at most."""

    def __init__(self, caps: ExecutionCaps, node: int) -> None:
        self.caps = caps
        self._node = node
        self._running: Counter[str] = Counter()
        self._held: Counter[str] = Counter()  # running or waiting, per client
        self._waiting: dict[str, deque[tuple[int, asyncio.Future[None]]]] = {}
        self._arrivals = itertools.count()
        self.running = self.held = self.refused = 0

    @contextlib.asynccontextmanager
    async def slot(self, client: str) -> AsyncIterator[None]:
        """Hold one execution slot for `client` (its authSig address) while the block runs."""
        self._admit(client)
        try:
            await self._turn(client)
        except BaseException:
            self._drop(self._held, client)
            self.held -= 1
            raise
        try:
            yield
        finally:
            self._drop(self._running, client)
            self.running -= 1
            self._drop(self._held, client)
            self.held -= 1
            self._dispatch()

    def status(self) -> dict[str, int]:
        return {"running": self.running, "queued": self.held - self.running, "refused": self.refused}

    def _admit(self, client: str) -> None:
        caps, held = self.caps, self._held[client]
        if held >= caps.per_client:
            self.refused += 1
            raise TooBusy(
                f"node {self._node}: this client already has {held} executions running or queued here, the most "
                f"one client may (max_executions_per_client={caps.per_client}); retry when one has finished"
            )
        if self.held >= caps.running + caps.queued:
            self.refused += 1
            raise TooBusy(
                f"node {self._node} is busy: {self.running} executions running and {self.held - self.running} "
                f"queued (max_concurrent_executions={caps.running}, max_queued_executions={caps.queued}); retry shortly"
            )
        self._held[client] += 1
        self.held += 1

    async def _turn(self, client: str) -> None:
        """Wait in the queue until _dispatch gives this request a slot (at once when one is free for it)."""
        entry = (next(self._arrivals), asyncio.get_running_loop().create_future())
        self._waiting.setdefault(client, deque()).append(entry)
        self._dispatch()
        try:
            await entry[1]
        except asyncio.CancelledError:
            if entry[1].done() and not entry[1].cancelled():
                # Given a slot just as the request went away: pass it on.
                self._drop(self._running, client)
                self.running -= 1
                self._dispatch()
            else:
                queue = self._waiting[client]
                queue.remove(entry)
                if not queue:
                    del self._waiting[client]
            raise

    def _may_start(self, client: str) -> bool:
        free = self.caps.running - self.running
        return free >= 2 or (free == 1 and self._running[client] == 0)

    def _dispatch(self) -> None:
        while True:
            ready = [c for c in self._waiting if self._may_start(c)]
            if not ready:
                return
            chosen = min(ready, key=lambda c: (self._running[c], self._waiting[c][0][0]))
            queue = self._waiting[chosen]
            _, future = queue.popleft()
            if not queue:
                del self._waiting[chosen]
            self._running[chosen] += 1
            self.running += 1
            future.set_result(None)

    @staticmethod
    def _drop(counter: Counter[str], client: str) -> None:
        counter[client] -= 1
        if counter[client] <= 0:
            del counter[client]


def network_id(config: NodeConfig) -> str:
    """Same at every node of one network: binds peer signatures to it."""
    keys = ",".join(f"{p.index}:{p.signing_key}" for p in sorted(config.peers, key=lambda p: p.index))
    return hashlib.sha256(keys.encode()).hexdigest()[:32]


class NodeService:
    def __init__(self, config: NodeConfig, allow_test_faults: bool = False) -> None:
        """The node `config` describes; BadRequest when the config names a test fault and
        `allow_test_faults` (the node's ALLOW_TEST_FAULTS_FLAG) is not given."""
        # Refused here and not only by `python -m node serve`: a node built in-process from a config
        # that names a fault must not lie unasked either. The handlers read config.fault, so past this
        # line it is a fault that was armed.
        armed_fault(config.fault, allow_test_faults)
        self.config = config
        self.store = open_store(config)
        if not self.store.exists(IDENTITY_RECORD):
            raise NotReady(f"no identity in {config.state_dir}: run `python -m node keygen` first")
        self.identity = PartyKeys.from_bytes(bytes.fromhex(self.store.load(IDENTITY_RECORD)))
        self.directory = peer_directory(config)
        if self.directory[config.index] != self.identity.public:
            raise BadRequest(f"config lists other public keys for node {config.index} than its identity")
        self.hub = SessionHub()
        self.transport = PeerTransport(config, network_id(config), self.identity.signing)
        self.usage = UsageLog(
            Path(config.state_dir) / "presign-usage.log",
            mac_key=self.store.derive_key("presign-usage-log"),
            counter_path=Path(config.seal_key_path + ".usage-counter"),  # beside the seal key, outside state_dir
        )
        self.pool = PresignPool(config.index, self.store, self.usage)
        self.keys: NetworkKeys | None = (
            NetworkKeys.from_record(self.store.load(KEYS_RECORD)) if self.store.exists(KEYS_RECORD) else None
        )
        self.genesis_error: str | None = None
        self.needs_resharing = False  # missed genesis: serves no key until a reshare gives it shares
        self.registry = PkpRegistry(config.chains["lit"], config.pkp_contract, reads_per_block=True)
        self.chains = ChainRpc(config.chains)
        sources = [GatewaySource(u) for u in config.ipfs_gateways] + [KuboRpcSource(u) for u in config.ipfs_kubo_rpc]
        self.fetcher = VerifiedFetcher(sources) if sources else None
        # CID -> (source, its size in bytes); bounded in entries and in bytes, so that actions of
        # up to 16 MiB cannot make the cache hold gigabytes (security review H3).
        self._code_cache: OrderedDict[str, tuple[str, int]] = OrderedDict()
        self._code_cache_bytes = 0
        self._code_cache_limit = config.code_cache_limit()
        self.executions = ExecutionSlots(config.execution_caps(), config.index)
        # Executions in progress by the client's requestId, so peers can join them (access_ops.py).
        self.active_requests: dict[str, RequestContext] = {}
        self._signer: Signer | None = None
        self.limits = Limits(**config.limits)
        # Actions may never reach this network's nodes, whatever else the policy allows.
        self.fetch_policy = FetchPolicy(
            allow_private=config.allow_private_fetch,
            forbidden_endpoints=config.fetch_forbidden_endpoints(),
            mocks=config.fetch_mock_table(),
        )
        self._tasks: list[asyncio.Task[None]] = []
        self._presigning_curves: set[str] = set()
        self.t = threshold_for(config.n)
        self.agreement = EcdsaAgreement(
            config.index, self.identity, self.directory, self.pool, self.transport, on_demand=self.presign_on_demand
        )
        self.exchange = RequestExchange(config.index, lambda path, payload: self.transport.broadcast(path, payload, attempts=1))
        self.presigner = Presigner(
            config, self.t, self.identity, self.directory, self.pool, self.hub, self.transport, self.send
        )

    # ---- lifecycle ---------------------------------------------------------------------------

    async def send(self, peer: int, message: Message) -> None:
        await self.transport.post(peer, "/peer/message", message.to_json())

    def start_background(self) -> None:
        self._tasks.append(asyncio.create_task(self._bring_up()))

    async def _bring_up(self) -> None:
        try:
            if self.keys is None:
                missing = await wait_for_peers(self.config, timeout_s=60)
                if missing:
                    log.warning("starting genesis without nodes %s", missing)
                keys = await run_genesis(self.config, self.identity, self.hub, self.send)
                self.store.save(KEYS_RECORD, keys.to_record())
                self.keys = keys
            else:
                await wait_for_peers(self.config, timeout_s=10)
        except NeedsResharing as exc:
            self.genesis_error, self.needs_resharing = str(exc), True
            log.error("%s", exc)
            return
        except Exception as exc:
            self.genesis_error = f"{type(exc).__name__}: {exc}"
            log.exception("genesis failed")
            return
        frost_for(self)  # FROST nonces are made from now on, not when the first Schnorr signature asks
        await self.presigner.keep_full(self.config.presign_pool_target, self.config.presign_batch_size)

    def presign_on_demand(self, curve: str) -> None:
        """Start keeping `curve`'s presignature pool full (node/ecdsa_curves.py: P-256 starts on demand)."""
        if curve != P256.name or curve in self._presigning_curves or self.keys is None or self.keys.p256 is None:
            return
        self._presigning_curves.add(curve)
        target = min(self.config.presign_pool_target, P256_POOL_TARGET)
        batch = min(self.config.presign_batch_size, P256_BATCH_SIZE)
        # No start-up grace: the peers are up, and a client is waiting for this pool.
        self._tasks.append(asyncio.create_task(self.presigner.keep_full(target, batch, 0.0, P256)))

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await close_frost(self)
        await self.transport.close()
        await self.registry.close()
        await self.chains.close()

    # ---- what requests need -------------------------------------------------------------------

    @cached_property
    def claim_wallet(self) -> LocalAccount:
        """The key this node signs Lit.Actions.claimKey answers with (Lit: the operator's wallet);
        derived from the sealed store, its address is published in /status."""
        secret = int.from_bytes(self.store.derive_key(CLAIM_WALLET_PURPOSE), "big") % (ORDER - 1) + 1
        wallet: LocalAccount = Account.from_key(secret.to_bytes(32, "big"))
        return wallet

    def require_keys(self) -> NetworkKeys:
        if self.keys is None:
            raise NotReady(self.genesis_error or "the network's DKG has not finished yet")
        return self.keys

    @property
    def signer(self) -> Signer:
        if self._signer is None:
            self._signer = Signer(
                self.config.index, self.require_keys(), self.pool, self.usage, self.registry, self.agreement, self.config.fault
            )
        return self._signer

    async def action_code(self, ipfs_id: str) -> tuple[str, str]:
        """(CIDv0, source) of the action, fetched with every block verified, cached by CID."""
        try:
            cid = str(CID.parse(ipfs_id).to_v0())
        except ValueError as exc:
            raise BadRequest(f"ipfsId: {exc}") from None
        cached = self._code_cache.get(cid)
        if cached is not None:
            self._code_cache.move_to_end(cid)
            return cid, cached[0]
        if self.fetcher is None:
            raise NotReady("this node has no IPFS source configured")
        data = await self.fetcher.fetch(cid, _MAX_ACTION_BYTES, timeout=30)
        try:
            code = data.decode("utf-8")
        except UnicodeDecodeError:
            raise BadRequest(f"action {cid} is not UTF-8 text") from None
        self._cache_code(cid, code, len(data))
        return cid, code

    @property
    def code_cache_size(self) -> tuple[int, int]:
        """(actions, bytes) the action-code cache holds."""
        return len(self._code_cache), self._code_cache_bytes

    def _cache_code(self, cid: str, code: str, size: int) -> None:
        if size > self._code_cache_limit or cid in self._code_cache:
            return
        self._code_cache[cid] = (code, size)
        self._code_cache_bytes += size
        while len(self._code_cache) > _CODE_CACHE_ENTRIES or self._code_cache_bytes > self._code_cache_limit:
            _, (_, dropped) = self._code_cache.popitem(last=False)
            self._code_cache_bytes -= dropped

    def make_host(self, request: "RequestContext", action_stack: list[str]) -> "NodeHost":
        return NodeHost(self, request, action_stack, self.fetch_policy)

    @staticmethod
    def cid_of(code: str) -> str:
        return str(build_dag(code.encode("utf-8")).root)

    def status(self) -> dict[str, object]:
        keys = self.keys
        return {
            "index": self.config.index,
            "n": self.config.n,
            "t": self.t,
            "threshold": 2 * self.t + 1,
            "ready": keys is not None,
            "genesisError": self.genesis_error,
            "needsResharing": self.needs_resharing,
            "identity": self.identity.public.to_dict(),
            "claimAddress": self.claim_wallet.address,
            "executions": self.executions.status(),
            "presignatures": {
                "assignable": self.pool.available(),
                "unused": self.pool.unused(),
                "used": len(self.usage),  # of every curve
                "p256Assignable": self.pool.available(P256.name),
                "p256Unused": self.pool.unused(P256.name),
            },
            "network": keys.public_info() if keys is not None else None,
            # The test-only fault it runs with (armed in __init__): a liar never passes for honest.
            "testFault": self.config.fault,
        }
