"""A node's configuration: one JSON file, written by the launcher or by an operator."""

from __future__ import annotations

import json
import logging
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sandbox.fetch_mocks import FetchMocks, MockSpecError

from .errors import BadRequest
from .testfaults import Fault, parse_fault

__all__ = ["PeerInfo", "NodeConfig", "ExecutionCaps", "url_endpoint"]

log = logging.getLogger(__name__)

_DEFAULT_PORTS = {"http": 80, "https": 443}
_CODE_CACHE_BYTES = 64 * 1024 * 1024


def url_endpoint(url: str, what: str) -> tuple[str, int]:
    """(host, port) a node URL reaches; the scheme's port when the URL names none."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise BadRequest(f"node config: {what} {url!r}: {exc}") from None
    if parts.scheme not in _DEFAULT_PORTS or not parts.hostname:
        raise BadRequest(f"node config: {what} {url!r} is not an http(s) URL with a host")
    return parts.hostname, port if port is not None else _DEFAULT_PORTS[parts.scheme]


@dataclass(frozen=True)
class ExecutionCaps:
    """How much execution work a node takes at once (security review H3)."""

    running: int  # actions in their sandbox at once
    queued: int  # more that wait for a turn; past that a request is refused, to be retried
    per_client: int  # running + queued held by one client (authSig address)


def _default_running() -> int:
    # Two per core keeps a core busy while the other action waits on the chain or its peers; past
    # 8, an operator who has the memory (256 MB per isolate) raises it.
    return min(8, 2 * max(1, os.cpu_count() or 1))


@dataclass(frozen=True)
class PeerInfo:
    index: int
    url: str  # e.g. http://127.0.0.1:7471
    signing_key: str  # hex Ed25519 public key: checks the peer's messages
    encryption_key: str  # hex X25519 public key: DKG deals are sealed to it


@dataclass
class NodeConfig:
    index: int
    host: str
    port: int
    peers: list[PeerInfo]  # every node of the network, this one included
    state_dir: str
    seal_key_path: str  # outside state_dir (docs/architecture.md §Secrets)
    chains: dict[str, str]  # chain name -> JSON-RPC URL; "lit" holds the PKP contract
    pkp_contract: str  # address of the PKP contract on chains["lit"]
    ipfs_gateways: list[str] = field(default_factory=list)  # trustless gateways, tried in order
    ipfs_kubo_rpc: list[str] = field(default_factory=list)
    allow_private_fetch: bool = False  # a dev network lets actions fetch from loopback
    dkg_phase_timeout_s: float = 20.0
    presign_phase_timeout_s: float = 5.0
    presign_batch_size: int = 20
    presign_pool_target: int = 40
    root_key_count: int = 10
    limits: dict[str, Any] = field(default_factory=dict)  # overrides of sandbox.Limits
    # Admission to the sandbox (execution_caps()); unset, they follow the CPU count: 2 per core up
    # to 8 running, 4 times that queued, and half of all places for one client.
    max_concurrent_executions: int | None = None
    max_queued_executions: int | None = None
    max_executions_per_client: int | None = None
    code_cache_bytes: int = _CODE_CACHE_BYTES  # action sources kept by CID, all together
    # Development only: {HOST: FILE.json path | loopback URL | response document} answering actions'
    # fetches to HOST without the internet (sandbox/fetch_mocks.py); `litrt up --mock-fetch` writes it.
    fetch_mocks: dict[str, Any] = field(default_factory=dict)
    # What an authSig's SIWE message must name (security review H1): one of these domains (its
    # host, or host:port) and this chain id. The defaults are a local network's: `litrt up` serves
    # "localhost" and its dev chain has id 31337 (runtime/chain/devchain.py).
    siwe_domains: list[str] = field(default_factory=lambda: ["localhost"])
    siwe_chain_id: int = 31337
    # Testing only: a node/testfaults.py Fault; NodeService takes it only with ALLOW_TEST_FAULTS_FLAG (armed_fault).
    fault: Fault | None = None

    def execution_caps(self) -> ExecutionCaps:
        """The admission caps, checked: BadRequest naming a setting that is not a positive integer (the
        queue may be 0)."""
        running = _positive(self.max_concurrent_executions, "max_concurrent_executions", _default_running())
        queued = _positive(self.max_queued_executions, "max_queued_executions", 4 * running, least=0)
        per_client = _positive(self.max_executions_per_client, "max_executions_per_client", max(1, (running + queued) // 2))
        return ExecutionCaps(running, queued, per_client)

    def code_cache_limit(self) -> int:
        """code_cache_bytes, checked as execution_caps() checks its settings."""
        return _positive(self.code_cache_bytes, "code_cache_bytes", _CODE_CACHE_BYTES)

    @property
    def n(self) -> int:
        return len(self.peers)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def fetch_forbidden_endpoints(self) -> frozenset[tuple[str, int]]:
        """Where this network's nodes answer: every peer URL's endpoint and this node's bind address.

        Endpoints, not bare ports: a network served on :443 must not forbid :443 on every host,
        and a node behind NAT or a proxy is bound to another port than its URL says."""
        endpoints = {url_endpoint(p.url, f"peer {p.index} url") for p in self.peers}
        if self.allow_private_fetch:
            # A dev network's chain has unlocked, funded accounts (eth_sendTransaction signs for
            # them) and its IPFS service takes uploads: reachable over loopback, they would let an
            # action take over dev-owned PKPs (security review M4).
            services = [("chain", u) for u in self.chains.values()]
            services += [("ipfs", u) for u in [*self.ipfs_gateways, *self.ipfs_kubo_rpc]]
            endpoints |= {url_endpoint(url, f"{what} url {url!r}") for what, url in services}
        return frozenset(endpoints | {(self.host, self.port)})

    def fetch_mock_table(self) -> FetchMocks | None:
        """The configured fetch mocks (None when there are none), checked now so a bad one stops start-up."""
        if not self.fetch_mocks:
            return None
        try:
            mocks = FetchMocks.from_config(self.fetch_mocks, "node config fetch_mocks")
        except MockSpecError as exc:
            raise BadRequest(str(exc)) from None
        log.warning("fetch mocks are active (development only): %s", ", ".join(r.pattern for r in mocks.rules))
        return mocks

    def peer(self, index: int) -> PeerInfo:
        for p in self.peers:
            if p.index == index:
                return p
        raise KeyError(index)

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "NodeConfig":
        try:
            peers = [PeerInfo(**p) for p in data["peers"]]
            cfg = cls(**{**data, "peers": peers})
        except (KeyError, TypeError) as exc:
            raise BadRequest(f"node config: {exc}") from None
        indices = sorted(p.index for p in cfg.peers)
        if indices != list(range(1, len(indices) + 1)):
            raise BadRequest(f"node config: peer indices must be 1..n, got {indices}")
        if cfg.index not in indices:
            raise BadRequest(f"node config: own index {cfg.index} is not among the peers")
        # A misspelt fault would otherwise start an honest node and the test would prove nothing.
        cfg.fault = parse_fault(cfg.fault)
        return cfg

    @classmethod
    def load(cls, path: str | Path) -> "NodeConfig":
        return cls.from_dict(json.loads(Path(path).read_text()))


def _positive(value: Any, name: str, default: int, least: int = 1) -> int:
    if value is None:
        return default
    if not isinstance(value, int) or isinstance(value, bool) or value < least:
        kind = "a positive integer" if least == 1 else f"an integer of at least {least}"
        raise BadRequest(f"node config: {name} must be {kind}, got {value!r}")
    return value
