"""Start and find local networks: a dev chain, an IPFS service and N node processes.

Everything the network is lives in one state directory: `network.json` (what clients need to
connect), `processes.json` (pids, so another shell can stop it), the nodes' configs and states,
and `secrets/` (the nodes' sealing keys, kept outside their state directories: docs/architecture.md §Secrets).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .lit_sdk import NotIPv4, connect_snippet, publish_for_lit_sdk
from .processes import ManagedProcess, free_port, python_cmd, spawn, stop_all, wait_http

if TYPE_CHECKING:  # the sandbox package is for nodes; a client that only reads network.json skips it
    from sandbox.fetch_mocks import FetchMocks

__all__ = ["NetworkInfo", "start_network", "load_network", "stop_network", "NETWORK_FILE"]

log = logging.getLogger(__name__)

NETWORK_FILE = "network.json"
Progress = Callable[[str], None]


@dataclass
class NetworkInfo:
    state_dir: str
    nodes: list[str]  # node URLs, index i+1 at position i
    n: int
    t: int
    threshold: int
    chain_url: str
    chain_id: int
    pkp_contract: str
    network_keys_contract: str
    ipfs_url: str
    public: dict[str, Any]  # the network's public keys as the nodes publish them
    fetch_mocks: dict[str, Any] = field(default_factory=dict)  # every node's `fetch_mocks` (development)

    def to_json(self) -> str:
        return json.dumps(self.__dict__, indent=2)


def load_network(state_dir: str | Path) -> NetworkInfo:
    path = Path(state_dir) / NETWORK_FILE
    if not path.exists():
        raise FileNotFoundError(f"no network in {state_dir} (no {NETWORK_FILE}); start one with `litrt up`")
    return NetworkInfo(**json.loads(path.read_text()))


def stop_network(state_dir: str | Path) -> list[str]:
    stopped = stop_all(Path(state_dir))
    (Path(state_dir) / NETWORK_FILE).unlink(missing_ok=True)
    return stopped


async def _wait_post(proc: ManagedProcess, path: str, payload: Any, timeout_s: float) -> Any:
    import aiohttp  # here, not at the top: clients import this module for NetworkInfo and need no aiohttp

    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=3)) as session:
        while loop.time() < deadline:
            try:
                async with session.post(proc.url + path, json=payload) as resp:
                    if resp.status == 200:
                        return await resp.json(content_type=None)
            except (aiohttp.ClientError, asyncio.TimeoutError):
                pass
            await asyncio.sleep(0.2)
    tail = Path(proc.log_path).read_text(errors="replace")[-1500:]
    raise TimeoutError(f"{proc.name} did not answer at {proc.url}{path} in {timeout_s:.0f}s; log ends:\n{tail}")


async def _keygen(state_dir: Path, seal_key: Path) -> dict[str, str]:
    proc = await asyncio.create_subprocess_exec(
        *python_cmd("-m", "node", "keygen", "--state-dir", str(state_dir), "--seal-key", str(seal_key)),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await proc.communicate()
    if proc.returncode != 0:
        raise RuntimeError(f"keygen for {state_dir} failed: {err.decode(errors='replace')[-1000:]}")
    identity: dict[str, str] = json.loads(out)
    return identity


async def start_network(
    state_dir: str | Path,
    n: int = 4,
    *,
    chain_rpc: str | None = None,
    host: str = "127.0.0.1",
    allow_private_fetch: bool = True,
    phase_timeout_s: float = 20.0,
    presign_batch_size: int = 10,
    presign_pool_target: int = 20,
    ready_timeout_s: float = 180.0,
    faults: dict[int, str] | None = None,
    fetch_mocks: FetchMocks | None = None,
    progress: Progress = lambda _msg: None,
) -> NetworkInfo:
    """Start everything, wait for the DKG, publish the network keys on chain, write network.json.

    `faults` ({node index: fault name}) is for tests only: it starts chosen nodes as liars (with
    --allow-test-faults, which only they get; node/config.py TEST_FAULTS lists the names).
    `fetch_mocks` go into every node's config, so actions' fetches to those hosts are mocked."""
    root = Path(state_dir).resolve()
    if (root / NETWORK_FILE).exists():
        raise FileExistsError(f"a network is already recorded in {root}; `litrt down --state-dir {root}` first")
    root.mkdir(parents=True, exist_ok=True)
    from runtime.chain.accounts import dev_accounts  # eth-tester and web3: only starting a network needs them
    from runtime.chain.pkp import NetworkKeysRegistry, deploy

    admin = dev_accounts(count=1)[0]
    try:
        if chain_rpc is None:
            port = free_port(host)
            chain = spawn(root, "chain", python_cmd("-m", "runtime.chain.devchain", "--host", host, "--port", str(port)), f"http://{host}:{port}")
            await _wait_post(chain, "/", {"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": []}, 60)
            chain_rpc = chain.url
        progress(f"chain ready at {chain_rpc}; deploying contracts")
        contracts = await deploy(chain_rpc, admin.private_key)

        ipfs_port = free_port(host)
        ipfs = spawn(
            root, "ipfs",
            python_cmd("-m", "runtime.cli.main", "ipfs", "serve", "--store", str(root / "ipfs"), "--host", host, "--port", str(ipfs_port)),
            f"http://{host}:{ipfs_port}",
        )
        await _wait_post(ipfs, "/api/v0/version", None, 60)
        progress(f"IPFS service ready at {ipfs.url}")

        mock_table = fetch_mocks.to_config() if fetch_mocks is not None else {}
        ports = [free_port(host) for _ in range(n)]
        identities = await asyncio.gather(
            *(_keygen(root / f"node{i}", root / "secrets" / f"node{i}.seal") for i in range(1, n + 1))
        )
        peers: list[dict[str, Any]] = [
            {"index": i, "url": f"http://{host}:{ports[i - 1]}", **keys} for i, keys in enumerate(identities, start=1)
        ]
        nodes = []
        for i in range(1, n + 1):
            config = {
                "index": i, "host": host, "port": ports[i - 1], "peers": peers,
                "state_dir": str(root / f"node{i}"), "seal_key_path": str(root / "secrets" / f"node{i}.seal"),
                "chains": {"lit": chain_rpc, "local": chain_rpc}, "pkp_contract": contracts.pkp_registry,
                "ipfs_gateways": [ipfs.url], "allow_private_fetch": allow_private_fetch,
                "dkg_phase_timeout_s": phase_timeout_s, "presign_batch_size": presign_batch_size,
                "presign_pool_target": presign_pool_target, "fault": (faults or {}).get(i),
                "siwe_domains": ["localhost"], "siwe_chain_id": contracts.chain_id,
                "fetch_mocks": mock_table,
            }
            path = root / f"node{i}" / "config.json"
            path.write_text(json.dumps(config, indent=2))
            # Only a node given a fault is told to take one (node/__main__.py refuses it otherwise).
            switch = ["--allow-test-faults"] if config["fault"] is not None else []
            cmd = python_cmd("-m", "node", "serve", "--config", str(path), *switch)
            nodes.append(spawn(root, f"node{i}", cmd, peers[i - 1]["url"]))
        progress(f"started {n} nodes; running the DKG")
        statuses = await asyncio.gather(
            *(wait_http(p, "/status", ready_timeout_s, ready=lambda s: s.get("ready") or s.get("genesisError")) for p in nodes)
        )
        errors = [s["genesisError"] for s in statuses if s.get("genesisError")]
        if errors:
            raise RuntimeError(f"DKG failed: {errors[0]}")
        public = statuses[0]["network"]
        _check_same_network_keys([s["network"] for s in statuses])
        async with NetworkKeysRegistry(chain_rpc, contracts.network_keys, admin.private_key) as registry:
            await registry.set_network_keys(
                [bytes.fromhex(k) for k in public["ecdsaRootKeys"]], bytes.fromhex(public["blsPublicKey"]), public["threshold"]
            )
        try:
            await publish_for_lit_sdk(
                root, chain_rpc, contracts.chain_id, admin.private_key, [p["url"] for p in peers],
                [s["claimAddress"] for s in statuses], public["threshold"],
            )
        except NotIPv4 as exc:
            progress(f"not usable by Lit's JavaScript SDK: {exc}")
        else:
            progress(f"Lit's JavaScript SDK connects with:\n{connect_snippet(root)}")
        info = NetworkInfo(
            state_dir=str(root), nodes=[p["url"] for p in peers], n=n, t=public["t"], threshold=public["threshold"],
            chain_url=chain_rpc, chain_id=contracts.chain_id, pkp_contract=contracts.pkp_registry,
            network_keys_contract=contracts.network_keys, ipfs_url=ipfs.url, public=public, fetch_mocks=mock_table,
        )
        (root / NETWORK_FILE).write_text(info.to_json())
        progress("network ready")
        return info
    except BaseException:
        stop_all(root)
        raise


def _check_same_network_keys(published: list[dict[str, Any]]) -> None:
    """Honest nodes publish identical keys; say which field and which nodes differ, for the log's reader."""
    first = published[0]
    for name in sorted({k for p in published for k in p}):
        differ = [i for i, p in enumerate(published, start=1) if p.get(name) != first.get(name)]
        if differ:
            raise RuntimeError(
                f"nodes finished the DKG with different public keys: field {name!r} of node(s) "
                f"{differ} differs from node 1's ({json.dumps(first.get(name))[:200]} vs "
                f"{json.dumps(published[differ[0] - 1].get(name))[:200]})"
            )
